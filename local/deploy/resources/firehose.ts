/**
 * Firehose delivery streams (AWS::KinesisFirehose::DeliveryStream), made in the Firehose twin with CreateDeliveryStream:
 * the resource's properties are the API's (DeliveryStreamName, DeliveryStreamType, ExtendedS3DestinationConfiguration
 * or S3DestinationConfiguration, Tags). Ref is the name; GetAtt Arn the ARN. Any change replaces the stream.
 */
import type { CreateDeliveryStreamInput } from '@aws-sdk/client-firehose';
import { type DeployContext, generatedName, type Made, str } from '../context';
import { DeployError } from '../template';
import type { ResourceType } from './types';

/** How long a delivery stream may take to become ACTIVE, on the twin's Clock. */
const ACTIVE_TIMEOUT_MS = 120_000;
const POLL_MS = 10;

async function createDeliveryStream(ctx: DeployContext, id: string, p: Record<string, unknown>): Promise<Made> {
  const firehose = ctx.target.firehose;
  if (!firehose) throw new DeployError(`${id}: this twin runs no Firehose`);
  const name = str(p['DeliveryStreamName']) ?? generatedName(ctx, id, 64);
  const input = { ...p, DeliveryStreamName: name } as CreateDeliveryStreamInput;
  const { DeliveryStreamARN: arn } = firehose.createDeliveryStream(input);
  const deadline = ctx.clock.now() + ACTIVE_TIMEOUT_MS;
  while (
    firehose.describeDeliveryStream({ DeliveryStreamName: name }).DeliveryStreamDescription.DeliveryStreamStatus !==
    'ACTIVE'
  ) {
    if (ctx.clock.now() > deadline)
      throw new DeployError(`Delivery stream ${name} did not become ACTIVE within ${ACTIVE_TIMEOUT_MS / 1000} s`);
    await ctx.clock.sleep(POLL_MS);
  }
  return { physicalId: name, attributes: { Arn: arn } };
}

export const FIREHOSE_TYPES: Record<string, ResourceType> = {
  'AWS::KinesisFirehose::DeliveryStream': {
    live: true,
    create: createDeliveryStream,
    delete: (ctx, held) => {
      const firehose = ctx.target.firehose;
      const names = firehose?.listDeliveryStreams({ Limit: 10_000 }).DeliveryStreamNames ?? [];
      if (firehose && names.includes(held.physicalId))
        firehose.deleteDeliveryStream({ DeliveryStreamName: held.physicalId });
    },
  },
};
