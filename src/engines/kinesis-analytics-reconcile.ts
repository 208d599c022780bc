/**
 * What a Kinesis Analytics application of the fan-out should be (its input, preprocessing and outputs, built from
 * the service configuration), and bringing an existing application to it: one UpdateApplication for the code, the
 * input and changed outputs, then each other change as its own call, every call naming the application's current
 * version (each change bumps ApplicationVersionId by one). Used by the kinesis-analytics engine's `create`.
 */
import {
  AddApplicationInputCommand,
  AddApplicationOutputCommand,
  type SourceSchema as ApiSourceSchema,
  type ApplicationDetail,
  DeleteApplicationInputProcessingConfigurationCommand,
  DeleteApplicationOutputCommand,
  type Input,
  type InputDescription,
  type InputProcessingConfiguration,
  type KinesisAnalyticsClient,
  type Output,
  type OutputDescription,
  UpdateApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import type { FanoutConfig, OutputBinding } from '../config';
import { analyticsOutputTarget, analyticsOutputUpdate, describedTarget } from '../destinations/analytics-output';
import { INPUT_NAME_PREFIX } from '../streaming-sql';
import { ApplicationBusyError } from './errors';
import type { ApplicationPlan, ApplicationStatus, SourceSchema } from './types';

/** The record format of every destination: rows leave as JSON. */
const DESTINATION_FORMAT = 'JSON';

/** The application's one input: the input stream, read with the analytics role, with its schema. */
export function analyticsInput(config: FanoutConfig, schema: SourceSchema): Input {
  return {
    NamePrefix: INPUT_NAME_PREFIX,
    KinesisStreamsInput: { ResourceARN: config.inputStreamArn, RoleARN: config.analyticsRoleArn },
    ...analyticsProcessing(config),
    InputSchema: schema,
  };
}

/** The KPL preprocessor as the input's InputProcessingConfiguration (fanout.yml `input.kplAggregated: true`). */
export function analyticsProcessing(config: FanoutConfig): {
  InputProcessingConfiguration?: InputProcessingConfiguration;
} {
  const functionArn = config.kplPreprocessorArn;
  if (functionArn === undefined) return {};
  return {
    InputProcessingConfiguration: {
      InputLambdaProcessor: { ResourceARN: functionArn, RoleARN: config.analyticsRoleArn },
    },
  };
}

/** One output: an in-application stream to its destination (stream, delivery stream or function), as JSON. */
export function analyticsOutput(config: FanoutConfig, output: OutputBinding): Output {
  return {
    Name: output.sqlStream,
    ...analyticsOutputTarget(output.streamArn, config.analyticsRoleArn),
    DestinationSchema: { RecordFormatType: DESTINATION_FORMAT },
  };
}

/** A canonical string of a schema, so a described application compares equal to the schema it was created with. */
function schemaKey(schema: ApiSourceSchema | SourceSchema | undefined): string {
  if (!schema) return '';
  const format = schema.RecordFormat;
  const json = format?.MappingParameters?.JSONMappingParameters;
  const csv = format?.MappingParameters?.CSVMappingParameters;
  return JSON.stringify([
    format?.RecordFormatType ?? '',
    json?.RecordRowPath ?? null,
    csv ? [csv.RecordRowDelimiter, csv.RecordColumnDelimiter] : null,
    // Kinesis Analytics reports UTF-8 whether or not it was given; absent and UTF-8 are the same thing.
    schema.RecordEncoding ?? 'UTF-8',
    (schema.RecordColumns ?? []).map((c) => [c.Name ?? '', (c.SqlType ?? '').toUpperCase(), c.Mapping ?? null]),
  ]);
}

/** An output of an application: its in-application stream (names are upper case in the SQL) and its destination. */
function outputKey(sqlStream: string, streamArn: string): string {
  return `${sqlStream.toUpperCase()} -> ${streamArn}`;
}

function sameOutput(described: OutputDescription, wanted: OutputBinding, roleArn: string): boolean {
  return (
    describedTarget(described).arn === wanted.streamArn &&
    describedTarget(described).role === roleArn &&
    described.DestinationSchema?.RecordFormatType === DESTINATION_FORMAT
  );
}

/**
 * Brings an existing application to the wanted code, input and outputs.
 *
 * @param client - the Kinesis Analytics client
 * @param config - the service configuration (input stream, analytics role, KPL preprocessor)
 * @param detail - the application as DescribeApplication gave it
 * @param application - its plan: name and outputs
 * @param code - the SQL it should run
 * @param schema - the input schema it should read with
 * @returns whether anything changed
 * @throws ApplicationBusyError when a change is needed and the application is neither READY nor RUNNING
 */
export async function reconcileApplication(
  client: KinesisAnalyticsClient,
  config: FanoutConfig,
  detail: ApplicationDetail,
  application: ApplicationPlan,
  code: string,
  schema: SourceSchema,
): Promise<boolean> {
  const name = application.name;
  const status = detail.ApplicationStatus as ApplicationStatus;
  const roleArn = config.analyticsRoleArn;
  const input: InputDescription | undefined = detail.InputDescriptions?.[0];
  // An output is its in-application stream and its destination: one stream may feed several outputs.
  const described = new Map(
    (detail.OutputDescriptions ?? []).map((o) => [outputKey(o.Name ?? '', describedTarget(o).arn ?? ''), o]),
  );
  const wanted = new Map(application.outputs.map((o) => [outputKey(o.sqlStream, o.streamArn), o]));

  const codeChanged = detail.ApplicationCode !== code;
  const inputChanged =
    input !== undefined &&
    (input.NamePrefix !== INPUT_NAME_PREFIX ||
      input.KinesisStreamsInputDescription?.ResourceARN !== config.inputStreamArn ||
      input.KinesisStreamsInputDescription?.RoleARN !== roleArn ||
      schemaKey(input.InputSchema) !== schemaKey(schema));
  const processor = input?.InputProcessingConfigurationDescription?.InputLambdaProcessorDescription;
  const wantedProcessor = config.kplPreprocessorArn;
  const processorChanged =
    input !== undefined &&
    (processor?.ResourceARN !== wantedProcessor || (wantedProcessor !== undefined && processor?.RoleARN !== roleArn));
  // Without the setting the preprocessor goes (its own call); with it, it is set by the input update.
  const processorRemoved = processorChanged && wantedProcessor === undefined;
  const outputUpdates = [...wanted].flatMap(([key, output]) => {
    const current = described.get(key);
    return current && !sameOutput(current, output, roleArn) ? [{ current, output }] : [];
  });
  const removed = [...described].filter(([key]) => !wanted.has(key)).map(([, o]) => o);
  const added = [...wanted].filter(([key]) => !described.has(key)).map(([, o]) => o);

  const inputUpdated = inputChanged || (processorChanged && !processorRemoved);
  if (
    !codeChanged &&
    !inputUpdated &&
    !processorRemoved &&
    input &&
    !outputUpdates.length &&
    !removed.length &&
    !added.length
  ) {
    return false;
  }
  if (status !== 'READY' && status !== 'RUNNING') throw ApplicationBusyError.inStatus(name, status);

  // Every configuration change bumps ApplicationVersionId by one, and each call must name the current one.
  let version = detail.ApplicationVersionId ?? 1;
  if (codeChanged || inputUpdated || outputUpdates.length) {
    await client.send(
      new UpdateApplicationCommand({
        ApplicationName: name,
        CurrentApplicationVersionId: version++,
        ApplicationUpdate: {
          ...(codeChanged ? { ApplicationCodeUpdate: code } : {}),
          ...(inputUpdated && input
            ? {
                InputUpdates: [
                  {
                    InputId: input.InputId,
                    NamePrefixUpdate: INPUT_NAME_PREFIX,
                    KinesisStreamsInputUpdate: {
                      ResourceARNUpdate: config.inputStreamArn,
                      RoleARNUpdate: roleArn,
                    },
                    InputSchemaUpdate: {
                      RecordFormatUpdate: schema.RecordFormat,
                      RecordEncodingUpdate: schema.RecordEncoding ?? 'UTF-8',
                      RecordColumnUpdates: schema.RecordColumns,
                    },
                    ...(wantedProcessor === undefined
                      ? {}
                      : {
                          InputProcessingConfigurationUpdate: {
                            InputLambdaProcessorUpdate: {
                              ResourceARNUpdate: wantedProcessor,
                              RoleARNUpdate: roleArn,
                            },
                          },
                        }),
                  },
                ],
              }
            : {}),
          ...(outputUpdates.length
            ? {
                OutputUpdates: outputUpdates.map(({ current, output }) => ({
                  OutputId: current.OutputId,
                  ...analyticsOutputUpdate(output.streamArn, roleArn),
                  DestinationSchemaUpdate: { RecordFormatType: DESTINATION_FORMAT },
                })),
              }
            : {}),
        },
      }),
    );
  }
  if (processorRemoved && input?.InputId) {
    await client.send(
      new DeleteApplicationInputProcessingConfigurationCommand({
        ApplicationName: name,
        CurrentApplicationVersionId: version++,
        InputId: input.InputId,
      }),
    );
  }
  if (!input) {
    await client.send(
      new AddApplicationInputCommand({
        ApplicationName: name,
        CurrentApplicationVersionId: version++,
        Input: analyticsInput(config, schema),
      }),
    );
  }
  for (const output of removed) {
    await client.send(
      new DeleteApplicationOutputCommand({
        ApplicationName: name,
        CurrentApplicationVersionId: version++,
        OutputId: output.OutputId,
      }),
    );
  }
  for (const output of added) {
    await client.send(
      new AddApplicationOutputCommand({
        ApplicationName: name,
        CurrentApplicationVersionId: version++,
        Output: analyticsOutput(config, output),
      }),
    );
  }
  return true;
}
