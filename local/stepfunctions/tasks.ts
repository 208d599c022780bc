/**
 * What the twin runs for the interpreter, one local handler per Task and Wait state: Lambda invocations (a function
 * ARN, or `arn:aws:states:::lambda:invoke`) with their history events, each attempt under the state's
 * TimeoutSeconds, its Retry applied between attempts, and Wait states; every wait on the twin's Clock.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, delay } from '../clock';
import { AwsServiceError } from '../service';
import {
  type PreparedDefinition,
  type Retrier,
  referencePath,
  type Scales,
  type TaskSpec,
  type WaitSpec,
} from './definition';
import type { History } from './history';
import type { FunctionInvoker } from './store';

/** What the handlers of one execution share. */
export interface TaskContext {
  clock: Clock;
  /** Aborted when the execution stops: waits end at once. */
  signal: AbortSignal;
  history: History;
  invoke: FunctionInvoker | undefined;
  region: string;
  scales: Scales;
  /** The ASL context object (`$$`), for reference paths. */
  context: unknown;
}

type Handler = (input: unknown) => Promise<never>;

/** The library's `taskResourceLocalHandlers`: one per Task and Wait state. */
export function localHandlers(prepared: PreparedDefinition, ctx: TaskContext): Record<string, Handler> {
  const handlers: Record<string, Handler> = {};
  for (const [name, spec] of prepared.tasks) handlers[name] = (input) => runTask(spec, input, ctx) as Promise<never>;
  for (const [name, spec] of prepared.waits) handlers[name] = (input) => runWait(spec, input, ctx) as Promise<never>;
  return handlers;
}

/** An error a state sees: its name is the ASL error, its message the cause. */
export class TaskError extends Error {
  constructor(
    name: string,
    cause: string,
    private readonly runtime = false,
  ) {
    super(cause);
    this.name = name;
  }

  /** States.Runtime errors are neither retried nor caught, as the interpreter's own. */
  get isRetryable(): boolean {
    return !this.runtime;
  }

  get isCatchable(): boolean {
    return !this.runtime;
  }
}

function runtimeError(message: string): TaskError {
  return new TaskError('States.Runtime', message, true);
}

/** Reads an integer >= `min` from a reference path, with the interpreter's messages. */
function integerAt(path: string, input: unknown, ctx: TaskContext, min: number): number {
  const value = referencePath(path, input, ctx.context);
  if (value === undefined) throw runtimeError(`Path expression '${path}' does not point to a value`);
  if (!Number.isInteger(value))
    throw runtimeError(`Path expression '${path}' evaluated to ${JSON.stringify(value)}, but expected an integer`);
  if ((value as number) < min)
    throw runtimeError(
      `Path expression '${path}' evaluated to ${JSON.stringify(value)}, but expected an integer >= ${min}`,
    );
  return value as number;
}

const RFC3339 =
  /^\d{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.\d+)?(Z|(\+|-)([01][0-9]|2[0-3]):([0-5][0-9]))$/;

async function runWait(spec: WaitSpec, input: unknown, ctx: TaskContext): Promise<unknown> {
  let ms = 0;
  if (spec.seconds !== undefined) ms = Math.round(spec.seconds * 1000 * ctx.scales.waitScale);
  else if (spec.secondsPath !== undefined) ms = integerAt(spec.secondsPath, input, ctx, 0) * 1000;
  else {
    let timestamp = spec.timestamp;
    if (spec.timestampPath !== undefined) {
      const value = referencePath(spec.timestampPath, input, ctx.context);
      if (typeof value !== 'string' || !RFC3339.test(value))
        throw runtimeError(
          `Path expression '${spec.timestampPath}' evaluated to ${JSON.stringify(value)}, but expected a timestamp conforming to the RFC3339 profile`,
        );
      timestamp = value;
    }
    if (timestamp !== undefined) ms = Math.max(0, Date.parse(timestamp) - ctx.clock.now());
  }
  if (ms > 0) await delay(ctx.clock, ms, ctx.signal);
  return input;
}

