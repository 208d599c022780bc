/**
 * The fan-out function's core: the application it runs (stored by the lambda engine), the batch processor and the
 * writer (Kinesis streams, Firehose delivery streams and Lambda functions through the ports of src/destinations).
 * `loadFanoutProcessor` is the cold start: read the application, find the outputs, compile.
 */
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { checkWritable, type DestinationPorts, destinationsPut, sdkFirehosePut, sdkLambdaPut } from '../destinations';
import { applicationFromEnvironment } from './environment';
import { listStreams, resolveTargets } from './outputs';
import { type FanoutLog, type FanoutMetrics, FanoutProcessor } from './processor';
import { KinesisWriter, type RetryPolicy, sdkKinesisPut } from './writer';

export * from './environment';
export * from './outputs';
export * from './processor';
export * from './writer';

export interface LoadOptions {
  /** The function's environment (`process.env` in the handler). */
  readonly env: Record<string, string | undefined>;
  readonly kinesis: KinesisClient;
  /** Writes the Firehose outputs (needed only when there are some). */
  readonly firehose?: Pick<FirehoseClient, 'send'>;
  /** Invokes the Lambda outputs (needed only when there are some). */
  readonly lambda?: Pick<LambdaClient, 'send'>;
  readonly log?: FanoutLog;
  readonly metrics?: FanoutMetrics;
  readonly retry?: Partial<RetryPolicy>;
  /** The application code; the fan-out's compiled into the code by default. */
  readonly sql?: string;
  /** How often a warm function lists the streams of its output prefixes again (default one minute). */
  readonly prefixRefreshMs?: number;
}

/** A warm function looks for new streams of its output prefixes this often (ListStreams: 5 calls/s per account). */
export const PREFIX_REFRESH_MS = 60_000;

/**
 * The cold start of the fan-out function: reads the application (the bundled SQL and outputs, the environment of the
 * version), lists the streams that match its output prefixes (if any, and again every `prefixRefreshMs` while warm),
 * and compiles it.
 *
 * @throws ApplicationConfigError when no application is configured or it is malformed
 * @throws SqlCompileError when the SQL does not compile against the schema
 */
export async function loadFanoutProcessor(options: LoadOptions): Promise<FanoutProcessor> {
  const application = applicationFromEnvironment(options.env, options.sql);
  const prefixed = application.outputPrefixes.length > 0;
  const exclude = [application.inputStreamArn];
  if (application.errorDestination.type === 'stream') exclude.push(application.errorDestination.streamArn);
  const findTargets = async () =>
    resolveTargets(application, prefixed ? await listStreams(options.kinesis) : [], exclude);
  const targets = await findTargets();
  const ports: DestinationPorts = {
    kinesis: sdkKinesisPut(options.kinesis),
    ...(options.firehose ? { firehose: sdkFirehosePut(options.firehose) } : {}),
    ...(options.lambda ? { lambda: sdkLambdaPut(options.lambda, { applicationArn: application.name }) } : {}),
  };
  // an output no port writes fails the cold start, before a batch is taken
  checkWritable(ports, [...targets.values()].flat());
  const writer = new KinesisWriter({
    port: destinationsPut(ports),
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
    ...(prefixed ? { refresh: { targets: findTargets, everyMs: options.prefixRefreshMs ?? PREFIX_REFRESH_MS } } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}
