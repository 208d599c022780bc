/**
 * Consumer of one output stream: logs each batch with the structured logger. A record that is not JSON is logged
 * as a warning and not retried (it would fail the same way again).
 */
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { logger, useLambdaContext } from './logger';

export async function handler(event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> {
  useLambdaContext(context);
  const records = event.Records ?? [];
  const rows: unknown[] = [];
  for (const record of records) {
    const text = Buffer.from(record.kinesis.data, 'base64').toString('utf8');
    try {
      rows.push(JSON.parse(text));
    } catch {
      logger.warn('Record is not JSON', { sequenceNumber: record.kinesis.sequenceNumber, data: text.slice(0, 200) });
    }
  }
  logger.info('Batch received', {
    stream: records[0]?.eventSourceARN,
    records: records.length,
    firstSequenceNumber: records[0]?.kinesis.sequenceNumber,
    lastSequenceNumber: records.at(-1)?.kinesis.sequenceNumber,
    rows,
  });
  return { batchItemFailures: [] };
}
