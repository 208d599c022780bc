/**
 * Hash keys: a record goes to the open shard whose hash-key range holds the MD5 of its partition key (as a
 * 128-bit unsigned big-endian integer) or its ExplicitHashKey. Ranges are compared as 16-byte buffers, which
 * is much cheaper per record than BigInt arithmetic.
 */
import { invalidArgument } from './errors';
import { md5Scratch } from './md5';

export const HASH_SPACE = 1n << 128n;

/** Even split of the hash space over `count` shards, as Kinesis makes it for CreateStream. */
export function splitHashSpace(count: number): { start: bigint; end: bigint }[] {
  const step = HASH_SPACE / BigInt(count);
  const ranges: { start: bigint; end: bigint }[] = [];
  for (let i = 0; i < count; i++) {
    const start = step * BigInt(i);
    const end = i < count - 1 ? step * BigInt(i + 1) - 1n : HASH_SPACE - 1n;
    ranges.push({ start, end });
  }
  return ranges;
}

export function toKeyBuffer(value: bigint): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeBigUInt64BE(value >> 64n, 0);
  buf.writeBigUInt64BE(value & 0xffffffffffffffffn, 8);
  return buf;
}

/** The hash key of `partitionKey`, in a scratch buffer the next call overwrites: route with it at once. */
export function partitionKeyHash(partitionKey: string): Buffer {
  return md5Scratch(partitionKey);
}

export function explicitHashKey(value: string): Buffer {
  const key = /^(0|[1-9]\d{0,38})$/.test(value) ? BigInt(value) : -1n;
  if (key < 0n || key >= HASH_SPACE) {
    throw invalidArgument(
      `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${value}`,
    );
  }
  return toKeyBuffer(key);
}
