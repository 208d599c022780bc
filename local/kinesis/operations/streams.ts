/**
 * Stream control plane: CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams,
 * ListShards, Increase/DecreaseStreamRetentionPeriod, DescribeLimits.
 */
import { AwsServiceError } from '../../service';
import { ACCOUNT, invalidArgument, limitExceeded, streamExists, streamNotActive, streamNotFound } from '../errors';
import { splitHashSpace } from '../hash';
import { LIMITS } from '../limits';
import { sequenceNumber, shardIndexOf, startingSequenceNumber } from '../sequence';
import { ShardLog } from '../shard-log';
import { type KinesisState, num, seconds, str, timestampMs } from '../state';
import { Shard, Stream, type StreamMode } from '../store';

type Input = Record<string, unknown>;

export function openShardCount(state: KinesisState): number {
  let total = 0;
  for (const s of state.streams.values()) total += s.open.length;
  return total;
}

export function createStream(state: KinesisState, input: Input): Record<string, never> {
  const name = str(input, 'StreamName')!;
  const modeDetails = input['StreamModeDetails'] as { StreamMode?: StreamMode } | undefined;
  const shardCount = num(input, 'ShardCount');
  const mode: StreamMode = modeDetails?.StreamMode ?? (shardCount === undefined ? 'ON_DEMAND' : 'PROVISIONED');
  if (mode === 'PROVISIONED' && shardCount === undefined) {
    throw invalidArgument('ShardCount must be specified for a stream in PROVISIONED mode.');
  }
  if (mode === 'ON_DEMAND' && shardCount !== undefined) {
    throw invalidArgument('ShardCount must not be specified for a stream in ON_DEMAND mode.');
  }
  if (state.streams.has(name)) throw streamExists(name);
  const count = shardCount ?? LIMITS.onDemandShards;
  if (state.opts.limits) {
    const current = openShardCount(state);
    if (current + count > state.opts.shardLimit) {
      throw limitExceeded(
        `This request would exceed the shard limit for the account ${ACCOUNT} in ${state.opts.region}. ` +
          `Current shard count for the account: ${current}. Limit: ${state.opts.shardLimit}. Number of additional ` +
          `shards that would have resulted from this request: ${count}. Refer to the AWS Service Limits page ` +
          '(https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to ' +
          'request higher limits.',
      );
    }
    if (mode === 'ON_DEMAND') {
      const onDemand = [...state.streams.values()].filter((s) => s.mode === 'ON_DEMAND').length;
      if (onDemand >= LIMITS.onDemandStreamsPerAccount) {
        throw limitExceeded(
          `This request would exceed the limit of ${LIMITS.onDemandStreamsPerAccount} ON_DEMAND streams for the account ${ACCOUNT} in ${state.opts.region}.`,
        );
      }
    }
  }
  const now = state.now();
  const stream = new Stream(name, state.arnOf(name), now, mode);
  stream.shards = splitHashSpace(count).map((r, i) => new Shard(i, r.start, r.end, now, new ShardLog(), now));
  stream.refreshOpen();
  const maxKiB = num(input, 'MaxRecordSizeInKiB');
  if (maxKiB !== undefined) stream.maxRecordKiB = maxKiB;
  const tags = input['Tags'] as Record<string, string> | undefined;
  for (const [k, v] of Object.entries(tags ?? {})) stream.tags.set(k, v);
  state.streams.set(name, stream);
  stream.timer = state.later(state.opts.createDelayMs, () => {
    if (stream.status === 'CREATING') stream.status = 'ACTIVE';
  });
  state.touch();
  return {};
}

export function deleteStream(state: KinesisState, input: Input): Record<string, never> {
  const stream = state.find(input);
  if (stream.status === 'DELETING') return {};
  if (stream.status === 'CREATING') throw streamNotActive(stream.name, stream.status);
  if (stream.consumers.size > 0 && input['EnforceConsumerDeletion'] !== true) {
    throw new AwsServiceError(
      'ResourceInUseException',
      `Stream ${stream.name} under account ${ACCOUNT} has registered consumers. Set EnforceConsumerDeletion to true to delete it with its consumers.`,
    );
  }
  stream.status = 'DELETING';
  state.later(state.opts.createDelayMs, () => {
    if (state.streams.get(stream.name) === stream) state.streams.delete(stream.name);
  });
  state.touch();
  return {};
}

