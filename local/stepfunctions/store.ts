/**
 * The state of the Step Functions twin: state machines (each with the revision new executions run) and executions
 * (each holding the revision it started with, so an update never disturbs a running execution). Every change
 * goes through `changed()`, the one seam a durable journal (issue 11 §3, `--data-dir`) will hook into.
 */
import type { StateMachine } from 'aws-local-stepfunctions';
import type { Clock } from '../clock';
import type { PreparedDefinition, Scales } from './definition';
import type { History } from './history';

/** Invokes a function of the Lambda twin; throws AwsServiceError ResourceNotFoundException when it does not exist. */
export type FunctionInvoker = (
  functionNameOrArn: string,
  payload: string,
  /** Who invokes: the state machine's role, in a session named after the execution (IAM checks it). */
  caller?: { roleArn: string; executionName: string },
) => Promise<{ payload: string; functionError?: string }>;

/** One version of a state machine's definition and role. */
export interface Revision {
  revisionId: string;
  definition: string;
  roleArn: string;
  prepared: PreparedDefinition;
  runner: StateMachine;
  /** ms epoch. */
  updateDate: number;
}

export interface Machine {
  arn: string;
  name: string;
  type: 'STANDARD' | 'EXPRESS';
  /** ms epoch. */
  creationDate: number;
  /** What new executions run. */
  revision: Revision;
  loggingConfiguration: { level: string; includeExecutionData: boolean; destinations?: unknown[] };
  tracingConfiguration: { enabled: boolean };
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** One execution of a state machine. */
export interface Execution {
  arn: string;
  name: string;
  stateMachineArn: string;
  /** The revision it runs, whatever happens to the machine meanwhile. */
  revision: Revision;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** ms epoch. */
  startDate: number;
  stopDate?: number;
  history: History;
  /** Resolves when the execution has stopped, whatever its status. */
  done: Promise<void>;
  abort: () => void;
}

/** A change of the store, as a journal would write it. */
export type StoreChange =
  | { type: 'machine-put'; machine: Machine }
  | { type: 'machine-deleted'; arn: string }
  | { type: 'execution-put'; execution: Execution };

/** Where changes go to be kept (nothing yet: executions live in memory). */
export interface Journal {
  append(change: StoreChange): void;
}

export interface StoreOptions {
  clock: Clock;
  region: string;
  accountId: string;
  scales: Scales;
  journal?: Journal;
}

export class StepFunctionsStore {
  readonly machines = new Map<string, Machine>();
  readonly executions = new Map<string, Execution>();
  invoker: FunctionInvoker | undefined;
  /**
   * Where definitions that passed validation are remembered (by hash), so the same definition is not validated
   * again by a later twin: the validator compiles the whole ASL schema on each call, seconds on a busy machine.
   */
  validationCacheDir: string | undefined;

  constructor(readonly opts: StoreOptions) {}

  get clock(): Clock {
    return this.opts.clock;
  }

  machineArn(name: string): string {
    return `arn:aws:states:${this.opts.region}:${this.opts.accountId}:stateMachine:${name}`;
  }

  executionArn(machineName: string, name: string): string {
    return `arn:aws:states:${this.opts.region}:${this.opts.accountId}:execution:${machineName}:${name}`;
  }

  changed(change: StoreChange): void {
    this.opts.journal?.append(change);
  }
}
