/**
 * The Step Functions twin (AWSStepFunctions, AWS JSON 1.0) on aws-local-stepfunctions: state machines and their
 * executions, with AWS's history event names. Task states whose resource is a function ARN (or
 * `arn:aws:states:::lambda:invoke`) invoke the Lambda twin through `overrides.taskResourceLocalHandlers`, so the
 * history records LambdaFunction* (or Task*) events around each invocation as AWS does.
 */
import '../../src/polyfills';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { type AwsJsonService, AwsServiceError, type RequestContext } from '../service';
import { History, type LibraryEvent } from './history';

/** Invokes a function of the Lambda twin; throws AwsServiceError ResourceNotFoundException when it does not exist. */
export type FunctionInvoker = (
  functionNameOrArn: string,
  payload: string,
) => Promise<{ payload: string; functionError?: string }>;

export interface StepFunctionsTwinOptions {
  invoke?: FunctionInvoker;
  region?: string;
  accountId?: string;
  /** Multiplies the `Seconds` of Wait states (1 = as written; the CLI shortens waits for the twin's fast mode). */
  waitScale?: number;
  /** Multiplies the `IntervalSeconds` of retriers (backoff is then not applied). */
  retryScale?: number;
}

type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface Machine {
  arn: string;
  name: string;
  definition: string;
  parsed: StateMachineDefinition;
  roleArn: string;
  type: string;
  creationDate: number;
  runner: StateMachine;
  overrides: { wait: Record<string, number>; retry: Record<string, number[]>; tasks: Map<string, string> };
}

/** One execution of a state machine. */
export interface Execution {
  arn: string;
  name: string;
  stateMachineArn: string;
  status: Status;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  history: History;
  /** Resolves when the execution has stopped, whatever its status. */
  done: Promise<void>;
  abort: () => void;
}

/** Validation results are only reused with the validator that made them. */
const VALIDATOR = ((): string => {
  try {
    const pkg = join(dirname(require.resolve('aws-local-stepfunctions')), '..', 'package.json');
    return `aws-local-stepfunctions@${(JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version}`;
  } catch {
    return 'aws-local-stepfunctions';
  }
})();

/** AWS's limit for a Task state's TimeoutSeconds default is "none"; this keeps Node's timer in range. */
const NO_TIMEOUT_SECONDS = 2_000_000;

const NAME = /^[A-Za-z0-9_-]{1,80}$/;

export class StepFunctionsTwin implements AwsJsonService {
  readonly targetPrefix = 'AWSStepFunctions';
  readonly jsonVersion = '1.0' as const;
  readonly region: string;
  readonly accountId: string;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();
  private invoker: FunctionInvoker | undefined;
  /**
   * Where definitions that passed validation are remembered (by hash), so the same definition is not validated
   * again by a later twin: the validator compiles the whole ASL schema on each call, seconds on a busy machine.
   */
  validationCacheDir: string | undefined;

  constructor(private readonly opts: StepFunctionsTwinOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.invoker = opts.invoke;
  }

  /** Connects the Lambda twin (when it is created after this service). */
  setInvoker(invoke: FunctionInvoker): void {
    this.invoker = invoke;
  }

