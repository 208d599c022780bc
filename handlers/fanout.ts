/**
 * The fan-out function of the lambda engine: fed by the event source mapping on the input stream, it runs the
 * application on each batch and writes the rows to the output streams. The application is read and compiled once
 * per cold start (src/fanout); each batch answers with the records Lambda must retry (ReportBatchItemFailures).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { firehoseClient, kinesisClient, lambdaClient } from '../src/aws';
import { type FanoutProcessor, loadFanoutProcessor } from '../src/fanout';
import { logger, useLambdaContext } from './logger';

const metrics = new Metrics({
  namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'KinesisFanout',
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'kinesis-fanout',
});

let processor: Promise<FanoutProcessor> | undefined;

function coldStart(): Promise<FanoutProcessor> {
  const region = process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'] ?? 'us-east-1';
  return loadFanoutProcessor({
    env: process.env,
    kinesis: kinesisClient(region),
    firehose: firehoseClient(region),
    lambda: lambdaClient(region),
    log: logger,
    metrics,
  });
}

export async function handler(event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> {
  useLambdaContext(context);
  // A failed cold start (no application yet, SQL that does not compile) is tried again on the next batch.
  processor ??= coldStart().catch((error: unknown) => {
    processor = undefined;
    throw error;
  });
  const fanout = await processor;
  try {
    return await fanout.handle(event);
  } finally {
    metrics.publishStoredMetrics();
  }
}
