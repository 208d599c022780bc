import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisTwin, type KinesisTwinOptions } from '../../../../local/kinesis';
import { JournalCorruptError } from '../../../../local/storage/errors';

type Put = { SequenceNumber: string; ShardId: string };

describe('Class: KinesisTwin (durable, with dataDir)', () => {
  let root: string;
  let dir: string;
  let warnings: string[];
  const twins: KinesisTwin[] = [];
  const start = (at = dir, opts: KinesisTwinOptions = {}): KinesisTwin => {
    const twin = new KinesisTwin({ dataDir: at, limits: false, journal: { warn: (m) => warnings.push(m) }, ...opts });
    twins.push(twin);
    return twin;
  };
  /** What a crash leaves: the files as they are now, opened by a new twin while the old one still runs. */
  const crash = (): string => {
    const copy = join(root, `crash-${twins.length}`);
    cpSync(dir, copy, { recursive: true });
    return copy;
  };
  const segment = (at: string): string => {
    const journal = join(at, 'kinesis', 'journal');
    return join(
      journal,
      readdirSync(journal)
        .filter((f) => f.endsWith('.log'))
        .sort()
        .pop()!,
    );
  };
  const putOne = async (twin: KinesisTwin, data: string): Promise<Put> =>
    (await twin.handle('PutRecord', {
      StreamName: 's',
      PartitionKey: 'k',
      Data: Buffer.from(data).toString('base64'),
    })) as Put;
  const readAll = async (twin: KinesisTwin, stream = 's', shard = 'shardId-000000000000'): Promise<string[]> => {
    const it = twin.getShardIterator({ StreamName: stream }, shard, 'TRIM_HORIZON');
    return twin.getRecords(it, 10_000).Records.map((r) => Buffer.from(r.Data).toString());
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'kinesis-durable-'));
    dir = join(root, 'data');
    warnings = [];
  });

  afterEach(async () => {
    for (const twin of twins.splice(0)) await twin.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  describe('Method: handle', () => {
    it('answers PutRecord and PutRecords once their records are on disk: a crash right after keeps them', async () => {
      // Prepare
      const twin = start();
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });

      // Act
      await putOne(twin, 'one');
      await twin.handle('PutRecords', {
        StreamName: 's',
        Records: ['two', 'three'].map((d) => ({ PartitionKey: 'k', Data: Buffer.from(d).toString('base64') })),
      });
      const after = start(crash());

      // Assess
      expect(await readAll(after)).toEqual(['one', 'two', 'three']);
    });

    it('keeps records from readers until they are durable', async () => {
      // Prepare
      const twin = start();
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });

      // Act
      twin.putRecords({ StreamName: 's' }, [{ data: Buffer.from('held'), partitionKey: 'k' }]);
      const before = await readAll(twin);
      await twin.flush();
      const after = await readAll(twin);

      // Assess
      expect(before).toEqual([]);
      expect(after).toEqual(['held']);
    });

    it('keeps every acknowledged change to the streams across a crash', async () => {
      // Prepare
      const twin = start();

      // Act
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 2 });
      await twin.handle('AddTagsToStream', { StreamName: 's', Tags: { team: 'data' } });
      await twin.handle('IncreaseStreamRetentionPeriod', { StreamName: 's', RetentionPeriodHours: 48 });
      await twin.handle('UpdateShardCount', { StreamName: 's', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' });
      await twin.handle('RegisterStreamConsumer', { StreamARN: twin.streamArn('s'), ConsumerName: 'reader' });
      await twin.handle('CreateStream', { StreamName: 'gone', ShardCount: 1 });
      await twin.handle('DeleteStream', { StreamName: 'gone' });
      const after = start(crash());

      // Assess
      const summary = (await after.handle('DescribeStreamSummary', { StreamName: 's' })) as {
        StreamDescriptionSummary: { RetentionPeriodHours: number; OpenShardCount: number; ConsumerCount: number };
      };
      const tags = (await after.handle('ListTagsForStream', { StreamName: 's' })) as { Tags: unknown[] };
      const streams = (await after.handle('ListStreams', {})) as { StreamNames: string[] };
      expect(summary.StreamDescriptionSummary).toMatchObject({
        RetentionPeriodHours: 48,
        OpenShardCount: 4,
        ConsumerCount: 1,
      });
      expect(tags.Tags).toEqual([{ Key: 'team', Value: 'data' }]);
      expect(streams.StreamNames).toEqual(['s']);
    });
  });

  describe('Sequence numbers across restarts', () => {
    it('never go back after a crash, nor after a clean restart', async () => {
      // Prepare
      const twin = start();
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });
      const before = await putOne(twin, 'before');

      // Act
      const crashed = start(crash());
      const afterCrash = await putOne(crashed, 'after crash');
      await crashed.close();
      const again = start(join(root, 'crash-1'));
      const afterClean = await putOne(again, 'after clean restart');

      // Assess
      expect(BigInt(afterCrash.SequenceNumber)).toBeGreaterThan(BigInt(before.SequenceNumber));
      expect(BigInt(afterClean.SequenceNumber)).toBeGreaterThan(BigInt(afterCrash.SequenceNumber));
      expect(BigInt(afterClean.SequenceNumber) - BigInt(afterCrash.SequenceNumber)).toBe(1n);
      expect(await readAll(again)).toEqual(['before', 'after crash', 'after clean restart']);
    });

    it('cut a torn tail with a warning naming the file, and go on past the records it held', async () => {
      // Prepare
      const twin = start();
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });
      await putOne(twin, 'kept');
      const torn = await putOne(twin, 'torn by the crash');
      const copy = crash();
      const file = segment(copy);
      truncateSync(file, readFileSync(file).length - 5);

      // Act
      const after = start(copy);
      const next = await putOne(after, 'next');

      // Assess
      expect(warnings.some((w) => w.includes(file) && w.includes('cut'))).toBe(true);
      expect(await readAll(after)).toEqual(['kept', 'next']);
      expect(BigInt(next.SequenceNumber)).toBeGreaterThan(BigInt(torn.SequenceNumber));
    });
  });

  describe('Damage', () => {
    it('refuses to start on damage that acknowledged data follows, naming file and offset', async () => {
      // Prepare
      const twin = start();
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });
      for (const d of ['a', 'b', 'c']) await putOne(twin, d);
      const copy = crash();
      const file = segment(copy);
      const buf = readFileSync(file);
      buf[40] ^= 0x40; // inside the first batch (the stream's metadata), with three batches after it
      writeFileSync(file, buf);

      // Act
      const starting = (): unknown => start(copy);

      // Assess
      expect(starting).toThrow(JournalCorruptError);
      expect(starting).toThrow(new RegExp(`^${file.replace(/[/.]/g, '\\$&')} is damaged at offset \\d+`));
    });

    it('refuses a data directory of the twin before the journal, and leaves it as it was', () => {
      // Prepare
      mkdirSync(join(dir, 'kinesis'), { recursive: true });
      writeFileSync(join(dir, 'kinesis', 'streams.json'), '{"version":2,"streams":[]}');

      // Act
      const starting = (): unknown => start();

      // Assess
      expect(starting).toThrow(/streams.json holds streams of an older twin/);
      expect(readFileSync(join(dir, 'kinesis', 'streams.json'), 'utf8')).toBe('{"version":2,"streams":[]}');
    });
  });

  describe('Snapshots', () => {
    it('lets go of old log segments and keeps every live record', async () => {
      // Prepare
      const twin = start(dir, { journal: { snapshotSlackBytes: 1, warn: (m) => warnings.push(m) } });
      await twin.handle('CreateStream', { StreamName: 's', ShardCount: 1 });

      // Act
      for (let i = 0; i < 20; i++) await putOne(twin, `r${i}`);
      await twin.close();
      const files = readdirSync(join(dir, 'kinesis', 'journal'));
      const after = start();

      // Assess
      expect(files.some((f) => f.endsWith('.snap'))).toBe(true);
      expect(files.filter((f) => f.endsWith('.log'))).toHaveLength(1);
      expect(await readAll(after)).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`));
      expect(warnings).toEqual([]);
    });
  });
});
