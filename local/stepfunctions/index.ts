/**
 * The Step Functions twin (AWSStepFunctions, AWS JSON 1.0) on aws-local-stepfunctions: state machines and their
 * executions, with AWS's history event names, every wait on the twin's Clock. Task states whose resource is a
 * function ARN (or `arn:aws:states:::lambda:invoke`) invoke the Lambda twin, so the history records
 * LambdaFunction* (or Task*) events around each invocation as AWS does.
 *
 * The wire (`handle`) and the in-process API (the typed methods, with the SDK's input and output types) run the
 * same validated operations; `onExecutionEvent` publishes every history event as it happens (the log sink).
 */
import '../../src/polyfills';
import type {
  CreateStateMachineInput,
  CreateStateMachineOutput,
  DeleteStateMachineInput,
  DeleteStateMachineOutput,
  DescribeExecutionInput,
  DescribeExecutionOutput,
  DescribeStateMachineInput,
  DescribeStateMachineOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  ListStateMachinesInput,
  ListStateMachinesOutput,
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  StopExecutionOutput,
  UpdateStateMachineInput,
  UpdateStateMachineOutput,
} from '@aws-sdk/client-sfn';
import { type Clock, systemClock } from '../clock';
import { type Answer, toWireJson } from '../sdk-shapes';
import type { AwsJsonService, RequestContext } from '../service';
import { errors } from './errors';
import {
  describeExecution,
  executionOf,
  getExecutionHistory,
  listExecutions,
  startExecution,
  stopExecution,
} from './operations/executions';
import {
  createStateMachine,
  deleteStateMachine,
  describeStateMachine,
  listStateMachines,
  updateStateMachine,
} from './operations/state-machines';
import { StepFunctionsPersistence } from './persistence';
import type { ExecutionEvent, ExecutionListener } from './run';
import { type Execution, type FunctionInvoker, type Journal, StepFunctionsStore } from './store';
import { validateInput } from './validation';

export type { HistoryEvent } from './history';
export type { ExecutionEvent, ExecutionListener } from './run';
export type { Execution, FunctionInvoker } from './store';

export interface StepFunctionsTwinOptions {
  invoke?: FunctionInvoker;
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Multiplies the `Seconds` of Wait states (1 = as written; the CLI shortens waits for the twin's fast mode). */
  waitScale?: number;
  /** Multiplies the `IntervalSeconds` of retriers (backoff and jitter are then not applied). */
  retryScale?: number;
  /** Where state changes are kept (the persistence seam); with dataDir, the twin's own journal. */
  journal?: Journal;
  /** Keep state machines, executions and their histories here (`<dataDir>/stepfunctions/journal`). */
  dataDir?: string;
  /** With dataDir: a change is durable once fdatasync'd (true, default) or once written to the file. */
  fsync?: boolean;
}

/** Operations that change nothing: answered without waiting for the journal. */
const READS = /^(Describe|List|Get)/;

/** Each operation, from its (validated) SDK input to its SDK output. */
const OPERATIONS = {
  CreateStateMachine: (t: StepFunctionsTwin, i: CreateStateMachineInput) => createStateMachine(t.store, i),
  UpdateStateMachine: (t: StepFunctionsTwin, i: UpdateStateMachineInput) => updateStateMachine(t.store, i),
  DescribeStateMachine: (t: StepFunctionsTwin, i: DescribeStateMachineInput) => describeStateMachine(t.store, i),
  ListStateMachines: (t: StepFunctionsTwin, i: ListStateMachinesInput) => listStateMachines(t.store, i),
  DeleteStateMachine: (t: StepFunctionsTwin, i: DeleteStateMachineInput) => deleteStateMachine(t.store, i),
  StartExecution: (t: StepFunctionsTwin, i: StartExecutionInput) => startExecution(t.store, i, t.publish),
  DescribeExecution: (t: StepFunctionsTwin, i: DescribeExecutionInput) => describeExecution(t.store, i),
  ListExecutions: (t: StepFunctionsTwin, i: ListExecutionsInput) => listExecutions(t.store, i),
  GetExecutionHistory: (t: StepFunctionsTwin, i: GetExecutionHistoryInput) => getExecutionHistory(t.store, i),
  StopExecution: (t: StepFunctionsTwin, i: StopExecutionInput) => stopExecution(t.store, i),
};

type Operation = keyof typeof OPERATIONS;

export class StepFunctionsTwin implements AwsJsonService {
  readonly targetPrefix = 'AWSStepFunctions';
  readonly jsonVersion = '1.0' as const;
  readonly region: string;
  readonly accountId: string;
  readonly store: StepFunctionsStore;
  private readonly listeners = new Set<ExecutionListener>();
  private readonly persistence: StepFunctionsPersistence | undefined;

