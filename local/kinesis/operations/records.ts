/**
 * The data plane: PutRecord, PutRecords, GetShardIterator, GetRecords. The wire forms decode base64 straight
 * into the shard logs and write GetRecords responses as JSON text; the in-process forms (used by the other
 * twin services) pass bytes, with the same validation and limits.
 */
import { AwsServiceError } from '../../service';
import {
  ACCOUNT,
  invalidArgument,
  iteratorExpired,
  rateExceededMessage,
  shardNotFound,
  streamNotFound,
  THROUGHPUT_EXCEEDED,
  throughputExceeded,
  validation,
} from '../errors';
import { explicitHashKey, partitionKeyHash } from '../hash';
import { decodeIterator, encodeIterator } from '../iterators';
import { LIMITS } from '../limits';
import { parseSequence, sequenceNumber, shardIndexOf } from '../sequence';
import { type KinesisState, num, type StreamRef, str, timestampMs } from '../state';
import type { Shard, Stream } from '../store';
import { decodedLength } from '../validation';

type Input = Record<string, unknown>;

export interface PutEntry {
  /** Bytes, or base64 text straight from the wire. */
  data: Uint8Array | string;
  size: number;
  partitionKey: string;
  explicitHashKey?: string | undefined;
}

export type PutResult = { SequenceNumber: string; ShardId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutRecordsOutput {
  FailedRecordCount: number;
  Records: PutResult[];
}

function checkRecordSize(stream: Stream, entry: PutEntry, path: string): void {
  const max = stream.maxRecordKiB * 1024;
  if (entry.size > max) {
    throw validation(
      `1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=${entry.size} cap=${entry.size}]' at '${path}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
}

function route(stream: Stream, entry: PutEntry): Shard {
  if (stream.open.length === 1 && entry.explicitHashKey === undefined) return stream.open[0]!;
  const key =
    entry.explicitHashKey !== undefined ? explicitHashKey(entry.explicitHashKey) : partitionKeyHash(entry.partitionKey);
  return stream.shardFor(key);
}

/** Puts a batch (already validated for shape): every record gets a sequence number or a throttling error. */
export function putEntries(state: KinesisState, stream: Stream, entries: PutEntry[]): PutRecordsOutput {
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    checkRecordSize(stream, e, `records.${i + 1}.member.data`);
    total += e.size + e.partitionKey.length;
  }
  if (total > LIMITS.putRecordsMaxBytes) {
    throw invalidArgument(
      `Records size exceeds ${LIMITS.putRecordsMaxBytes / 1024 / 1024} MB limit: the request holds ${total} bytes.`,
    );
  }
  // resolve every hash key first: one bad ExplicitHashKey fails the whole request, as on AWS
  const shards = entries.map((e) => route(stream, e));
  const now = state.now();
  const limits = state.opts.limits;
  const records: PutResult[] = new Array(entries.length);
  let failed = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const shard = shards[i]!;
    if (limits) shard.throttle.setWriteBurst(stream.maxRecordKiB * 1024);
    if (limits && !shard.throttle.admitWrite(e.size + e.partitionKey.length, now)) {
      failed++;
      records[i] = { ErrorCode: THROUGHPUT_EXCEEDED, ErrorMessage: rateExceededMessage(shard.id, stream.name) };
      continue;
    }
    const index = shard.log.append(e.data, e.partitionKey, now);
    records[i] = { SequenceNumber: sequenceNumber(shard.prefix, index), ShardId: shard.id };
  }
  if (now - stream.lastTrimMs >= 1000) {
    // a stream nobody reads must still let go of records past retention
    stream.lastTrimMs = now;
    const cutoff = state.retentionCutoff(stream);
    for (const s of stream.shards) s.log.trim(cutoff);
  }
  state.touch();
  return { FailedRecordCount: failed, Records: records };
}

function wireEntry(raw: Input): PutEntry {
  // base64 text (JSON) or bytes (CBOR); validateInput has checked the base64 already
  const data = raw['Data'] as string | Uint8Array;
  return {
    data,
    size: typeof data === 'string' ? decodedLength(data) : data.length,
    partitionKey: raw['PartitionKey'] as string,
    explicitHashKey: str(raw, 'ExplicitHashKey'),
  };
}

export function putRecords(state: KinesisState, input: Input): PutRecordsOutput & { EncryptionType: string } {
  const stream = state.writable(input);
  const entries = (input['Records'] as Input[]).map(wireEntry);
  return { ...putEntries(state, stream, entries), EncryptionType: stream.encryption.type };
}

export function putRecord(state: KinesisState, input: Input): unknown {
  const stream = state.writable(input);
  const ordering = str(input, 'SequenceNumberForOrdering');
  if (ordering !== undefined && parseSequence(ordering) === undefined && ordering !== '0') {
    throw invalidArgument(
      `ExclusiveMinimumSequenceNumber ${ordering} used in PutRecord on stream ${stream.name} under account ${ACCOUNT} is invalid.`,
    );
  }
  const out = putEntries(state, stream, [wireEntry(input)]);
  const result = out.Records[0]!;
  if ('ErrorCode' in result) throw new AwsServiceError(result.ErrorCode, result.ErrorMessage);
  return { ShardId: result.ShardId, SequenceNumber: result.SequenceNumber, EncryptionType: stream.encryption.type };
}

/** The in-process PutRecords: bytes in, same checks and limits as the wire. */
export function putRecordsInProcess(
  state: KinesisState,
  ref: StreamRef,
  records: { data: Uint8Array; partitionKey: string; explicitHashKey?: string }[],
): PutRecordsOutput {
  const stream = state.writable(ref);
  if (records.length < 1 || records.length > LIMITS.putRecordsMaxRecords) {
    throw validation(
      `1 validation error detected: Value '[${records.length} items]' at 'records' failed to satisfy constraint: Member must have length ${records.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${LIMITS.putRecordsMaxRecords}`}`,
    );
  }
  const entries: PutEntry[] = records.map((r, i) => {
    if (typeof r.partitionKey !== 'string' || r.partitionKey.length < 1 || r.partitionKey.length > 256) {
      throw validation(
        `1 validation error detected: Value '${String(r.partitionKey)}' at 'records.${i + 1}.member.partitionKey' failed to satisfy constraint: Member must have length between 1 and 256`,
      );
    }
    return { data: r.data, size: r.data.length, partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey };
  });
  return putEntries(state, stream, entries);
}

/** The shard of a stream by id, or ResourceNotFoundException as AWS words it. */
export function shardOf(stream: Stream, shardId: string): Shard {
  const index = shardIndexOf(shardId);
  const shard = index === undefined ? undefined : stream.shards[index];
  if (!shard) {
    throw new AwsServiceError(
      'ResourceNotFoundException',
      `Could not find shard ${shardId} in stream ${stream.name} under account ${ACCOUNT}.`,
    );
  }
  return shard;
}

export function getShardIterator(state: KinesisState, input: Input): { ShardIterator: string } {
  const stream = state.writable(input);
  const shard = shardOf(stream, str(input, 'ShardId')!);
  const type = str(input, 'ShardIteratorType')!;
  const seq = str(input, 'StartingSequenceNumber');
  const now = state.now();
  const log = shard.log;
  log.trim(state.retentionCutoff(stream));
  let position: number;
  if (seq !== undefined && (type === 'TRIM_HORIZON' || type === 'LATEST' || type === 'AT_TIMESTAMP')) {
    throw invalidArgument(
      'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or ' +
        `(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${type} and also a StartingSequenceNumber.`,
    );
  }
  switch (type) {
    case 'TRIM_HORIZON':
      position = log.first;
      break;
    case 'LATEST':
      position = log.next;
      break;
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      if (seq === undefined) {
        throw invalidArgument(
          'Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or ' +
            `(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified ${type} and no StartingSequenceNumber.`,
        );
      }
      const parsed = parseSequence(seq);
      if (!parsed) {
        throw invalidArgument(
          `StartingSequenceNumber ${seq} used in GetShardIterator on shard ${shard.id} in stream ${stream.name} under account ${ACCOUNT} is invalid.`,
        );
      }
      if (parsed.shardIndex !== shard.index) {
        throw invalidArgument(
          `Invalid StartingSequenceNumber. It encodes shardId-${String(parsed.shardIndex).padStart(12, '0')}, while it was used in a call to a shard with ${shard.id}`,
        );
      }
      if (parsed.streamCreatedMs !== stream.createdMs) {
        throw invalidArgument(
          `StartingSequenceNumber ${seq} used in GetShardIterator on shard ${shard.id} in stream ${stream.name} under account ${ACCOUNT} is invalid because it did not come from this stream.`,
        );
      }
      position = Math.max(0, type === 'AT_SEQUENCE_NUMBER' ? parsed.index : parsed.index + 1);
      break;
    }
    case 'AT_TIMESTAMP': {
      const ms = timestampMs(input['Timestamp']);
      if (ms === undefined) {
        throw invalidArgument(
          'Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.',
        );
      }
      if (ms > now) {
        throw invalidArgument(
          `The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: ${ms}, currentTimestampInMillis: ${now}`,
        );
      }
      position = log.indexAtTime(ms);
      break;
    }
    default:
      throw invalidArgument(`Unknown ShardIteratorType ${type}`);
  }
  return {
    ShardIterator: encodeIterator({
      issuedMs: now,
      streamName: stream.name,
      streamCreatedMs: stream.createdMs,
      shardIndex: shard.index,
      position,
    }),
  };
}

/** Where a GetRecords call reads, after the iterator, the stream and the limits have been checked. */
interface ReadPlan {
  stream: Stream;
  shard: Shard;
  position: number;
  limit: number;
  now: number;
}

function planRead(state: KinesisState, iterator: string, limit: number | undefined): ReadPlan {
  const it = decodeIterator(iterator);
  const now = state.now();
  if (now - it.issuedMs > LIMITS.iteratorTtlMs) throw iteratorExpired(it.issuedMs, now, LIMITS.iteratorTtlMs);
  const stream = state.streams.get(it.streamName);
  if (!stream || stream.createdMs !== it.streamCreatedMs) throw streamNotFound(it.streamName);
  const shard = stream.shards[it.shardIndex];
  if (!shard) throw shardNotFound(`shardId-${String(it.shardIndex).padStart(12, '0')}`, stream.name);
  if (limit !== undefined && (limit < 1 || limit > LIMITS.getRecordsMaxLimit)) {
    throw validation(
      `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : `less than or equal to ${LIMITS.getRecordsMaxLimit}`}`,
    );
  }
  if (state.opts.limits) {
    const t = shard.throttle;
    if (!t.readBytes.positive(now) || !t.readCalls.take(1, now)) throw throughputExceeded(shard.id, stream.name);
  }
  shard.log.trim(state.retentionCutoff(stream));
  return { stream, shard, position: it.position, limit: limit ?? LIMITS.getRecordsMaxLimit, now };
}

export interface ChildShard {
  ShardId: string;
  ParentShards: string[];
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
}

/**
 * The next iterator, how far behind the tip the reader is, and, at the end of a closed shard, no next iterator
 * but the shards that replaced it.
 */
function finishRead(
  state: KinesisState,
  plan: ReadPlan,
  end: number,
  bytes: number,
): { next: string | undefined; behind: number; children: ChildShard[] | undefined } {
  if (state.opts.limits) plan.shard.throttle.readBytes.spend(bytes);
  const { shard, stream } = plan;
  const log = shard.log;
  const atEnd = end >= log.next;
  const behind = atEnd ? 0 : Math.max(0, plan.now - (log.timeAt(end) ?? plan.now));
  if (atEnd && shard.closed) return { next: undefined, behind, children: childShards(stream, shard) };
  const next = encodeIterator({
    issuedMs: plan.now,
    streamName: stream.name,
    streamCreatedMs: stream.createdMs,
    shardIndex: shard.index,
    position: Math.max(end, plan.position),
  });
  return { next, behind, children: undefined };
}

/** Records of a shard as a JSON array text: no object per record, base64 straight from the log. */
export function recordsJson(
  shard: Shard,
  from: number,
  limit: number,
  maxBytes: number,
): { json: string; end: number; bytes: number; count: number } {
  const prefix = shard.prefix;
  const parts: string[] = [];
  let bytes = 0;
  const end = shard.log.read(from, limit, maxBytes, (buf, s, e, time, key, i) => {
    bytes += e - s;
    parts.push(
      `{"SequenceNumber":"${sequenceNumber(prefix, i)}","ApproximateArrivalTimestamp":${time / 1000},"Data":"${buf.toString('base64', s, e)}","PartitionKey":${JSON.stringify(key)}}`,
    );
  });
  return { json: `[${parts.join(',')}]`, end, bytes, count: parts.length };
}

/** The shards that replaced a closed shard, as GetRecords and SubscribeToShard list them. */
export function childShards(stream: Stream, shard: Shard): ChildShard[] {
  return stream.shards
    .filter((s) => s.parentShardId === shard.id || s.adjacentParentShardId === shard.id)
    .map((s) => ({
      ShardId: s.id,
      ParentShards: [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined),
      HashKeyRange: { StartingHashKey: s.startHash.toString(), EndingHashKey: s.endHash.toString() },
    }));
}

/** Wire GetRecords, written as JSON text. */
export function getRecordsJson(state: KinesisState, input: Input): string {
  const plan = planRead(state, str(input, 'ShardIterator')!, num(input, 'Limit'));
  const { json, end, bytes } = recordsJson(plan.shard, plan.position, plan.limit, LIMITS.getRecordsMaxBytes);
  const { next, behind, children } = finishRead(state, plan, end, bytes);
  const tail = next !== undefined ? `,"NextShardIterator":"${next}"` : `,"ChildShards":${JSON.stringify(children)}`;
  return `{"Records":${json}${tail},"MillisBehindLatest":${behind}}`;
}

/** Wire GetRecords as objects (for CBOR): Data as bytes, timestamps in epoch seconds like the JSON answer. */
export function getRecordsObjects(state: KinesisState, input: Input): Record<string, unknown> {
  const plan = planRead(state, str(input, 'ShardIterator')!, num(input, 'Limit'));
  const prefix = plan.shard.prefix;
  const records: Record<string, unknown>[] = [];
  let bytes = 0;
  const end = plan.shard.log.read(plan.position, plan.limit, LIMITS.getRecordsMaxBytes, (buf, s, e, time, key, i) => {
    bytes += e - s;
    records.push({
      SequenceNumber: sequenceNumber(prefix, i),
      ApproximateArrivalTimestamp: time / 1000,
      Data: buf.subarray(s, e),
      PartitionKey: key,
    });
  });
  const { next, behind, children } = finishRead(state, plan, end, bytes);
  return next !== undefined
    ? { Records: records, NextShardIterator: next, MillisBehindLatest: behind }
    : { Records: records, ChildShards: children, MillisBehindLatest: behind };
}

export interface InProcessRecord {
  SequenceNumber: string;
  /** Milliseconds since the epoch. */
  ApproximateArrivalTimestamp: number;
  /** A read-only view of the stored bytes. */
  Data: Uint8Array;
  PartitionKey: string;
}

export function getRecordsInProcess(
  state: KinesisState,
  iterator: string,
  limit?: number,
): { Records: InProcessRecord[]; NextShardIterator?: string; MillisBehindLatest: number } {
  const plan = planRead(state, iterator, limit);
  const prefix = plan.shard.prefix;
  const records: InProcessRecord[] = [];
  let bytes = 0;
  const end = plan.shard.log.read(plan.position, plan.limit, LIMITS.getRecordsMaxBytes, (buf, s, e, time, key, i) => {
    bytes += e - s;
    records.push({
      SequenceNumber: sequenceNumber(prefix, i),
      ApproximateArrivalTimestamp: time,
      Data: buf.subarray(s, e),
      PartitionKey: key,
    });
  });
  const { next, behind } = finishRead(state, plan, end, bytes);
  return next !== undefined
    ? { Records: records, NextShardIterator: next, MillisBehindLatest: behind }
    : { Records: records, MillisBehindLatest: behind };
}
