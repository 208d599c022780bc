/**
 * The data plane: PutRecord and PutRecordBatch (500 records, 4 MiB per call). Records enter the stream's buffer
 * (and, when the twin keeps its data, the journal) before the call answers; delivery to S3 follows on the Clock.
 * Over the stream's per-second quota, a PutRecord is refused with ServiceUnavailableException and the records of a
 * PutRecordBatch that do not fit fail one by one (ErrorCode ServiceUnavailableException, "Slow down."), as Firehose
 * answers; FailedPutCount says how many to send again.
 */
import { randomBytes } from 'node:crypto';
import type {
  PutRecordBatchInput,
  PutRecordBatchOutput,
  PutRecordBatchResponseEntry,
  PutRecordInput,
  PutRecordOutput,
} from '@aws-sdk/client-firehose';
import { hits } from '../../faults';
import type { Answer } from '../../sdk-shapes';
import { errors, SLOW_DOWN } from '../errors';
import { LIMITS } from '../limits';
import type { BufferedRecord, DeliveryStream } from '../store';
import type { OperationContext } from './context';

/** Firehose's record ids are long opaque strings. */
function recordId(): string {
  return randomBytes(96).toString('base64url');
}

/** Takes one call from the stream's quota of the current second; ServiceUnavailableException past it. */
function takeCall(ctx: OperationContext, stream: DeliveryStream): void {
  const second = Math.floor(ctx.store.clock.now() / 1000);
  if (stream.window[0] !== second) stream.window = [second, 0, 0, 0];
  const fault = ctx.faults.get(stream.name);
  if (fault && hits(fault.faults.throttleCalls, ++fault.calls)) {
    fault.injected.throttledCalls++;
    throw errors.slowDown();
  }
  if (ctx.limits && stream.window[1] >= LIMITS.requestsPerSecond) throw errors.slowDown();
  stream.window[1]++;
}

/** Whether one more record of `bytes` fits the second's quota (and is not failed by injection); counts it if so. */
function takeRecord(ctx: OperationContext, stream: DeliveryStream, bytes: number): boolean {
  const fault = ctx.faults.get(stream.name);
  if (fault && hits(fault.faults.failRecords, ++fault.records)) {
    fault.injected.failedRecords++;
    return false;
  }
  const w = stream.window;
  if (ctx.limits && (w[2] + 1 > LIMITS.recordsPerSecond || w[3] + bytes > LIMITS.bytesPerSecond)) return false;
  w[2]++;
  w[3] += bytes;
  return true;
}

function take(ctx: OperationContext, stream: DeliveryStream, records: BufferedRecord[]): void {
  if (records.length === 0) return;
  ctx.store.buffer(stream, records);
  ctx.delivery.scheduleAfterPut(stream);
}

export function putRecord(ctx: OperationContext, input: PutRecordInput): Answer<PutRecordOutput> {
  const stream = ctx.store.active(input.DeliveryStreamName!);
  takeCall(ctx, stream);
  const data = Buffer.from(input.Record!.Data!);
  if (!takeRecord(ctx, stream, data.length)) throw errors.slowDown();
  take(ctx, stream, [{ data, arrival: ctx.store.clock.now() }]);
  return { RecordId: recordId(), Encrypted: false };
}

export function putRecordBatch(ctx: OperationContext, input: PutRecordBatchInput): Answer<PutRecordBatchOutput> {
  const stream = ctx.store.active(input.DeliveryStreamName!);
  const records = input.Records!;
  let total = 0;
  for (const r of records) total += r.Data!.length;
  if (total > LIMITS.batchBytes)
    throw errors.invalid(
      `Records size exceeds ${LIMITS.batchBytes / 1024 / 1024} MiB limit: the request holds ${total} bytes.`,
    );
  takeCall(ctx, stream);
  const now = ctx.store.clock.now();
  const taken: BufferedRecord[] = [];
  const responses: PutRecordBatchResponseEntry[] = [];
  let failed = 0;
  for (const r of records) {
    const data = Buffer.from(r.Data!);
    if (takeRecord(ctx, stream, data.length)) {
      taken.push({ data, arrival: now });
      responses.push({ RecordId: recordId() });
    } else {
      failed++;
      responses.push({ ErrorCode: 'ServiceUnavailableException', ErrorMessage: SLOW_DOWN });
    }
  }
  take(ctx, stream, taken);
  return { FailedPutCount: failed, Encrypted: false, RequestResponses: responses };
}
