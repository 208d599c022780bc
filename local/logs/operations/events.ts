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
  const events = (input.logEvents ?? []).map((e) => ({ timestamp: Number(e.timestamp), message: String(e.message) }));
  if (events.length === 0)
    throw new AwsServiceError(
      'InvalidParameterException',
      "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  if (events.some((e, i) => i > 0 && e.timestamp < events[i - 1]!.timestamp))
    throw new AwsServiceError(
      'InvalidParameterException',
      'Log events in a single PutLogEvents request must be in chronological order.',
    );
  store.append(String(input.logGroupName), String(input.logStreamName), events);
  return {};
}

const token = (direction: 'f' | 'b', index: number): string => `${direction}/${String(index).padStart(56, '0')}`;

/**
 * A page of a stream: the newest events (or the oldest, startFromHead), or the page after a nextForwardToken or
 * before a nextBackwardToken. At the end, the token given comes back: that is how clients know to stop.
 */
export function getLogEvents(store: LogsStore, input: GetLogEventsRequest): GetLogEventsResponse {
  const stream = store.stream(String(input.logGroupName), String(input.logStreamName));
  const events = stream.events.filter(
    (e) =>
      (input.startTime === undefined || e.timestamp >= input.startTime) &&
      (input.endTime === undefined || e.timestamp < input.endTime),
  );
  const limit = Math.min(input.limit ?? PAGE, PAGE);
  const given = input.nextToken === undefined ? undefined : /^([fb])\/(\d{1,56})$/.exec(input.nextToken);
  if (given === null) throw new AwsServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
  let start: number;
  let end: number;
  if (given?.[1] === 'f') {
    start = Math.min(Number(given[2]), events.length);
    end = Math.min(start + limit, events.length);
  } else if (given?.[1] === 'b') {
    end = Math.min(Number(given[2]), events.length);
    start = Math.max(0, end - limit);
  } else if (input.startFromHead) {
    start = 0;
    end = Math.min(limit, events.length);
  } else {
    end = events.length;
    start = Math.max(0, end - limit);
  }
  return {
    events: events
      .slice(start, end)
      .map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: token('f', end),
    nextBackwardToken: token('b', start),
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
