/**
 * The CloudWatch Logs twin (AWS JSON 1.1, `Logs_20140328`): log groups (made by CloudFormation or on first write),
 * streams and events, and the reads `osls logs` and `osls info` make (DescribeLogStreams, GetLogEvents,
 * FilterLogEvents). Functions' output lands here as Lambda writes it (the Lambda twin's log sink): group
 * `/aws/lambda/<function>`, one stream per execution environment `YYYY/MM/DD/[$LATEST]<id>`, START/END/REPORT
 * lines around what the handler logs. Step Functions executions write their history events to the group their
 * state machine's logging configuration names (`execution-log.ts`).
 */
import type { LoggingConfiguration } from '@aws-sdk/client-sfn';
import { type Clock, systemClock } from '../clock';
import type { FunctionLogEvent } from '../lambda';
import { type AwsJsonService, AwsServiceError, type RequestContext } from '../service';
import type { ExecutionEvent } from '../stepfunctions';
import { ExecutionLog } from './execution-log';
import { filterLogEvents, getLogEvents, putLogEvents } from './operations/events';
import { describeLogGroups, describeLogStreams } from './operations/groups';
import { LogsStore } from './store';

export interface LogsTwinOptions {
  clock?: Clock;
  region?: string;
}

type Operation = (twin: LogsTwin, input: Record<string, unknown>, ctx: RequestContext) => unknown;

const str = (input: Record<string, unknown>, key: string): string => {
  const v = input[key];
  if (typeof v !== 'string' || v.length === 0)
    throw new AwsServiceError(
      'InvalidParameterException',
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
};

const OPERATIONS: Record<string, Operation> = {
  CreateLogGroup: (t, i) => {
    t.store.createGroup(str(i, 'logGroupName'));
    return {};
  },
  DeleteLogGroup: (t, i) => {
    const name = str(i, 'logGroupName');
    t.store.group(name);
    t.store.groups.delete(name);
    return {};
  },
  DescribeLogGroups: (t, i, ctx) => describeLogGroups(t.store, i, ctx.region, ctx.accountId),
  PutRetentionPolicy: (t, i) => {
    t.store.group(str(i, 'logGroupName')).retentionInDays = Number(i['retentionInDays']);
    return {};
  },
  CreateLogStream: (t, i) => {
    t.store.createStream(str(i, 'logGroupName'), str(i, 'logStreamName'));
    return {};
  },
  DescribeLogStreams: (t, i, ctx) => describeLogStreams(t.store, i, ctx.region, ctx.accountId),
  PutLogEvents: (t, i) =>
    putLogEvents(t.store, {
      ...i,
      logGroupName: str(i, 'logGroupName'),
      logStreamName: str(i, 'logStreamName'),
    } as never),
  GetLogEvents: (t, i) =>
    getLogEvents(t.store, { ...i, logGroupName: str(i, 'logGroupName'), logStreamName: str(i, 'logStreamName') }),
  FilterLogEvents: (t, i) => filterLogEvents(t.store, i),
  DescribeSubscriptionFilters: (t, i) => {
    t.store.group(str(i, 'logGroupName'));
    return { subscriptionFilters: [] };
  },
};

export class LogsTwin implements AwsJsonService {
  readonly targetPrefix = 'Logs_20140328';
  readonly jsonVersion = '1.1' as const;
  readonly store: LogsStore;
  private readonly clock: Clock;

  constructor(opts: LogsTwinOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.store = new LogsStore(() => this.clock.now());
  }

  async handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    const op = OPERATIONS[operation];
    if (!op)
      throw new AwsServiceError(
        'UnknownOperationException',
        `The twin serves no CloudWatch Logs operation ${operation}`,
      );
    return op(this, input, ctx);
  }

  /** One log event of a function, from the Lambda twin's log sink: its group, its environment's stream. */
  functionLog(event: FunctionLogEvent): void {
    this.store.append(event.logGroupName, event.logStreamName, [
      { timestamp: event.timestamp, message: event.message },
    ]);
  }

  /**
   * A listener for the Step Functions twin's execution events that writes them as the state machine's logging
   * configuration says. As on AWS, nothing is written to a log group that does not exist.
   *
   * @param settingsOf a state machine's logging configuration; may throw when the machine is gone
   */
  executionLogger(
    settingsOf: (stateMachineArn: string) => LoggingConfiguration | undefined,
  ): (e: ExecutionEvent) => void {
    const log = new ExecutionLog((arn) => {
      try {
        return settingsOf(arn);
      } catch {
        return undefined;
      }
    });
    return (e) => {
      const line = log.lineOf(e);
      if (line && this.store.groups.has(line.logGroupName))
        this.store.append(line.logGroupName, line.logStreamName, [
          { timestamp: line.timestamp, message: line.message },
        ]);
    };
  }

  ensureGroup(name: string, retentionInDays?: number): void {
    const g = this.store.ensureGroup(name);
    if (retentionInDays !== undefined) g.retentionInDays = retentionInDays;
  }

  deleteGroup(name: string): void {
    this.store.groups.delete(name);
  }
}