async function runTask(spec: TaskSpec, input: unknown, ctx: TaskContext): Promise<unknown> {
  const attempts = spec.retriers.map(() => 0);
  for (;;) {
    try {
      return await attempt(spec, input, ctx);
    } catch (error) {
      const wait = retryWait(spec.retriers, attempts, error as TaskError, ctx.scales);
      if (wait === undefined || ctx.signal.aborted) throw error;
      await delay(ctx.clock, wait, ctx.signal);
      if (ctx.signal.aborted) throw error;
    }
  }
}

/**
 * How long to wait before the next attempt, or undefined when no retrier retries `error` (the first retrier whose
 * ErrorEquals matches decides, as in the interpreter: States.ALL matches all, States.TaskFailed all but timeouts).
 */
function retryWait(retriers: Retrier[], attempts: number[], error: TaskError, scales: Scales): number | undefined {
  if (error.isRetryable === false) return undefined;
  for (const [i, r] of retriers.entries()) {
    const matches = r.errorEquals.some(
      (e) => e === error.name || e === 'States.ALL' || (e === 'States.TaskFailed' && error.name !== 'States.Timeout'),
    );
    if (!matches) continue;
    if (attempts[i]! >= r.maxAttempts) return undefined;
    const scaled = scales.retryScale !== 1;
    let seconds = scaled
      ? Math.round(r.intervalSeconds * 1000 * scales.retryScale) / 1000
      : r.intervalSeconds * r.backoffRate ** attempts[i]!;
    attempts[i]!++;
    if (r.maxDelaySeconds && seconds > r.maxDelaySeconds) seconds = r.maxDelaySeconds;
    const ms = seconds * 1000;
    return r.jitter === 'FULL' && !scaled ? Math.floor(Math.random() * (ms + 1)) : ms;
  }
  return undefined;
}

/**
 * One attempt of a Task state, under its timeout, and over when the execution stops: the invocation may answer
 * later (Lambda is not told), but the attempt settles at once and its late answer records nothing. Until the
 * attempt settles, the library holds a timer of its own for the state (its Task timeout, on the wall clock), which
 * would keep the process alive after the twin closed.
 */
async function attempt(spec: TaskSpec, input: unknown, ctx: TaskContext): Promise<unknown> {
  // the library queues its StateEntered event before calling us; let the history take it first
  await new Promise((resolve) => setImmediate(resolve));
  const seconds =
    spec.timeoutSecondsPath !== undefined ? integerAt(spec.timeoutSecondsPath, input, ctx, 1) : spec.timeoutSeconds;
  const call = new TaskCall(spec.resource, ctx);
  let timer: unknown;
  let onAbort: (() => void) | undefined;
  const ends: Promise<never>[] = [
    new Promise<never>((_, reject) => {
      onAbort = () => reject(call.stop());
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    }),
  ];
  if (seconds !== undefined)
    ends.push(
      new Promise<never>((_, reject) => {
        timer = ctx.clock.setTimeout(() => reject(call.timeOut()), seconds * 1000);
      }),
    );
  try {
    return await Promise.race([call.run(input), ...ends]);
  } finally {
    ctx.clock.clearTimeout(timer);
    if (onAbort) ctx.signal.removeEventListener('abort', onAbort);
  }
}

/** One invocation and the history events around it; once timed out, its late answer records nothing. */
class TaskCall {
  private over = false;
  private readonly kind: 'LambdaFunction' | 'Task';
  private readonly task: Record<string, string>;

  constructor(
    private readonly resource: string,
    private readonly ctx: TaskContext,
  ) {
    this.kind = resource.startsWith('arn:aws:lambda:') ? 'LambdaFunction' : 'Task';
    this.task =
      resource === 'arn:aws:states:::lambda:invoke'
        ? { resourceType: 'lambda', resource: 'invoke' }
        : { resourceType: 'unknown', resource };
  }

  private add(type: string, detailKey: string | undefined, detail: Record<string, unknown> | undefined): void {
    if (!this.over) this.ctx.history.add(type, detailKey, detail);
  }

  private fail(error: string, cause: string): TaskError {
    if (this.kind === 'LambdaFunction')
      this.add('LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', { error, cause });
    else this.add('TaskFailed', 'taskFailedEventDetails', { ...this.task, error, cause });
    this.over = true;
    return new TaskError(error, cause);
  }

