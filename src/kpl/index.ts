/**
 * The KPL aggregation format, in one place: the Kinesis Producer Library packs many user records into one Kinesis
 * record (4 magic bytes, an `AggregatedRecord` protobuf with partition-key and hash-key tables, the MD5 of the
 * protobuf). The lambda engine deaggregates its batches with `deaggregate`, the Kinesis Analytics preprocessor
 * function (handlers/kpl-preprocessor.ts, through `preprocess` in ./preprocessor) answers the service's contract
 * with it, and the load test packs its records with `aggregate` when asked to produce aggregated input.
 *
 * The format itself is read and written by `aws-kinesis-agg` (AWS Labs' module, protobufjs underneath); this module
 * adds what a fan-out needs on top: checksums always checked, a corrupt aggregate refused as a whole with the reason
 * (never a partial or a silently passed-through record), byte limits that count the outer partition key as Kinesis
 * does, and plain Buffers in and out.
 */
import { deaggregate as deaggregateRecord, RecordAggregator } from 'aws-kinesis-agg';

/** The first four bytes of every KPL aggregate (aggregation-format.md of the KPL). */
export const KPL_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
/** The MD5 of the protobuf that ends every aggregate. */
const CHECKSUM_BYTES = 16;
/** What one Kinesis record may carry: data plus partition key, 1 MiB. */
export const MAX_KINESIS_RECORD_BYTES = 1024 * 1024;

/** One user record: what a producer put through the KPL. */
export interface UserRecord {
  readonly data: Buffer;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  /**
   * Its place inside the aggregate (0, 1, ...): with the Kinesis record's sequence number it orders and names the
   * user record. Undefined for a record that was not aggregated.
   */
  readonly subSequenceNumber?: number;
}

/** The Kinesis record as a consumer reads it. */
export interface KinesisRecordLike {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
}

/** A record starts like a KPL aggregate but is not a valid one (bad checksum, bad protobuf, bad table index). */
export class KplFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KplFormatError';
  }
}

/** A user record cannot be aggregated (too large for one Kinesis record, no partition key). */
export class KplAggregationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KplAggregationError';
  }
}

/** Whether `data` starts with the KPL's magic bytes (and so must deaggregate cleanly). */
export function isAggregated(data: Uint8Array): boolean {
  return (
    data.length >= KPL_MAGIC.length &&
    data[0] === KPL_MAGIC[0] &&
    data[1] === KPL_MAGIC[1] &&
    data[2] === KPL_MAGIC[2] &&
    data[3] === KPL_MAGIC[3]
  );
}

interface LibUserRecord {
  partitionKey?: string;
  explicitPartitionKey?: string;
  subSequenceNumber?: number;
  data: string;
}

/**
 * The user records of one Kinesis record, in order: a KPL aggregate's records with their own partition keys (and
 * explicit hash keys) and sub-sequence numbers; any other record is returned as itself, unchanged.
 *
 * @throws KplFormatError when the record has the magic bytes but its checksum, protobuf or key tables are wrong:
 *   the whole aggregate is refused, so a caller never takes part of a corrupt record for the whole of it
 */
export function deaggregate(record: KinesisRecordLike): UserRecord[] {
  const data = Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength);
  if (!isAggregated(data)) {
    return [
      {
        data,
        partitionKey: record.partitionKey,
        ...(record.explicitHashKey === undefined ? {} : { explicitHashKey: record.explicitHashKey }),
      },
    ];
  }
  if (data.length < KPL_MAGIC.length + CHECKSUM_BYTES) {
    throw new KplFormatError(
      `A KPL aggregate holds at least ${KPL_MAGIC.length + CHECKSUM_BYTES} bytes (magic and MD5); this one has ${data.length}`,
    );
  }
  const found: UserRecord[] = [];
  let failure: unknown;
  // The module is synchronous: both callbacks run before it returns. Any error refuses the whole aggregate.
  deaggregateRecord(
    { data: data.toString('base64'), partitionKey: record.partitionKey, sequenceNumber: '0' } as never,
    true,
    (error: Error | null, user?: LibUserRecord) => {
      if (error) failure ??= error;
      else if (user) found.push(userRecordOf(user, found.length));
    },
    (error?: Error) => {
      if (error) failure ??= error;
    },
  );
  if (failure !== undefined) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    throw new KplFormatError(`Corrupt KPL aggregate (${data.length} bytes): ${reason}`, { cause: failure });
  }
  return found;
}

