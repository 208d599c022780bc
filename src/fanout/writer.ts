/**
 * The PutRecords writer of the fan-out function: records go out in calls of at most 500 records and 5 MiB, the
 * records a call rejects are retried with exponential backoff and full jitter, a call that Kinesis refuses as a
 * whole for a bad request is bisected until the bad record stands alone, so one bad record never holds back the rest,
 * and the records of one partition key reach the stream in their order, whatever is throttled. The lambda engine
 * gives up after a few attempts (its batch is retried from the failed record); the Kinesis Analytics twin's delivery
 * retries until it lands (`maxAttempts: Infinity`) or a stop gives up through an AbortSignal.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';

/** Kinesis PutRecords limits. */
export const MAX_RECORDS_PER_CALL = 500;
export const MAX_BYTES_PER_CALL = 5 * 1024 * 1024;
/** One record's data and partition key together. */
export const MAX_RECORD_BYTES = 1024 * 1024;
export const MAX_PARTITION_KEY_LENGTH = 256;

export interface PutEntry {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/** What Kinesis says of one record of a call, in the order of the call's records. */
export type PutOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly errorCode: string; readonly errorMessage: string };

/** One PutRecords call. Throws when the call fails as a whole (throttled, refused, unreachable). */
export interface KinesisPut {
  putRecords(streamArn: string, entries: readonly PutEntry[]): Promise<PutOutcome[]>;
}

/**
 * A KinesisPut on the SDK's PutRecords.
 *
 * @param client - the Kinesis client (its endpoint comes from the environment)
 */
export function sdkKinesisPut(client: Pick<KinesisClient, 'send'>): KinesisPut {
  return {
    async putRecords(streamArn, entries) {
      const response = await client.send(
        new PutRecordsCommand({
          StreamARN: streamArn,
          Records: entries.map((e) => ({ Data: e.data, PartitionKey: e.partitionKey })),
        }),
      );
      const records = response.Records ?? [];
      if (records.length !== entries.length) {
        throw new Error(`PutRecords answered for ${records.length} of ${entries.length} records`);
      }
      return records.map(
        (r): PutOutcome =>
          r.ErrorCode
            ? { ok: false, errorCode: r.ErrorCode, errorMessage: r.ErrorMessage ?? r.ErrorCode }
            : { ok: true },
      );
    },
  };
}

export interface RetryPolicy {
  /** Calls that carry a record before it counts as failed (1 = no retry; Infinity = until aborted). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 2000 };

export interface WriterOptions {
  readonly port: KinesisPut;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** A number in [0, 1), for the jitter. */
  readonly random?: () => number;
}

export interface TaggedEntry<T> {
  readonly entry: PutEntry;
  /** The caller's handle on the record (the fan-out uses the index of the input record it came from). */
  readonly tag: T;
}

export interface EntryError<T> {
  readonly tag: T;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface WriteResult<T> {
  readonly written: T[];
  /** Still failing after every retry (throttled, internal failure, stream unreachable): try again later. */
  readonly failed: EntryError<T>[];
  /** Refused for what they are (too large, bad partition key, a call that fails for this record alone): never retried. */
  readonly rejected: EntryError<T>[];
  readonly calls: number;
  /** Records sent again after a failure. */
  readonly retried: number;
  /** Records sent again after a call that failed as a whole, which Kinesis may have stored already. */
  readonly possibleDuplicates: number;
  readonly bisections: number;
}

/** A record waiting in its partition key's queue, with the calls that carried it so far. */
interface Queued<T> {
  readonly item: TaggedEntry<T>;
  /** `item.entry`, where `chunks` looks. */
  readonly entry: PutEntry;
  attempts: number;
  /** Why the last call that carried it did not write it. */
  error?: EntryError<T>;
  /** What the call of this round that carried it said. */
  outcome?: EntryError<T> | 'written' | 'rejected' | undefined;
}

/** What the calls of one write add up to. */
type WriteState<T> = { -readonly [K in keyof WriteResult<T>]: WriteResult<T>[K] };

/** A key's record failed for good: the later records of the key must not overtake it, so they are not sent either. */
function giveUp<T>(key: string, error: EntryError<T>, queue: Queued<T>[], state: WriteState<T>): void {
  state.failed.push(error);
  for (const later of queue.slice(1)) {
    state.failed.push({
      tag: later.item.tag,
      errorCode: error.errorCode,
      errorMessage: `not sent: an earlier record of partition key ${key} was not written (${error.errorCode})`,
    });
  }
  queue.length = 0;
}

/** Errors that mean the request itself is wrong: retrying it unchanged cannot help, splitting it can. */
const BAD_REQUEST = new Set(['ValidationException', 'InvalidArgumentException', 'SerializationException']);

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function entryBytes(entry: PutEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey);
}

