/**
 * Partition keys for a load test: keys chosen by hashing them the way Kinesis does, so that every open input shard
 * gets the same share of the records, and the run id they derive from.
 */
import { createHash } from 'node:crypto';

/**
 * Partition keys a load test spreads its records over, per input shard, unless told otherwise. A stream in use has
 * many keys a shard (a user, device or session id each), and the fan-out keeps each key's order by putting one record
 * of a key per PutRecords call: with 100 keys a shard, a batch of 100 (the stack's fanoutBatchSize) is one call per
 * output, as a real stream's would be, while the default 500 records still give each key 5 records whose order the
 * verifier checks. The first load test used 4 (no reason recorded in bdf3b06, where it appeared): 25 records of a key
 * in each batch, 25 calls in a row, which measured the per-key round trip rather than the fan-out. The producer
 * keeps that true at high rates too (`produce` in kinesis-io.ts gives a lane at least a call's worth of keys): its 4
 * lanes of 25 keys each had made a batch of 100 hold 25 keys 4 times (until 3 Dec 2026).
 */
export const DEFAULT_KEYS_PER_SHARD = 100;
/** The most keys a shard a load test may ask for (keys are found by hashing candidates, about this many a shard). */
export const MAX_KEYS_PER_SHARD = 10_000;

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
export function partitionKeysForShards(
  runId: string,
  shards: ShardRange[],
  perShard: number = DEFAULT_KEYS_PER_SHARD,
): string[] {
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
