/**
 * What every operation of the Kinesis twin shares: the streams, the clock, the switches, and the lookups that
 * turn a StreamName or StreamARN into a stream with AWS's errors.
 */
import { parseStreamArn } from '../../src/arn';
import type { Clock } from '../clock';
import { ACCOUNT, invalidArgument, streamNotFound, validation } from './errors';
import { type Stream, streamArn } from './store';

export interface StateOptions {
  clock: Clock;
  limits: boolean;
  region: string;
  accountId: string;
  createDelayMs: number;
  shardLimit: number;
}

export interface StreamRef {
  StreamName?: unknown;
  StreamARN?: unknown;
}

/** Told of every change to the streams' metadata (local/kinesis/persistence.ts writes it to the journal). */
export interface StateObserver {
  changed(): void;
}

/**
 * Told of the data plane's traffic, per call (the CloudWatch twin turns it into the AWS/Kinesis metrics):
 * records and bytes taken and refused, read and pushed, and how far behind the reader is.
 */
export interface TrafficObserver {
  put(stream: string, records: number, bytes: number, throttled: number): void;
  read(stream: string, records: number, bytes: number, iteratorAgeMs: number): void;
  readThrottled(stream: string): void;
  pushed(stream: string, consumer: string, records: number, bytes: number, millisBehindLatest: number): void;
}

export class KinesisState {
  readonly streams = new Map<string, Stream>();
  /** Told of every put, read and push (CloudWatch metrics); none by default. */
  traffic: TrafficObserver | undefined;
  /** Bumped on every change to the streams' metadata (not on records), so persistence knows when to write. */
  version = 0;
  observer: StateObserver | undefined;
  /** Live SubscribeToShard calls, as `<consumer ARN>|<shard id>`: one at a time for each. */
  readonly subscriptions = new Set<string>();
  /** Told after records become readable in a stream, by name: readers inside the twin wake instead of polling. */
  private readonly recordListeners = new Map<string, Set<() => void>>();

  constructor(readonly opts: StateOptions) {}

  /** Calls `listener` after records become readable in `streamName`; returns the unsubscribe function. */
  onRecords(streamName: string, listener: () => void): () => void {
    let set = this.recordListeners.get(streamName);
    if (!set) {
      set = new Set();
      this.recordListeners.set(streamName, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.recordListeners.get(streamName) === set) this.recordListeners.delete(streamName);
    };
  }

  /** Whether anyone listens for records (the put path skips the name lookup when not). */
  get hasRecordListeners(): boolean {
    return this.recordListeners.size > 0;
  }

  /** Tells the listeners of `streamName` that records became readable there. */
  recordsLanded(streamName: string): void {
    const set = this.recordListeners.get(streamName);
    if (set) for (const listener of [...set]) listener();
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  now(): number {
    return this.opts.clock.now();
  }

  arnOf(name: string): string {
    return streamArn(this.opts.region, ACCOUNT, name);
  }

  /**
   * The name the request addresses, from StreamName or StreamARN. The API model's pattern for StreamARN
   * (`arn:aws.*:kinesis:.*:\d{12}:stream/\S+`) is a lax first check; what names a stream is src/arn.ts's grammar:
   * partition aws*, a region, a 12-digit account, `stream/<name>`, at most `/consumer/<name>:<timestamp>` after it
   * (a consumer's ARN names its stream). The region and account are not compared with the twin's.
   */
  nameOf(input: StreamRef): string {
    const name = typeof input.StreamName === 'string' ? input.StreamName : undefined;
    const arn = typeof input.StreamARN === 'string' ? input.StreamARN : undefined;
    if (arn !== undefined) {
      const fromArn = parseStreamArn(arn)?.streamName;
      if (fromArn === undefined) throw invalidArgument(`Invalid StreamARN: ${arn}`);
      if (name !== undefined && name !== fromArn) {
        throw invalidArgument(`StreamARN ${arn} and StreamName ${name} do not name the same stream.`);
      }
      return fromArn;
    }
    if (name === undefined) throw validation('Either StreamName or StreamARN must be provided.');
    return name;
  }

  /** The stream the request addresses, in any status. */
  find(input: StreamRef): Stream {
    const name = this.nameOf(input);
    const stream = this.streams.get(name);
    if (!stream) throw streamNotFound(name);
    return stream;
  }

  /** The stream, which must take records (ACTIVE or UPDATING); Kinesis calls any other stream not found. */
  writable(input: StreamRef): Stream {
    const stream = this.find(input);
    if (stream.status !== 'ACTIVE' && stream.status !== 'UPDATING') throw streamNotFound(stream.name);
    return stream;
  }

  /** Runs `fn` after `ms` of the clock, or now when `ms` is 0 (tests and --fast keep transitions instant). */
  later(ms: number, fn: () => void): unknown {
    if (ms <= 0) {
      fn();
      return undefined;
    }
    return this.opts.clock.setTimeout(() => {
      fn();
      this.touch();
    }, ms);
  }

  /** Says that the streams' metadata changed (call it after the change). */
  touch(): void {
    this.version++;
    this.observer?.changed();
  }

  /** Cutoff below which records have passed the stream's retention. */
  retentionCutoff(stream: Stream): number {
    return this.now() - stream.retentionHours * 3_600_000;
  }
}

/** `{a: 1}` -> string input helpers that keep operations terse. */
export function str(input: Record<string, unknown>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' ? v : undefined;
}

export function num(input: Record<string, unknown>, key: string): number | undefined {
  const v = input[key];
  return typeof v === 'number' ? v : undefined;
}

/** Timestamps arrive as epoch seconds (JSON 1.1) or, from some clients, as ISO strings; returns ms. */
export function timestampMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value === 'string') {
    const n = Number(value);
    return Number.isFinite(n) ? n * 1000 : Date.parse(value);
  }
  if (value instanceof Date) return value.getTime();
  return undefined;
}

/** Epoch seconds with fraction, as Kinesis puts timestamps on the wire. */
export function seconds(ms: number): number {
  return ms / 1000;
}
