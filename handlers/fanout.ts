/**
 * The fan-out function of the lambda engine: fed by the event source mapping on the input stream, it runs the
 * application on each batch and writes the rows to the output streams. The application is read and compiled once
 * per cold start (src/fanout); each batch answers with the records Lambda must retry (ReportBatchItemFailures).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { firehoseClient, kinesisClient, lambdaClient } from '../src/aws';
import { APPLICATION_NAME_VARIABLE, type FanoutProcessor, loadFanoutProcessor } from '../src/fanout';
import { logger, useLambdaContext } from './logger';

const metrics = new Metrics({
  namespace: process.env['POWERTOOLS_METRICS_NAMESPACE'] ?? 'KinesisFanout',
  serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'kinesis-fanout',
});

let processor: Promise<FanoutProcessor> | undefined;

/**
 * Starts the cold start and keeps it for the batches to come. A failed one (no application yet, SQL that does not
 * compile) fails the batches that waited for it and is dropped, so the next batch tries again.
 */
function startColdStart(): Promise<FanoutProcessor> {
  const started = coldStart();
  processor = started;
  started.catch(() => {
    if (processor === started) processor = undefined;
  });
  return started;
}

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

// The cold start begins with the module (Lambda's init phase, ahead of the first batch with provisioned concurrency or
// a warmed environment), so the first batch does not wait for the application to compile. A function the lambda
// engine has not given an application yet ($LATEST) has nothing to compile.
if (process.env[APPLICATION_NAME_VARIABLE]) {
  try {
    startColdStart();
  } catch {
    // nothing kept: the first batch starts it again, and fails with what failed here
  }
}

export async function handler(event: KinesisStreamEvent, context?: Context): Promise<KinesisStreamBatchResponse> {
  useLambdaContext(context);
  const fanout = await (processor ?? startColdStart());
  try {
    return await fanout.handle(event);
  } finally {
    metrics.publishStoredMetrics();
  }
}
