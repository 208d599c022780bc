/**
 * How a mapping gets one shard's records, batch by batch, from its checkpoint (or starting position):
 * - a stream ARN is polled with GetRecords, as Lambda polls a shard about once a second when idle and at once while
 *   batches come back full;
 * - an enhanced fan-out consumer ARN is subscribed to (SubscribeToShard): records are pushed as they arrive.
 * Either way a batch goes to the function as soon as records are there, unless MaximumBatchingWindowInSeconds is
 * set: then the reader gathers records until the batch is full or the window, counted from the first record, ends.
 */
import { type Clock, delay } from '../../clock';
import type { RequestContext } from '../../service';
import { kinesisSourceOf } from './source';
import { type SubscribeStart, type Subscription, subscribe } from './subscription';
import type { KinesisRecord, KinesisSource, MappingSettings } from './types';

/** Most records one GetRecords call returns; Lambda asks for that many and cuts them into batches. */
const READ_LIMIT = 10_000;
/** Pushed records held at most before the subscription is paused (closed, then resumed where it stopped). */
const HIGH_WATER = 50_000;

export interface ReaderContext {
  kinesis: KinesisSource;
  clock: Clock;
  ctx: RequestContext;
  settings: MappingSettings;
  streamName: string;
  shardId: string;
  /** Last sequence number processed: where the reader starts (and starts again after an expired iterator). */
  checkpoint: () => string | undefined;
  /** Idle poll period (GetRecords), and the pause after an error. */
  pollIntervalMs: number;
  /** Aborted when the mapping stops. */
  signal: AbortSignal;
  /** Tells the mapping what went wrong (LastProcessingResult). */
  problem: (text: string) => void;
}

export interface ShardReader {
  /** The next batch (at most BatchSize records, in order); undefined once the shard is read to its end or stopped. */
  next(): Promise<KinesisRecord[] | undefined>;
  close(): void;
}

export function shardReader(r: ReaderContext): ShardReader {
  return kinesisSourceOf(r.settings.eventSourceArn)?.viaConsumer ? new SubscribedShard(r) : new PolledShard(r);
}

const NOT_FOUND = 'ResourceNotFoundException';

/** GetRecords polling: the pause between reads of an idle shard is the poll period. */
class PolledShard implements ShardReader {
  private iterator: string | undefined;
  private closed = false;
  private buffer: KinesisRecord[] = [];
  /** The last batch was not full: the shard is idle, wait a poll period before reading again. */
  private idle = false;

  constructor(private readonly r: ReaderContext) {}

  private async makeIterator(): Promise<string> {
    const { settings } = this.r;
    const checkpoint = this.r.checkpoint();
    const input: Record<string, unknown> = { StreamName: this.r.streamName, ShardId: this.r.shardId };
    if (checkpoint) {
      input['ShardIteratorType'] = 'AFTER_SEQUENCE_NUMBER';
      input['StartingSequenceNumber'] = checkpoint;
    } else {
      input['ShardIteratorType'] = settings.startingPosition;
      if (settings.startingPosition === 'AT_TIMESTAMP')
        input['Timestamp'] = (settings.startingPositionTimestamp ?? 0) / 1000;
    }
    const out = (await this.r.kinesis.handle('GetShardIterator', input, this.r.ctx)) as { ShardIterator: string };
    return out.ShardIterator;
  }

  private sleep(ms: number): Promise<void> {
    return delay(this.r.clock, ms, this.r.signal);
  }

  async next(): Promise<KinesisRecord[] | undefined> {
    const { settings, clock, signal } = this.r;
    for (;;) {
      if (signal.aborted) return undefined;
      try {
        if (this.idle) {
          this.idle = false;
          await this.sleep(this.r.pollIntervalMs);
          if (signal.aborted) return undefined;
        }
        if (!this.closed && this.iterator === undefined) {
          // read again from the checkpoint: what was read but not delivered is read anew
          this.buffer = [];
          this.iterator = await this.makeIterator();
        }
        const windowEnds = clock.now() + settings.maximumBatchingWindowInSeconds * 1000;
        while (this.iterator !== undefined && this.buffer.length < settings.batchSize) {
          const out = await this.r.kinesis.getRecords(this.iterator, READ_LIMIT);
          for (const rec of out.Records) this.buffer.push(rec);
          this.iterator = out.NextShardIterator;
          if (this.iterator === undefined) this.closed = true;
          if (this.buffer.length >= settings.batchSize) break;
          if (clock.now() >= windowEnds || signal.aborted) break;
          if (out.Records.length === 0) await this.sleep(this.r.pollIntervalMs);
        }
        const batch = this.buffer.splice(0, settings.batchSize);
        if (batch.length > 0) {
          // a full batch means the shard has more: read on at once; otherwise wait for the next poll
          this.idle = batch.length < settings.batchSize;
          return batch;
        }
        if (this.closed) return undefined; // the shard is closed and read to its end
        this.idle = true;
      } catch (error) {
        const name = (error as { name?: string }).name;
        // an expired iterator is re-made from the checkpoint; throttling and other errors back off and retry
        if (name === 'ExpiredIteratorException' || name === 'InvalidArgumentException') this.iterator = undefined;
        if (name === NOT_FOUND) {
          this.r.problem('PROBLEM: Stream not found');
          return undefined;
        }
        await this.sleep(this.r.pollIntervalMs);
      }
    }
  }

