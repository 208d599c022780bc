/** Buckets, bucket policies (S3 twin) and log groups (CloudWatch Logs twin); recorded only when the twin has none. */
import { type DeployContext, generatedName, type Made, str } from '../context';
import { bucketAttributes } from './recorded';
import type { HeldResource, ResourceType } from './types';

function createBucket(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const name = str(p['BucketName']) ?? generatedName(ctx, id).toLowerCase();
  // a twin that keeps its data (dataDir) already has the bucket from the last deploy
  if (ctx.target.s3 && !ctx.target.s3.hasBucket(name)) ctx.target.s3.createBucket(name, ctx.region);
  return { physicalId: name, attributes: bucketAttributes(name, ctx.region) };
}

function policyOf(p: Record<string, unknown>): string | undefined {
  const doc = p['PolicyDocument'];
  return doc === undefined ? undefined : typeof doc === 'string' ? doc : JSON.stringify(doc);
}

function putPolicy(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  ctx.target.s3?.setBucketPolicy(String(p['Bucket']), policyOf(p));
  return { physicalId: generatedName(ctx, id), attributes: {} };
}

function createLogGroup(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const name = str(p['LogGroupName']) ?? generatedName(ctx, id, 512);
  ctx.target.logs?.ensureGroup(name, p['RetentionInDays'] === undefined ? undefined : Number(p['RetentionInDays']));
  return { physicalId: name, attributes: { Arn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}:*` } };
}

export const STORAGE_TYPES: Record<string, ResourceType> = {
  'AWS::S3::Bucket': {
    live: true,
    create: createBucket,
    update: async (ctx, held: HeldResource, p) =>
      str(p['BucketName']) === str(held.properties['BucketName']) ? createBucket(ctx, held.logicalId, p) : undefined,
    // S3 refuses to delete a bucket that still holds objects (BucketNotEmpty), and so does CloudFormation
    delete: (ctx, held) => {
      if (ctx.target.s3?.hasBucket(held.physicalId)) ctx.target.s3.deleteBucket(held.physicalId);
    },
  },
  'AWS::S3::BucketPolicy': {
    live: true,
    create: putPolicy,
    update: async (ctx, held, p) => putPolicy(ctx, held.logicalId, p),
    delete: (ctx, held) => {
      const bucket = String(held.properties['Bucket']);
      if (ctx.target.s3?.hasBucket(bucket)) ctx.target.s3.setBucketPolicy(bucket, undefined);
    },
  },
  'AWS::Logs::LogGroup': {
    live: true,
    create: createLogGroup,
    update: async (ctx, held, p) =>
      str(p['LogGroupName']) === str(held.properties['LogGroupName'])
        ? createLogGroup(ctx, held.logicalId, p)
        : undefined,
    delete: (ctx, held) => ctx.target.logs?.deleteGroup(held.physicalId),
  },
};
