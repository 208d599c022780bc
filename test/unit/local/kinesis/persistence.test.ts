import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../local/clock';
import { KinesisTwin } from '../../../../local/kinesis';

describe('Class: KinesisTwin', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kinesis-twin-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Method: close (with dataDir)', () => {
    it('keeps streams, records, tags and positions across a restart', async () => {
      // Prepare
      const clock = new ManualClock();
      const first = new KinesisTwin({ clock, dataDir: dir });
      await first.handle('CreateStream', { StreamName: 'kept', ShardCount: 2, Tags: { a: 'b' } });
      const put = first.putRecords(
        { StreamName: 'kept' },
        ['one', 'two', 'three'].map((s) => ({ data: Buffer.from(s), partitionKey: s, explicitHashKey: '0' })),
      );
      const it = first.getShardIterator({ StreamName: 'kept' }, 'shardId-000000000000', 'TRIM_HORIZON');
      await first.close();

      // Act
      const second = new KinesisTwin({ clock, dataDir: dir });
      const records = second.getRecords(it).Records;
      const next = second.putRecords({ StreamName: 'kept' }, [
        { data: Buffer.from('four'), partitionKey: 'x', explicitHashKey: '0' },
      ]);
      const tags = (await second.handle('ListTagsForStream', { StreamName: 'kept' })) as { Tags: unknown[] };
      await second.close();

      // Assess
      expect(records.map((r) => Buffer.from(r.Data).toString())).toEqual(['one', 'two', 'three']);
      expect(records.map((r) => r.SequenceNumber)).toEqual(
        put.Records.map((r) => ('SequenceNumber' in r ? r.SequenceNumber : '')),
      );
      const last = put.Records[2] as { SequenceNumber: string };
      const added = next.Records[0] as { SequenceNumber: string };
      expect(BigInt(added.SequenceNumber) > BigInt(last.SequenceNumber)).toBe(true);
      expect(tags.Tags).toEqual([{ Key: 'a', Value: 'b' }]);
    });

    it('appends what was put between flushes, and drops records that passed retention', async () => {
      // Prepare
      const clock = new ManualClock();
      const first = new KinesisTwin({ clock, dataDir: dir, limits: false });
      await first.handle('CreateStream', { StreamName: 'grow', ShardCount: 1 });
      const put = async (text: string): Promise<void> => {
        await first.putRecordsDurably({ StreamName: 'grow' }, [{ data: Buffer.from(text), partitionKey: 'k' }]);
      };
      await put('old');
      await first.flush();
      await clock.advance(25 * 3_600_000);
      await put('new-1');
      await first.flush();
      await put('new-2');
      await first.close();

      // Act
      const second = new KinesisTwin({ clock, dataDir: dir });
      const it = second.getShardIterator({ StreamName: 'grow' }, 'shardId-000000000000', 'TRIM_HORIZON');
      const read = second.getRecords(it).Records.map((r) => Buffer.from(r.Data).toString());
      await second.close();

      // Assess
      expect(read).toEqual(['new-1', 'new-2']);
    });

    it('does not mix the records of a stream deleted and created again under the same name', async () => {
      // Prepare
      const first = new KinesisTwin({ dataDir: dir });
      await first.handle('CreateStream', { StreamName: 'again', ShardCount: 1 });
      first.putRecords({ StreamName: 'again' }, [{ data: Buffer.from('first life'), partitionKey: 'k' }]);
      await first.flush();
      await first.handle('DeleteStream', { StreamName: 'again' });
      await first.handle('CreateStream', { StreamName: 'again', ShardCount: 1 });
      first.putRecords({ StreamName: 'again' }, [{ data: Buffer.from('second life'), partitionKey: 'k' }]);
      await first.close();

      // Act
      const second = new KinesisTwin({ dataDir: dir });
      const it = second.getShardIterator({ StreamName: 'again' }, 'shardId-000000000000', 'TRIM_HORIZON');
      const read = second.getRecords(it).Records.map((r) => Buffer.from(r.Data).toString());
      await second.close();

      // Assess
      expect(read).toEqual(['second life']);
    });

    it('forgets deleted streams', async () => {
      // Prepare
      const first = new KinesisTwin({ dataDir: dir });
      await first.handle('CreateStream', { StreamName: 'gone', ShardCount: 1 });
      await first.close();
      const second = new KinesisTwin({ dataDir: dir });
      await second.handle('DeleteStream', { StreamName: 'gone' });
      await second.close();

      // Act
      const third = new KinesisTwin({ dataDir: dir });
      const list = (await third.handle('ListStreams', {})) as { StreamNames: string[] };
      await third.close();

      // Assess
      expect(list.StreamNames).toEqual([]);
    });
  });

  describe('Method: getRecords (in process)', () => {
    it('returns bytes and millisecond timestamps, and reports how far behind the tip a reader is', async () => {
      // Prepare
      const clock = new ManualClock();
      const twin = new KinesisTwin({ clock });
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });
      twin.putRecords({ StreamName: 's' }, [{ data: Buffer.from('a'), partitionKey: 'k' }]);
      await clock.advance(1000);
      twin.putRecords({ StreamName: 's' }, [{ data: Buffer.from('b'), partitionKey: 'k' }]);
      await clock.advance(500);
      const it = twin.getShardIterator({ StreamName: 's' }, 'shardId-000000000000', 'TRIM_HORIZON');

      // Act
      const page = twin.getRecords(it, 1);
      const rest = twin.getRecords(page.NextShardIterator!);

      // Assess
      expect(Buffer.from(page.Records[0]!.Data).toString()).toBe('a');
      expect(page.Records[0]!.ApproximateArrivalTimestamp).toBe(clock.now() - 1500);
      expect(page.MillisBehindLatest).toBe(500);
      expect(rest.MillisBehindLatest).toBe(0);
      await twin.close();
    });

    it('applies the same validation as the wire', async () => {
      // Prepare
      const twin = new KinesisTwin();
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });

      // Act
      const call = (): unknown =>
        twin.putRecords({ StreamName: 's' }, [{ data: Buffer.alloc(1024 * 1024 + 1), partitionKey: 'k' }]);

      // Assess
      expect(call).toThrow(expect.objectContaining({ name: 'ValidationException' }));
      await twin.close();
    });
  });
});
