/**
 * Reading a Lambda output back: what the destination function received, from its log group
 * (`/aws/lambda/<function>`): the demo destination function (handlers/destination.ts) logs one line per row, with
 * the row's text in `data`. A row's arrival is its log event's timestamp. Lines are read about once a second from
 * the run's start until the run says stop, or drain (one more read, then stop); each event is taken once. Order is
 * checked within a log stream (one execution environment of the function).
 */
import { type CloudWatchLogsClient, paginateFilterLogEvents } from '@aws-sdk/client-cloudwatch-logs';
import { parseFunctionArn } from '../arn';
import type { ConsumedRecord } from './kinesis-io';
import type { Timer } from './types';

const READ_INTERVAL_MS = 1000;
/** The message of the destination function's per-row line (handlers/destination.ts logs it). */
export const DESTINATION_ROW_MESSAGE = 'Destination row received';

export interface FunctionReadOptions {
  from: Date;
  timer: Timer;
  state: () => 'go' | 'drain' | 'stop';
  onRecords: (records: ConsumedRecord[]) => void;
}

/** The row a log line of the destination function holds, if it is one (a JSON line, perhaps after a prefix). */
export function rowOfLogLine(message: string): Buffer | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const line = JSON.parse(message.slice(start)) as { message?: unknown; data?: unknown };
    return line.message === DESTINATION_ROW_MESSAGE && typeof line.data === 'string'
      ? Buffer.from(line.data, 'utf8')
      : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the rows the function logged until `state` says stop. */
export async function consumeFunctionLog(
  logs: Pick<CloudWatchLogsClient, 'send'>,
  functionArn: string,
  options: FunctionReadOptions,
): Promise<void> {
  const fn = parseFunctionArn(functionArn);
  if (!fn) throw new Error(`${functionArn} is not a Lambda function ARN`);
  const logGroupName = `/aws/lambda/${fn.functionName}`;
  const seen = new Set<string>();
  for (;;) {
    const state = options.state();
    if (state === 'stop') return;
    try {
      const pages = paginateFilterLogEvents(
        { client: logs as CloudWatchLogsClient },
        { logGroupName, startTime: options.from.getTime(), filterPattern: `"${DESTINATION_ROW_MESSAGE}"` },
      );
      for await (const page of pages) {
        const records: ConsumedRecord[] = [];
        for (const e of page.events ?? []) {
          const id = e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`;
          if (seen.has(id)) continue;
          seen.add(id);
          const data = e.message ? rowOfLogLine(e.message) : undefined;
          if (!data) continue;
          records.push({
            shardId: e.logStreamName ?? 'log',
            arrivalMs: e.timestamp ?? options.timer.now(),
            data,
            partitionKey: '',
            sequenceNumber: id,
            subSequenceNumber: 0,
          });
        }
        if (records.length > 0) options.onRecords(records);
      }
    } catch (error) {
      // the group appears with the function's first line
      if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
    }
    if (state === 'drain') return;
    await options.timer.sleep(READ_INTERVAL_MS);
  }
}