  constructor(opts: StepFunctionsTwinOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    if (opts.dataDir !== undefined)
      this.persistence = new StepFunctionsPersistence(
        opts.dataDir,
        opts.fsync !== undefined ? { fsync: opts.fsync } : {},
      );
    const journal = opts.journal ?? this.persistence;
    this.store = new StepFunctionsStore({
      clock: opts.clock ?? systemClock,
      region: this.region,
      accountId: this.accountId,
      scales: { waitScale: opts.waitScale ?? 1, retryScale: opts.retryScale ?? 1 },
      ...(journal ? { journal } : {}),
    });
    this.store.invoker = opts.invoke;
    if (this.persistence) {
      const persistence = this.persistence;
      persistence.restore(this.store);
      this.listeners.add((event) => persistence.event(event));
    }
  }

  /** Where validated definitions are remembered (by hash), so a later twin need not validate them again. */
  get validationCacheDir(): string | undefined {
    return this.store.validationCacheDir;
  }

  set validationCacheDir(dir: string | undefined) {
    this.store.validationCacheDir = dir;
  }

  /** Connects the Lambda twin (when it is created after this service). */
  setInvoker(invoke: FunctionInvoker): void {
    this.store.invoker = invoke;
  }

  /** Calls `listener` with every history event of every execution as it is recorded; returns the unsubscribe. */
  onExecutionEvent(listener: ExecutionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal the history's listener */
  readonly publish = (event: ExecutionEvent): void => {
    for (const listener of this.listeners) listener(event);
  };

  async handle(operation: string, input: Record<string, unknown>, _ctx?: RequestContext): Promise<unknown> {
    if (!Object.hasOwn(OPERATIONS, operation)) throw errors.unknownOperation(operation);
    const output = toWireJson(this.call(operation as Operation, input));
    // with a data directory, a change is answered once it is durable
    if (this.persistence && !READS.test(operation)) await this.persistence.commit();
    return output;
  }

  /** Resolves once every change so far is durable (the in-process API answers before); at once without dataDir. */
  async flush(): Promise<void> {
    await this.persistence?.commit();
  }

  private call<O extends Operation>(operation: O, input: unknown): Answer<ReturnType<(typeof OPERATIONS)[O]>> {
    validateInput(operation, input as Record<string, unknown>);
    const run = OPERATIONS[operation] as (t: StepFunctionsTwin, i: unknown) => ReturnType<(typeof OPERATIONS)[O]>;
    return run(this, input) as Answer<ReturnType<(typeof OPERATIONS)[O]>>;
  }

  // ---- in process: the same operations, typed -----------------------------------------------------------------

  createStateMachine(input: CreateStateMachineInput): Answer<CreateStateMachineOutput> {
    return this.call('CreateStateMachine', input);
  }

  /** New executions run the new definition and role; running ones finish on theirs. */
  updateStateMachine(input: UpdateStateMachineInput): Answer<UpdateStateMachineOutput> {
    return this.call('UpdateStateMachine', input);
  }

  describeStateMachine(input: DescribeStateMachineInput): Answer<DescribeStateMachineOutput> {
    return this.call('DescribeStateMachine', input);
  }

  listStateMachines(input: ListStateMachinesInput = {}): Answer<ListStateMachinesOutput> {
    return this.call('ListStateMachines', input);
  }

  /** Stops the machine's running executions, as AWS does. */
  deleteStateMachine(input: DeleteStateMachineInput): Answer<DeleteStateMachineOutput> {
    return this.call('DeleteStateMachine', input);
  }

  startExecution(input: StartExecutionInput): Answer<StartExecutionOutput> {
    return this.call('StartExecution', input);
  }

  describeExecution(input: DescribeExecutionInput): Answer<DescribeExecutionOutput> {
    return this.call('DescribeExecution', input);
  }

  listExecutions(input: ListExecutionsInput): Answer<ListExecutionsOutput> {
    return this.call('ListExecutions', input);
  }

  getExecutionHistory(input: GetExecutionHistoryInput): Answer<GetExecutionHistoryOutput> {
    return this.call('GetExecutionHistory', input);
  }

  stopExecution(input: StopExecutionInput): Answer<StopExecutionOutput> {
    return this.call('StopExecution', input);
  }

  /** The running (or finished) execution itself, whose `done` resolves when it stops. */
  execution(arn: string): Execution {
    return executionOf(this.store, arn);
  }

  /** Every execution (for the CLI and tests). */
  listAllExecutions(): Execution[] {
    return [...this.store.executions.values()];
  }

  /** Aborts every running execution and waits for them to stop. */
  async close(): Promise<void> {
    // with a data directory, what runs now is kept as running: the next start says it did not finish (FAILED)
    this.persistence?.seal();
    const running = [...this.store.executions.values()].filter((e) => e.status === 'RUNNING');
    for (const e of running) e.abort();
    await Promise.all(running.map((e) => e.done));
    await this.persistence?.close();
  }
}
