/**
 * What `fanout up`, `run` and `invoke` share: bring the service up on the twin with live progress, and follow an
 * execution state by state.
 */
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { AccessOptions } from '../local/protocols/access';
import { followExecution, type Up, up } from '../local/up';
import { formatMs, type Progress, type Step } from './progress';

export interface SessionOptions {
  projectDir: string;
  port: number;
  limits: boolean;
  fast: boolean;
  /** The twin's auth check and allowed origins (--auth, --allow-origin). */
  access?: AccessOptions;
  forcePackage?: boolean;
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
    const session = await up({
      projectDir: opts.projectDir,
      port: opts.port,
      limits: opts.limits,
      fast: opts.fast,
      ...(opts.access ? { access: opts.access } : {}),
      ...(opts.forcePackage ? { forcePackage: true } : {}),
      onPackageStart: () => {
        step = progress.step('Packaging', 'osls package');
      },
      onPackageLine: (line) => step?.update(line.slice(0, 80)),
      onPackaged: (result) => {
        if (result.packaged) step?.succeed(c.dim('(.serverless)'));
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

/** Follows an execution and shows each state as it runs, with its duration. Returns the history and the outcome. */
export async function watchExecution(
  progress: Progress,
  client: SFNClient,
  executionArn: string,
): Promise<{ status: string; output?: string; error?: string; cause?: string; events: HistoryEvent[] }> {
  const c = progress.colors;
  const events: HistoryEvent[] = [];
  const open = new Map<string, { step: Step; type: string }>();
  const order: string[] = [];
  let iterationPrefix = '';
  let lastTask: { key: string; label: string } | undefined;
  const quiet = new Set(['Pass', 'Choice', 'Wait']);
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
  const described = await followExecution(client, executionArn, (event) => {
    events.push(event);
    const type = event.type ?? '';
    if (type === 'MapIterationStarted') iterationPrefix = `  [${event.mapIterationStartedEventDetails?.index ?? 0}] `;
    if (type === 'MapStateExited' || type === 'MapStateFailed') iterationPrefix = '';
    if (type.endsWith('StateEntered')) {
      const name = event.stateEnteredEventDetails?.name ?? '?';
      const stateType = type.slice(0, -'StateEntered'.length);
      if (quiet.has(stateType)) return;
      const key = `${iterationPrefix}${name}`;
      openStep(key, key, stateType);
      if (stateType === 'Task') lastTask = { key, label: key };
      if (stateType === 'Fail') closeStep(key, false);
    } else if (type.endsWith('StateExited')) {
      closeStep(`${iterationPrefix}${event.stateExitedEventDetails?.name ?? '?'}`, true);
    } else if (type === 'LambdaFunctionScheduled' || type === 'TaskScheduled') {
      // a retry: the same Task state calls its function again without entering anew
      if (lastTask && !open.has(lastTask.key)) openStep(lastTask.key, `${lastTask.label} ${c.dim('(retry)')}`, 'Task');
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
      const key = latestOpen([type === 'MapStateFailed' ? 'Map' : 'Parallel']);
      if (key) closeStep(key, false);
    }
  });
  for (const [, s] of open) s.step.fail(c.dim(described.status?.toLowerCase() ?? ''));
  const out: { status: string; output?: string; error?: string; cause?: string; events: HistoryEvent[] } = {
    status: described.status ?? 'UNKNOWN',
    events,
  };
  if (described.output !== undefined) out.output = described.output;
  if (described.error !== undefined) out.error = described.error;
  if (described.cause !== undefined) out.cause = described.cause;
  return out;
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
