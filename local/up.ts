/**
 * The service on the twin, end to end: package (cached), start the twin, deploy the packaged template into it.
 * Then, for `fanout run` and `fanout invoke`, start an execution through @aws-sdk/client-sfn exactly as on AWS and
 * follow its history.
 */

import { join } from 'node:path';
import { type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { reportFromHistory, findReport as reportIn } from '../src/load-test/report-source';
import type { LoadTestReport } from '../src/load-test/types';
import type { Clock } from './clock';
import type { DeployEvent, DeployedStack } from './deploy';
import type { IamMode } from './iam';
import { ensurePackaged, type PackageResult } from './package';
import type { AccessOptions } from './protocols/access';
import type { Twin, TwinOptions } from './twin';

// Finding, starting and following executions is the same against AWS and the twin: it lives in src/.
export { findStateMachine, followExecution, StateMachineNotFoundError, startExecution } from '../src/executions';

// the twin's own SDK clients (here and in the CLI) would warn about Node 20 in the middle of the output
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface UpOptions {
  projectDir: string;
  port?: number;
  limits?: boolean;
  fast?: boolean;
  /** The twin's auth check and allowed origins (TwinOptions.access). */
  access?: AccessOptions;
  /** IAM evaluation of the roles' calls (TwinOptions.iam; default enforce). */
  iam?: IamMode;
  /** Test only: the twin's fault injection (TwinOptions: Kinesis Analytics rows, Firehose puts, Lambda Invoke). */
  faults?: Pick<TwinOptions, 'faults' | 'firehoseFaults' | 'lambdaFaults'>;
  clock?: Clock;
  /** The stage to package and deploy (default dev): the stack `kinesis-fanout-<stage>`. */
  stage?: string;
  /** Framework params for `osls package --param name=value`. */
  params?: Readonly<Record<string, string>>;
  /** The fan-out file (`--config`). */
  config?: string;
  /** Deploy this template instead of packaging (its artifacts beside it). */
  templatePath?: string;
  forcePackage?: boolean;
  onPackageStart?: () => void;
  onPackageLine?: (line: string) => void;
  onPackaged?: (result: PackageResult) => void;
  onTwin?: (twin: Twin) => void;
  onDeployEvent?: (event: DeployEvent) => void;
  /** Lines functions write (their logs). */
  onFunctionLog?: (functionName: string, chunk: string) => void;
}

export interface Up {
  twin: Twin;
  stack: DeployedStack;
  packaged?: PackageResult;
  close(): Promise<void>;
}

/**
 * The twin's services and its deployer (about half a second of module loading), loaded when first wanted: while
 * `osls package` runs in its child process on a first run, so the two overlap.
 */
function twinModules(): Pick<typeof import('./twin'), 'startTwin'> &
  Pick<typeof import('./deploy'), 'deploy' | 'readTemplate'> {
  const { startTwin } = require('./twin') as typeof import('./twin');
  const { deploy, readTemplate } = require('./deploy') as typeof import('./deploy');
  return { startTwin, deploy, readTemplate };
}

/** Packages when needed, starts the twin and deploys the service into it. Closes the twin when deploy fails. */
export async function up(opts: UpOptions): Promise<Up> {
  let templatePath = opts.templatePath;
  let packaged: PackageResult | undefined;
  if (!templatePath) {
    opts.onPackageStart?.();
    packaged = await ensurePackaged({
      projectDir: opts.projectDir,
      ...(opts.stage ? { stage: opts.stage } : {}),
      ...(opts.params ? { params: opts.params } : {}),
      ...(opts.config ? { config: opts.config } : {}),
      ...(opts.forcePackage ? { force: true } : {}),
      ...(opts.onPackageLine ? { onLine: opts.onPackageLine } : {}),
      onPackagerStarted: twinModules,
    });
    opts.onPackaged?.(packaged);
    templatePath = packaged.templatePath;
  }
  const { startTwin, deploy, readTemplate } = twinModules();
  const template = readTemplate(templatePath);
  const twin = await startTwin({
    port: opts.port ?? 0,
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
    ...(opts.fast !== undefined ? { fast: opts.fast } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.access ? { access: opts.access } : {}),
    ...(opts.iam ? { iam: opts.iam } : {}),
    ...opts.faults,
  });
  if (opts.onFunctionLog) twin.lambda.onLog = opts.onFunctionLog;
  twin.stepFunctions.validationCacheDir = join(opts.projectDir, '.fanout', 'validated-definitions');
  opts.onTwin?.(twin);
  try {
    const stack = await deploy(twin, template, {
      projectDir: opts.projectDir,
      artifactDir: templatePath.replace(/[/\\][^/\\]+$/, ''),
      stackName: `kinesis-fanout-${opts.stage ?? 'dev'}`,
      ...(opts.onDeployEvent ? { onEvent: opts.onDeployEvent } : {}),
    });
    return { twin, stack, ...(packaged ? { packaged } : {}), close: () => twin.close() };
  } catch (error) {
    await twin.close();
    throw error;
  }
}

/** An SFN client for the twin (or any endpoint): region and test credentials, no retries on our own calls. */
export function sfnClient(endpoint: string, region = 'us-east-1'): SFNClient {
  return new SFNClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
}

/** The load-test report an execution produced: in its output, or (when it failed) in the LoadTest task's result. */
export function findReport(output: string | undefined, events: HistoryEvent[]): LoadTestReport | undefined {
  return reportIn(output) ?? reportFromHistory(events);
}

/** The message a failed execution's cause carries (Lambda causes are JSON with errorMessage). */
export function explainCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}
