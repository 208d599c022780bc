/**
 * The data plane, writing side: PutRecord, PutRecords, GetShardIterator (GetRecords is in get-records.ts). The
 * wire forms decode base64 straight into the shard logs; the in-process forms (used by the other twin services)
 * pass bytes, with the same validation and limits.
 */

import { AwsServiceError } from '../../service';
import { ACCOUNT, invalidArgument, rateExceededMessage, THROUGHPUT_EXCEEDED, validation } from '../errors';
import { explicitHashKey, partitionKeyHash } from '../hash';
import { encodeIterator } from '../iterators';
import { LIMITS } from '../limits';
import { parseSequence, sequenceNumber, shardIndexOf } from '../sequence';
import { type KinesisState, type StreamRef, str, timestampMs } from '../state';
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
  let taken = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const shard = shards[i]!;
    if (limits) shard.throttle.setWriteBurst(stream.maxRecordKiB * 1024);
    if (limits && !shard.throttle.admitWrite(e.size + e.partitionKey.length, now)) {
      failed++;
      shard.metrics.writeThrottled(now);
      records[i] = { ErrorCode: THROUGHPUT_EXCEEDED, ErrorMessage: rateExceededMessage(shard.id, stream.name) };
      continue;
    }
    const index = shard.log.append(e.data, e.partitionKey, now);
    shard.metrics.wrote(e.size, now);
    records[i] = { SequenceNumber: sequenceNumber(shard.prefix, index), ShardId: shard.id };
    taken += e.size;
  }
  state.traffic?.put(stream.name, entries.length - failed, taken, failed);
  if (now - stream.lastTrimMs >= 1000) {
    // a stream nobody reads must still let go of records past retention
    stream.lastTrimMs = now;
    const cutoff = state.retentionCutoff(stream);
    for (const s of stream.shards) s.log.trim(cutoff);
  }
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

/** Wire PutRecords, its answer written as JSON text (500 results without JSON.stringify walking them). */
export function putRecordsJson(state: KinesisState, input: Input): string {
  const { FailedRecordCount, Records, EncryptionType } = putRecords(state, input);
  let json = `{"FailedRecordCount":${FailedRecordCount},"Records":[`;
  for (let i = 0; i < Records.length; i++) {
    const r = Records[i]!;
    if (i > 0) json += ',';
    json += 'ErrorCode' in r ? JSON.stringify(r) : `{"SequenceNumber":"${r.SequenceNumber}","ShardId":"${r.ShardId}"}`;
  }
  return `${json}],"EncryptionType":"${EncryptionType}"}`;
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
