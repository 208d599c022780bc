/**
 * The data plane, reading side: GetRecords on the wire (JSON written straight into bytes; objects with bytes for
 * CBOR) and in process, and the records of SubscribeToShard's events. Every read checks the iterator, its
 * expiry and the shard's read limits first.
 */
import { JsonBuffer } from '../../protocols/json-buffer';
import { iteratorExpired, shardNotFound, streamNotFound, throughputExceeded, validation } from '../errors';
import { decodeIterator, encodeIterator } from '../iterators';
import { LIMITS } from '../limits';
import { sequenceNumber } from '../sequence';
import { type KinesisState, num, str } from '../state';
import type { Shard, Stream } from '../store';

type Input = Record<string, unknown>;

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
    if (!t.readBytes.positive(now) || !t.readCalls.take(1, now)) {
      shard.metrics.readThrottled(now);
      state.traffic?.readThrottled(stream.name);
      throw throughputExceeded(shard.id, stream.name);
    }
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
  shard.metrics.read(end - Math.max(plan.position, log.first), bytes, plan.now);
  const atEnd = end >= log.next;
  const behind = atEnd ? 0 : Math.max(0, plan.now - (log.timeAt(end) ?? plan.now));
  if (state.traffic) {
    // GetRecords.IteratorAgeMilliseconds: the age of the last record the call returned (caught up: 0)
    const read = Math.max(0, end - Math.max(plan.position, log.first));
    const age = read > 0 && !atEnd ? Math.max(0, plan.now - (log.timeAt(end - 1) ?? plan.now)) : behind;
    state.traffic.read(stream.name, read, bytes, age);
  }
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

const RECORD_OPEN = Buffer.from('{"SequenceNumber":"');
const RECORD_TIME = Buffer.from('","ApproximateArrivalTimestamp":');
const RECORD_DATA = Buffer.from(',"Data":"');
const RECORD_KEY = Buffer.from('","PartitionKey":');
const RECORD_CLOSE = Buffer.from('}');
const COMMA = Buffer.from(',');

/**
 * Records of a shard as a JSON array, written into `out`: no object or string per record, base64 straight
 * from the log's bytes.
 */
export function writeRecordsJson(
  out: JsonBuffer,
  shard: Shard,
  from: number,
  limit: number,
  maxBytes: number,
): { end: number; bytes: number; count: number } {
  const prefix = shard.prefix;
  let count = 0;
  let bytes = 0;
  out.ascii('[');
  const end = shard.log.read(from, limit, maxBytes, (buf, s, e, time, key, i) => {
    bytes += e - s;
    if (count++ > 0) out.raw(COMMA);
    out
      .raw(RECORD_OPEN)
      .ascii(sequenceNumber(prefix, i))
      .raw(RECORD_TIME)
      .ascii(String(time / 1000));
    out.raw(RECORD_DATA).base64(buf, s, e).raw(RECORD_KEY).string(key).raw(RECORD_CLOSE);
  });
  out.ascii(']');
  return { end, bytes, count };
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

/** Records of a shard as JSON array text (SubscribeToShard events). */
export function recordsJson(
  shard: Shard,
  from: number,
  limit: number,
  maxBytes: number,
): { json: string; end: number; bytes: number; count: number } {
  const out = new JsonBuffer();
  const read = writeRecordsJson(out, shard, from, limit, maxBytes);
  return { json: out.bytes().toString('utf8'), ...read };
}

/** About how many bytes a GetRecords answer takes, so its buffer is allocated once, not grown by copies. */
function answerSizeEstimate(plan: ReadPlan): number {
  const log = plan.shard.log;
  const count = Math.max(0, Math.min(plan.limit, log.next - Math.max(plan.position, log.first)));
  const size = log.size;
  const data = size > 0 ? log.bytes / size : 0;
  const key = size > 0 ? Math.max(0, log.storedBytes / size - data - 1) : 0;
  // the record's fixed JSON (sequence number, timestamp, names: about 151 bytes), its base64 (padding included)
  // and its key: a little more than the answer takes, as a buffer grown by one record more copies all of it
  const estimate = count * (160 + Math.ceil((data * 4) / 3) + 3 + Math.ceil(key));
  return Math.min(Math.max(estimate, 1024), LIMITS.getRecordsMaxBytes * 2);
}

/** Wire GetRecords, written as JSON bytes. */
export function getRecordsJson(state: KinesisState, input: Input): Buffer {
  const plan = planRead(state, str(input, 'ShardIterator')!, num(input, 'Limit'));
  const out = new JsonBuffer(answerSizeEstimate(plan));
  out.ascii('{"Records":');
  const { end, bytes } = writeRecordsJson(out, plan.shard, plan.position, plan.limit, LIMITS.getRecordsMaxBytes);
  const { next, behind, children } = finishRead(state, plan, end, bytes);
  out.ascii(next !== undefined ? `,"NextShardIterator":"${next}"` : `,"ChildShards":${JSON.stringify(children)}`);
  return out.ascii(`,"MillisBehindLatest":${behind}}`).bytes();
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