  /** The execution stopped (StopExecution, its TimeoutSeconds, the twin closing): nothing more is recorded. */
  stop(): TaskError {
    this.over = true;
    return runtimeError('The execution stopped while the task ran');
  }

  /** The state's TimeoutSeconds ran out. */
  timeOut(): TaskError {
    const cause = 'The task did not finish within its TimeoutSeconds';
    if (this.kind === 'LambdaFunction')
      this.add('LambdaFunctionTimedOut', 'lambdaFunctionTimedOutEventDetails', { error: 'States.Timeout', cause });
    else this.add('TaskTimedOut', 'taskTimedOutEventDetails', { ...this.task, error: 'States.Timeout', cause });
    this.over = true;
    return new TaskError('States.Timeout', cause);
  }

  async run(input: unknown): Promise<unknown> {
    if (this.kind === 'LambdaFunction') return this.lambdaFunction(input);
    if (this.resource === 'arn:aws:states:::lambda:invoke') return this.lambdaInvoke(input);
    throw this.fail('States.TaskFailed', `The twin does not run the resource ${this.resource}`);
  }

  private async invoke(functionName: unknown, payload: unknown): Promise<{ payload: string; functionError?: string }> {
    const invoke = this.ctx.invoke;
    if (!invoke) throw this.fail('Lambda.ServiceException', 'The twin has no Lambda service');
    try {
      if (typeof functionName !== 'string')
        throw new AwsServiceError('InvalidParameterValueException', 'FunctionName is required');
      return await invoke(functionName, JSON.stringify(payload));
    } catch (error) {
      throw this.fail(`Lambda.${(error as Error).name}`, (error as Error).message);
    }
  }

  private async lambdaFunction(input: unknown): Promise<unknown> {
    this.add('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
      resource: this.resource,
      input: JSON.stringify(input),
      inputDetails: { truncated: false },
    });
    if (this.ctx.invoke) this.add('LambdaFunctionStarted', undefined, undefined);
    const result = await this.invoke(this.resource, input);
    if (result.functionError) throw this.functionError(result.payload);
    this.add('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
      output: result.payload,
      outputDetails: { truncated: false },
    });
    this.over = true;
    return JSON.parse(result.payload);
  }

  private async lambdaInvoke(input: unknown): Promise<unknown> {
    const params = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    this.add('TaskScheduled', 'taskScheduledEventDetails', {
      ...this.task,
      region: this.ctx.region,
      parameters: JSON.stringify(input),
    });
    if (this.ctx.invoke) this.add('TaskStarted', 'taskStartedEventDetails', this.task);
    const result = await this.invoke(params.FunctionName, params.Payload ?? {});
    if (result.functionError) throw this.functionError(result.payload);
    const output = {
      ExecutedVersion: '$LATEST',
      Payload: JSON.parse(result.payload),
      SdkHttpMetadata: { httpStatusCode: 200 },
      SdkResponseMetadata: { requestId: randomUUID() },
      StatusCode: 200,
    };
    this.add('TaskSucceeded', 'taskSucceededEventDetails', {
      ...this.task,
      output: JSON.stringify(output),
      outputDetails: { truncated: false },
    });
    this.over = true;
    return output;
  }

  /** A function error: Error is the errorType, Cause the error payload, as AWS reports it. */
  private functionError(payload: string): TaskError {
    let errorType = 'Lambda.Unknown';
    try {
      const parsed = JSON.parse(payload) as { errorType?: unknown };
      if (typeof parsed.errorType === 'string') errorType = parsed.errorType;
    } catch {
      // not JSON: Lambda.Unknown
    }
    if (errorType === 'Sandbox.Timedout' && this.kind === 'LambdaFunction') {
      this.add('LambdaFunctionTimedOut', 'lambdaFunctionTimedOutEventDetails', {
        error: 'States.Timeout',
        cause: payload,
      });
      this.over = true;
      return new TaskError(errorType, payload);
    }
    return this.fail(errorType, payload);
  }
}
