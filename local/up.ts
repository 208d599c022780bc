/**
 * The service on the twin, end to end: package (cached), start the twin, deploy the packaged template into it.
 * Then, for `fanout run` and `fanout invoke`, start an execution through @aws-sdk/client-sfn exactly as on AWS and
 * follow its history.
 */

import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Clock } from './clock';
import { type DeployEvent, type DeployedStack, deploy, readTemplate } from './deploy';
import { ensurePackaged, type PackageResult } from './package';
import { startTwin, type Twin } from './twin';

// the twin's own SDK clients (here and in the CLI) would warn about Node 20 in the middle of the output
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';

export interface UpOptions {
  projectDir: string;
  port?: number;
  limits?: boolean;
  fast?: boolean;
  clock?: Clock;
  stage?: string;
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

/** Packages when needed, starts the twin and deploys the service into it. Closes the twin when deploy fails. */
export async function up(opts: UpOptions): Promise<Up> {
  let templatePath = opts.templatePath;
  let packaged: PackageResult | undefined;
  if (!templatePath) {
    opts.onPackageStart?.();
    packaged = await ensurePackaged({
      projectDir: opts.projectDir,
      ...(opts.stage ? { stage: opts.stage } : {}),
      ...(opts.forcePackage ? { force: true } : {}),
      ...(opts.onPackageLine ? { onLine: opts.onPackageLine } : {}),
    });
    opts.onPackaged?.(packaged);
    templatePath = packaged.templatePath;
  }
  const template = readTemplate(templatePath);
  const twin = await startTwin({
    port: opts.port ?? 0,
    ...(opts.limits !== undefined ? { limits: opts.limits } : {}),
    ...(opts.fast !== undefined ? { fast: opts.fast } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
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

/** Raised when no state machine matches the name given. */
export class StateMachineNotFoundError extends Error {
  constructor(name: string, known: string[]) {
    super(`No state machine named '${name}'. Deployed: ${known.join(', ') || '(none)'}`);
    this.name = 'StateMachineNotFoundError';
  }
}

/**
 * Finds a state machine by ARN, full name, or the short name of serverless.yml (`lifecycle` matches
 * `kinesis-fanout-dev-lifecycle`).
 */
export async function findStateMachine(client: SFNClient, name: string): Promise<string> {
  if (name.startsWith('arn:')) return name;
  const all: { name?: string | undefined; stateMachineArn?: string | undefined }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand(nextToken ? { nextToken } : {}));
    all.push(...(page.stateMachines ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const lower = name.toLowerCase();
  const match =
    all.find((m) => m.name === name) ??
    all.find((m) => m.name?.toLowerCase().endsWith(`-${lower}`)) ??
    all.find((m) =>
      m.name
        ?.toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .includes(lower.replace(/[^a-z0-9]/g, '')),
    );
  if (!match?.stateMachineArn)
    throw new StateMachineNotFoundError(
      name,
      all.map((m) => m.name ?? ''),
    );
  return match.stateMachineArn;
}

/** Starts an execution with the SDK, as on AWS. */
export async function startExecution(client: SFNClient, stateMachineArn: string, input: unknown): Promise<string> {
  const out = await client.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input ?? {}) }));
  if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
  return out.executionArn;
}

/**
 * Follows an execution's history until it stops: hands over each new event in order, then returns the final
 * DescribeExecution.
 */
export async function followExecution(
  client: SFNClient,
  executionArn: string,
  onEvent: (event: HistoryEvent) => void,
  opts: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<DescribeExecutionCommandOutput> {
  let seen = 0;
  for (;;) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    let nextToken: string | undefined;
    let index = 0;
    do {
      const page = await client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
      );
      for (const event of page.events ?? []) {
        if (index++ >= seen) {
          seen++;
          onEvent(event);
        }
      }
      nextToken = page.nextToken;
    } while (nextToken);
    if (described.status !== 'RUNNING') return described;
    if (opts.signal?.aborted) return described;
    await new Promise((resolve) => setTimeout(resolve, opts.pollMs ?? 50));
  }
}

/** The load-test report an execution produced: in its output, or (when it failed) in the LoadTest task's result. */
export function findReport(output: string | undefined, events: HistoryEvent[]): Record<string, unknown> | undefined {
  const isReport = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === 'object' && 'verdict' in v && 'sent' in v && 'outputs' in v;
  const dig = (v: unknown): Record<string, unknown> | undefined => {
    if (isReport(v)) return v;
    if (v && typeof v === 'object' && isReport((v as { report?: unknown }).report))
      return (v as { report: Record<string, unknown> }).report;
    return undefined;
  };
  const parse = (text: string | undefined): unknown => {
    try {
      return text === undefined ? undefined : JSON.parse(text);
    } catch {
      return undefined;
    }
  };
  const fromOutput = dig(parse(output));
  if (fromOutput) return fromOutput;
  for (const e of [...events].reverse()) {
    const text =
      e.lambdaFunctionSucceededEventDetails?.output ??
      e.taskSucceededEventDetails?.output ??
      e.stateExitedEventDetails?.output;
    const found = dig(parse(text));
    if (found) return found;
  }
  return undefined;
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
