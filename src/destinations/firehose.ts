/**
 * Firehose delivery streams as a destination of the fan-out: the writer's port (src/fanout/writer.ts, the one writer
 * that batches, retries with backoff, bisects bad calls and keeps each partition key's order) over PutRecordBatch.
 * A call of the writer (at most 500 records, 5 MiB) becomes one or more PutRecordBatch calls of at most 500 records
 * and 4 MiB; the records of `FailedPutCount` come back as failed outcomes, which the writer sends again.
 */
import {
  type FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchInput,
  type PutRecordBatchOutput,
} from '@aws-sdk/client-firehose';
import type { KinesisPut, PutEntry, PutOutcome } from '../fanout/writer';
import { deliveryStreamNameOf } from './arn';

/** PutRecordBatch limits (the Firehose API model): records and bytes per call, bytes of one record. */
export const FIREHOSE_LIMITS = { records: 500, bytes: 4 * 1024 * 1024, recordBytes: 1_024_000 } as const;

/** A record Firehose cannot take (over 1,000 KiB): thrown for the whole call, so the writer isolates the record. */
export class FirehoseRecordTooLargeError extends Error {
  constructor(message: string) {
    super(message);
    // the writer bisects calls refused with this name until the bad record stands alone, then drops it for good
    this.name = 'InvalidArgumentException';
  }
}

/** Splits entries into PutRecordBatch calls within Firehose's limits, in order. */
export function firehoseBatches(entries: readonly PutEntry[]): PutEntry[][] {
  const out: PutEntry[][] = [];
  let current: PutEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entry.data.byteLength;
    if (current.length === FIREHOSE_LIMITS.records || (current.length > 0 && bytes + size > FIREHOSE_LIMITS.bytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * The writer's port on Firehose's PutRecordBatch (the SDK's).
 *
 * @param client - the Firehose client (its endpoint comes from the environment)
 */
export function sdkFirehosePut(client: Pick<FirehoseClient, 'send'>): KinesisPut {
  return firehosePut((input) => client.send(new PutRecordBatchCommand(input)));
}

/**
 * The writer's port on any PutRecordBatch (the SDK's, or the Firehose twin's in process). The partition key does not
 * travel (Firehose has none); it still orders the writer's calls, so a key's records reach the delivery stream in
 * their order.
 *
 * @param putRecordBatch - one PutRecordBatch call
 */
export function firehosePut(
  putRecordBatch: (input: PutRecordBatchInput) => Promise<Pick<PutRecordBatchOutput, 'RequestResponses'>>,
): KinesisPut {
  return {
    async putRecords(deliveryStreamArn, entries) {
      const name = deliveryStreamNameOf(deliveryStreamArn);
      const large = entries.find((e) => e.data.byteLength > FIREHOSE_LIMITS.recordBytes);
      if (large)
        throw new FirehoseRecordTooLargeError(
          `The record is ${large.data.byteLength} bytes; Firehose takes at most ${FIREHOSE_LIMITS.recordBytes}`,
        );
      const outcomes: PutOutcome[] = [];
      for (const batch of firehoseBatches(entries)) {
        const response = await putRecordBatch({
          DeliveryStreamName: name,
          Records: batch.map((e) => ({ Data: e.data })),
        });
        const answers = response.RequestResponses ?? [];
        if (answers.length !== batch.length)
          throw new Error(`PutRecordBatch answered for ${answers.length} of ${batch.length} records`);
        for (const a of answers)
          outcomes.push(
            a.ErrorCode
              ? { ok: false, errorCode: a.ErrorCode, errorMessage: a.ErrorMessage ?? a.ErrorCode }
              : { ok: true },
          );
      }
      return outcomes;
    },
  };
}
