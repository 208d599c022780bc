/**
 * The PutRecords writer of the fan-out function: records go out in calls of at most 500 records and 5 MiB, the
 * records a call rejects are retried with exponential backoff and full jitter, and a call that Kinesis refuses as a
 * whole for a bad request is bisected until the bad record stands alone, so one bad record never holds back the rest.
 * With `keyOrder`, each partition key's records land in their order whatever Kinesis admits (the Kinesis Analytics
 * twin's delivery uses that, retrying until a stop gives up through an AbortSignal).
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
  /** Rounds of PutRecords for a record before it counts as failed (1 = no retry; Infinity = until aborted). */
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
  /**
   * Keep each partition key's records in order whatever Kinesis admits: at most one record of a key per call (Kinesis
   * does not order the records of one call), and a key's later records wait for an earlier one that failed. Costs
   * calls when few keys carry many records. Default false.
   */
  readonly keyOrder?: boolean;
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
  readonly #keyOrder: boolean;

  constructor(options: WriterOptions) {
    this.#port = options.port;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    const attempts = this.#retry.maxAttempts;
    if (!(Number.isInteger(attempts) || attempts === Number.POSITIVE_INFINITY) || attempts < 1) {
      throw new RangeError(`maxAttempts must be a positive integer or Infinity, got ${attempts}`);
    }
    this.#sleep = options.sleep ?? sleep;
    this.#random = options.random ?? Math.random;
    this.#keyOrder = options.keyOrder ?? false;
  }

  /** Exponential backoff with full jitter: a uniform pause in [0, min(max, base * 2^(retry-1))). */
  backoffMs(retry: number): number {
    const ceiling = Math.min(this.#retry.maxDelayMs, this.#retry.baseDelayMs * 2 ** (retry - 1));
    return Math.floor(this.#random() * ceiling);
  }

  /**
   * Writes `entries` to one stream, in their order as far as retries allow.
   *
   * @param streamArn - the stream
   * @param entries - the records, each with the caller's tag
   * @param signal - once aborted, no further retry starts: what is not written yet is returned as failed
   * @returns which tags were written, which still fail, which Kinesis refuses for good
   */
  async write<T>(streamArn: string, entries: readonly TaggedEntry<T>[], signal?: AbortSignal): Promise<WriteResult<T>> {
    const state = {
      written: [] as T[],
      rejected: [] as EntryError<T>[],
      calls: 0,
      retried: 0,
      possibleDuplicates: 0,
      bisections: 0,
    };
    let pending: { item: TaggedEntry<T>; error?: EntryError<T> }[] = [];
    for (const item of entries) {
      const problem = this.#invalid(item.entry);
      if (problem) state.rejected.push({ tag: item.tag, errorCode: 'InvalidArgumentException', errorMessage: problem });
      else pending.push({ item });
    }
    for (let attempt = 1; attempt <= this.#retry.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) {
        if (signal?.aborted) break;
        await this.#sleep(this.backoffMs(attempt - 1));
        if (signal?.aborted) break;
        state.retried += pending.length;
      }
      const next: typeof pending = [];
      const items = pending.map((p) => p.item);
      // keyOrder: a key with a record failing in this round holds its later records back to the next round
      const held = new Map<string, EntryError<T>>();
      for (const chunk of this.#keyOrder ? keyOrderedChunks(items) : chunks(items)) {
        const sendable = chunk.filter((item) => {
          const blocker = held.get(item.entry.partitionKey);
          if (blocker) next.push({ item, error: { ...blocker, tag: item.tag } });
          return !blocker;
        });
        const before = next.length;
        if (sendable.length > 0) await this.#send(streamArn, sendable, state, next);
        if (this.#keyOrder)
          for (const failed of next.slice(before)) held.set(failed.item.entry.partitionKey, failed.error!);
      }
      pending = next;
    }
    return {
      ...state,
      failed: pending.map(
        (p) =>
          p.error ?? { tag: p.item.tag, errorCode: 'InternalFailure', errorMessage: 'not written after every retry' },
      ),
    };
  }

  #invalid(entry: PutEntry): string | undefined {
    const keyLength = [...entry.partitionKey].length;
    if (keyLength < 1 || keyLength > MAX_PARTITION_KEY_LENGTH) {
      return `The partition key must be 1 to ${MAX_PARTITION_KEY_LENGTH} characters, got ${keyLength}`;
    }
    const bytes = entryBytes(entry);
    if (bytes > MAX_RECORD_BYTES) {
      return `The record is ${bytes} bytes with its partition key; Kinesis takes at most ${MAX_RECORD_BYTES}`;
    }
    return undefined;
  }

  async #send<T>(
    streamArn: string,
    chunk: TaggedEntry<T>[],
    state: {
      written: T[];
      rejected: EntryError<T>[];
      calls: number;
      possibleDuplicates: number;
      bisections: number;
    },
    next: { item: TaggedEntry<T>; error?: EntryError<T> }[],
  ): Promise<void> {
    let outcomes: PutOutcome[];
    state.calls++;
    try {
      outcomes = await this.#port.putRecords(
        streamArn,
        chunk.map((c) => c.entry),
      );
    } catch (error) {
      const name = errorName(error);
      if (BAD_REQUEST.has(name)) {
        if (chunk.length === 1) {
          state.rejected.push({ tag: chunk[0]!.tag, errorCode: name, errorMessage: errorMessage(error) });
          return;
        }
        // One bad record fails the whole call: halve until it stands alone and the others go through.
        state.bisections++;
        const half = Math.ceil(chunk.length / 2);
        await this.#send(streamArn, chunk.slice(0, half), state, next);
        await this.#send(streamArn, chunk.slice(half), state, next);
        return;
      }
      // Throttling, timeouts and server errors: the call may have been stored before the answer was lost.
      state.possibleDuplicates += chunk.length;
      for (const item of chunk) {
        next.push({ item, error: { tag: item.tag, errorCode: name, errorMessage: errorMessage(error) } });
      }
      return;
    }
    outcomes.forEach((outcome, index) => {
      const item = chunk[index]!;
      if (outcome.ok) state.written.push(item.tag);
      else
        next.push({ item, error: { tag: item.tag, errorCode: outcome.errorCode, errorMessage: outcome.errorMessage } });
    });
  }
}

