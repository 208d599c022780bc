import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRounds } from './crash';

const KILLS = 5;

describe('Kinesis twin with --data-dir, killed with SIGKILL under a steady producer', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kinesis-crash-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged record, exactly once and in order per shard, across ${KILLS} kills`, async () => {
    // Prepare, Act: 4 producers put batches of 25 into 3 shards; the twin is killed 0.3-1.2 s into each round
    const report = await crashRounds({ dataDir: join(dir, 'data'), kills: KILLS, minMs: 300, maxMs: 1200 });

    // Assess
    expect(report.problems).toEqual([]);
    expect(report.kills).toBe(KILLS);
    expect(report.acknowledged).toBeGreaterThan(KILLS * 25);
    expect(report.recovered).toBe(report.acknowledged);
  }, 120_000);
});