export function shardShape(shard: Shard): Record<string, unknown> {
  const range: Record<string, string> = { StartingSequenceNumber: startingSequenceNumber(shard.prefix) };
  if (shard.closed) range['EndingSequenceNumber'] = sequenceNumber(shard.prefix, shard.log.next - 1);
  return {
    ShardId: shard.id,
    ...(shard.parentShardId !== undefined ? { ParentShardId: shard.parentShardId } : {}),
    ...(shard.adjacentParentShardId !== undefined ? { AdjacentParentShardId: shard.adjacentParentShardId } : {}),
    HashKeyRange: { StartingHashKey: shard.startHash.toString(), EndingHashKey: shard.endHash.toString() },
    SequenceNumberRange: range,
  };
}

/** The EnhancedMonitoring, EncryptionType and KeyId members of stream descriptions. */
export function monitoringAndEncryption(stream: Stream): Record<string, unknown> {
  return {
    EnhancedMonitoring: [{ ShardLevelMetrics: [...stream.shardLevelMetrics] }],
    EncryptionType: stream.encryption.type,
    ...(stream.encryption.type === 'KMS' ? { KeyId: stream.encryption.keyId } : {}),
  };
}

function modeDetails(stream: Stream): { StreamMode: StreamMode } {
  return { StreamMode: stream.mode };
}

export function describeStream(state: KinesisState, input: Input): unknown {
  const stream = state.find(input);
  const limit = num(input, 'Limit') ?? 100;
  const after = str(input, 'ExclusiveStartShardId');
  const afterIndex = after === undefined ? -1 : (shardIndexOf(after) ?? -1);
  const shards = stream.shards.filter((s) => s.index > afterIndex);
  return {
    StreamDescription: {
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: stream.status,
      StreamModeDetails: modeDetails(stream),
      Shards: shards.slice(0, limit).map(shardShape),
      HasMoreShards: shards.length > limit,
      RetentionPeriodHours: stream.retentionHours,
      StreamCreationTimestamp: seconds(stream.createdMs),
      ...monitoringAndEncryption(stream),
    },
  };
}

export function describeStreamSummary(state: KinesisState, input: Input): unknown {
  const stream = state.find(input);
  return {
    StreamDescriptionSummary: {
      StreamName: stream.name,
      StreamARN: stream.arn,
      StreamStatus: stream.status,
      StreamModeDetails: modeDetails(stream),
      RetentionPeriodHours: stream.retentionHours,
      StreamCreationTimestamp: seconds(stream.createdMs),
      ...monitoringAndEncryption(stream),
      OpenShardCount: stream.open.length,
      ConsumerCount: stream.consumers.size,
      MaxRecordSizeInKiB: stream.maxRecordKiB,
    },
  };
}

