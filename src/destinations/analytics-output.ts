/**
 * A Kinesis Analytics application's output of any destination kind, for the kinesis-analytics engine: which member of
 * Output / OutputUpdate / OutputDescription names the destination of an ARN (KinesisStreamsOutput,
 * KinesisFirehoseOutput or LambdaOutput).
 */
import type { Output, OutputDescription, OutputUpdate } from '@aws-sdk/client-kinesis-analytics';
import { destinationKindOf } from './arn';

type Target = { ResourceARN: string; RoleARN: string };

function kindOf(arn: string): 'kinesis' | 'firehose' | 'lambda' {
  const kind = destinationKindOf(arn);
  if (!kind) throw new RangeError(`${arn} is not a Kinesis stream, Firehose delivery stream or Lambda function ARN`);
  return kind;
}

/** The destination member of an Output for `arn`, written with `roleArn`. */
export function analyticsOutputTarget(
  arn: string,
  roleArn: string,
): Pick<Output, 'KinesisStreamsOutput' | 'KinesisFirehoseOutput' | 'LambdaOutput'> {
  const target: Target = { ResourceARN: arn, RoleARN: roleArn };
  const kind = kindOf(arn);
  return kind === 'kinesis'
    ? { KinesisStreamsOutput: target }
    : kind === 'firehose'
      ? { KinesisFirehoseOutput: target }
      : { LambdaOutput: target };
}

/** The destination member of an OutputUpdate that points an output at `arn`. */
export function analyticsOutputUpdate(
  arn: string,
  roleArn: string,
): Pick<OutputUpdate, 'KinesisStreamsOutputUpdate' | 'KinesisFirehoseOutputUpdate' | 'LambdaOutputUpdate'> {
  const update = { ResourceARNUpdate: arn, RoleARNUpdate: roleArn };
  const kind = kindOf(arn);
  return kind === 'kinesis'
    ? { KinesisStreamsOutputUpdate: update }
    : kind === 'firehose'
      ? { KinesisFirehoseOutputUpdate: update }
      : { LambdaOutputUpdate: update };
}

/** The destination a described output names, whatever its kind. */
export function describedTarget(described: OutputDescription): { arn?: string; role?: string } {
  const target =
    described.KinesisStreamsOutputDescription ??
    described.KinesisFirehoseOutputDescription ??
    described.LambdaOutputDescription;
  return {
    ...(target?.ResourceARN ? { arn: target.ResourceARN } : {}),
    ...(target?.RoleARN ? { role: target.RoleARN } : {}),
  };
}
