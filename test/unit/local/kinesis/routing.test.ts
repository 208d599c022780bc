import { KinesisTwin } from '../../../../local/kinesis';

const HALF = 1n << 127n;

describe('Routing: the shard of a hash key', () => {
  it.each([
    ['one below the split', HALF + 4n, 'shardId-000000000001'],
    ['at the split', HALF + 5n, 'shardId-000000000002'],
    ['first 4 bytes above it', HALF + (1n << 96n), 'shardId-000000000002'],
    ['first 4 bytes below it', HALF - 1n, 'shardId-000000000001'],
  ])('puts a key %s where its whole 16 bytes say, not its first 4', (_name, hashKey, shardId) => {
    // Prepare: a split whose two children start within the same first 4 bytes (0x80000000)
    const twin = new KinesisTwin({ createDelayMs: 0, limits: false });
    twin.call('CreateStream', { StreamName: 's', ShardCount: 1 });
    twin.call('SplitShard', {
      StreamName: 's',
      ShardToSplit: 'shardId-000000000000',
      NewStartingHashKey: (HALF + 5n).toString(),
    });

    // Act
    const answer = twin.call('PutRecords', {
      StreamName: 's',
      Records: [{ Data: 'AA==', PartitionKey: 'k', ExplicitHashKey: hashKey.toString() }],
    }) as { json: string };

    // Assess
    const out = JSON.parse(answer.json) as { Records: { ShardId: string }[] };
    expect(out.Records[0]!.ShardId).toBe(shardId);
  });
});
