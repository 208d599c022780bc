/**
 * The load test's Kinesis traffic: a paced producer that retries throttled entries, and a polite consumer that
 * keeps within the per-shard read limits and backs off when told to.
 */
import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
  type PutRecordsCommandOutput,
  type PutRecordsRequestEntry,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { type PackedEntry, plainEncoding, type RecordEncoding } from './encoding';
import type { Timer } from './types';

/** PutRecords takes at most 500 entries and 5 MiB per call. */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 5 * 1024 * 1024;
/** An entry that keeps failing for another reason than throttling is given up after this many attempts. */
const MAX_ATTEMPTS = 10;
/**
 * Kinesis allows 5 GetRecords calls per second per shard, shared by every consumer of the shard; the service's own
 * consumer functions read the outputs too, so the verifier keeps to 4.
 */
export const READ_INTERVAL_MS = 250;

const THROTTLED = 'ProvisionedThroughputExceededException';

export function isThrottle(error: unknown): boolean {
  const e = error as { name?: string; Code?: string; __type?: string } | undefined;
  return e?.name === THROTTLED || e?.Code === THROTTLED || (e?.__type?.endsWith(THROTTLED) ?? false);
}

function errorName(error: unknown): string {
  return (error as { name?: string } | undefined)?.name ?? 'Error';
}

const counted = Symbol('loadTestThrottleCounted');

/**
 * Counts throttled attempts that the SDK retries by itself (GetRecords throttles are retried before they reach us).
 * Returns a function that removes the counter.
 */
export function countSdkThrottles(client: KinesisClient, onThrottle: (commandName: string) => void): () => void {
  const name = `loadTestThrottleCounter${Math.random().toString(36).slice(2)}`;
  const stack = client.middlewareStack as unknown as {
    addRelativeTo?: (mw: unknown, opts: Record<string, unknown>) => void;
    remove?: (name: string) => boolean;
  };
  if (typeof stack?.addRelativeTo !== 'function') return () => {};
  stack.addRelativeTo(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (isThrottle(error) && error !== null && typeof error === 'object') {
          onThrottle(context.commandName ?? '');
          (error as Record<symbol, boolean>)[counted] = true;
        }
        throw error;
      }
    },
    { name, relation: 'after', toMiddleware: 'retryMiddleware', override: true },
  );
  return () => {
    stack.remove?.(name);
  };
}

/** True when the middleware above already counted this error. */
export function alreadyCounted(error: unknown): boolean {
  return error !== null && typeof error === 'object' && (error as Record<symbol, boolean>)[counted] === true;
}

