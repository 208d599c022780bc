/**
 * Resharding: UpdateShardCount (UNIFORM_SCALING), SplitShard, MergeShards, and UpdateStreamMode. The stream is
 * UPDATING for the creation delay, then the parents close (they keep their records, readable to the end, where
 * GetRecords hands out ChildShards and no next iterator) and the children open.
 */
import { AwsServiceError } from '../../service';
import { ACCOUNT, invalidArgument, limitExceeded, streamNotActive } from '../errors';
import { splitHashSpace } from '../hash';
import { shardIndexOf } from '../sequence';
import { ShardLog } from '../shard-log';
import { type KinesisState, num, str } from '../state';
import { Shard, type Stream, type StreamMode } from '../store';
import { openShardCount } from './streams';

type Input = Record<string, unknown>;

function activeStream(state: KinesisState, input: Input): Stream {
  const stream = state.find(input);
  if (stream.status !== 'ACTIVE') throw streamNotActive(stream.name, stream.status);
  return stream;
}

/** Marks the stream UPDATING and applies `change` once the delay has passed. */
function update(state: KinesisState, stream: Stream, change: () => void): void {
  stream.status = 'UPDATING';
  state.later(state.opts.createDelayMs, () => {
    if (state.streams.get(stream.name) !== stream) return;
    change();
    stream.refreshOpen();
    stream.status = 'ACTIVE';
  });
  state.touch();
}

function checkShardLimit(state: KinesisState, added: number): void {
  if (!state.opts.limits || added <= 0) return;
  const current = openShardCount(state);
  if (current + added > state.opts.shardLimit) {
    throw limitExceeded(
      `This request would exceed the shard limit for the account ${ACCOUNT} in ${state.opts.region}. ` +
        `Current shard count for the account: ${current}. Limit: ${state.opts.shardLimit}. Number of additional ` +
        `shards that would have resulted from this request: ${added}.`,
    );
  }
}

function addShard(state: KinesisState, stream: Stream, start: bigint, end: bigint, parents: Shard[]): Shard {
  const now = state.now();
  const shard = new Shard(stream.shards.length, start, end, stream.createdMs, new ShardLog(), now);
  shard.parentShardId = parents[0]?.id;
  shard.adjacentParentShardId = parents[1]?.id;
  stream.shards.push(shard);
  return shard;
}

function openShard(stream: Stream, shardId: string | undefined): Shard {
  const index = shardId === undefined ? undefined : shardIndexOf(shardId);
  const shard = index === undefined ? undefined : stream.shards[index];
  if (!shard) {
    throw new AwsServiceError(
      'ResourceNotFoundException',
      `Could not find shard ${shardId} in stream ${stream.name} under account ${ACCOUNT}.`,
    );
  }
  if (shard.closed) {
    throw new AwsServiceError(
      'ResourceInUseException',
      `Shard ${shard.id} in stream ${stream.name} under account ${ACCOUNT} has already been merged or split, and thus is not eligible for merging or splitting.`,
    );
  }
  return shard;
}

export function updateShardCount(state: KinesisState, input: Input): unknown {
  const stream = activeStream(state, input);
  const target = num(input, 'TargetShardCount')!;
  const current = stream.open.length;
  if (target > current * 2) {
    throw limitExceeded(
      `UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
    );
  }
  if (target < Math.ceil(current / 2)) {
    throw limitExceeded(
      `UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${current} Target shard count: ${target}`,
    );
  }
  checkShardLimit(state, target - current);
  const parents = stream.open;
  update(state, stream, () => {
    for (const p of parents) p.closed = true;
    for (const range of splitHashSpace(target)) {
      const overlapping = parents.filter((p) => p.startHash <= range.end && p.endHash >= range.start);
      addShard(state, stream, range.start, range.end, overlapping);
    }
  });
  return { StreamName: stream.name, StreamARN: stream.arn, CurrentShardCount: current, TargetShardCount: target };
}

export function splitShard(state: KinesisState, input: Input): Record<string, never> {
  const stream = activeStream(state, input);
  const shard = openShard(stream, str(input, 'ShardToSplit'));
  const raw = str(input, 'NewStartingHashKey')!;
  const key = BigInt(raw);
  if (!(key > shard.startHash + 1n && key < shard.endHash)) {
    throw invalidArgument(
      `NewStartingHashKey ${raw} used in SplitShard() on shard ${shard.id} in stream ${stream.name} under account ${ACCOUNT} is not both greater than one plus the shard's StartingHashKey ${shard.startHash} and less than the shard's EndingHashKey ${shard.endHash}.`,
    );
  }
  checkShardLimit(state, 1);
  update(state, stream, () => {
    shard.closed = true;
    addShard(state, stream, shard.startHash, key - 1n, [shard]);
    addShard(state, stream, key, shard.endHash, [shard]);
  });
  return {};
}

export function mergeShards(state: KinesisState, input: Input): Record<string, never> {
  const stream = activeStream(state, input);
  const a = openShard(stream, str(input, 'ShardToMerge'));
  const b = openShard(stream, str(input, 'AdjacentShardToMerge'));
  if (a === b || (a.endHash + 1n !== b.startHash && b.endHash + 1n !== a.startHash)) {
    throw invalidArgument(
      `Shards ${a.id} and ${b.id} in stream ${stream.name} under account ${ACCOUNT} are not an adjacent pair of shards eligible for merging`,
    );
  }
  update(state, stream, () => {
    a.closed = true;
    b.closed = true;
    // adjacent shards: the lower one starts the merged range, the upper one ends it
    const [lower, upper] = a.startHash < b.startHash ? [a, b] : [b, a];
    addShard(state, stream, lower.startHash, upper.endHash, [a, b]);
  });
  return {};
}

export function updateStreamMode(state: KinesisState, input: Input): Record<string, never> {
  const stream = activeStream(state, { StreamARN: input['StreamARN'] });
  const mode = (input['StreamModeDetails'] as { StreamMode: StreamMode }).StreamMode;
  update(state, stream, () => {
    stream.mode = mode;
  });
  return {};
}
