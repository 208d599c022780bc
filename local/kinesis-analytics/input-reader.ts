/**
 * Reading the input of one running application: every shard of its Kinesis stream (children too, once their
 * parents close), from the starting position or the checkpoints, one GetRecords per shard a round; a throttled
 * shard is left alone for a while, a shard read to its tip is not read again until a put on the stream wakes the
 * reader (or the safety-net poll comes), and never sooner than `caughtUpReadIntervalMs` after that read: Kinesis
 * Analytics reads a source about once a second unless it is behind, which leaves the shard's other consumers the
 * rest of its 5 reads a second. Checkpoints move only when the caller says the records were delivered.
 */
import type { Clock } from '../clock';
import {
  type IteratorStart,
  isThrottle,
  type KinesisPort,
  listShards,
  parseStreamArn,
  type ShardInfo,
  shardIterator,
} from './kinesis-port';
import type { Checkpoint, StartingPosition } from './state';
import type { RunnerTiming } from './timing';

/** One record read from the input, in the shape the SQL engine takes. */
export interface InputRecord {
  data: Uint8Array;
  arrivalTime: number;
  partitionKey: string;
  sequenceNumber: string;
  shardId: string;
}

/** What one round of reading found. */
export interface ReadRound {
  /** In order of arrival (each shard's order kept). */
  records: InputRecord[];
  /** Per shard, the last sequence number read: where its checkpoint moves once the records are delivered. */
  last: Map<string, string>;
}

/** Where checkpoints are kept: `replace` starts the map afresh. */
export type CheckpointSink = (moved: Record<string, Checkpoint>, replace?: boolean) => void;

export interface InputReaderOptions {
  streamArn: string;
  position: StartingPosition;
  /** The StartApplication time: NOW starts there. */
  requestedAt: number;
  /** The checkpoints kept by the last run, and the stream they belong to. */
  checkpoints: Readonly<Record<string, Checkpoint>>;
  checkpointStream: string | undefined;
  saveCheckpoints: CheckpointSink;
  kinesis: KinesisPort;
  clock: Clock;
  timing: RunnerTiming;
  onThrottledRead(): void;
}

interface ShardReader {
  id: string;
  iterator?: string | undefined;
  closed: boolean;
  /** Read to the tip: not read again until a put wakes the reader or the safety-net poll comes. */
  caughtUp: boolean;
  /** Not before this time (after a throttled read, or a read to the tip). */
  readyAt: number;
}

export class InputReader {
  /** How far the slowest shard is behind the tip of its stream, after the last round. */
  millisBehindLatest = 0;
  private readonly shards = new Map<string, ShardReader>();
  private checkpoints: Record<string, Checkpoint>;
  private lastShardRefresh = Number.NEGATIVE_INFINITY;
  /** Earliest time a shard the last round skipped (throttled, or read to its tip a moment ago) may be read. */
  private nextReadyAt = Number.POSITIVE_INFINITY;
  private unsubscribe: (() => void) | undefined;
  /** The idle in progress: `wake` ends it, `sooner` moves its end earlier. */
  private waiting: { wake(): void; sooner(at: number): void } | undefined;
  /** A put came since the last round. */
  private woken = false;

  constructor(private readonly opts: InputReaderOptions) {
    // checkpoints of another stream (the input was changed) mean nothing here: that stream is read from its start
    const resume = opts.position === 'LAST_STOPPED_POINT' && opts.checkpointStream === opts.streamArn;
    this.checkpoints = resume ? { ...opts.checkpoints } : {};
    opts.saveCheckpoints(this.checkpoints, true);
  }

  /** True when puts on the input wake the reader (the stream tells of them). */
  get notified(): boolean {
    return this.unsubscribe !== undefined;
  }

  /** Listens for puts on the input stream. */
  start(): void {
    this.unsubscribe = this.opts.kinesis.onRecords?.(parseStreamArn(this.opts.streamArn).name, () => {
      // a put while the runner is busy must not be missed: the next idle returns at once
      this.woken = true;
      if (!this.waiting) return;
      // a shard read to its tip a moment ago is not read again yet: the wait ends when it may be
      const due = this.firstReadyAt();
      if (due <= this.opts.clock.now()) this.waiting.wake();
      else this.waiting.sooner(due);
    });
  }

