/**
 * What `fanout up`, `run`, `invoke` and `smoke` share: bring the service up on the twin with live progress, start
 * and follow an execution state by state, and present its load-test report.
 */
import { dirname, relative } from 'node:path';
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { IamMode, IamStats } from '../local/iam';
import type { AccessOptions } from '../local/protocols/access';
import type { Up } from '../local/up';
import type { LoadTestReport } from '../src/load-test';
import { formatMs, type Progress, type Step } from './progress';
import { presentReport } from './report';
import { twinUp } from './twin-modules';

export interface SessionOptions {
  projectDir: string;
  port: number;
  limits: boolean;
  fast: boolean;
  /** The twin's auth check and allowed origins (--auth, --allow-origin). */
  access?: AccessOptions;
  /** IAM evaluation on the twin (--iam). */
  iam?: IamMode;
  forcePackage?: boolean;
  /** The service to bring up: --stage, --param, --config (bin/commands/service.ts). */
  stage?: string;
  params?: Readonly<Record<string, string>>;
  config?: string;
  /** Print function logs as they come (otherwise they are kept in .fanout/logs only when asked). */
  verbose?: boolean;
}

/** Packages (cached), starts the twin and deploys, each with a live step. */
export async function bringUp(progress: Progress, opts: SessionOptions): Promise<Up> {
  let step: Step | undefined;
  let resources = 0;
  let live = 0;
  const c = progress.colors;
  try {
    const session = await twinUp().up({
      projectDir: opts.projectDir,
      port: opts.port,
      limits: opts.limits,
      fast: opts.fast,
      ...(opts.access ? { access: opts.access } : {}),
      ...(opts.iam ? { iam: opts.iam } : {}),
      ...(opts.forcePackage ? { forcePackage: true } : {}),
      ...(opts.stage ? { stage: opts.stage } : {}),
      ...(opts.params ? { params: opts.params } : {}),
      ...(opts.config ? { config: opts.config } : {}),
      onPackageStart: () => {
        step = progress.step('Packaging', 'osls package');
      },
      onPackageLine: (line) => step?.update(line.slice(0, 80)),
      onPackaged: (result) => {
        if (result.packaged) step?.succeed(c.dim(`(${relative(opts.projectDir, dirname(result.templatePath))})`));
        else step?.skip(c.dim('cached: serverless.yml, statemachines, handlers, src, sql unchanged'));
        step = progress.step('Starting the twin');
      },
      onTwin: (twin) => {
        step?.succeed(c.dim(twin.endpoint));
        step = progress.step('Deploying', 'the packaged template');
      },
      onDeployEvent: (event) => {
        if (event.type === 'resource') {
          resources++;
          if (event.live) live++;
          step?.update(`${event.logicalId} (${event.resourceType})`);
        }
      },
      onFunctionLog: (fn: string, chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (!line.trim()) continue;
          if (opts.verbose) progress.line(c.dim(`  [${fn}] ${line}`));
          else {
            const activity = logActivity(line);
            if (activity) progress.activity(`${fn.replace(/^.*-/, '')}: ${activity}`);
          }
        }
      },
    });
    step?.succeed(`${resources} resources ${c.dim(`(${live} in the twin, ${resources - live} recorded)`)}`);
    return session;
  } catch (error) {
    step?.fail(c.red(error instanceof Error ? error.message.split('\n')[0]! : String(error)));
    throw error;
  }
}