  async handle(operation: string, input: Record<string, unknown>, _ctx?: RequestContext): Promise<unknown> {
    switch (operation) {
      case 'CreateStateMachine':
        return this.createStateMachine(input);
      case 'DescribeStateMachine':
        return this.describeStateMachine(reqString(input, 'stateMachineArn'));
      case 'ListStateMachines':
        return this.listStateMachines(input);
      case 'DeleteStateMachine':
        return this.deleteStateMachine(reqString(input, 'stateMachineArn'));
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return this.describeExecution(reqString(input, 'executionArn'));
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'StopExecution':
        return this.stopExecution(input);
      default:
        throw new AwsServiceError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  // ---- state machines -----------------------------------------------------------------------------------------

  createStateMachine(input: Record<string, unknown>): { stateMachineArn: string; creationDate: number } {
    const name = reqString(input, 'name');
    if (!NAME.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const definition = reqString(input, 'definition');
    const roleArn = reqString(input, 'roleArn');
    const type = typeof input['type'] === 'string' ? input['type'] : 'STANDARD';
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
    const existing = this.machines.get(arn);
    if (existing) {
      if (existing.definition === definition && existing.roleArn === roleArn)
        return { stateMachineArn: arn, creationDate: existing.creationDate / 1000 };
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    let parsed: StateMachineDefinition;
    try {
      parsed = JSON.parse(definition) as StateMachineDefinition;
    } catch (error) {
      throw new AwsServiceError(
        'InvalidDefinition',
        `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`,
      );
    }
    const overrides = this.overrides(parsed);
    let runner: StateMachine;
    const marker = this.validationCacheDir
      ? join(this.validationCacheDir, createHash('sha256').update(`${VALIDATOR}\n${definition}`).digest('hex'))
      : undefined;
    const known = marker !== undefined && existsSync(marker);
    try {
      runner = new StateMachine(withTaskTimeouts(parsed), {
        validationOptions: known ? { noValidate: true } : { checkArn: false },
      });
    } catch (error) {
      throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${(error as Error).message}'`);
    }
    if (marker && !known) {
      mkdirSync(this.validationCacheDir!, { recursive: true });
      writeFileSync(marker, `${name}\n`);
    }
    const creationDate = Date.now();
    this.machines.set(arn, { arn, name, definition, parsed, roleArn, type, creationDate, runner, overrides });
    return { stateMachineArn: arn, creationDate: creationDate / 1000 };
  }

  private machine(arn: string): Machine {
    checkArn(arn, 'stateMachine');
    const m = this.machines.get(arn);
    if (!m) throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  describeStateMachine(arn: string): Record<string, unknown> {
    const m = this.machine(arn);
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.definition,
      roleArn: m.roleArn,
      type: m.type,
      creationDate: m.creationDate / 1000,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  private listStateMachines(input: Record<string, unknown>): unknown {
    const all = [...this.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(all, input);
    return {
      stateMachines: page.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: m.type,
        creationDate: m.creationDate / 1000,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private deleteStateMachine(arn: string): Record<string, never> {
    checkArn(arn, 'stateMachine');
    const m = this.machines.get(arn);
    if (m) {
      // AWS stops the running executions of a deleted state machine
      for (const e of this.executions.values()) if (e.stateMachineArn === arn && e.status === 'RUNNING') e.abort();
      this.machines.delete(arn);
    }
    return {};
  }

  /** Names of Task states and what they call, Wait/Retry overrides for the scales: across nested machines. */
  private overrides(def: StateMachineDefinition): Machine['overrides'] {
    const wait: Record<string, number> = {};
    const retry: Record<string, number[]> = {};
    const tasks = new Map<string, string>();
    const waitScale = this.opts.waitScale ?? 1;
    const retryScale = this.opts.retryScale ?? 1;
    const walk = (states: Record<string, Record<string, unknown>>): void => {
      for (const [name, state] of Object.entries(states)) {
        if (state['Type'] === 'Task' && typeof state['Resource'] === 'string') tasks.set(name, state['Resource']);
        if (state['Type'] === 'Wait' && typeof state['Seconds'] === 'number' && waitScale !== 1)
          wait[name] = Math.round(state['Seconds'] * 1000 * waitScale);
        if (Array.isArray(state['Retry']) && retryScale !== 1)
          retry[name] = (state['Retry'] as { IntervalSeconds?: number }[]).map((r) =>
            Math.round((r.IntervalSeconds ?? 1) * 1000 * retryScale),
          );
        const nested = [
          state['Iterator'],
          state['ItemProcessor'],
          ...(Array.isArray(state['Branches']) ? state['Branches'] : []),
        ] as ({ States?: Record<string, Record<string, unknown>> } | undefined)[];
        for (const n of nested) if (n?.States) walk(n.States);
      }
    };
    walk(def.States as unknown as Record<string, Record<string, unknown>>);
    return { wait, retry, tasks };
  }

  // ---- executions ---------------------------------------------------------------------------------------------

  startExecution(input: Record<string, unknown>): { executionArn: string; startDate: number } {
    const m = this.machine(reqString(input, 'stateMachineArn'));
    const name = typeof input['name'] === 'string' ? input['name'] : randomUUID();
    if (!NAME.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = typeof input['input'] === 'string' ? input['input'] : '{}';
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(inputText);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', `Invalid State Machine Execution Input: 'Invalid JSON'`);
    }
    const arn = `arn:aws:states:${this.region}:${this.accountId}:execution:${m.name}:${name}`;
    const existing = this.executions.get(arn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === inputText)
        return { executionArn: arn, startDate: existing.startDate / 1000 };
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
    }
    const startDate = Date.now();
    const history = new History();
    const run = m.runner.run(parsedInput as never, {
      overrides: {
        taskResourceLocalHandlers: this.taskHandlers(m, history),
        waitTimeOverrides: m.overrides.wait,
        retryIntervalOverrides: m.overrides.retry,
      },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: arn,
          Input: parsedInput as never,
          Name: name,
          RoleArn: m.roleArn,
          StartTime: new Date(startDate).toISOString(),
        },
        StateMachine: { Id: m.arn, Name: m.name },
      },
    });
    const execution: Execution = {
      arn,
      name,
      stateMachineArn: m.arn,
      status: 'RUNNING',
      input: inputText,
      startDate,
      history,
      done: Promise.resolve(),
      abort: () => run.abort(),
    };
    const follow = async (): Promise<void> => {
      for await (const event of run.eventLogs) {
        const e = event as unknown as LibraryEvent;
        history.fromLibrary(e, m.roleArn);
        if (e.type === 'ExecutionSucceeded') {
          execution.status = 'SUCCEEDED';
          execution.output = JSON.stringify(e.output ?? null);
        } else if (e.type === 'ExecutionFailed') {
          execution.status = 'FAILED';
          execution.error = e.Error ?? 'States.Runtime';
          execution.cause = typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause ?? '');
        } else if (e.type === 'ExecutionAborted') {
          execution.status = 'ABORTED';
        } else if (e.type === 'ExecutionTimeout') {
          execution.status = 'TIMED_OUT';
          execution.error = 'States.Timeout';
        } else continue;
        execution.stopDate = e.timestamp;
      }
    };
    execution.done = Promise.allSettled([run.result, follow()]).then(() => {
      if (execution.status === 'RUNNING') {
        execution.status = 'FAILED';
        execution.error = 'States.Runtime';
        execution.cause = 'The execution ended without a final event';
        execution.stopDate = Date.now();
      }
    });
    this.executions.set(arn, execution);
    return { executionArn: arn, startDate: startDate / 1000 };
  }

  /** One local handler per Task state name: it invokes the twin's function and records Lambda/Task events. */
  private taskHandlers(m: Machine, history: History): Record<string, (input: unknown) => Promise<never>> {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const [stateName, resource] of m.overrides.tasks) {
      handlers[stateName] = (input) => this.runTask(resource, input, history) as Promise<never>;
    }
    return handlers;
  }

  private async runTask(resource: string, input: unknown, history: History): Promise<unknown> {
    // the library queues its StateEntered event before calling us; let the history take it first
    await new Promise((resolve) => setImmediate(resolve));
    const invoke = this.invoker;
    if (resource.startsWith('arn:aws:lambda:')) {
      history.add('LambdaFunctionScheduled', 'lambdaFunctionScheduledEventDetails', {
        resource,
        input: JSON.stringify(input),
        inputDetails: { truncated: false },
      });
      if (!invoke)
        throw taskError('Lambda.ServiceException', 'The twin has no Lambda service', history, 'LambdaFunction');
      let result: { payload: string; functionError?: string };
      try {
        history.add('LambdaFunctionStarted', undefined, undefined);
        result = await invoke(resource, JSON.stringify(input));
      } catch (error) {
        throw taskError(`Lambda.${(error as Error).name}`, (error as Error).message, history, 'LambdaFunction');
      }
      if (result.functionError) throw lambdaError(result.payload, history, 'LambdaFunction');
      history.add('LambdaFunctionSucceeded', 'lambdaFunctionSucceededEventDetails', {
        output: result.payload,
        outputDetails: { truncated: false },
      });
      return JSON.parse(result.payload);
    }
    if (resource === 'arn:aws:states:::lambda:invoke') {
      const params = (input ?? {}) as { FunctionName?: string; Payload?: unknown };
      const task = { resourceType: 'lambda', resource: 'invoke' };
      history.add('TaskScheduled', 'taskScheduledEventDetails', {
        ...task,
        region: this.region,
        parameters: JSON.stringify(input),
      });
      if (!invoke) throw taskError('Lambda.ServiceException', 'The twin has no Lambda service', history, 'Task', task);
      history.add('TaskStarted', 'taskStartedEventDetails', task);
      let result: { payload: string; functionError?: string };
      try {
        if (typeof params.FunctionName !== 'string')
          throw new AwsServiceError('InvalidParameterValueException', 'FunctionName is required');
        result = await invoke(params.FunctionName, JSON.stringify(params.Payload ?? {}));
      } catch (error) {
        throw taskError(`Lambda.${(error as Error).name}`, (error as Error).message, history, 'Task', task);
      }
      if (result.functionError) throw lambdaError(result.payload, history, 'Task', task);
      const output = {
        ExecutedVersion: '$LATEST',
        Payload: JSON.parse(result.payload),
        SdkHttpMetadata: { httpStatusCode: 200 },
        SdkResponseMetadata: { requestId: randomUUID() },
        StatusCode: 200,
      };
      history.add('TaskSucceeded', 'taskSucceededEventDetails', {
        ...task,
        output: JSON.stringify(output),
        outputDetails: { truncated: false },
      });
      return output;
    }
    throw taskError('States.TaskFailed', `The twin does not run the resource ${resource}`, history, 'Task', {
      resourceType: 'unknown',
      resource,
    });
  }

  execution(arn: string): Execution {
    checkArn(arn, 'execution');
    const e = this.executions.get(arn);
    if (!e) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  describeExecution(arn: string): Record<string, unknown> {
    const e = this.execution(arn);
    const out: Record<string, unknown> = {
      executionArn: e.arn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: e.startDate / 1000,
      input: e.input,
      inputDetails: { included: true },
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
    if (e.stopDate !== undefined) out['stopDate'] = e.stopDate / 1000;
    if (e.output !== undefined) {
      out['output'] = e.output;
      out['outputDetails'] = { included: true };
    }
    if (e.error !== undefined) out['error'] = e.error;
    if (e.cause !== undefined) out['cause'] = e.cause;
    return out;
  }

  private listExecutions(input: Record<string, unknown>): unknown {
    const m = this.machine(reqString(input, 'stateMachineArn'));
    const filter = input['statusFilter'];
    const all = [...this.executions.values()]
      .filter((e) => e.stateMachineArn === m.arn && (!filter || e.status === filter))
      .sort((a, b) => b.startDate - a.startDate);
    const { page, nextToken } = paginate(all, input);
    return {
      executions: page.map((e) => ({
        executionArn: e.arn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate / 1000,
        ...(e.stopDate !== undefined ? { stopDate: e.stopDate / 1000 } : {}),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private getExecutionHistory(input: Record<string, unknown>): unknown {
    const e = this.execution(reqString(input, 'executionArn'));
    let events: Record<string, unknown>[] = [...e.history.events];
    if (input['reverseOrder'] === true) events.reverse();
    if (input['includeExecutionData'] === false) events = events.map(stripData);
    const { page, nextToken } = paginate(events, input);
    return { events: page, ...(nextToken ? { nextToken } : {}) };
  }

  private stopExecution(input: Record<string, unknown>): { stopDate: number } {
    const e = this.execution(reqString(input, 'executionArn'));
    if (e.status === 'RUNNING') {
      const error = typeof input['error'] === 'string' ? input['error'] : undefined;
      const cause = typeof input['cause'] === 'string' ? input['cause'] : undefined;
      e.abort();
      e.status = 'ABORTED';
      e.stopDate = Date.now();
      if (error !== undefined) e.error = error;
      if (cause !== undefined) e.cause = cause;
    }
    return { stopDate: (e.stopDate ?? Date.now()) / 1000 };
  }

  /** Every execution (for the CLI and tests). */
  listAllExecutions(): Execution[] {
    return [...this.executions.values()];
  }

  /** Aborts every running execution and waits for them to stop. */
  async close(): Promise<void> {
    const running = [...this.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const e of running) e.abort();
    await Promise.all(running.map((e) => e.done));
  }
}

function reqString(input: Record<string, unknown>, key: string): string {
  const v = input[key];
  if (typeof v !== 'string' || v.length === 0)
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

function checkArn(arn: string, kind: 'stateMachine' | 'execution'): void {
  if (!/^arn:aws[\w-]*:states:[\w-]+:\d{12}:(stateMachine|execution):/.test(arn) || !arn.includes(`:${kind}:`))
    throw new AwsServiceError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
}

function paginate<T>(all: T[], input: Record<string, unknown>): { page: T[]; nextToken?: string } {
  const max = typeof input['maxResults'] === 'number' && input['maxResults'] > 0 ? input['maxResults'] : 1000;
  let start = 0;
  if (typeof input['nextToken'] === 'string') {
    start = Number(Buffer.from(input['nextToken'], 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw new AwsServiceError('InvalidToken', 'Invalid Token');
  }
  const page = all.slice(start, start + max);
  return start + max < all.length ? { page, nextToken: Buffer.from(String(start + max)).toString('base64') } : { page };
}

function stripData(e: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const { input: _i, output: _o, ...rest } = v as Record<string, unknown>;
      out[k] = rest;
    } else out[k] = v;
  }
  return out as never;
}

/** Task states without TimeoutSeconds get AWS's "no timeout" (the library would apply 60 s). */
function withTaskTimeouts(def: StateMachineDefinition): StateMachineDefinition {
  // a JSON round trip, not structuredClone: under jest the latter builds objects of another realm, which the
  // library's plain-object checks (States.JsonMerge) refuse
  const copy = JSON.parse(JSON.stringify(def)) as { States: Record<string, Record<string, unknown>> };
  const walk = (states: Record<string, Record<string, unknown>>): void => {
    for (const state of Object.values(states)) {
      if (
        state['Type'] === 'Task' &&
        state['TimeoutSeconds'] === undefined &&
        state['TimeoutSecondsPath'] === undefined
      )
        state['TimeoutSeconds'] = NO_TIMEOUT_SECONDS;
      const nested = [
        state['Iterator'],
        state['ItemProcessor'],
        ...(Array.isArray(state['Branches']) ? state['Branches'] : []),
      ] as ({ States?: Record<string, Record<string, unknown>> } | undefined)[];
      for (const n of nested) if (n?.States) walk(n.States);
    }
  };
  walk(copy.States);
  return copy as unknown as StateMachineDefinition;
}

/** An error a Task state sees: its name is the ASL error, its message the cause. */
class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

function taskError(
  error: string,
  cause: string,
  history: History,
  kind: 'LambdaFunction' | 'Task',
  task?: Record<string, string>,
): TaskError {
  if (kind === 'LambdaFunction')
    history.add('LambdaFunctionFailed', 'lambdaFunctionFailedEventDetails', { error, cause });
  else history.add('TaskFailed', 'taskFailedEventDetails', { ...task, error, cause });
  return new TaskError(error, cause);
}

/** A function error: Error is the errorType, Cause the error payload, as AWS reports it. */
function lambdaError(
  payload: string,
  history: History,
  kind: 'LambdaFunction' | 'Task',
  task?: Record<string, string>,
): TaskError {
  let errorType = 'Error';
  try {
    const parsed = JSON.parse(payload) as { errorType?: string };
    if (typeof parsed.errorType === 'string') errorType = parsed.errorType;
    else errorType = 'Lambda.Unknown';
  } catch {
    errorType = 'Lambda.Unknown';
  }
  if (errorType === 'Sandbox.Timedout' && kind === 'LambdaFunction') {
    history.add('LambdaFunctionTimedOut', 'lambdaFunctionTimedOutEventDetails', {
      error: 'States.Timeout',
      cause: payload,
    });
    return new TaskError(errorType, payload);
  }
  return taskError(errorType, payload, history, kind, task);
}