function token(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

function untoken(value: string, what: string): string {
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  if (decoded === '' || token(decoded) !== value) throw invalidArgument(`Invalid ${what}: ${value}`);
  return decoded;
}

export function listStreams(state: KinesisState, input: Input): unknown {
  const limit = num(input, 'Limit') ?? 100;
  const next = str(input, 'NextToken');
  const after = next !== undefined ? untoken(next, 'NextToken') : str(input, 'ExclusiveStartStreamName');
  const names = [...state.streams.keys()].sort().filter((n) => after === undefined || n > after);
  const page = names.slice(0, limit);
  const more = names.length > limit;
  return {
    StreamNames: page,
    HasMoreStreams: more,
    ...(more ? { NextToken: token(page[page.length - 1]!) } : {}),
    StreamSummaries: page.map((n) => {
      const s = state.streams.get(n)!;
      return {
        StreamName: s.name,
        StreamARN: s.arn,
        StreamStatus: s.status,
        StreamModeDetails: modeDetails(s),
        StreamCreationTimestamp: seconds(s.createdMs),
      };
    }),
  };
}

export function listShards(state: KinesisState, input: Input): unknown {
  const next = str(input, 'NextToken');
  let stream: Stream;
  let afterIndex = -1;
  if (next !== undefined) {
    if (input['StreamName'] !== undefined || input['StreamARN'] !== undefined) {
      throw invalidArgument('NextToken and StreamName cannot be provided together.');
    }
    const [name, created, last] = untoken(next, 'NextToken').split('|');
    stream = state.find({ StreamName: name });
    if (String(stream.createdMs) !== created) throw invalidArgument('NextToken has expired or is invalid.');
    afterIndex = Number(last);
  } else {
    if (input['StreamName'] === undefined && input['StreamARN'] === undefined) {
      throw invalidArgument('Either NextToken or StreamName should be provided.');
    }
    stream = state.find(input);
    const after = str(input, 'ExclusiveStartShardId');
    if (after !== undefined) afterIndex = shardIndexOf(after) ?? -1;
  }
  const created = timestampMs(input['StreamCreationTimestamp']);
  if (created !== undefined && Math.floor(created / 1000) !== Math.floor(stream.createdMs / 1000)) {
    throw streamNotFound(stream.name);
  }
  const filter = input['ShardFilter'] as { Type?: string; ShardId?: string } | undefined;
  if (filter?.Type === 'AFTER_SHARD_ID') {
    if (filter.ShardId === undefined) throw invalidArgument('ShardId must be specified with AFTER_SHARD_ID.');
    afterIndex = Math.max(afterIndex, shardIndexOf(filter.ShardId) ?? -1);
  }
  const onlyOpen = filter?.Type === 'AT_LATEST';
  const limit = num(input, 'MaxResults') ?? 1000;
  const shards = stream.shards.filter((s) => s.index > afterIndex && !(onlyOpen && s.closed));
  const page = shards.slice(0, limit);
  const more = shards.length > limit;
  return {
    Shards: page.map(shardShape),
    ...(more ? { NextToken: token(`${stream.name}|${stream.createdMs}|${page[page.length - 1]!.index}`) } : {}),
  };
}

export function increaseRetention(state: KinesisState, input: Input): Record<string, never> {
  const stream = state.find(input);
  const hours = num(input, 'RetentionPeriodHours')!;
  if (stream.status !== 'ACTIVE') throw streamNotActive(stream.name, stream.status);
  if (hours > LIMITS.maxRetentionHours) {
    throw invalidArgument(
      `Maximum allowed retention period is ${LIMITS.maxRetentionHours} hours. Requested retention period (${hours} hours) is too long.`,
    );
  }
  if (hours < stream.retentionHours) {
    throw invalidArgument(
      `Requested retention period (${hours} hours) for stream ${stream.name} can not be shorter than existing retention period (${stream.retentionHours} hours). Use DecreaseRetentionPeriod API.`,
    );
  }
  stream.retentionHours = hours;
  state.touch();
  return {};
}

export function decreaseRetention(state: KinesisState, input: Input): Record<string, never> {
  const stream = state.find(input);
  const hours = num(input, 'RetentionPeriodHours')!;
  if (stream.status !== 'ACTIVE') throw streamNotActive(stream.name, stream.status);
  if (hours < LIMITS.minRetentionHours) {
    throw invalidArgument(
      `Minimum allowed retention period is ${LIMITS.minRetentionHours} hours. Requested retention period (${hours} hours) is too short.`,
    );
  }
  if (hours > stream.retentionHours) {
    throw invalidArgument(
      `Requested retention period (${hours} hours) for stream ${stream.name} can not be longer than existing retention period (${stream.retentionHours} hours). Use IncreaseRetentionPeriod API.`,
    );
  }
  stream.retentionHours = hours;
  state.touch();
  return {};
}

export function describeLimits(state: KinesisState): unknown {
  const streams = [...state.streams.values()];
  return {
    ShardLimit: state.opts.shardLimit,
    OpenShardCount: openShardCount(state),
    OnDemandStreamCount: streams.filter((s) => s.mode === 'ON_DEMAND').length,
    OnDemandStreamCountLimit: LIMITS.onDemandStreamsPerAccount,
  };
}
