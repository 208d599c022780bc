/**
 * The streaming source of an application: AddApplicationInput, Add/DeleteApplicationInputProcessingConfiguration,
 * the input description the API returns, and what UpdateApplication's InputUpdates change.
 */
import type * as Api from '@aws-sdk/client-kinesis-analytics';
import type { RequestOf, ResponseOf, Validated } from '../api';
import { invalidArgument } from '../errors';
import { isKinesisStreamArn } from '../kinesis-port';
import { LIMITS } from '../limits';
import type { ApplicationState, InputDescription } from '../state';
import {
  bumpVersion,
  checkCode,
  findById,
  modifiable,
  nextId,
  type OperationContext,
  pickArnRole,
  updatedArnRole,
} from './context';

/** In-application stream names an input creates: `<prefix>_001` ... one per parallelism unit. */
export function inAppStreamNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}_${String(i + 1).padStart(3, '0')}`);
}

export function toInputDescription(input: Validated<Api.Input>, id: string): InputDescription {
  const streams = input.KinesisStreamsInput;
  const firehose = input.KinesisFirehoseInput;
  if ((streams ? 1 : 0) + (firehose ? 1 : 0) !== 1) {
    throw invalidArgument('An input needs exactly one of KinesisStreamsInput or KinesisFirehoseInput');
  }
  if (streams && !isKinesisStreamArn(streams.ResourceARN)) {
    throw invalidArgument(`KinesisStreamsInput.ResourceARN ${streams.ResourceARN} is not a Kinesis stream ARN`);
  }
  const count = input.InputParallelism?.Count ?? 1;
  const lambda = input.InputProcessingConfiguration?.InputLambdaProcessor;
  return {
    InputId: id,
    NamePrefix: input.NamePrefix,
    InAppStreamNames: inAppStreamNames(input.NamePrefix, count),
    ...(lambda
      ? { InputProcessingConfigurationDescription: { InputLambdaProcessorDescription: pickArnRole(lambda) } }
      : {}),
    ...(streams ? { KinesisStreamsInputDescription: pickArnRole(streams) } : {}),
    ...(firehose ? { KinesisFirehoseInputDescription: pickArnRole(firehose) } : {}),
    // the service reports the encoding it reads, UTF-8, whether or not the request named it
    InputSchema: { RecordEncoding: 'UTF-8', ...input.InputSchema },
    InputParallelism: { Count: count },
    InputStartingPositionConfiguration: {},
  };
}

export function addApplicationInput(
  ctx: OperationContext,
  i: RequestOf<'AddApplicationInput'>,
): ResponseOf<'AddApplicationInput'> {
  const app = modifiable(ctx, i, 'AddApplicationInput');
  if (app.inputs.length >= LIMITS.inputs) {
    throw invalidArgument(`Application ${app.name} already has a streaming source (at most ${LIMITS.inputs})`);
  }
  const next = structuredClone(app);
  next.inputs.push(toInputDescription(i.Input, nextId(app, app.inputs, 'InputId', true)));
  checkCode(ctx, next);
  app.inputs = next.inputs;
  bumpVersion(ctx, app);
  return {};
}

export function addInputProcessingConfiguration(
  ctx: OperationContext,
  i: RequestOf<'AddApplicationInputProcessingConfiguration'>,
): ResponseOf<'AddApplicationInputProcessingConfiguration'> {
  const app = modifiable(ctx, i, 'AddApplicationInputProcessingConfiguration');
  const input = findById(app.inputs, 'InputId', i.InputId, 'Input');
  if (input.InputProcessingConfigurationDescription) {
    throw invalidArgument(`Input ${input.InputId} already has an input processing configuration`);
  }
  input.InputProcessingConfigurationDescription = {
    InputLambdaProcessorDescription: pickArnRole(i.InputProcessingConfiguration.InputLambdaProcessor),
  };
  bumpVersion(ctx, app);
  return {};
}

export function deleteInputProcessingConfiguration(
  ctx: OperationContext,
  i: RequestOf<'DeleteApplicationInputProcessingConfiguration'>,
): ResponseOf<'DeleteApplicationInputProcessingConfiguration'> {
  const app = modifiable(ctx, i, 'DeleteApplicationInputProcessingConfiguration');
  const input = findById(app.inputs, 'InputId', i.InputId, 'Input');
  delete input.InputProcessingConfigurationDescription;
  bumpVersion(ctx, app);
  return {};
}

/** Applies one of UpdateApplication's InputUpdates to (a copy of) the application. */
export function applyInputUpdate(app: ApplicationState, u: Validated<Api.InputUpdate>): void {
  const input = findById(app.inputs, 'InputId', u.InputId, 'Input');
  if (u.NamePrefixUpdate !== undefined) input.NamePrefix = u.NamePrefixUpdate;
  const count = u.InputParallelismUpdate?.CountUpdate;
  if (count !== undefined) input.InputParallelism = { Count: count };
  input.InAppStreamNames = inAppStreamNames(input.NamePrefix, input.InputParallelism.Count);
  if (u.KinesisStreamsInputUpdate) {
    input.KinesisStreamsInputDescription = updatedArnRole(
      input.KinesisStreamsInputDescription,
      u.KinesisStreamsInputUpdate,
    );
    if (!isKinesisStreamArn(input.KinesisStreamsInputDescription.ResourceARN)) {
      throw invalidArgument('KinesisStreamsInputUpdate needs a Kinesis stream ARN');
    }
    delete input.KinesisFirehoseInputDescription;
  }
  if (u.KinesisFirehoseInputUpdate) {
    input.KinesisFirehoseInputDescription = updatedArnRole(
      input.KinesisFirehoseInputDescription,
      u.KinesisFirehoseInputUpdate,
    );
    delete input.KinesisStreamsInputDescription;
  }
  const processing = u.InputProcessingConfigurationUpdate?.InputLambdaProcessorUpdate;
  if (processing) {
    const current = input.InputProcessingConfigurationDescription?.InputLambdaProcessorDescription;
    input.InputProcessingConfigurationDescription = {
      InputLambdaProcessorDescription: updatedArnRole(current, processing),
    };
  }
  const schema = u.InputSchemaUpdate;
  if (schema) {
    input.InputSchema = {
      ...input.InputSchema,
      ...(schema.RecordFormatUpdate !== undefined ? { RecordFormat: schema.RecordFormatUpdate } : {}),
      ...(schema.RecordEncodingUpdate !== undefined ? { RecordEncoding: schema.RecordEncodingUpdate } : {}),
      ...(schema.RecordColumnUpdates !== undefined ? { RecordColumns: schema.RecordColumnUpdates } : {}),
    };
  }
}
