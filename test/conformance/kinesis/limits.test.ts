/**
 * Shard limits, iterator expiry, retention and status timing, driven by a ManualClock. These run on a twin this
 * suite starts (time cannot be moved on a remote endpoint), still talking only through the SDK.
 */
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  type KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { ManualClock } from '../../../local/clock';
import { startLocal } from './harness';

type Local = Awaited<ReturnType<typeof startLocal>>;

async function trimHorizon(client: KinesisClient, stream: string): Promise<string> {
  const out = await client.send(
    new GetShardIteratorCommand({
      StreamName: stream,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  return out.ShardIterator!;
}

function batch(n: number, size = 10): { PartitionKey: string; Data: Uint8Array }[] {
  return Array.from({ length: n }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.alloc(size, 1) }));
}

describe('Class: Kinesis limits', () => {
  let clock: ManualClock;
  let local: Local;

  beforeEach(async () => {
    clock = new ManualClock();
    local = await startLocal({ clock });
  });

  afterEach(async () => {
    await local.close();
  });

  async function stream(name: string, shards = 1): Promise<string> {
    await local.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
    return name;
  }

  describe('Method: PutRecords', () => {
    it('fails records past 1,000 per second per shard, one by one, until the clock moves', async () => {
      // Prepare
      const name = await stream('writes');
      await local.client.send(new PutRecordsCommand({ StreamName: name, Records: batch(500) }));
      await local.client.send(new PutRecordsCommand({ StreamName: name, Records: batch(400) }));

      // Act
      const over = await local.client.send(new PutRecordsCommand({ StreamName: name, Records: batch(200) }));
      await clock.advance(1000);
      const after = await local.client.send(new PutRecordsCommand({ StreamName: name, Records: batch(500) }));

      // Assess
      expect(over.FailedRecordCount).toBe(100);
      expect(over.Records?.slice(0, 100).every((r) => r.SequenceNumber !== undefined)).toBe(true);
      expect(over.Records?.[150]).toEqual({
        ErrorCode: 'ProvisionedThroughputExceededException',
        ErrorMessage: 'Rate exceeded for shard shardId-000000000000 in stream writes under account 000000000000.',
      });
      expect(after.FailedRecordCount).toBe(0);
    });

    it('throttles PutRecord past 1 MiB per second per shard', async () => {
      // Prepare
      const name = await stream('bytes');
      const big = Buffer.alloc(600 * 1024);
      await local.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'a', Data: big }));

      // Act
      const error = await local.client
        .send(new PutRecordCommand({ StreamName: name, PartitionKey: 'b', Data: big }))
        .catch((e: unknown) => e);
      await clock.advance(1000);
      const later = await local.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'c', Data: big }));

      // Assess
      expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
      expect(later.SequenceNumber).toEqual(expect.any(String));
    });

    it('keeps shards independent: a second shard still takes records', async () => {
      // Prepare
      const name = await stream('two', 2);
      const low = { PartitionKey: 'x', ExplicitHashKey: '0', Data: Buffer.from('x') };
      const high = { PartitionKey: 'x', ExplicitHashKey: (2n ** 127n).toString(), Data: Buffer.from('x') };
      await local.client.send(new PutRecordsCommand({ StreamName: name, Records: Array(500).fill(low) }));
      await local.client.send(new PutRecordsCommand({ StreamName: name, Records: Array(500).fill(low) }));

      // Act
      const out = await local.client.send(new PutRecordsCommand({ StreamName: name, Records: [low, high] }));

      // Assess
      expect(out.Records?.[0]?.ErrorCode).toBe('ProvisionedThroughputExceededException');
      expect(out.Records?.[1]?.ShardId).toBe('shardId-000000000001');
    });
  });

  describe('Method: GetRecords', () => {
    it('allows 5 calls per second per shard', async () => {
      // Prepare
      const name = await stream('reads');
      let it = await trimHorizon(local.client, name);
      for (let i = 0; i < 5; i++) {
        it = (await local.client.send(new GetRecordsCommand({ ShardIterator: it }))).NextShardIterator!;
      }

      // Act
      const error = await local.client.send(new GetRecordsCommand({ ShardIterator: it })).catch((e: unknown) => e);
      await clock.advance(1000);
      const after = await local.client.send(new GetRecordsCommand({ ShardIterator: it }));

      // Assess
      expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
      expect(after.Records).toEqual([]);
    });

    it('throttles reads after 2 MiB per second per shard has been read', async () => {
      // Prepare
      const name = await stream('readbytes');
      for (let i = 0; i < 3; i++) {
        await local.client.send(
          new PutRecordCommand({ StreamName: name, PartitionKey: 'p', Data: Buffer.alloc(1000 * 1024) }),
        );
        await clock.advance(1000);
      }
      const first = await local.client.send(
        new GetRecordsCommand({ ShardIterator: await trimHorizon(local.client, name) }),
      );

      // Act
      const error = await local.client
        .send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator! }))
        .catch((e: unknown) => e);
      await clock.advance(1000);
      const after = await local.client.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator! }));

      // Assess
      expect(first.Records?.length).toBe(3);
      expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
      expect(after.Records).toEqual([]);
    });

    it('expires an iterator after 5 minutes', async () => {
      // Prepare
      const name = await stream('expiry');
      const it = await trimHorizon(local.client, name);
      await clock.advance(5 * 60 * 1000 + 1);

      // Act
      const error = await local.client.send(new GetRecordsCommand({ ShardIterator: it })).catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('ExpiredIteratorException');
      expect((error as Error).message).toContain('tolerated delay of 300000 milliseconds');
    });

    it('stops returning records older than the retention period, and keeps them once it is raised', async () => {
      // Prepare
      const name = await stream('retention');
      await local.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'p', Data: Buffer.from('old') }));
      await clock.advance(23 * 3_600_000);
      await local.client.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: name, RetentionPeriodHours: 48 }));
      await local.client.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'p', Data: Buffer.from('new') }));

      // Act
      await clock.advance(2 * 3_600_000);
      const kept = await local.client.send(
        new GetRecordsCommand({ ShardIterator: await trimHorizon(local.client, name) }),
      );
      await clock.advance(24 * 3_600_000);
      const trimmed = await local.client.send(
        new GetRecordsCommand({ ShardIterator: await trimHorizon(local.client, name) }),
      );

      // Assess
      expect(kept.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['old', 'new']);
      expect(trimmed.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['new']);
    });
  });

  describe('Method: CreateStream', () => {
    it('refuses shards beyond the account quota with LimitExceededException', async () => {
      // Prepare
      await stream('big', 400);

      // Act
      const error = await stream('bigger', 200).catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('LimitExceededException');
      expect((error as Error).message).toContain('Current shard count for the account: 400. Limit: 500');
    });
  });
});

