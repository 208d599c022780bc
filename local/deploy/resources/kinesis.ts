/** Kinesis streams and stream consumers, made in the Kinesis twin through its own operations. */
import { type DeployContext, generatedName, type Made, str } from '../context';
import { DeployError } from '../template';
import type { ResourceType } from './types';

/** How long a stream may take to become ACTIVE, on the twin's Clock. */
const STREAM_ACTIVE_TIMEOUT_MS = 60_000;
const STREAM_POLL_MS = 10;

async function createStream(ctx: DeployContext, id: string, p: Record<string, unknown>): Promise<Made> {
  const kinesis = ctx.target.kinesis;
  const name = str(p['Name']) ?? generatedName(ctx, id, 128);
  const input: Record<string, unknown> = { StreamName: name };
  const mode = (p['StreamModeDetails'] as { StreamMode?: string } | undefined)?.StreamMode;
  if (mode) input['StreamModeDetails'] = { StreamMode: mode };
  if (mode !== 'ON_DEMAND') input['ShardCount'] = Number(p['ShardCount'] ?? 1);
  try {
    await kinesis.handle('CreateStream', input, ctx.request);
  } catch (error) {
    // a twin that keeps its data (dataDir) already has the stream from the last deploy
    if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
  }
  const deadline = ctx.clock.now() + STREAM_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const out = (await kinesis.handle('DescribeStreamSummary', { StreamName: name }, ctx.request)) as {
      StreamDescriptionSummary: { StreamStatus: string; StreamARN: string };
    };
    if (out.StreamDescriptionSummary.StreamStatus === 'ACTIVE')
      return { physicalId: name, attributes: { Arn: out.StreamDescriptionSummary.StreamARN } };
    if (ctx.clock.now() > deadline)
      throw new DeployError(`Stream ${name} did not become ACTIVE within ${STREAM_ACTIVE_TIMEOUT_MS / 1000} s`);
    await ctx.clock.sleep(STREAM_POLL_MS);
  }
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

export const KINESIS_TYPES: Record<string, ResourceType> = {
  'AWS::Kinesis::Stream': { live: true, create: createStream },
  'AWS::Kinesis::StreamConsumer': { live: true, create: createConsumer },
};
