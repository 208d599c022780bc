/**
 * Tags: AddTagsToStream, ListTagsForStream, RemoveTagsFromStream, and the newer resource forms TagResource,
 * UntagResource, ListTagsForResource (on stream ARNs).
 */
import { parseStreamArn } from '../../../src/arn';
import { ACCOUNT, invalidArgument, streamNotFound } from '../errors';
import { LIMITS } from '../limits';
import { type KinesisState, num, str } from '../state';
import type { Stream } from '../store';

type Input = Record<string, unknown>;

function addTags(state: KinesisState, stream: Stream, tags: Record<string, string>): void {
  const keys = new Set([...stream.tags.keys(), ...Object.keys(tags)]);
  if (keys.size > LIMITS.tagsPerStream) {
    throw invalidArgument(
      `Failed to add tags to stream ${stream.name} under account ${ACCOUNT} because a given stream cannot have more than ${LIMITS.tagsPerStream} tags associated with it.`,
    );
  }
  for (const [k, v] of Object.entries(tags)) stream.tags.set(k, v);
  state.touch();
}

function byResource(state: KinesisState, input: Input): Stream {
  const arn = str(input, 'ResourceARN')!;
  // a consumer's ARN passes the model's pattern, but the twin tags streams only
  const parts = parseStreamArn(arn);
  if (parts === undefined || parts.consumer !== undefined) throw invalidArgument(`Invalid ResourceARN: ${arn}`);
  const stream = state.streams.get(parts.streamName);
  if (!stream) throw streamNotFound(parts.streamName);
  return stream;
}

export function addTagsToStream(state: KinesisState, input: Input): Record<string, never> {
  addTags(state, state.find(input), input['Tags'] as Record<string, string>);
  return {};
}

export function removeTagsFromStream(state: KinesisState, input: Input): Record<string, never> {
  const stream = state.find(input);
  for (const k of input['TagKeys'] as string[]) stream.tags.delete(k);
  state.touch();
  return {};
}

export function listTagsForStream(state: KinesisState, input: Input): unknown {
  const stream = state.find(input);
  const after = str(input, 'ExclusiveStartTagKey');
  const limit = num(input, 'Limit') ?? 50;
  const keys = [...stream.tags.keys()].sort().filter((k) => after === undefined || k > after);
  return {
    Tags: keys.slice(0, limit).map((k) => ({ Key: k, Value: stream.tags.get(k)! })),
    HasMoreTags: keys.length > limit,
  };
}

export function tagResource(state: KinesisState, input: Input): Record<string, never> {
  addTags(state, byResource(state, input), input['Tags'] as Record<string, string>);
  return {};
}

export function untagResource(state: KinesisState, input: Input): Record<string, never> {
  const stream = byResource(state, input);
  for (const k of input['TagKeys'] as string[]) stream.tags.delete(k);
  state.touch();
  return {};
}

export function listTagsForResource(state: KinesisState, input: Input): unknown {
  const stream = byResource(state, input);
  return { Tags: [...stream.tags.keys()].sort().map((k) => ({ Key: k, Value: stream.tags.get(k)! })) };
}
