/**
 * The fan-out function's core: the application it runs (stored by the lambda engine), the batch processor and the
 * PutRecords writer. `loadFanoutProcessor` is the cold start: read the application, find the outputs, compile.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { APPLICATION_VARIABLE, decodeApplication } from './application';
import { listStreams, resolveTargets } from './outputs';
import { type FanoutLog, type FanoutMetrics, FanoutProcessor } from './processor';
import { KinesisWriter, type RetryPolicy, sdkKinesisPut } from './writer';

export * from './application';
export * from './outputs';
export * from './processor';
export * from './writer';

export interface LoadOptions {
  /** The function's environment (`process.env` in the handler). */
  readonly env: Record<string, string | undefined>;
  readonly kinesis: KinesisClient;
  readonly log?: FanoutLog;
  readonly metrics?: FanoutMetrics;
  readonly retry?: Partial<RetryPolicy>;
}

/**
 * The cold start of the fan-out function: reads the application from the environment, lists the streams that match
 * its output prefixes (if any), and compiles it.
 *
 * @throws ApplicationConfigError when no application is configured or it is malformed
 * @throws SqlCompileError when the SQL does not compile against the schema
 */
export async function loadFanoutProcessor(options: LoadOptions): Promise<FanoutProcessor> {
  const application = decodeApplication(options.env[APPLICATION_VARIABLE]);
  const streams = application.outputPrefixes.length > 0 ? await listStreams(options.kinesis) : [];
  const exclude = [application.inputStreamArn];
  if (application.errorDestination.type === 'stream') exclude.push(application.errorDestination.streamArn);
  const targets = resolveTargets(application, streams, exclude);
  const writer = new KinesisWriter({
    port: sdkKinesisPut(options.kinesis),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  options.log?.info('Fan-out application loaded', {
    application: application.name,
    outputs: Object.fromEntries(targets),
    errorDestination: application.errorDestination,
  });
  return new FanoutProcessor({
    application,
    targets,
    writer,
    ...(options.log ? { log: options.log } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}
