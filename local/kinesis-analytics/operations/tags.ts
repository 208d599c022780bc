/** Tags of an application, by its ARN: TagResource, UntagResource, ListTagsForResource; at most 50 tags. */
import type { RequestOf, ResponseOf } from '../api';
import { invalidArgument, tooManyTags } from '../errors';
import { LIMITS } from '../limits';
import type { Tag } from '../state';
import { findApplicationByArn, type OperationContext } from './context';

/** The tags with one entry per key, the last value winning. */
export function dedupeTags(tags: readonly Tag[]): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const tag of tags)
    byKey.set(tag.Key, tag.Value === undefined ? { Key: tag.Key } : { Key: tag.Key, Value: tag.Value });
  return [...byKey.values()];
}

export function checkTags(tags: readonly Tag[]): void {
  if (tags.length > LIMITS.tags) {
    throw tooManyTags(`An application has at most ${LIMITS.tags} tags; this request would make ${tags.length}`);
  }
  const reserved = tags.find((t) => t.Key.toLowerCase().startsWith('aws:'));
  if (reserved) throw invalidArgument(`Tag key ${reserved.Key} uses the reserved prefix aws:`);
}

export function tagResource(ctx: OperationContext, i: RequestOf<'TagResource'>): ResponseOf<'TagResource'> {
  const app = findApplicationByArn(ctx, i.ResourceARN);
  const tags = dedupeTags([...app.tags, ...i.Tags]);
  checkTags(tags);
  app.tags = tags;
  ctx.store.put(app);
  return {};
}

export function untagResource(ctx: OperationContext, i: RequestOf<'UntagResource'>): ResponseOf<'UntagResource'> {
  const app = findApplicationByArn(ctx, i.ResourceARN);
  const keys = new Set(i.TagKeys);
  app.tags = app.tags.filter((t) => !keys.has(t.Key));
  ctx.store.put(app);
  return {};
}

export function listTagsForResource(
  ctx: OperationContext,
  i: RequestOf<'ListTagsForResource'>,
): ResponseOf<'ListTagsForResource'> {
  return { Tags: findApplicationByArn(ctx, i.ResourceARN).tags };
}
