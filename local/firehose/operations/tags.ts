/** TagDeliveryStream, UntagDeliveryStream, ListTagsForDeliveryStream. */
import type {
  ListTagsForDeliveryStreamInput,
  ListTagsForDeliveryStreamOutput,
  TagDeliveryStreamInput,
  UntagDeliveryStreamInput,
} from '@aws-sdk/client-firehose';
import type { Answer } from '../../sdk-shapes';
import { errors } from '../errors';
import { LIMITS } from '../limits';
import type { OperationContext } from './context';

export function tagDeliveryStream(ctx: OperationContext, input: TagDeliveryStreamInput): Record<string, never> {
  const stream = ctx.store.find(input.DeliveryStreamName!);
  const tags = new Map(stream.tags.map((t) => [t.Key!, t.Value]));
  for (const t of input.Tags ?? []) tags.set(t.Key!, t.Value);
  if (tags.size > LIMITS.tagsPerStream)
    throw errors.limit(`A Firehose stream cannot have more than ${LIMITS.tagsPerStream} tags.`);
  stream.tags = [...tags].map(([Key, Value]) => (Value === undefined ? { Key } : { Key, Value }));
  ctx.store.changed(stream);
  return {};
}

export function untagDeliveryStream(ctx: OperationContext, input: UntagDeliveryStreamInput): Record<string, never> {
  const stream = ctx.store.find(input.DeliveryStreamName!);
  const drop = new Set(input.TagKeys ?? []);
  stream.tags = stream.tags.filter((t) => !drop.has(t.Key!));
  ctx.store.changed(stream);
  return {};
}

export function listTagsForDeliveryStream(
  ctx: OperationContext,
  input: ListTagsForDeliveryStreamInput,
): Answer<ListTagsForDeliveryStreamOutput> {
  const stream = ctx.store.find(input.DeliveryStreamName!);
  const after = input.ExclusiveStartTagKey;
  const tags = [...stream.tags]
    .sort((a, b) => a.Key!.localeCompare(b.Key!))
    .filter((t) => after === undefined || t.Key! > after);
  const limit = input.Limit ?? 50;
  return { Tags: tags.slice(0, limit), HasMoreTags: tags.length > limit };
}