/** Every shard of a stream, through ListShards pages. */
export async function listShards(kinesis: KinesisClient, streamArn: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(
      nextToken ? new ListShardsCommand({ NextToken: nextToken }) : new ListShardsCommand({ StreamARN: streamArn }),
    );
    shards.push(...(page.Shards ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return shards;
}

/** Open shards only: the ones a producer writes to. */
export function openShards(shards: Shard[]): Shard[] {
  return shards.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined);
}

export interface ProducerOptions {
  streamArn: string;
  total: number;
  /** Target records per second. */
  rate: number;
  record: (seq: number) => { data: Uint8Array; partitionKey: string };
  /**
   * The partition key of record `seq`, cheaply. With it, records go out in lanes (one per group of keys, one call in
   * flight per lane) so a slow endpoint still sees the target rate while each key keeps its order; without it, one
   * call at a time.
   */
  partitionKeyOf?: (seq: number) => string;
  /**
   * How many different keys `partitionKeyOf` gives (records take them in turn). With it, lanes are only as many as
   * leave each lane a whole call's worth of keys; without it, MAX_LANES.
   */
  keyCount?: number;
  /** How records travel in Kinesis records (default: one each). */
  encoding?: RecordEncoding;
  /** Called for each accepted record, in the order PutRecords acknowledged them. */
  onSent: (seq: number, ackMs: number, shardId: string | undefined, sequenceNumber: string | undefined) => void;
  onThrottle: (entries: number) => void;
  timer: Timer;
  /** Stops early (e.g. the caller gave up). */
  signal?: AbortSignal;
  /** Stops putting at this time of `timer` (what is not put by then is not sent). */
  stopAt?: number;
}

export interface ProducerResult {
  sent: number;
  failed: number;
  firstError?: string;
  startedAt: number;
  endedAt: number;
}

interface Pending {
  entry: PackedEntry;
  attempts: number;
}

/** Calls in flight at most (one per lane). */
const MAX_LANES = 4;

/** One lane: the records of its partition keys, in order, with one PutRecords call in flight at most. */
interface Lane {
  /** The next record of the run this lane has not taken yet. */
  cursor: number;
  retries: Pending[];
  busy: boolean;
  backoffUntil: number;
  backoffMs: number;
}

/**
 * Puts records `0 .. total-1` at `rate` records/s in PutRecords batches. Throttled entries are put again after an
 * exponential back-off, ahead of new records of their lane; other failed entries are retried up to MAX_ATTEMPTS
 * times. Records of one partition key always travel in one lane, one call after another, so the acknowledgement
 * order is each key's order on its shard.
 */
export async function produce(kinesis: KinesisClient, options: ProducerOptions): Promise<ProducerResult> {
  const { total, rate, timer } = options;
  const encoding = options.encoding ?? plainEncoding;
  const startedAt = timer.now();
  // Small batches at low rates keep the pace smooth; about 20 batches a second.
  const batchTarget = Math.max(1, Math.min(MAX_BATCH_RECORDS, Math.ceil(rate / 20)));
  // When calls take longer than the pace, the next carries what accrued meanwhile, up to half a second's worth.
  const bucket = Math.min(MAX_BATCH_RECORDS * MAX_LANES, Math.max(2 * batchTarget, Math.ceil(rate / 2)));
  const keyLane = new Map<string, number>();
  // A call lands on each shard in one piece, so a lane with few keys puts the same ones again and again: with 100 keys
  // a shard in 4 lanes, a call of 500 held 25 keys 20 times each, and a reader's batch of 100 (Lambda's default) 25
  // keys 4 times, where a stream of many users has 100 different ones; the fan-out, which keeps each key's order
  // with one record of a key a call, then needed 4 rounds of calls a batch. A lane gets at least a call's worth of
  // keys, so no call carries a key twice; with fewer, one lane takes every key in turn.
  const laneCount = !options.partitionKeyOf
    ? 1
    : options.keyCount === undefined
      ? MAX_LANES
      : Math.max(1, Math.min(MAX_LANES, Math.floor(options.keyCount / batchTarget)));
  const laneOf = (seq: number): number => {
    if (!options.partitionKeyOf) return 0;
    const key = options.partitionKeyOf(seq);
    let lane = keyLane.get(key);
    if (lane === undefined) {
      lane = keyLane.size % laneCount;
      keyLane.set(key, lane);
    }
    return lane;
  };
  const lanes: Lane[] = Array.from({ length: laneCount }, () => ({
    cursor: 0,
    retries: [],
    busy: false,
    backoffUntil: 0,
    backoffMs: 0,
  }));
  // A token bucket at an adaptive pace: a throttled call cuts it to 70%, a clean one wins back 5% of the target,
  // so a target above what the shards take settles near their capacity instead of hammering them.
  let pace = rate;
  let tokens = batchTarget;
  let refilledAt = startedAt;
  let sent = 0;
  let failed = 0;
  let firstError: string | undefined;
  const stopAt = options.stopAt ?? Number.POSITIVE_INFINITY;
  const records = (p: Pending) => p.entry.seqs.length;
  const inFlight = new Set<Promise<void>>();
  const nextOf = (l: number): number => {
    const lane = lanes[l]!;
    while (lane.cursor < total && laneOf(lane.cursor) !== l) lane.cursor++;
    return lane.cursor;
  };
  const hasWork = (l: number) => lanes[l]!.retries.length > 0 || nextOf(l) < total;
  const refill = () => {
    const now = timer.now();
    tokens = Math.min(bucket, tokens + ((now - refilledAt) * pace) / 1000);
    refilledAt = now;
  };

  const call = async (l: number, batch: Pending[], count: number): Promise<void> => {
    const lane = lanes[l]!;
    const entries: PutRecordsRequestEntry[] = batch.map((p) => ({
      Data: p.entry.data,
      PartitionKey: p.entry.partitionKey,
    }));
    let response: PutRecordsCommandOutput;
    try {
      response = await kinesis.send(new PutRecordsCommand({ StreamARN: options.streamArn, Records: entries }));
    } catch (error) {
      // The whole call failed: every entry goes back to the front of its lane.
      if (isThrottle(error)) {
        if (!alreadyCounted(error)) options.onThrottle(count);
        pace = Math.max(rate * 0.05, pace * 0.7);
      } else firstError ??= `${errorName(error)}: ${(error as Error).message}`;
      const again = batch.map((p) => ({ entry: p.entry, attempts: p.attempts + 1 }));
      const kept = again.filter((p) => isThrottle(error) || p.attempts < MAX_ATTEMPTS);
      failed += again.filter((p) => !kept.includes(p)).reduce((n, p) => n + records(p), 0);
      lane.retries.unshift(...kept);
      lane.backoffMs = Math.min(2000, Math.max(100, lane.backoffMs * 2));
      lane.backoffUntil = timer.now() + lane.backoffMs;
      return;
    }
    const ackMs = timer.now();
    let throttled = 0;
    const again: Pending[] = [];
    (response.Records ?? []).forEach((result, i) => {
      const pending = batch[i]!;
      if (result.SequenceNumber !== undefined && !result.ErrorCode) {
        sent += records(pending);
        for (const seq of pending.entry.seqs) options.onSent(seq, ackMs, result.ShardId, result.SequenceNumber);
        return;
      }
      if (result.ErrorCode === THROTTLED) {
        throttled += records(pending);
        again.push(pending);
        return;
      }
      firstError ??= `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim();
      if (pending.attempts + 1 < MAX_ATTEMPTS) again.push({ entry: pending.entry, attempts: pending.attempts + 1 });
      else failed += records(pending);
    });
    lane.retries.unshift(...again);
    if (throttled > 0) options.onThrottle(throttled);
    pace = throttled > 0 ? Math.max(rate * 0.05, pace * 0.7) : Math.min(rate, pace + rate * 0.05);
    lane.backoffMs = again.length > 0 ? Math.min(2000, Math.max(100, lane.backoffMs * 2)) : 0;
    lane.backoffUntil = timer.now() + lane.backoffMs;
  };

  /** Takes what lane `l` may put now (its retries first), at most `room` records. */
  const take = (l: number, room: number): { batch: Pending[]; count: number } => {
    const lane = lanes[l]!;
    const batch: Pending[] = [];
    let count = 0;
    let bytes = 0;
    const fits = (entry: PackedEntry): boolean => {
      const size = entry.data.byteLength + Buffer.byteLength(entry.partitionKey);
      if (batch.length > 0 && (batch.length >= MAX_BATCH_RECORDS || bytes + size > MAX_BATCH_BYTES)) return false;
      bytes += size;
      return true;
    };
    while (lane.retries.length > 0 && count < room && fits(lane.retries[0]!.entry)) {
      const p = lane.retries.shift()!;
      batch.push(p);
      count += records(p);
    }
    if (count < room) {
      const planned: { seq: number; data: Uint8Array; partitionKey: string }[] = [];
      for (let seq = nextOf(l); seq < total && planned.length < room - count; seq = nextOf(l)) {
        planned.push({ seq, ...options.record(seq) });
        lane.cursor = seq + 1;
      }
      // What did not fit this call goes first next time, as packed (an encoding may group records out of order).
      const left: Pending[] = [];
      for (const entry of encoding.pack(planned)) {
        if (left.length === 0 && fits(entry)) {
          batch.push({ entry, attempts: 0 });
          count += entry.seqs.length;
        } else left.push({ entry, attempts: 0 });
      }
      lane.retries.push(...left);
    }
    return { batch, count };
  };

  while (!options.signal?.aborted && timer.now() < stopAt) {
    const working = lanes.map((_, l) => hasWork(l));
    if (!working.some(Boolean) && inFlight.size === 0) break;
    refill();
    let launched = false;
    let wait = Number.POSITIVE_INFINITY;
    for (let l = 0; l < laneCount; l++) {
      const lane = lanes[l]!;
      if (!working[l] || lane.busy) continue;
      const now = timer.now();
      if (lane.backoffUntil > now) {
        wait = Math.min(wait, lane.backoffUntil - now);
        continue;
      }
      // Wait for a whole batch (or what is left of the run) rather than trickle single records.
      const left = lane.retries.reduce((n, p) => n + records(p), 0) + Math.ceil((total - nextOf(l)) / laneCount);
      const wanted = Math.max(1, Math.min(batchTarget, left));
      if (tokens < wanted) {
        wait = Math.min(wait, ((wanted - tokens) * 1000) / pace);
        continue;
      }
      const { batch, count } = take(l, Math.max(1, Math.floor(tokens)));
      if (batch.length === 0) continue;
      tokens -= count;
      lane.busy = true;
      const done = call(l, batch, count).finally(() => {
        lane.busy = false;
        inFlight.delete(done);
      });
      inFlight.add(done);
      launched = true;
    }
    if (launched) continue;
    const sleep = Number.isFinite(wait) ? timer.sleep(Math.max(1, wait)) : undefined;
    if (inFlight.size > 0) await Promise.race(sleep ? [...inFlight, sleep] : [...inFlight]);
    else if (sleep) await sleep;
    else break;
  }
  await Promise.all(inFlight);
  return { sent, failed, ...(firstError === undefined ? {} : { firstError }), startedAt, endedAt: timer.now() };
}

/** One record as the consumer hands it on. */
export interface ConsumedRecord {
  shardId: string;
  arrivalMs: number;
  data: Uint8Array;
  partitionKey: string;
  sequenceNumber: string;
  /** Its place among the user records of its Kinesis record (0 unless the record was an aggregate). */
  subSequenceNumber: number;
}

export interface ConsumerOptions {
  streamArn: string;
  /** Read from this time on (AT_TIMESTAMP). */
  from: Date;
  timer: Timer;
  onRecords: (records: ConsumedRecord[]) => void;
  onThrottle: () => void;
  /**
   * Asked after every read: 'go' keeps reading, 'drain' reads until the shard is caught up (nothing left
   * behind the tip) and stops, 'stop' stops now.
   */
  state: () => 'go' | 'drain' | 'stop';
  /** Minimum time between two GetRecords calls on one shard (its GetShardIterator calls wait only out a back-off). */
  intervalMs?: number;
  /** How records travel in Kinesis records (default: one each); an aggregated record is handed on as its parts. */
  encoding?: RecordEncoding;
  /**
   * A shard is read until a record that arrived at or after this time (ms) is read: a shard's records arrive in
   * order, so everything before it has been read then (the record itself is handed on too).
   */
  until?: number;
}

/** How the read of one shard ended, and how far it got. */
export interface ShardRead {
  shardId: string;
  /**
   * `until`: a record at or after `until` was read; `caught-up`: read to the tip while draining; `closed`: a closed
   * shard read to its end; `stopped`: `state` said stop first (the shard may hold more, unread).
   */
  ended: 'until' | 'caught-up' | 'closed' | 'stopped';
  /** The arrival time of the last record read (undefined: none was). */
  lastArrivalMs: number | undefined;
}

/** Reads every shard of a stream concurrently from `from`, each at most once per `intervalMs`. */
export async function consume(kinesis: KinesisClient, options: ConsumerOptions): Promise<ShardRead[]> {
  const shards = await listShards(kinesis, options.streamArn);
  return Promise.all(shards.map((s) => consumeShard(kinesis, s.ShardId!, options)));
}

async function consumeShard(kinesis: KinesisClient, shardId: string, options: ConsumerOptions): Promise<ShardRead> {
  const { timer, streamArn } = options;
  const interval = options.intervalMs ?? READ_INTERVAL_MS;
  let iterator: string | undefined;
  let lastSequence: string | undefined;
  let lastArrivalMs: number | undefined;
  const end = (ended: ShardRead['ended']): ShardRead => ({ shardId, ended, lastArrivalMs });
  let backoffMs = 0;
  let lastRead = Number.NEGATIVE_INFINITY;
  // GetRecords and GetShardIterator have limits of their own (5 calls a second a shard each): a read waits out the
  // interval since the last read, an iterator only a back-off
  const pace = async (read: boolean) => {
    const wait = Math.max(backoffMs, read ? lastRead + interval - timer.now() : 0);
    if (wait > 0) await timer.sleep(wait);
    if (read) lastRead = timer.now();
  };
  const throttled = (error: unknown) => {
    if (!alreadyCounted(error)) options.onThrottle();
    backoffMs = Math.min(5000, Math.max(interval * 2, backoffMs * 2));
  };
  for (;;) {
    const state = options.state();
    if (state === 'stop') return end('stopped');
    await pace(iterator !== undefined);
    if (iterator === undefined) {
      try {
        const res = await kinesis.send(
          new GetShardIteratorCommand(
            lastSequence
              ? {
                  StreamARN: streamArn,
                  ShardId: shardId,
                  ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
                  StartingSequenceNumber: lastSequence,
                }
              : { StreamARN: streamArn, ShardId: shardId, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: options.from },
          ),
        );
        iterator = res.ShardIterator;
        backoffMs = 0;
        if (iterator === undefined) return end('closed');
      } catch (error) {
        if (!isThrottle(error)) throw error;
        throttled(error);
      }
      continue;
    }
    let res: GetRecordsCommandOutput;
    try {
      res = await kinesis.send(new GetRecordsCommand({ StreamARN: streamArn, ShardIterator: iterator, Limit: 10_000 }));
      backoffMs = 0;
    } catch (error) {
      if (isThrottle(error)) {
        throttled(error);
        continue;
      }
      if (errorName(error) === 'ExpiredIteratorException') {
        iterator = undefined;
        continue;
      }
      throw error;
    }
    const records = res.Records ?? [];
    if (records.length > 0) {
      const lastRecord = records[records.length - 1]!;
      lastSequence = lastRecord.SequenceNumber;
      lastArrivalMs = lastRecord.ApproximateArrivalTimestamp?.getTime() ?? lastArrivalMs;
      const encoding = options.encoding ?? plainEncoding;
      options.onRecords(
        records.flatMap((r) =>
          encoding.unpack(r.Data ?? new Uint8Array()).map((data, subSequenceNumber) => ({
            shardId,
            subSequenceNumber,
            arrivalMs: r.ApproximateArrivalTimestamp?.getTime() ?? timer.now(),
            data,
            partitionKey: r.PartitionKey ?? '',
            sequenceNumber: r.SequenceNumber ?? '',
          })),
        ),
      );
    }
    iterator = res.NextShardIterator;
    if (options.until !== undefined && lastArrivalMs !== undefined && lastArrivalMs >= options.until)
      return end('until');
    // A closed shard that has been read to its end.
    if (iterator === undefined) return end('closed');
    if (state === 'drain' && records.length === 0 && (res.MillisBehindLatest ?? 0) === 0) return end('caught-up');
  }
}