/**
 * Splits records into PutRecords calls of at most one record per partition key, in their order: a key's n-th record
 * goes in a later call than its (n-1)-th.
 */
export function keyOrderedChunks<T extends { readonly entry: PutEntry }>(items: readonly T[]): T[][] {
  const queue = items.map((item) => ({ data: item.entry.data, partitionKey: item.entry.partitionKey, item }));
  const out: T[][] = [];
  while (queue.length > 0) out.push(takeBatch(queue).map((q) => q.item));
  return out;
}

/** How far into a queue one batch looks for records of other partition keys. */
const MAX_BATCH_SCAN = 5000;

/**
 * Takes the next PutRecords call out of `queue`: at most one record per partition key, the first one queued, up to
 * `maxRecords` and 5 MiB (always at least one record). Records of a key already taken, or that do not fit, stay
 * queued in their order; a key whose record did not fit takes no later record in this call either.
 */
export function takeBatch<T extends PutEntry>(queue: T[], maxRecords = MAX_RECORDS_PER_CALL): T[] {
  const batch: T[] = [];
  const rest: T[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let i = 0;
  for (; i < queue.length && i < MAX_BATCH_SCAN && batch.length < maxRecords; i++) {
    const entry = queue[i]!;
    const size = entryBytes(entry);
    if (seen.has(entry.partitionKey) || (bytes + size > MAX_BYTES_PER_CALL && batch.length > 0)) {
      seen.add(entry.partitionKey);
      rest.push(entry);
      continue;
    }
    seen.add(entry.partitionKey);
    bytes += size;
    batch.push(entry);
  }
  queue.splice(0, i, ...rest);
  return batch;
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
