/**
 * What the Kinesis twin's read-only views answer (local/kinesis/inspect.ts, the per-shard counters of metrics.ts):
 * types only, with no import, so the console's page code (web/, checked by `tsc -p web` without Node's types) reads
 * the very types the twin writes.
 */

/** One shard's counters, one entry per second of the twin's clock, oldest first. */
export interface ShardSeries {
  /** ms epoch of the first bucket (each bucket is one second). */
  start: number;
  incomingRecords: number[];
  incomingBytes: number[];
  outgoingRecords: number[];
  outgoingBytes: number[];
  writeThrottled: number[];
  readThrottled: number[];
}

export interface StreamOverview {
  name: string;
  arn: string;
  status: string;
  mode: string;
  openShards: number;
  consumers: number;
  retentionHours: number;
  /** ms epoch. */
  created: number;
}

export interface ShardView {
  shardId: string;
  open: boolean;
  parentShardId?: string;
  adjacentParentShardId?: string;
  startingHashKey: string;
  endingHashKey: string;
  /** Records still held (within retention). */
  records: number;
  bytes: number;
  /** ms epoch of the newest record, when any. */
  lastArrival?: number;
  metrics: ShardSeries;
}

export interface ConsumerView {
  name: string;
  arn: string;
  status: string;
  /** ms epoch. */
  created: number;
}

/** One stream with its shards and consumers (`consumers` is the list here, the count in the overview). */
export interface StreamView extends Omit<StreamOverview, 'consumers'> {
  encryption: string;
  maxRecordKiB: number;
  /** The per-shard limits the twin enforces; absent when it runs without limits. */
  limits: { writeRecordsPerSecond: number; readCallsPerSecond: number } | undefined;
  /** ms epoch of the twin's clock when the view was taken. */
  now: number;
  shards: ShardView[];
  consumers: ConsumerView[];
}
