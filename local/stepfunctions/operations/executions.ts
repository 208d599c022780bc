/**
 * Executions: StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution.
 */
import { randomUUID } from 'node:crypto';
import type {
  DescribeExecutionInput,
  DescribeExecutionOutput,
  GetExecutionHistoryInput,
  GetExecutionHistoryOutput,
  ListExecutionsInput,
  ListExecutionsOutput,
  StartExecutionInput,
  StartExecutionOutput,
  StopExecutionInput,
  StopExecutionOutput,
} from '@aws-sdk/client-sfn';
import { errors } from '../errors';
import type { HistoryEvent } from '../history';
import { type ExecutionListener, startRun } from '../run';
import type { Execution, StepFunctionsStore } from '../store';
import { checkArn, NAME, paginate } from './shared';
import { machineOf } from './state-machines';

export function executionOf(store: StepFunctionsStore, arn: string): Execution {
  checkArn(arn, 'execution');
  const e = store.executions.get(arn);
  if (!e) throw errors.noExecution(arn);
  return e;
}

export function startExecution(
  store: StepFunctionsStore,
  input: StartExecutionInput,
  onEvent: ExecutionListener,
): StartExecutionOutput {
  const machine = machineOf(store, input.stateMachineArn!);
  const name = input.name ?? randomUUID();
  if (!NAME.test(name)) throw errors.invalidName(name);
  const inputText = input.input ?? '{}';
  let parsedInput: unknown;
  try {
    parsedInput = JSON.parse(inputText);
  } catch {
    throw errors.invalidInput();
  }
  const arn = store.executionArn(machine.name, name);
  const existing = store.executions.get(arn);
  if (existing) {
    // StartExecution is idempotent for a running execution of the same name and input
    if (existing.status === 'RUNNING' && existing.input === inputText)
      return { executionArn: arn, startDate: new Date(existing.startDate) };
    throw errors.executionExists(arn);
  }
  const execution = startRun(store, machine, name, inputText, parsedInput, onEvent);
  store.executions.set(arn, execution);
  return { executionArn: arn, startDate: new Date(execution.startDate) };
}

export function describeExecution(store: StepFunctionsStore, input: DescribeExecutionInput): DescribeExecutionOutput {
  const e = executionOf(store, input.executionArn!);
  return {
    executionArn: e.arn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: new Date(e.startDate),
    input: e.input,
    inputDetails: { included: true },
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
    ...(e.stopDate !== undefined ? { stopDate: new Date(e.stopDate) } : {}),
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
  };
}

export function listExecutions(store: StepFunctionsStore, input: ListExecutionsInput): ListExecutionsOutput {
  const m = machineOf(store, input.stateMachineArn!);
  const filter = input.statusFilter;
  const all = [...store.executions.values()]
    .filter((e) => e.stateMachineArn === m.arn && (!filter || e.status === filter))
    .sort((a, b) => b.startDate - a.startDate);
  const { page, nextToken } = paginate(all, input);
  return {
    executions: page.map((e) => ({
      executionArn: e.arn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: new Date(e.startDate),
      ...(e.stopDate !== undefined ? { stopDate: new Date(e.stopDate) } : {}),
    })),
    ...(nextToken ? { nextToken } : {}),
  };
}

export function getExecutionHistory(
  store: StepFunctionsStore,
  input: GetExecutionHistoryInput,
): GetExecutionHistoryOutput {
  const e = executionOf(store, input.executionArn!);
  let events: HistoryEvent[] = [...e.history.events];
  if (input.reverseOrder === true) events.reverse();
  if (input.includeExecutionData === false) events = events.map(withoutData);
  const { page, nextToken } = paginate(events, input);
  return {
    events: page.map((event) => ({ ...event, timestamp: new Date(event.timestamp * 1000) })) as never,
    ...(nextToken ? { nextToken } : {}),
  };
}

export function stopExecution(store: StepFunctionsStore, input: StopExecutionInput): StopExecutionOutput {
  const e = executionOf(store, input.executionArn!);
  if (e.status === 'RUNNING') {
    e.abort();
    e.status = 'ABORTED';
    e.stopDate = store.clock.now();
    if (input.error !== undefined) e.error = input.error;
    if (input.cause !== undefined) e.cause = input.cause;
  }
  return { stopDate: new Date(e.stopDate ?? store.clock.now()) };
}

/** An event without its input and output (includeExecutionData: false). */
function withoutData(e: HistoryEvent): HistoryEvent {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const { input: _i, output: _o, ...rest } = v as Record<string, unknown>;
      out[k] = rest;
    } else out[k] = v;
  }
  return out as HistoryEvent;
}
