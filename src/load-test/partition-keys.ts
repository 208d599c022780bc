/**
 * Partition keys for a load test: keys chosen by hashing them the way Kinesis does, so that every open input shard
 * gets the same share of the records, and the run id they derive from.
 */
import { createHash } from 'node:crypto';

/** A Kinesis shard as ListShards describes it. */
export interface ShardRange {
  ShardId?: string | undefined;
  HashKeyRange?: { StartingHashKey?: string | undefined; EndingHashKey?: string | undefined } | undefined;
}

/** A new run id: short, sortable by time, safe in USERNAME and in partition keys. */
export function newRunId(now = Date.now()): string {
  return `lt${now.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}

/** The 128-bit hash Kinesis maps a partition key with. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/**
 * Partition keys that land `perShard` on each open shard, found by hashing candidates the way Kinesis does, so a
 * run loads every shard evenly whatever the shard count.
 */
export function partitionKeysForShards(runId: string, shards: ShardRange[], perShard = 4): string[] {
  const ranges = shards
    .filter((s) => s.HashKeyRange?.StartingHashKey !== undefined && s.HashKeyRange.EndingHashKey !== undefined)
    .map((s) => ({
      start: BigInt(s.HashKeyRange!.StartingHashKey!),
      end: BigInt(s.HashKeyRange!.EndingHashKey!),
      keys: [] as string[],
    }));
  if (ranges.length === 0) return Array.from({ length: perShard }, (_, i) => `${runId}-k${i}`);
  let filled = 0;
  // Each candidate lands on a shard with probability >= 1/shards; the bound only guards against bad ranges.
  const limit = ranges.length * perShard * 64 + 1000;
  for (let i = 0; filled < ranges.length && i < limit; i++) {
    const key = `${runId}-k${i}`;
    const hash = hashKeyOf(key);
    const range = ranges.find((r) => hash >= r.start && hash <= r.end);
    if (!range || range.keys.length >= perShard) continue;
    range.keys.push(key);
    if (range.keys.length === perShard) filled++;
  }
  // Interleave so consecutive records go to different shards.
  const keys: string[] = [];
  for (let k = 0; k < perShard; k++) for (const r of ranges) if (r.keys[k] !== undefined) keys.push(r.keys[k]!);
  return keys;
}
