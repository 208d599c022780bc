/** Log groups and streams: Create/Delete/DescribeLogGroups, PutRetentionPolicy, Create/DescribeLogStreams. */
import type {
  DescribeLogGroupsRequest,
  DescribeLogGroupsResponse,
  DescribeLogStreamsRequest,
  DescribeLogStreamsResponse,
  LogStream as SdkLogStream,
} from '@aws-sdk/client-cloudwatch-logs';
import type { LogStream, LogsStore } from '../store';

export const groupArn = (region: string, account: string, name: string): string =>
  `arn:aws:logs:${region}:${account}:log-group:${name}`;

export function describeLogGroups(
  store: LogsStore,
  input: DescribeLogGroupsRequest,
  region: string,
  account: string,
): DescribeLogGroupsResponse {
  const prefix = input.logGroupNamePrefix ?? '';
  return {
    logGroups: [...store.groups.values()]
      .filter((g) => g.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, input.limit ?? 50)
      .map((g) => ({
        logGroupName: g.name,
        creationTime: g.created,
        arn: `${groupArn(region, account, g.name)}:*`,
        logGroupArn: groupArn(region, account, g.name),
        storedBytes: 0,
        ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
      })),
  };
}

function summary(s: LogStream, arn: string): SdkLogStream {
  const first = s.events[0];
  const last = s.events.at(-1);
  return {
    logStreamName: s.name,
    creationTime: s.created,
    arn: `${arn}:log-stream:${s.name}`,
    storedBytes: 0,
    ...(first ? { firstEventTimestamp: first.timestamp } : {}),
    ...(last ? { lastEventTimestamp: last.timestamp, lastIngestionTime: last.ingestionTime } : {}),
  };
}

export function describeLogStreams(
  store: LogsStore,
  input: DescribeLogStreamsRequest,
  region: string,
  account: string,
): DescribeLogStreamsResponse {
  const group = store.group(String(input.logGroupName ?? ''));
  const prefix = input.logStreamNamePrefix ?? '';
  const byTime = input.orderBy === 'LastEventTime';
  const key = (s: LogStream): string | number => (byTime ? (s.events.at(-1)?.timestamp ?? s.created) : s.name);
  const streams = [...group.streams.values()]
    .filter((s) => s.name.startsWith(prefix))
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return x < y ? -1 : x > y ? 1 : 0;
    });
  if (input.descending) streams.reverse();
  return {
    logStreams: streams.slice(0, input.limit ?? 50).map((s) => summary(s, groupArn(region, account, group.name))),
  };
}
