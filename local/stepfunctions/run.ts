/**
 * Runs one execution on aws-local-stepfunctions: the twin's handlers for Task and Wait states, the history built
 * from the interpreter's events, the execution's TimeoutSeconds on the Clock, and the final status.
 */

import { History, type HistoryEvent, type LibraryEvent } from './history';
import type { Execution, Machine, StepFunctionsStore } from './store';
import { localHandlers } from './tasks';

/** Told of every history event of every execution, as it happens. */
export type ExecutionListener = (event: ExecutionEvent) => void;

export interface ExecutionEvent {
  executionArn: string;
  stateMachineArn: string;
  event: HistoryEvent;
}

/** Starts `machine`'s current revision as execution `name`; returns it running. */
export function startRun(
  store: StepFunctionsStore,
  machine: Machine,
  name: string,
  inputText: string,
  parsedInput: unknown,
  onEvent: ExecutionListener,
): Execution {
  const clock = store.clock;
  const arn = store.executionArn(machine.name, name);
  const revision = machine.revision;
  const { prepared } = revision;
  const startDate = clock.now();
  const history = new History(
    clock,
    (stateName, type) => (prepared.waits.has(stateName) ? 'Wait' : type),
    (event) => onEvent({ executionArn: arn, stateMachineArn: machine.arn, event }),
  );
  const aborted = new AbortController();
  const context = {
    Execution: {
      Id: arn,
      Input: parsedInput,
      Name: name,
      RoleArn: revision.roleArn,
      StartTime: new Date(startDate).toISOString(),
    },
    StateMachine: { Id: machine.arn, Name: machine.name },
  };
  const run = revision.runner.run(parsedInput as never, {
    overrides: {
      taskResourceLocalHandlers: localHandlers(prepared, {
        clock,
        signal: aborted.signal,
        history,
        invoke: store.invoker
          ? (fn, payload) => store.invoker!(fn, payload, { roleArn: revision.roleArn, executionName: name })
          : undefined,
        region: store.opts.region,
        scales: store.opts.scales,
        context,
      }),
      retryIntervalOverrides: prepared.retryOverrides,
    },
    noThrowOnAbort: true,
    context: context as never,
  });
  let timedOut = false;
  const execution: Execution = {
    arn,
    name,
    stateMachineArn: machine.arn,
    revision,
    status: 'RUNNING',
    input: inputText,
    startDate,
    history,
    done: Promise.resolve(),
    abort: () => {
      aborted.abort();
      run.abort();
    },
  };
  const timer =
    prepared.timeoutSeconds === undefined
      ? undefined
      : clock.setTimeout(() => {
          timedOut = true;
          execution.abort();
        }, prepared.timeoutSeconds * 1000);
  const follow = async (): Promise<void> => {
    for await (const event of run.eventLogs) {
      let e = event as unknown as LibraryEvent;
      if (e.type === 'ExecutionAborted' && timedOut) e = { ...e, type: 'ExecutionTimeout' };
      history.fromLibrary(e, revision.roleArn);
      if (execution.status !== 'RUNNING') continue;
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
      execution.stopDate = clock.now();
    }
  };
  execution.done = Promise.allSettled([run.result, follow()]).then(() => {
    if (timer !== undefined) clock.clearTimeout(timer);
    aborted.abort();
    if (execution.status === 'RUNNING') {
      execution.status = 'FAILED';
      execution.error = 'States.Runtime';
      execution.cause = 'The execution ended without a final event';
      execution.stopDate = clock.now();
    }
    store.changed({ type: 'execution-put', execution });
  });
  store.changed({ type: 'execution-put', execution });
  return execution;
}
