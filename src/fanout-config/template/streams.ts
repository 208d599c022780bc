/**
 * The streams of the fan-out in the template: a resource for each stream the stack creates, a stack Output for every
 * stream (created or existing), and the ARNs the roles are scoped to.
 */
import { type FanoutDefinition, type KinesisOutput, kinesisOutputs, type StreamSource } from '../definition';
import { type Cfn, type Resource, type StackOutput, streamArn, streamResourceId } from './cfn';

/** The input's base id: `InputStream`, `InputStreamArn`. */
export const INPUT_ID = 'Input';

function streamResource(stream: StreamSource & { created: true }): Resource {
  const capacity: Record<string, Cfn> =
    stream.capacity.mode === 'ON_DEMAND'
      ? { StreamModeDetails: { StreamMode: 'ON_DEMAND' } }
      : { ShardCount: stream.capacity.shards, StreamModeDetails: { StreamMode: 'PROVISIONED' } };
  return {
    Type: 'AWS::Kinesis::Stream',
    Properties: {
      Name: stream.name,
      ...capacity,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: stream.kmsKey },
    },
  };
}

/** The ARN of an output's destination in the template. */
export function outputArn(output: KinesisOutput): Cfn {
  return streamArn(output.stream, output.id);
}

/** The input stream's ARN in the template. */
export function inputArn(definition: FanoutDefinition): Cfn {
  return streamArn(definition.input, INPUT_ID);
}

/** Stream resources (created streams only) and one stack Output per stream. */
export function streamsOfTemplate(definition: FanoutDefinition): {
  resources: Record<string, Resource>;
  outputs: Record<string, StackOutput>;
} {
  const resources: Record<string, Resource> = {};
  const outputs: Record<string, StackOutput> = {};
  const add = (stream: StreamSource, id: string, description: string): void => {
    if (stream.created) resources[streamResourceId(id)] = streamResource(stream);
    outputs[`${streamResourceId(id)}Arn`] = {
      Description: stream.created ? description : `${description} (an existing stream)`,
      Value: streamArn(stream, id),
    };
  };
  add(definition.input, INPUT_ID, 'The input stream the fan-out reads');
  for (const output of kinesisOutputs(definition))
    add(output.stream, output.id, `Output stream of ${output.sqlStream}`);
  return { resources, outputs };
}
