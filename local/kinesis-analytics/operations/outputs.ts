/**
 * The destinations of an application: AddApplicationOutput, DeleteApplicationOutput, the output description the
 * API returns, and what UpdateApplication's OutputUpdates change. Several outputs may name the same in-application
 * stream (failover-checkpoint.md: "multiple destinations from the same in-application stream"); each gets every row.
 */
import type * as Api from '@aws-sdk/client-kinesis-analytics';
import type { RequestOf, ResponseOf, Validated } from '../api';
import { invalidArgument } from '../errors';
import { isKinesisStreamArn } from '../kinesis-port';
import { LIMITS } from '../limits';
import type { ApplicationState, ArnRole, OutputDescription } from '../state';
import {
  bumpVersion,
  findById,
  modifiable,
  nextId,
  type OperationContext,
  pickArnRole,
  updatedArnRole,
} from './context';

/** The three kinds of destination, by the member that names each in an Output and in its description. */
const KINDS = [
  ['KinesisStreamsOutput', 'KinesisStreamsOutputDescription', 'KinesisStreamsOutputUpdate'],
  ['KinesisFirehoseOutput', 'KinesisFirehoseOutputDescription', 'KinesisFirehoseOutputUpdate'],
  ['LambdaOutput', 'LambdaOutputDescription', 'LambdaOutputUpdate'],
] as const;

export function checkDestinationCount(count: number): void {
  if (count > LIMITS.destinations) {
    throw invalidArgument(
      `An application has at most ${LIMITS.destinations} destinations; this request would make ${count}`,
    );
  }
}

export function toOutputDescription(output: Validated<Api.Output>, id: string): OutputDescription {
  const given = KINDS.filter(([kind]) => output[kind] !== undefined);
  const [kind] = given;
  if (given.length !== 1 || !kind) {
    throw invalidArgument('An output needs exactly one of KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput');
  }
  const streams = output.KinesisStreamsOutput;
  if (streams && !isKinesisStreamArn(streams.ResourceARN)) {
    throw invalidArgument(`KinesisStreamsOutput.ResourceARN ${streams.ResourceARN} is not a Kinesis stream ARN`);
  }
  const [member, description] = kind;
  return {
    OutputId: id,
    Name: output.Name,
    [description]: pickArnRole(output[member] as ArnRole),
    DestinationSchema: { RecordFormatType: output.DestinationSchema.RecordFormatType },
  };
}

export function addApplicationOutput(
  ctx: OperationContext,
  i: RequestOf<'AddApplicationOutput'>,
): ResponseOf<'AddApplicationOutput'> {
  const app = modifiable(ctx, i, 'AddApplicationOutput');
  checkDestinationCount(app.outputs.length + 1);
  app.outputs.push(toOutputDescription(i.Output, nextId(app, app.outputs, 'OutputId', true)));
  bumpVersion(ctx, app);
  return {};
}

export function deleteApplicationOutput(
  ctx: OperationContext,
  i: RequestOf<'DeleteApplicationOutput'>,
): ResponseOf<'DeleteApplicationOutput'> {
  const app = modifiable(ctx, i, 'DeleteApplicationOutput');
  const output = findById(app.outputs, 'OutputId', i.OutputId, 'Output');
  app.outputs = app.outputs.filter((o) => o !== output);
  bumpVersion(ctx, app);
  return {};
}

/** Applies one of UpdateApplication's OutputUpdates to (a copy of) the application. */
export function applyOutputUpdate(app: ApplicationState, u: Validated<Api.OutputUpdate>): void {
  const output = findById(app.outputs, 'OutputId', u.OutputId, 'Output');
  if (u.NameUpdate !== undefined) output.Name = u.NameUpdate;
  if (u.DestinationSchemaUpdate)
    output.DestinationSchema = { RecordFormatType: u.DestinationSchemaUpdate.RecordFormatType };
  for (const [, description, updateKey] of KINDS) {
    const update = u[updateKey];
    if (!update) continue;
    const next = updatedArnRole(output[description], update);
    for (const [, other] of KINDS) delete output[other];
    output[description] = next;
    if (description === 'KinesisStreamsOutputDescription' && !isKinesisStreamArn(next.ResourceARN)) {
      throw invalidArgument('KinesisStreamsOutputUpdate needs a Kinesis stream ARN');
    }
  }
}