function userRecordOf(user: LibUserRecord, index: number): UserRecord {
  // An index outside the aggregate's partition key table leaves the key undefined: the record is corrupt.
  if (typeof user.partitionKey !== 'string') {
    throw new KplFormatError(`user record ${index} of a KPL aggregate names no partition key of its table`);
  }
  return {
    data: Buffer.from(user.data, 'base64'),
    partitionKey: user.partitionKey,
    ...(typeof user.explicitPartitionKey === 'string' ? { explicitHashKey: user.explicitPartitionKey } : {}),
    subSequenceNumber: user.subSequenceNumber ?? index,
  };
}

/** One Kinesis record to put: an aggregate of `count` user records. */
export interface AggregatedRecord {
  readonly data: Buffer;
  /** The partition key of its first user record (as the KPL chooses it). */
  readonly partitionKey: string;
  readonly explicitHashKey?: string;
  /** How many user records it holds. */
  readonly count: number;
}

export interface AggregateOptions {
  /** User records per aggregate at most (default: as many as fit in `maxBytes`). */
  readonly maxRecords?: number;
  /** Bytes per Kinesis record at most, data and outer partition key (default and ceiling: 1 MiB). */
  readonly maxBytes?: number;
}

/**
 * Packs user records, in order, into KPL aggregates: each takes the next records until `maxRecords` or the byte
 * limit is reached. Every aggregate deaggregates to exactly its records, keys and order.
 *
 * @throws KplAggregationError for a record without a partition key or too large for a Kinesis record on its own
 */
export function aggregate(records: readonly KinesisRecordLike[], options: AggregateOptions = {}): AggregatedRecord[] {
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;
  const maxBytes = Math.min(options.maxBytes ?? MAX_KINESIS_RECORD_BYTES, MAX_KINESIS_RECORD_BYTES);
  if (!(maxRecords >= 1)) throw new RangeError(`maxRecords must be at least 1, got ${maxRecords}`);
  const out: AggregatedRecord[] = [];
  const aggregator = new RecordAggregator();
  let count = 0;
  let outerKeyBytes = 0;
  const flush = () => {
    if (count === 0) return;
    const built = aggregator.build();
    if (!built) return;
    out.push({
      data: built.data,
      partitionKey: built.partitionKey,
      ...(built.ExplicitHashKey === undefined ? {} : { explicitHashKey: built.ExplicitHashKey }),
      count,
    });
    count = 0;
  };
  // Magic and checksum around the protobuf.
  const frame = KPL_MAGIC.length + CHECKSUM_BYTES;
  records.forEach((record, index) => {
    if (!record.partitionKey) throw new KplAggregationError(`user record ${index} has no partition key`);
    const user = {
      data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength),
      partitionKey: record.partitionKey,
      ...(record.explicitHashKey === undefined ? {} : { explicitHashKey: record.explicitHashKey }),
    };
    const size = aggregator.calculateUserRecordSize(user);
    const keyBytes = Buffer.byteLength(record.partitionKey);
    if (frame + size + keyBytes > maxBytes) {
      throw new KplAggregationError(
        `user record ${index} (${user.data.length} bytes, key ${JSON.stringify(record.partitionKey.slice(0, 40))}) ` +
          `does not fit in a Kinesis record of ${maxBytes} bytes even alone`,
      );
    }
    // The size the module computes counts a key the aggregate already holds once; a new key's bytes are in `size`.
    if (count >= maxRecords || frame + aggregator.totalBytes + size + outerKeyBytes > maxBytes) flush();
    if (count === 0) outerKeyBytes = keyBytes;
    aggregator.addUserRecord(user);
    count++;
  });
  flush();
  return out;
}