/** Writes records to Kinesis streams with PutRecords, retrying what fails. */
export class KinesisWriter {
  readonly #port: KinesisPut;
  readonly #retry: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;

  constructor(options: WriterOptions) {
    this.#port = options.port;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const attempts = this.#retry.maxAttempts;
    if (!(Number.isInteger(attempts) || attempts === Number.POSITIVE_INFINITY) || attempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer or Infinity, got ${attempts}`);
    }
    this.#sleep = options.sleep ?? sleep;
    this.#random = options.random ?? Math.random;
  }

  /** Exponential backoff with full jitter: a uniform pause in [0, min(max, base * 2^(retry-1))). */
  backoffMs(retry: number): number {
    const ceiling = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (retry - 1));
    return Math.floor(this.#random() * ceiling);
  }

  /**
   * Writes `entries` to one stream. Records of one partition key reach the stream in their order: a call carries at
   * most one record of each key (PutRecords keeps no order within a call), the next record of a key goes only once
   * the one before it is written, and when a record fails every attempt the later records of its key are not sent
   * (they fail with it). Records of different keys go together, up to 500 a call, and a key whose record failed does
   * not hold the others back: they go on until the round's backoff.
   *
   * @param streamArn - the stream
   * @param entries - the records, each with the caller's tag
   * @param signal - once aborted, no further retry starts: what is not written yet is returned as failed
   * @returns which tags were written, which still fail, which Kinesis refuses for good
   */
  async write<T>(streamArn: string, entries: readonly TaggedEntry<T>[], signal?: AbortSignal): Promise<WriteResult<T>> {
    const state: WriteState<T> = {
      written: [],
      rejected: [],
      failed: [],
      calls: 0,
      retried: 0,
      possibleDuplicates: 0,
      bisections: 0,
    };
    // one queue per partition key, in the callers' order
    const queues = new Map<string, Queued<T>[]>();
    for (const item of entries) {
      const problem = this.#invalid(item.entry);
      if (problem) {
        state.rejected.push({ tag: item.tag, errorCode: 'InvalidArgumentException', errorMessage: problem });
        continue;
      }
      const queued: Queued<T> = { item, entry: item.entry, attempts: 0, outcome: undefined };
      const queue = queues.get(item.entry.partitionKey);
      if (queue) queue.push(queued);
      else queues.set(item.entry.partitionKey, [queued]);
    }
    let backoff = 0;
    while (queues.size > 0) {
      if (backoff > 0) {
        if (signal?.aborted) break;
        await this.#sleep(this.backoffMs(backoff));
        if (signal?.aborted) break;
      }
      backoff = await this.#round(streamArn, queues, state);
    }
    // left only when the signal gave up: each key's record fails with its last error, its later ones unsent
    for (const [key, queue] of queues) {
      const head = queue[0]!;
      giveUp(key, head.error ?? { tag: head.item.tag, errorCode: 'Aborted', errorMessage: 'not sent' }, queue, state);
    }
    return state;
  }

  /**
   * One round of calls: each key's records go one after the other until one fails (held to the next round) or the
   * key is done.
   *
   * @returns the most attempts a held record has had, for the backoff before the next round (0: none held)
   */
  async #round<T>(streamArn: string, queues: Map<string, Queued<T>[]>, state: WriteState<T>): Promise<number> {
    const held = new Set<string>();
    let worst = 0;
    for (;;) {
      const heads: Queued<T>[] = [];
      for (const [key, queue] of queues) if (!held.has(key)) heads.push(queue[0]!);
      if (heads.length === 0) return worst;
      for (const chunk of chunks(heads)) await this.#send(streamArn, chunk, state);
      for (const head of heads) {
        const outcome = head.outcome!;
        head.outcome = undefined;
        const key = head.item.entry.partitionKey;
        const queue = queues.get(key)!;
        if (outcome === 'written' || outcome === 'rejected') {
          queue.shift();
        } else {
          head.attempts++;
          head.error = outcome;
          if (head.attempts < this.#retry.maxAttempts) {
            state.retried++;
            worst = Math.max(worst, head.attempts);
            held.add(key);
            continue;
          }
          giveUp(key, outcome, queue, state);
        }
        if (queue.length === 0) queues.delete(key);
      }
    }
  }

  #invalid(entry: PutEntry): string | undefined {
    // characters, not UTF-16 units; a key of at most 256 units has at most 256 characters and is not counted
    const units = entry.partitionKey.length;
    const keyLength = units <= MAX_PARTITION_KEY_LENGTH ? units : [...entry.partitionKey].length;
    if (keyLength < 1 || keyLength > MAX_PARTITION_KEY_LENGTH) {
      return `The partition key must be 1 to ${MAX_PARTITION_KEY_LENGTH} characters, got ${keyLength}`;
    }
    const bytes = entryBytes(entry);
    if (bytes > MAX_RECORD_BYTES) {
      return `The record is ${bytes} bytes with its partition key; Kinesis takes at most ${MAX_RECORD_BYTES}`;
    }
    return undefined;
  }

  async #send<T>(streamArn: string, chunk: Queued<T>[], state: WriteState<T>): Promise<void> {
    let answers: PutOutcome[];
    state.calls++;
    try {
      answers = await this.#port.putRecords(
        streamArn,
        chunk.map((c) => c.entry),
      );
    } catch (error) {
      const name = errorName(error);
      if (BAD_REQUEST.has(name)) {
        if (chunk.length === 1) {
          const head = chunk[0]!;
          state.rejected.push({ tag: head.item.tag, errorCode: name, errorMessage: errorMessage(error) });
          head.outcome = 'rejected';
          return;
        }
        // One bad record fails the whole call: halve until it stands alone and the others go through.
        state.bisections++;
        const half = Math.ceil(chunk.length / 2);
        await this.#send(streamArn, chunk.slice(0, half), state);
        await this.#send(streamArn, chunk.slice(half), state);
        return;
      }
      // Throttling, timeouts and server errors: the call may have been stored before the answer was lost.
      state.possibleDuplicates += chunk.length;
      for (const head of chunk) {
        head.outcome = { tag: head.item.tag, errorCode: name, errorMessage: errorMessage(error) };
      }
      return;
    }
    for (let index = 0; index < answers.length; index++) {
      const answer = answers[index]!;
      const head = chunk[index]!;
      if (answer.ok) {
        state.written.push(head.item.tag);
        head.outcome = 'written';
      } else {
        head.outcome = { tag: head.item.tag, errorCode: answer.errorCode, errorMessage: answer.errorMessage };
      }
    }
  }
}

/** Splits records into PutRecords calls of at most 500 records and 5 MiB, keeping their order. */
export function chunks<T extends { readonly entry: PutEntry }>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entryBytes(item.entry);
    if (current.length === MAX_RECORDS_PER_CALL || (current.length > 0 && bytes + size > MAX_BYTES_PER_CALL)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}
