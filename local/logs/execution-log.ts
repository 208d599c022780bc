/**
 * Step Functions execution logs, as a state machine's logging configuration asks: each history event of an
 * execution becomes one JSON log event in the configured log group (`id`, `type`, `details`, `previous_event_id`,
 * `event_timestamp`, `execution_arn`, `redrive_count`, the ids and the timestamp as strings, as Step Functions
 * writes them). The level filters (ALL every event; ERROR the failures; FATAL how an execution ends in failure;
 * OFF none); without includeExecutionData the inputs, outputs and task parameters are left out. Each execution
 * writes one stream, `states/<state machine>/<YYYY-MM-DD-HH-MM of its start>/<execution id>`.
 *
 * The settings are read once, when the execution starts: a later UpdateStateMachine applies to later executions.
 */

import type { LoggingConfiguration } from '@aws-sdk/client-sfn';
import { parse } from '@aws-sdk/util-arn-parser';
import type { ExecutionEvent } from '../stepfunctions';

/** What the ERROR level logs: every failure, abort and time-out, of the execution, a state or a task. */
const ERROR_EVENTS = new Set([
  'ExecutionAborted',
  'ExecutionFailed',
  'ExecutionTimedOut',
  'FailStateEntered',
  'LambdaFunctionFailed',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'LambdaFunctionTimedOut',
  'MapIterationAborted',
  'MapIterationFailed',
  'MapRunAborted',
  'MapRunFailed',
  'MapStateAborted',
  'MapStateFailed',
  'ParallelStateAborted',
  'ParallelStateFailed',
  'TaskFailed',
  'TaskStartFailed',
  'TaskStateAborted',
  'TaskSubmitFailed',
  'TaskTimedOut',
  'WaitStateAborted',
]);

/** What the FATAL level logs. */
const FATAL_EVENTS = new Set(['ExecutionAborted', 'ExecutionFailed', 'ExecutionTimedOut']);

/** The events after which an execution writes nothing more. */
const LAST_EVENTS = new Set([...FATAL_EVENTS, 'ExecutionSucceeded']);

/** Execution data: what includeExecutionData=false keeps out of the log. */
const DATA_FIELDS = new Set(['input', 'output', 'parameters']);

/** One log event to append. */
export interface ExecutionLogLine {
  logGroupName: string;
  logStreamName: string;
  timestamp: number;
  message: string;
}

interface Destination {
  logGroupName: string;
  logStreamName: string;
  level: string;
  includeExecutionData: boolean;
}

/** The group a log group ARN names (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`), else undefined. */
export function logGroupNameOf(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  try {
    const { service, resource } = parse(arn);
    if (service !== 'logs' || !resource.startsWith('log-group:')) return undefined;
    return resource.slice('log-group:'.length).replace(/:\*$/, '') || undefined;
  } catch {
    return undefined;
  }
}

function levelLogs(level: string, type: string): boolean {
  if (level === 'ALL') return true;
  if (level === 'ERROR') return ERROR_EVENTS.has(type);
  if (level === 'FATAL') return FATAL_EVENTS.has(type);
  return false;
}

const stamp = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace(/[T:]/g, '-');

/** Turns execution events into log lines, per execution, from the settings its state machine had at the start. */
export class ExecutionLog {
  private readonly running = new Map<string, Destination | undefined>();

  /** @param settingsOf the logging configuration of a state machine (undefined: it no longer exists) */
  constructor(private readonly settingsOf: (stateMachineArn: string) => LoggingConfiguration | undefined) {}

  /** The line `e` writes, if its execution logs it. */
  lineOf(e: ExecutionEvent): ExecutionLogLine | undefined {
    const { event } = e;
    if (event.type === 'ExecutionStarted') this.running.set(e.executionArn, this.destinationOf(e, event.timestamp));
    const to = this.running.get(e.executionArn);
    if (LAST_EVENTS.has(event.type)) this.running.delete(e.executionArn);
    if (!to || !levelLogs(to.level, event.type)) return undefined;
    const { timestamp, type, id, previousEventId, ...rest } = event;
    const ms = Math.round(timestamp * 1000);
    const details = Object.values(rest)[0];
    const kept =
      details && typeof details === 'object' && !to.includeExecutionData
        ? Object.fromEntries(Object.entries(details).filter(([key]) => !DATA_FIELDS.has(key)))
        : details;
    return {
      logGroupName: to.logGroupName,
      logStreamName: to.logStreamName,
      timestamp: ms,
      message: JSON.stringify({
        id: String(id),
        type,
        details: kept ?? {},
        previous_event_id: String(previousEventId),
        event_timestamp: String(ms),
        execution_arn: e.executionArn,
        redrive_count: '0',
      }),
    };
  }

  private destinationOf(e: ExecutionEvent, startSeconds: number): Destination | undefined {
    const settings = this.settingsOf(e.stateMachineArn);
    const level = settings?.level ?? 'OFF';
    const logGroupName = logGroupNameOf(settings?.destinations?.[0]?.cloudWatchLogsLogGroup?.logGroupArn);
    if (level === 'OFF' || !logGroupName) return undefined;
    const [machine = '', id = ''] = parse(e.executionArn).resource.split(':').slice(1);
    return {
      logGroupName,
      logStreamName: `states/${machine}/${stamp(startSeconds * 1000)}/${id}`,
      level,
      includeExecutionData: settings?.includeExecutionData ?? false,
    };
  }
}
