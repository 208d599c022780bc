import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableMap } from '../../../../local/storage/durable-map';
import { JournalCorruptError } from '../../../../local/storage/errors';
import { FILE_HEADER } from '../../../../local/storage/frame';

interface Checkpoint {
  shard: string;
  sequenceNumber: string;
}

describe('Class: DurableMap', () => {
  let dir: string;
  let warnings: string[];
  const open = (slack?: number): DurableMap<Checkpoint> =>
    DurableMap.open<Checkpoint>(dir, {
      warn: (m) => warnings.push(m),
      ...(slack !== undefined ? { snapshotSlackBytes: slack, fsync: false } : {}),
    });
  const segment = (): string =>
    join(
      dir,
      readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .sort()
        .pop()!,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-map-'));
    warnings = [];
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Method: commit', () => {
    it('keeps what was set and deleted across a reopen', async () => {
      // Prepare
      const map = open();

      // Act
      map.set('a', { shard: 'shardId-000000000000', sequenceNumber: '1' });
      map.set('b', { shard: 'shardId-000000000001', sequenceNumber: '2' });
      map.set('a', { shard: 'shardId-000000000000', sequenceNumber: '3' });
      map.delete('b');
      await map.commit();
      await map.close();
      const again = open();

      // Assess
      expect([...again.entries()]).toEqual([['a', { shard: 'shardId-000000000000', sequenceNumber: '3' }]]);
      await again.close();
    });

    it('lets go of the log behind a snapshot once it outgrows the live entries', async () => {
      // Prepare
      const map = open(1);

      // Act: one key set 60 times
      for (let i = 0; i < 60; i++) {
        map.set('only', { shard: 's', sequenceNumber: String(i) });
        await map.commit();
      }
      await map.close();
      const files = readdirSync(dir);
      const again = open(1);

      // Assess
      expect(files.some((f) => f.endsWith('.snap'))).toBe(true);
      expect(readFileSync(segment()).length).toBeLessThan(2_000);
      expect(again.get('only')).toEqual({ shard: 's', sequenceNumber: '59' });
      await again.close();
    });
  });

  describe('Method: open', () => {
    it('cuts a torn last change with a warning, and refuses damage that later changes follow', async () => {
      // Prepare
      const map = open();
      map.set('kept', { shard: 's', sequenceNumber: '1' });
      await map.commit();
      map.set('torn', { shard: 's', sequenceNumber: '2' });
      await map.commit();
      await map.close();
      const file = segment();
      truncateSync(file, readFileSync(file).length - 3);

      // Act
      const again = open();
      const keys = [...again.keys()];
      again.set('after', { shard: 's', sequenceNumber: '3' });
      await again.commit();
      await again.close();
      const buf = readFileSync(file);
      buf[FILE_HEADER + 25] ^= 0x20;
      writeFileSync(file, buf);

      // Assess
      expect(keys).toEqual(['kept']);
      expect(warnings[0]).toContain(file);
      expect(() => open()).toThrow(JournalCorruptError);
    });
  });
});