describe('Class: Kinesis timing knobs', () => {
  it('keeps a stream CREATING for createDelayMs of the clock, and refuses records meanwhile', async () => {
    // Prepare
    const clock = new ManualClock();
    const local = await startLocal({ clock, createDelayMs: 10_000 });
    await local.client.send(new CreateStreamCommand({ StreamName: 'slow', ShardCount: 1 }));

    // Act
    const before = await local.client.send(new DescribeStreamSummaryCommand({ StreamName: 'slow' }));
    const put = await local.client
      .send(new PutRecordCommand({ StreamName: 'slow', PartitionKey: 'p', Data: Buffer.from('x') }))
      .catch((e: unknown) => e);
    await clock.advance(10_000);
    const after = await local.client.send(new DescribeStreamSummaryCommand({ StreamName: 'slow' }));

    // Assess
    expect(before.StreamDescriptionSummary?.StreamStatus).toBe('CREATING');
    expect((put as Error).name).toBe('ResourceNotFoundException');
    expect(after.StreamDescriptionSummary?.StreamStatus).toBe('ACTIVE');
    await local.close();
  });

  it('lets any number of records through with limits off', async () => {
    // Prepare
    const local = await startLocal({ clock: new ManualClock(), limits: false });
    await local.client.send(new CreateStreamCommand({ StreamName: 'free', ShardCount: 1 }));

    // Act
    let failed = 0;
    for (let i = 0; i < 6; i++) {
      const out = await local.client.send(new PutRecordsCommand({ StreamName: 'free', Records: batch(500, 1000) }));
      failed += out.FailedRecordCount ?? 0;
    }

    // Assess
    expect(failed).toBe(0);
    await local.close();
  });
});
