import {
  CreateStreamCommand,
  DeleteStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordCommand,
  SplitShardCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { connect, type Target, uniqueName, waitActive } from './harness';

describe('Class: Kinesis resharding', () => {
  let target: Target;

  beforeAll(async () => {
    target = await connect();
  });

  afterAll(async () => {
    await target.close();
  });

  async function openShards(name: string): Promise<string[]> {
    const out = await target.client.send(
      new ListShardsCommand({ StreamName: name, ShardFilter: { Type: 'AT_LATEST' } }),
    );
    return (out.Shards ?? []).map((s) => s.ShardId!);
  }

  describe('Method: UpdateShardCount', () => {
    it('doubles the open shards, closes the parents and routes new records to the children', async () => {
      // Prepare
      const name = uniqueName('scale');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);
      await target.client.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: 'p', Data: Buffer.from('before') }),
      );

      // Act
      const out = await target.client.send(
        new UpdateShardCountCommand({ StreamName: name, TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }),
      );
      await waitActive(target.client, name);
      const all = (await target.client.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
      const open = await openShards(name);
      const put = await target.client.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: 'p', Data: Buffer.from('after') }),
      );
      const parentIt = await target.client.send(
        new GetShardIteratorCommand({ StreamName: name, ShardId: all[0]!.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const parentRead = await target.client.send(new GetRecordsCommand({ ShardIterator: parentIt.ShardIterator! }));
      const parentEnd = parentRead.NextShardIterator
        ? await target.client.send(new GetRecordsCommand({ ShardIterator: parentRead.NextShardIterator }))
        : parentRead;

      // Assess
      expect(out.CurrentShardCount).toBe(1);
      expect(out.TargetShardCount).toBe(2);
      expect(open).toHaveLength(2);
      expect(all[0]!.SequenceNumberRange?.EndingSequenceNumber).toEqual(expect.any(String));
      expect(open).toContain(put.ShardId);
      expect(parentRead.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['before']);
      expect(parentEnd.NextShardIterator).toBeUndefined();
      expect(parentEnd.ChildShards?.map((c) => c.ShardId).sort()).toEqual([...open].sort());
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('refuses to more than double the open shards', async () => {
      // Prepare
      const name = uniqueName('toomuch');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);

      // Act
      const error = await target.client
        .send(new UpdateShardCountCommand({ StreamName: name, TargetShardCount: 3, ScalingType: 'UNIFORM_SCALING' }))
        .catch((e: unknown) => e);

      // Assess
      expect(['LimitExceededException', 'InvalidArgumentException']).toContain((error as Error).name);
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });
  });

  describe('Method: SplitShard', () => {
    it('splits a shard at a hash key and merges the halves back', async () => {
      // Prepare
      const name = uniqueName('split');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);

      // Act
      await target.client.send(
        new SplitShardCommand({
          StreamName: name,
          ShardToSplit: 'shardId-000000000000',
          NewStartingHashKey: (2n ** 127n).toString(),
        }),
      );
      await waitActive(target.client, name);
      const halves = (
        await target.client.send(new ListShardsCommand({ StreamName: name, ShardFilter: { Type: 'AT_LATEST' } }))
      ).Shards!;
      await target.client.send(
        new MergeShardsCommand({
          StreamName: name,
          ShardToMerge: halves[0]!.ShardId!,
          AdjacentShardToMerge: halves[1]!.ShardId!,
        }),
      );
      await waitActive(target.client, name);
      const merged = (
        await target.client.send(new ListShardsCommand({ StreamName: name, ShardFilter: { Type: 'AT_LATEST' } }))
      ).Shards!;

      // Assess
      expect(halves.map((s) => [s.HashKeyRange?.StartingHashKey, s.ParentShardId])).toEqual([
        ['0', 'shardId-000000000000'],
        [(2n ** 127n).toString(), 'shardId-000000000000'],
      ]);
      expect(merged).toHaveLength(1);
      expect(merged[0]!.HashKeyRange).toEqual({ StartingHashKey: '0', EndingHashKey: (2n ** 128n - 1n).toString() });
      expect([merged[0]!.ParentShardId, merged[0]!.AdjacentParentShardId]).toEqual(halves.map((s) => s.ShardId));
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('refuses a hash key outside the shard', async () => {
      // Prepare
      const name = uniqueName('badsplit');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
      await waitActive(target.client, name);

      // Act
      const error = await target.client
        .send(
          new SplitShardCommand({
            StreamName: name,
            ShardToSplit: 'shardId-000000000000',
            NewStartingHashKey: (2n ** 128n - 2n).toString(),
          }),
        )
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('InvalidArgumentException');
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });
  });
});
