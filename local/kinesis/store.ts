/**
 * The state of the Kinesis twin: streams, their shards (hash-key ranges and record logs), tags and consumers.
 */

import { streamArn as buildStreamArn } from '../../src/arn';
import { toKeyBuffer } from './hash';
import { LIMITS, ShardThrottle } from './limits';
import { ShardMetrics } from './metrics';
import { shardIdOf, shardPrefix } from './sequence';
import type { ShardLog } from './shard-log';

export type StreamStatus = 'CREATING' | 'DELETING' | 'ACTIVE' | 'UPDATING';
export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

export class Shard {
  readonly id: string;
  readonly prefix: string;
  readonly startKey: Buffer;
  /** The first 4 bytes of `startKey` as a number: most keys are placed by it alone. */
  readonly startTop: number;
  readonly endKey: Buffer;
  throttle: ShardThrottle;
  /** Per-second counters of the last minutes (the console's charts). */
  readonly metrics = new ShardMetrics();
  /** Set when a reshard closes the shard: it keeps its records but takes no new ones. */
  closed = false;
  parentShardId: string | undefined;
  adjacentParentShardId: string | undefined;

  constructor(
    readonly index: number,
    readonly startHash: bigint,
    readonly endHash: bigint,
    streamCreatedMs: number,
    readonly log: ShardLog,
    now: number,
  ) {
    this.id = shardIdOf(index);
    this.prefix = shardPrefix(streamCreatedMs, index);
    this.startKey = toKeyBuffer(startHash);
    this.startTop = this.startKey.readUInt32BE(0);
    this.endKey = toKeyBuffer(endHash);
    this.throttle = new ShardThrottle(now);
  }
}

export interface Consumer {
  name: string;
  arn: string;
  status: 'CREATING' | 'DELETING' | 'ACTIVE';
  createdMs: number;
}

export class Stream {
  status: StreamStatus = 'CREATING';
  retentionHours = 24;
  maxRecordKiB: number = LIMITS.defaultMaxRecordKiB;
  readonly tags = new Map<string, string>();
  encryption: { type: 'NONE' } | { type: 'KMS'; keyId: string } = { type: 'NONE' };
  readonly shardLevelMetrics = new Set<string>();
  readonly consumers = new Map<string, Consumer>();
  /** Every shard, open or closed, at the position of its index. */
  shards: Shard[] = [];
  /** The open shards, by starting hash key: they cover the hash space exactly once. */
  open: Shard[] = [];
  /** When PutRecords last dropped expired records. */
  lastTrimMs = 0;
  /** Set while a CREATING/DELETING transition waits on the clock. */
  timer: unknown;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly createdMs: number,
    public mode: StreamMode,
  ) {}

  /** Recomputes `open` after shards were added or closed. */
  refreshOpen(): void {
    this.open = this.shards.filter((s) => !s.closed).sort((a, b) => (a.startHash < b.startHash ? -1 : 1));
  }

  /** The open shard whose hash-key range holds `key` (16 bytes, big-endian). */
  shardFor(key: Buffer): Shard {
    const shards = this.open;
    const top = key.readUInt32BE(0);
    let lo = 0;
    let hi = shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const start = shards[mid]!;
      // the whole 16 bytes only when the first 4 are equal
      if (top > start.startTop || (top === start.startTop && key.compare(start.startKey) >= 0)) lo = mid;
      else hi = mid - 1;
    }
    return shards[lo]!;
  }
}

/** The ARN of the twin's stream `name` (src/arn.ts builds every stream ARN). */
export function streamArn(region: string, account: string, name: string): string {
  return buildStreamArn({ partition: 'aws', region, accountId: account }, name);
}