  /** Stops listening and ends a pending idle. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.waiting?.wake();
  }

  /** Reads every shard that may have records once. */
  async read(): Promise<ReadRound> {
    const { clock, kinesis, timing } = this.opts;
    await this.refreshShards();
    const records: InputRecord[] = [];
    const last = new Map<string, string>();
    let behind = 0;
    if (this.woken) this.pollAll();
    this.woken = false;
    this.nextReadyAt = Number.POSITIVE_INFINITY;
    for (const reader of this.shards.values()) {
      if (reader.closed || reader.caughtUp) continue;
      if (reader.readyAt > clock.now()) {
        this.nextReadyAt = Math.min(this.nextReadyAt, reader.readyAt);
        continue;
      }
      let result: Awaited<ReturnType<KinesisPort['getRecords']>>;
      try {
        result = await kinesis.getRecords(await this.iteratorFor(reader));
      } catch (error) {
        if (isThrottle(error)) {
          this.opts.onThrottledRead();
          reader.readyAt = clock.now() + timing.throttledReadBackoffMs;
          this.nextReadyAt = Math.min(this.nextReadyAt, reader.readyAt);
          continue;
        }
        // an expired or stale iterator: start again from the checkpoint next time
        reader.iterator = undefined;
        if (isMissingStream(error)) throw error;
        continue;
      }
      behind = Math.max(behind, result.MillisBehindLatest);
      if (result.MillisBehindLatest === 0) {
        reader.caughtUp = true;
        reader.readyAt = clock.now() + timing.caughtUpReadIntervalMs;
      }
      if (result.NextShardIterator === undefined) reader.closed = true;
      else reader.iterator = result.NextShardIterator;
      for (const record of result.Records) {
        records.push({
          data: record.Data,
          arrivalTime: record.ApproximateArrivalTimestamp,
          partitionKey: record.PartitionKey,
          sequenceNumber: record.SequenceNumber,
          shardId: reader.id,
        });
      }
      const lastRecord = result.Records[result.Records.length - 1];
      if (lastRecord) last.set(reader.id, lastRecord.SequenceNumber);
    }
    this.millisBehindLatest = behind;
    // one in-application stream from several shards: merged by arrival (a stable sort keeps each shard's order)
    if (this.shards.size > 1 && records.length > 1) records.sort((a, b) => a.arrivalTime - b.arrivalTime);
    return { records, last };
  }

  /** The records of `round` were delivered: their shards resume after them. */
  commit(round: ReadRound): void {
    if (round.last.size === 0) return;
    const moved: Record<string, Checkpoint> = {};
    for (const [shardId, sequenceNumber] of round.last) moved[shardId] = { after: sequenceNumber };
    Object.assign(this.checkpoints, moved);
    this.opts.saveCheckpoints(moved);
  }

  /** Reading failed: whatever was read but not delivered is read again, from the checkpoints. */
  rewind(): void {
    for (const reader of this.shards.values()) reader.iterator = undefined;
  }

  /**
   * Waits up to `ms` (less when a throttled shard is due sooner); a put on the stream ends the wait at once, or,
   * when the shards were just read to their tips, when the first of them may be read again.
   */
  idle(ms: number): Promise<void> {
    const { clock } = this.opts;
    const now = clock.now();
    let until = Math.min(now + ms, this.nextReadyAt);
    if (this.woken) {
      const due = this.firstReadyAt();
      // the next read() takes the put (it reads the shards read to their tips again and clears `woken`)
      if (due <= now) return Promise.resolve();
      // records may be waiting, but every shard was read a moment ago: read when the first shard is due
      until = Math.min(until, due);
    }
    return new Promise((resolve) => {
      const finish = (poll: boolean): void => {
        this.waiting = undefined;
        clock.clearTimeout(handle);
        if (poll) this.pollAll();
        resolve();
      };
      let end = until;
      let handle = clock.setTimeout(() => finish(true), Math.max(1, end - now));
      this.waiting = {
        wake: () => finish(false),
        sooner: (at: number) => {
          if (at >= end) return;
          end = at;
          clock.clearTimeout(handle);
          handle = clock.setTimeout(() => finish(true), Math.max(1, at - clock.now()));
        },
      };
    });
  }

  /** When the first open shard may be read again. */
  private firstReadyAt(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const reader of this.shards.values()) if (!reader.closed) first = Math.min(first, reader.readyAt);
    return first;
  }

  private pollAll(): void {
    for (const reader of this.shards.values()) reader.caughtUp = false;
  }

  private defaultStart(shard: ShardInfo): Checkpoint {
    const { position, requestedAt } = this.opts;
    // a child shard holds only records written after its parents closed
    if (shard.ParentShardId && this.shards.has(shard.ParentShardId)) return { start: 'TRIM_HORIZON' };
    if (position === 'NOW') return { start: 'AT_TIMESTAMP', timestamp: requestedAt };
    return { start: 'TRIM_HORIZON' };
  }

  private async refreshShards(): Promise<void> {
    const now = this.opts.clock.now();
    if (now - this.lastShardRefresh < this.opts.timing.shardRefreshMs) return;
    this.lastShardRefresh = now;
    const moved: Record<string, Checkpoint> = {};
    for (const shard of await listShards(this.opts.kinesis, this.opts.streamArn)) {
      if (this.shards.has(shard.ShardId)) continue;
      if (!this.checkpoints[shard.ShardId]) moved[shard.ShardId] = this.defaultStart(shard);
      this.shards.set(shard.ShardId, { id: shard.ShardId, closed: false, caughtUp: false, readyAt: 0 });
    }
    if (Object.keys(moved).length === 0) return;
    Object.assign(this.checkpoints, moved);
    this.opts.saveCheckpoints(moved);
  }

  private async iteratorFor(reader: ShardReader): Promise<string> {
    if (reader.iterator) return reader.iterator;
    const checkpoint = this.checkpoints[reader.id] ?? { start: 'TRIM_HORIZON' };
    const start: IteratorStart =
      'after' in checkpoint
        ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint.after }
        : checkpoint.start === 'AT_TIMESTAMP'
          ? { type: 'AT_TIMESTAMP', timestamp: Math.min(checkpoint.timestamp, this.opts.clock.now()) }
          : { type: 'TRIM_HORIZON' };
    reader.iterator = await shardIterator(this.opts.kinesis, this.opts.streamArn, reader.id, start);
    return reader.iterator;
  }
}

export function isMissingStream(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';
}