  close(): void {}
}

/** SubscribeToShard: records are pushed into the buffer as they arrive; batches are cut from it. */
class SubscribedShard implements ShardReader {
  private readonly buffer: KinesisRecord[] = [];
  private subscription: Subscription | undefined;
  private opening = false;
  /** The last record pushed: a new subscription continues after it. */
  private lastReceived: string | undefined;
  private shardClosed = false;
  private failure: { name: string; message: string } | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly r: ReaderContext) {}

  private start(): SubscribeStart {
    const after = this.lastReceived ?? this.r.checkpoint();
    if (after) return { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after };
    const s = this.r.settings;
    if (s.startingPosition === 'AT_TIMESTAMP')
      return { Type: 'AT_TIMESTAMP', Timestamp: s.startingPositionTimestamp ?? 0 };
    return { Type: s.startingPosition };
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private open(): void {
    this.opening = true;
    subscribe(
      this.r.kinesis,
      this.r.ctx,
      { ConsumerARN: this.r.settings.eventSourceArn, ShardId: this.r.shardId, StartingPosition: this.start() },
      {
        records: (records, _continuation, shardClosed) => {
          for (const rec of records) this.buffer.push(rec);
          const last = records.at(-1);
          if (last) this.lastReceived = last.SequenceNumber;
          if (shardClosed) this.shardClosed = true;
          if (this.buffer.length > HIGH_WATER) this.pause();
          if (records.length > 0 || shardClosed) this.notify();
        },
        ended: (error) => {
          this.subscription = undefined;
          if (error) this.failure = error;
          this.notify();
        },
      },
    ).then(
      (subscription) => {
        this.opening = false;
        if (this.r.signal.aborted) subscription.close();
        else this.subscription = subscription;
      },
      (error: { name?: string; message?: string }) => {
        this.opening = false;
        this.failure = { name: error.name ?? 'Error', message: error.message ?? String(error) };
        this.notify();
      },
    );
  }

  /** Too much is waiting: stop the push until the buffer drains (a new subscription continues after the last). */
  private pause(): void {
    const s = this.subscription;
    this.subscription = undefined;
    s?.close();
  }

  /** Resolves on a push, the end of the subscription, the stop of the mapping or after `ms` (if given). */
  private waitForPush(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: unknown;
      const done = (): void => {
        if (timer !== undefined) this.r.clock.clearTimeout(timer);
        this.r.signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      this.wake = done;
      if (ms !== undefined) timer = this.r.clock.setTimeout(done, ms);
      this.r.signal.addEventListener('abort', done, { once: true });
    });
  }

  async next(): Promise<KinesisRecord[] | undefined> {
    const { settings, signal, clock } = this.r;
    for (;;) {
      if (signal.aborted) return undefined;
      if (this.failure) {
        const failure = this.failure;
        this.failure = undefined;
        if (failure.name === NOT_FOUND) {
          this.r.problem('PROBLEM: Stream or consumer not found');
          return undefined;
        }
        // ResourceInUseException (another subscription still closing) and the like: wait, subscribe again
        await delay(clock, this.r.pollIntervalMs, signal);
        continue;
      }
      const drained = this.buffer.length < settings.batchSize;
      if (!this.subscription && !this.opening && !this.shardClosed && drained) this.open();
      if (this.buffer.length >= settings.batchSize) return this.buffer.splice(0, settings.batchSize);
      if (this.buffer.length > 0) {
        const windowMs = settings.maximumBatchingWindowInSeconds * 1000;
        if (windowMs === 0 || this.shardClosed) return this.buffer.splice(0, settings.batchSize);
        const first = this.buffer[0]!.ApproximateArrivalTimestamp;
        const left = Math.max(0, first + windowMs - clock.now());
        if (left === 0) return this.buffer.splice(0, settings.batchSize);
        await this.waitForPush(left);
        if (clock.now() >= first + windowMs) return this.buffer.splice(0, settings.batchSize);
        continue;
      }
      if (this.shardClosed && !this.subscription) return undefined;
      await this.waitForPush();
    }
  }

  close(): void {
    this.pause();
    this.notify();
  }
}
