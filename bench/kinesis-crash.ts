/**
 * The crash test of the suite (test/integration/kinesis/crash.test.ts) with more kills, printing the totals:
 * a Kinesis twin with a data directory, killed with SIGKILL at random moments under four producers, restarted,
 * checked after each restart. Not part of `npm run bench` (it measures no speed):
 *
 *   npx tsx bench/kinesis-crash.ts [--kills N] [--min-ms 200] [--max-ms 2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crashRounds } from '../test/integration/kinesis/crash';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kinesis-crash-'));
  try {
    const report = await crashRounds({
      dataDir: join(dir, 'data'),
      kills: arg('kills', 20),
      minMs: arg('min-ms', 200),
      maxMs: arg('max-ms', 2000),
    });
    process.stdout.write(
      `${report.kills} kills: ${report.acknowledged} records acknowledged, ${report.recovered} read back after the last restart; ` +
        `${report.inFlight} were in flight at a kill (no answer), ${report.inFlightKept} of them kept; ` +
        `${report.problems.length} problems\n`,
    );
    for (const p of report.problems.slice(0, 20)) process.stdout.write(`  ${p}\n`);
    if (report.problems.length > 0) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
