/**
 * The event Lambda hands a function for a batch of Kinesis records, written as JSON text in one pass: the fixed
 * parts of a record once per batch, the per-record values between them, no object per record (building the event
 * as objects and stringifying it cost about 1 us a record on the twin's main thread, a tenth of that thread at the
 * sustained ceiling). Sequence numbers, shard ids and base64 need no escaping; the partition key and the ARNs go
 * through JSON.stringify.
 */
import type { KinesisRecord } from './types';

export interface KinesisEventSource {
  /** The mapping's execution role (`invokeIdentityArn`). */
  invokeIdentityArn: string;
  awsRegion: string;
  /** The stream or consumer ARN the mapping reads (`eventSourceARN`). */
  eventSourceArn: string;
}

/** `{"Records": [...]}` for `records` of `shardId`, as Lambda's Kinesis event source writes it. */
export function kinesisEventJson(
  shardId: string,
  records: readonly KinesisRecord[],
  source: KinesisEventSource,
): string {
  const middle = `},"eventSource":"aws:kinesis","eventVersion":"1.0","eventID":"${shardId}:`;
  const end =
    `","eventName":"aws:kinesis:record","invokeIdentityArn":${JSON.stringify(source.invokeIdentityArn)},` +
    `"awsRegion":${JSON.stringify(source.awsRegion)},"eventSourceARN":${JSON.stringify(source.eventSourceArn)}}`;
  let json = '{"Records":[';
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const data = r.data64 ?? Buffer.from(r.Data ?? []).toString('base64');
    if (i > 0) json += ',';
    json +=
      `{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":${JSON.stringify(r.PartitionKey)},` +
      `"sequenceNumber":"${r.SequenceNumber}","data":"${data}",` +
      `"approximateArrivalTimestamp":${JSON.stringify(r.ApproximateArrivalTimestamp / 1000)}` +
      `${middle}${r.SequenceNumber}${end}`;
  }
  return `${json}]}`;
}
