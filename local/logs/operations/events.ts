/** Log events: PutLogEvents, GetLogEvents, FilterLogEvents (filter patterns: terms that must all appear). */
import type {
  FilterLogEventsRequest,
  FilterLogEventsResponse,
  GetLogEventsRequest,
  GetLogEventsResponse,
  PutLogEventsRequest,
  PutLogEventsResponse,
} from '@aws-sdk/client-cloudwatch-logs';
import { AwsServiceError } from '../../service';
import type { LogsStore } from '../store';

const PAGE = 10_000;

export function putLogEvents(store: LogsStore, input: PutLogEventsRequest): PutLogEventsResponse {
  store.stream(String(input.logGroupName), String(input.logStreamName));
  store.append(
    String(input.logGroupName),
    String(input.logStreamName),
    (input.logEvents ?? []).map((e) => ({ timestamp: Number(e.timestamp), message: String(e.message) })),
  );
  return {};
}

export function getLogEvents(store: LogsStore, input: GetLogEventsRequest): GetLogEventsResponse {
  const stream = store.stream(String(input.logGroupName), String(input.logStreamName));
  const events = stream.events.filter(
    (e) =>
      (input.startTime === undefined || e.timestamp >= input.startTime) &&
      (input.endTime === undefined || e.timestamp < input.endTime),
  );
  const limit = Math.min(input.limit ?? PAGE, PAGE);
  const page = input.startFromHead ? events.slice(0, limit) : events.slice(-limit);
  return {
    events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: `f/${String(events.length).padStart(56, '0')}`,
    nextBackwardToken: 'b/'.padEnd(58, '0'),
  };
}

/** Terms of a filter pattern: bare words and "quoted phrases", all of which a message must contain. */
function matcher(pattern: string | undefined): (message: string) => boolean {
  if (!pattern?.trim()) return () => true;
  if (/^\s*\{/.test(pattern))
    throw new AwsServiceError('InvalidParameterException', 'The twin does not run JSON filter patterns');
  const terms = [...pattern.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
  return (message) => terms.every((t) => message.includes(t));
}

export function filterLogEvents(store: LogsStore, input: FilterLogEventsRequest): FilterLogEventsResponse {
  const group = store.group(String(input.logGroupName ?? ''));
  const names = input.logStreamNames?.length ? new Set(input.logStreamNames) : undefined;
  const prefix = input.logStreamNamePrefix ?? '';
  const matches = matcher(input.filterPattern);
  const all = [...group.streams.values()]
    .filter((s) => (names ? names.has(s.name) : s.name.startsWith(prefix)))
    .flatMap((s) => s.events.map((e) => ({ ...e, logStreamName: s.name })))
    .filter(
      (e) =>
        (input.startTime === undefined || e.timestamp >= input.startTime) &&
        (input.endTime === undefined || e.timestamp <= input.endTime) &&
        matches(e.message),
    )
    .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
  const from = input.nextToken ? Number(Buffer.from(input.nextToken, 'base64').toString('utf8')) : 0;
  const limit = Math.min(input.limit ?? PAGE, PAGE);
  const page = all.slice(from, from + limit);
  const next = from + page.length;
  return {
    events: page.map((e) => ({
      logStreamName: e.logStreamName,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: e.eventId,
    })),
    searchedLogStreams: [...group.streams.keys()].map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
    ...(next < all.length ? { nextToken: Buffer.from(String(next)).toString('base64') } : {}),
  };
}
