import {
  DEFAULT_KEYS_PER_SHARD,
  hashKeyOf,
  newRunId,
  partitionKeysForShards,
} from '../../../src/load-test/partition-keys';

/** Four shards splitting the 128-bit hash space evenly. */
const fourShards = [0n, 1n, 2n, 3n].map((i) => {
  const quarter = 2n ** 126n;
  return {
    ShardId: `shardId-00000000000${i}`,
    HashKeyRange: { StartingHashKey: String(i * quarter), EndingHashKey: String((i + 1n) * quarter - 1n) },
  };
});

describe('Function: newRunId', () => {
  it('makes run ids that are safe in partition keys', () => {
    expect(newRunId(Date.UTC(2026, 0, 1))).toMatch(/^lt[a-z0-9]+$/);
  });
});

describe('Function: partitionKeysForShards', () => {
  it('gives every shard the same number of keys, each hashing into its shard', () => {
    // Act
    const keys = partitionKeysForShards('run-1', fourShards, 3);

    // Assess
    expect(keys).toHaveLength(12);
    expect(new Set(keys).size).toBe(12);
    const perShard = fourShards.map(
      (s) =>
        keys.filter((k) => {
          const h = hashKeyOf(k);
          return h >= BigInt(s.HashKeyRange.StartingHashKey) && h <= BigInt(s.HashKeyRange.EndingHashKey);
        }).length,
    );
    expect(perShard).toEqual([3, 3, 3, 3]);
    // Interleaved: the first four keys land on four different shards.
    const firstShards = keys
      .slice(0, 4)
      .map((k) => fourShards.findIndex((s) => hashKeyOf(k) <= BigInt(s.HashKeyRange.EndingHashKey)));
    expect(new Set(firstShards).size).toBe(4);
  });

  it('gives each shard 100 keys by default: one record of a key in a batch of 100, as in a stream with many keys', () => {
    // Act
    const keys = partitionKeysForShards('run-2', fourShards);

    // Assess
    expect(DEFAULT_KEYS_PER_SHARD).toBe(100);
    expect(new Set(keys).size).toBe(4 * 100);
  });

  it('falls back to plain keys when the shards are unknown', () => {
    expect(partitionKeysForShards('r', [], 2)).toEqual(['r-k0', 'r-k1']);
  });
});