/** The application a state inside a Map iteration works on: `application.name` or `name` in its input/output. */
export function iterationLabel(json: string | undefined): string | undefined {
  if (!json) return undefined;
  try {
    const value = JSON.parse(json) as { application?: { name?: unknown }; name?: unknown };
    const name = value?.application?.name ?? value?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

export interface WatchOptions {
  pollMs?: number;
  signal?: AbortSignal;
}

export interface WatchResult {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
}

/**
 * Follows an execution and shows each state as it runs, with its duration; a state inside a Map iteration is named
 * by the application it works on (`[fanout-dev-2] CreateApplication`). Returns the history and the outcome.
 */
export async function watchExecution(
  progress: Progress,
  client: SFNClient,
  executionArn: string,
  options: WatchOptions = {},
): Promise<WatchResult> {
  const c = progress.colors;
  const events: HistoryEvent[] = [];
  const open = new Map<string, { step: Step; type: string }>();
  const order: string[] = [];
  let mapDepth = 0;
  let iterationIndex = 0;
  let lastTask: { key: string; label: string } | undefined;
  const quiet = new Set(['Pass', 'Choice', 'Wait']);
  const prefixOf = (json: string | undefined): string => {
    if (mapDepth === 0) return '';
    return `  [${iterationLabel(json) ?? iterationIndex}] `;
  };
  const openStep = (key: string, label: string, type: string): void => {
    open.set(key, { step: progress.step(label, type), type });
    order.push(key);
  };
  const closeStep = (key: string, ok: boolean, detail?: string): void => {
    const s = open.get(key);
    if (!s) return;
    if (ok) s.step.succeed(detail);
    else s.step.fail(detail);
    open.delete(key);
  };
  const latestOpen = (types: string[]): string | undefined =>
    [...order].reverse().find((k) => open.has(k) && types.includes(open.get(k)!.type));
  const described = await twinUp().followExecution(
    client,
    executionArn,
    (event) => {
      events.push(event);
      const type = event.type ?? '';
      if (type === 'MapIterationStarted') iterationIndex = event.mapIterationStartedEventDetails?.index ?? 0;
      if (type.endsWith('StateEntered')) {
        const name = event.stateEnteredEventDetails?.name ?? '?';
        const stateType = type.slice(0, -'StateEntered'.length);
        const key = `${prefixOf(event.stateEnteredEventDetails?.input)}${name}`;
        if (stateType === 'Map') mapDepth++;
        if (quiet.has(stateType)) return;
        openStep(key, key, stateType);
        if (stateType === 'Task') lastTask = { key, label: key };
        if (stateType === 'Fail') closeStep(key, false);
      } else if (type.endsWith('StateExited')) {
        if (type === 'MapStateExited') mapDepth = Math.max(0, mapDepth - 1);
        const d = event.stateExitedEventDetails;
        const key = `${prefixOf(d?.output)}${d?.name ?? '?'}`;
        closeStep(open.has(key) ? key : (latestOpenNamed(d?.name) ?? key), true);
      } else if (type === 'LambdaFunctionScheduled' || type === 'TaskScheduled') {
        // a retry: the same Task state calls its function again without entering anew
        if (lastTask && !open.has(lastTask.key))
          openStep(lastTask.key, `${lastTask.label} ${c.dim('(retry)')}`, 'Task');
      } else if (type === 'LambdaFunctionFailed' || type === 'TaskFailed' || type === 'LambdaFunctionTimedOut') {
        const d =
          event.lambdaFunctionFailedEventDetails ??
          event.taskFailedEventDetails ??
          event.lambdaFunctionTimedOutEventDetails;
        const key = latestOpen(['Task']);
        const why = c.yellow(`${d?.error ?? 'Error'}: ${shorten(d?.cause)}`);
        if (key) closeStep(key, false, why);
        else progress.line(`    ${why}`);
      } else if (type === 'MapStateFailed' || type === 'ParallelStateFailed') {
        if (type === 'MapStateFailed') mapDepth = Math.max(0, mapDepth - 1);
        const key = latestOpen([type === 'MapStateFailed' ? 'Map' : 'Parallel']);
        if (key) closeStep(key, false);
      }
    },
    {
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  function latestOpenNamed(name: string | undefined): string | undefined {
    if (!name) return undefined;
    return [...order].reverse().find((k) => open.has(k) && (k === name || k.endsWith(`] ${name}`)));
  }
  for (const [, s] of open) s.step.fail(c.dim(described.status?.toLowerCase() ?? ''));
  const out: WatchResult = { status: described.status ?? 'UNKNOWN', events };
  if (described.output !== undefined) out.output = described.output;
  if (described.error !== undefined) out.error = described.error;
  if (described.cause !== undefined) out.cause = described.cause;
  return out;
}

export interface ExecuteOptions extends WatchOptions {
  /** The execution's name (Step Functions makes one up when omitted). */
  name?: string;
  /** Where report.json and report.html go. */
  reportDir: string;
  /** Print the StartExecution line with this label (default: the state machine's name). */
  label?: string;
  /** What the outcome line names (default `execution`). */
  what?: string;
}

export interface ExecuteResult extends WatchResult {
  executionArn: string;
  report?: LoadTestReport;
  /** The execution succeeded and its load test passed (or was skipped on purpose). */
  passed: boolean;
}

/**
 * Starts an execution, shows its progress, then the load-test report (terminal summary and files) and the outcome:
 * what `fanout run`, `fanout invoke` and `fanout smoke` all print.
 */
export async function executeAndReport(
  progress: Progress,
  client: SFNClient,
  stateMachineArn: string,
  input: unknown,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const c = progress.colors;
  const started = Date.now();
  const executionArn = await twinUp().startExecution(client, stateMachineArn, input, options.name);
  progress.line(
    `${c.cyan('▶')} StartExecution ${c.dim(options.label ?? stateMachineArn.split(':').pop() ?? '')} ${c.dim(JSON.stringify(input ?? {}))}`,
  );
  progress.line(c.dim(`  ${executionArn}`));
  const result = await watchExecution(progress, client, executionArn, options);
  const report = twinUp().findReport(result.output, result.events);
  if (report)
    await presentReport(report, {
      dir: options.reportDir,
      line: (text) => progress.line(text),
      color: progress.colored,
    });
  const took = formatMs(Date.now() - started);
  const verdictOk = report === undefined || report.verdict !== 'fail';
  const passed = result.status === 'SUCCEEDED' && verdictOk;
  if (passed) progress.line(`${c.green(c.bold(`✔ ${options.what ?? 'execution'} succeeded`))} in ${took}`);
  else {
    progress.line('');
    progress.line(`${c.red(c.bold(`✖ execution ${result.status}`))} in ${took}`);
    if (result.error) progress.line(`  ${c.bold('error:')} ${result.error}`);
    if (result.cause) progress.line(`  ${c.bold('cause:')} ${twinUp().explainCause(result.cause)}`);
  }
  return { ...result, executionArn, ...(report ? { report } : {}), passed };
}

/** What a function's structured log line says it is doing: its message and its numbers (`records sent 500`). */
export function logActivity(line: string): string | undefined {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry['message'] !== 'string' || entry['level'] === 'DEBUG') return undefined;
  const numbers = Object.entries(entry)
    .filter(([k, v]) => typeof v === 'number' && k !== 'sampling_rate')
    .slice(0, 3)
    .map(([k, v]) => `${k} ${(v as number).toLocaleString('en-US')}`);
  return [entry['message'], ...numbers].join(' · ').slice(0, 100);
}

function shorten(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage.slice(0, 300);
  } catch {
    // plain text
  }
  return cause.slice(0, 300);
}

export { formatMs };

/** The run summary's IAM line: `IAM: 1,234 calls checked, 0 denied` (`would be denied` under --iam warn). */
export function iamSummary(mode: IamMode, stats: IamStats): string {
  if (mode === 'off') return 'IAM: not evaluated (--iam off)';
  const n = (x: number): string => x.toLocaleString('en-US');
  return `IAM: ${n(stats.checked)} calls checked, ${n(stats.denied)} ${mode === 'warn' ? 'would be denied (--iam warn)' : 'denied'}`;
}
