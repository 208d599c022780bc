/**
 * The demo destination function: a `function:` output of the fan-out (either engine) hands it rows with Kinesis
 * Analytics' Lambda output contract (src/destinations/lambda-function.ts); it logs each row (one line per row, so
 * the load test can count what it received from its log group) and answers Ok for every record.
 */
import type { Context } from 'aws-lambda';
import type { LambdaDeliveryAnswer, LambdaDeliveryEvent } from '../src/destinations';
import { DESTINATION_ROW_MESSAGE } from '../src/load-test/function-io';
import { logger, useLambdaContext } from './logger';

export async function handler(event: LambdaDeliveryEvent, context?: Context): Promise<LambdaDeliveryAnswer> {
  useLambdaContext(context);
  const records = event.records ?? [];
  for (const r of records) {
    // one line per row: the load test reads the log group for these (src/load-test/function-io.ts)
    logger.info(DESTINATION_ROW_MESSAGE, {
      recordId: r.recordId,
      retryHint: r.lambdaDeliveryRecordMetadata?.retryHint ?? 0,
      data: Buffer.from(r.data, 'base64').toString('utf8'),
    });
  }
  logger.info('Destination batch', {
    invocationId: event.invocationId,
    application: event.applicationArn,
    records: records.length,
  });
  return { records: records.map((r) => ({ recordId: r.recordId, result: 'Ok' })) };
}
