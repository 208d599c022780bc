/** Kinesis streams and stream consumers, made in the Kinesis twin through its own operations. */
import { type DeployContext, generatedName, type Made, str } from '../context';
import { DeployError } from '../template';
import { type HeldResource, type ResourceType, replaces } from './types';

/** How long a stream may take to become ACTIVE, on the twin's Clock. */
const STREAM_ACTIVE_TIMEOUT_MS = 60_000;
const STREAM_POLL_MS = 10;
const DEFAULT_RETENTION_HOURS = 24;

type Summary = { StreamStatus: string; StreamARN: string; OpenShardCount: number; RetentionPeriodHours: number };

async function summary(ctx: DeployContext, name: string): Promise<Summary> {
  const out = (await ctx.target.kinesis.handle('DescribeStreamSummary', { StreamName: name }, ctx.request)) as {
    StreamDescriptionSummary: Summary;
  };
  return out.StreamDescriptionSummary;
}

async function untilActive(ctx: DeployContext, name: string): Promise<Summary> {
  const deadline = ctx.clock.now() + STREAM_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const s = await summary(ctx, name);
    if (s.StreamStatus === 'ACTIVE') return s;
    if (ctx.clock.now() > deadline)
      throw new DeployError(`Stream ${name} did not become ACTIVE within ${STREAM_ACTIVE_TIMEOUT_MS / 1000} s`);
    await ctx.clock.sleep(STREAM_POLL_MS);
  }
}

async function setRetention(ctx: DeployContext, name: string, from: number, to: number): Promise<void> {
  if (from === to) return;
  const operation = to > from ? 'IncreaseStreamRetentionPeriod' : 'DecreaseStreamRetentionPeriod';
  await ctx.target.kinesis.handle(operation, { StreamName: name, RetentionPeriodHours: to }, ctx.request);
  await untilActive(ctx, name);
}

async function createStream(ctx: DeployContext, id: string, p: Record<string, unknown>): Promise<Made> {
  const name = str(p['Name']) ?? generatedName(ctx, id, 128);
  const input: Record<string, unknown> = { StreamName: name };
  const mode = (p['StreamModeDetails'] as { StreamMode?: string } | undefined)?.StreamMode;
  if (mode) input['StreamModeDetails'] = { StreamMode: mode };
  if (mode !== 'ON_DEMAND') input['ShardCount'] = Number(p['ShardCount'] ?? 1);
  try {
    await ctx.target.kinesis.handle('CreateStream', input, ctx.request);
  } catch (error) {
    // a twin that keeps its data (dataDir) already has the stream from the last deploy
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  const s = await untilActive(ctx, name);
  if (p['RetentionPeriodHours'] !== undefined)
    await setRetention(ctx, name, s.RetentionPeriodHours, Number(p['RetentionPeriodHours']));
  return { physicalId: name, attributes: { Arn: s.StreamARN } };
}

async function updateStream(
  ctx: DeployContext,
  held: HeldResource,
  p: Record<string, unknown>,
): Promise<Made | undefined> {
  if (replaces(held.properties, p, ['Name', 'StreamModeDetails'])) return undefined;
  const name = held.physicalId;
  const before = await summary(ctx, name);
  const shards = Number(p['ShardCount'] ?? 1);
  if (!p['StreamModeDetails'] && shards !== before.OpenShardCount) {
    await ctx.target.kinesis.handle(
      'UpdateShardCount',
      { StreamName: name, TargetShardCount: shards, ScalingType: 'UNIFORM_SCALING' },
      ctx.request,
    );
    await untilActive(ctx, name);
  }
  await setRetention(
    ctx,
    name,
    before.RetentionPeriodHours,
    Number(p['RetentionPeriodHours'] ?? DEFAULT_RETENTION_HOURS),
  );
  return { physicalId: name, attributes: held.attributes };
}

async function deleteStream(ctx: DeployContext, held: HeldResource): Promise<void> {
  await gone(
    ctx.target.kinesis.handle(
      'DeleteStream',
      { StreamName: held.physicalId, EnforceConsumerDeletion: true },
      ctx.request,
    ),
  );
}

async function createConsumer(ctx: DeployContext, _id: string, p: Record<string, unknown>): Promise<Made> {
  const out = (await ctx.target.kinesis.handle(
    'RegisterStreamConsumer',
    { StreamARN: p['StreamARN'], ConsumerName: p['ConsumerName'] },
    ctx.request,
  )) as { Consumer: { ConsumerARN: string; ConsumerName: string; ConsumerCreationTimestamp: number } };
  return {
    physicalId: out.Consumer.ConsumerARN,
    attributes: {
      ConsumerARN: out.Consumer.ConsumerARN,
      ConsumerName: out.Consumer.ConsumerName,
      ConsumerStatus: 'ACTIVE',
      StreamARN: p['StreamARN'],
      ConsumerCreationTimestamp: String(out.Consumer.ConsumerCreationTimestamp),
    },
  };
}

async function deleteConsumer(ctx: DeployContext, held: HeldResource): Promise<void> {
  await gone(ctx.target.kinesis.handle('DeregisterStreamConsumer', { ConsumerARN: held.physicalId }, ctx.request));
}

/** A delete of something already gone succeeds, as CloudFormation's does. */
export async function gone(work: Promise<unknown> | unknown): Promise<void> {
  try {
    await work;
  } catch (error) {
    if ((error as { name?: string }).name !== 'ResourceNotFoundException') throw error;
  }
}

export const KINESIS_TYPES: Record<string, ResourceType> = {
  'AWS::Kinesis::Stream': { live: true, create: createStream, update: updateStream, delete: deleteStream },
  'AWS::Kinesis::StreamConsumer': { live: true, create: createConsumer, delete: deleteConsumer },
};
