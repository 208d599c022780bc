/**
 * The kinesis-analytics engine: each application is an Amazon Kinesis Data Analytics (v1, SQL) application that
 * reads the input stream and writes up to three output streams. AWS stopped accepting new SQL applications on
 * 15 Oct 2025; this engine runs against the local twin and any endpoint that still serves the v1 API.
 */

import {
  type SourceSchema as ApiSourceSchema,
  type ApplicationDetail,
  type ApplicationSummary,
  CreateApplicationCommand,
  DeleteApplicationCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  type DiscoverInputSchemaResponse,
  ListApplicationsCommand,
  StartApplicationCommand,
  StopApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import type { AwsClients } from '../aws';
import type { FanoutConfig } from '../config';
import { applicationSqlOf } from '../fanout-config/application-sql';
import type { RecordColumn, RecordFormat } from '../streaming-sql';
import {
  ApplicationBusyError,
  ApplicationNotFoundError,
  ApplicationStateError,
  isNamed,
  SchemaDiscoveryError,
} from './errors';
import {
  analyticsInput,
  analyticsOutput,
  analyticsProcessing,
  reconcileApplication,
} from './kinesis-analytics-reconcile';
import { KINESIS_ANALYTICS_MAX_OUTPUTS } from './limits';
import { ENGINE_DEFAULTS, type EngineOptions } from './options';
import { emptyInputError, putSchemaSample } from './sample';
import {
  type ApplicationPlan,
  type ApplicationStatus,
  applicationNamePattern,
  type CreateResult,
  type DeleteResult,
  type Discovery,
  type Engine,
  planApplications,
  type SourceSchema,
  type StartingPosition,
  type StartResult,
  type StopResult,
} from './types';

/** Kinesis Analytics accepts at most three destinations per application. */
export const MAX_OUTPUTS_PER_APPLICATION = KINESIS_ANALYTICS_MAX_OUTPUTS;

export interface KinesisAnalyticsEngineOptions extends EngineOptions {
  readonly clients: Pick<AwsClients, 'kinesis' | 'kinesisAnalytics'>;
  /** Application code; by default the fan-out's (`applicationSqlOf`: its SQL file, or the generated copy). */
  readonly sql?: string;
  /** Discovery attempts after putting the sample, and the pause between them (records take a moment to show). */
  readonly discoverAttempts?: number;
  readonly discoverDelayMs?: number;
}

/** The API's schema (every field optional in the SDK types) as the validated SourceSchema of the SQL engine. */
function fromApiSchema(schema: ApiSourceSchema | undefined): SourceSchema {
  const format = schema?.RecordFormat;
  const columns = schema?.RecordColumns;
  if (!format?.RecordFormatType || !columns?.length) {
    throw new SchemaDiscoveryError('DiscoverInputSchema returned no record format or no columns');
  }
  const recordFormat: RecordFormat = { RecordFormatType: format.RecordFormatType };
  const json = format.MappingParameters?.JSONMappingParameters;
  const csv = format.MappingParameters?.CSVMappingParameters;
  if (json?.RecordRowPath !== undefined) {
    recordFormat.MappingParameters = { JSONMappingParameters: { RecordRowPath: json.RecordRowPath } };
  } else if (csv?.RecordRowDelimiter !== undefined && csv.RecordColumnDelimiter !== undefined) {
    recordFormat.MappingParameters = {
      CSVMappingParameters: {
        RecordRowDelimiter: csv.RecordRowDelimiter,
        RecordColumnDelimiter: csv.RecordColumnDelimiter,
      },
    };
  }
  const recordColumns = columns.map((column, index): RecordColumn => {
    if (!column.Name || !column.SqlType) {
      throw new SchemaDiscoveryError(`DiscoverInputSchema returned column ${index} without a name or a SQL type`);
    }
    return column.Mapping === undefined
      ? { Name: column.Name, SqlType: column.SqlType }
      : { Name: column.Name, SqlType: column.SqlType, Mapping: column.Mapping };
  });
  const result: SourceSchema = { RecordFormat: recordFormat, RecordColumns: recordColumns };
  if (schema?.RecordEncoding !== undefined) result.RecordEncoding = schema.RecordEncoding;
  return result;
}

/** Creates, starts, stops and deletes Kinesis Analytics (v1, SQL) applications for the fan-out. */
export class KinesisAnalyticsEngine implements Engine {
  readonly name = 'kinesis-analytics' as const;
  readonly maxOutputsPerApplication = MAX_OUTPUTS_PER_APPLICATION;
  readonly #config: FanoutConfig;
  readonly #clients: Pick<AwsClients, 'kinesis' | 'kinesisAnalytics'>;
  readonly #sql: string | undefined;
  readonly #sample: readonly Record<string, unknown>[];
  readonly #discoverAttempts: number;
  readonly #discoverDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: KinesisAnalyticsEngineOptions) {
    this.#config = options.config;
    this.#clients = options.clients;
    this.#sql = options.sql;
    this.#sample = options.sample ?? ENGINE_DEFAULTS.sample;
    this.#discoverAttempts = options.discoverAttempts ?? ENGINE_DEFAULTS.discoverAttempts;
    this.#discoverDelayMs = options.discoverDelayMs ?? ENGINE_DEFAULTS.checkDelayMs;
    this.#sleep = options.sleep ?? ENGINE_DEFAULTS.sleep;
  }

  plan(): ApplicationPlan[] {
    return planApplications(this.#config.applicationPrefix, this.#config.outputs, this.maxOutputsPerApplication);
  }

  async discover(): Promise<Discovery> {
    const first = await this.#tryDiscover();
    if (first) return this.#discovery(first, 0);
    // A stream the user brings gets nothing put into it: its records are someone's data.
    const samplePut = this.#config.fanout.input.created ? await this.#putSample() : 0;
    for (let attempt = 1; attempt <= this.#discoverAttempts; attempt++) {
      const found = await this.#tryDiscover();
      if (found) return this.#discovery(found, samplePut);
      if (attempt < this.#discoverAttempts) await this.#sleep(this.#discoverDelayMs);
    }
    throw emptyInputError(this.#config, samplePut, 'the analytics role');
  }

  /** The discovery response, or undefined when the stream holds no records at all. */
  async #tryDiscover(): Promise<DiscoverInputSchemaResponse | undefined> {
    try {
      return await this.#clients.kinesisAnalytics.send(
        new DiscoverInputSchemaCommand({
          ResourceARN: this.#config.inputStreamArn,
          RoleARN: this.#config.analyticsRoleArn,
          InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' },
          // KPL aggregates are discovered on what the preprocessor makes of them, as the application reads them.
          ...analyticsProcessing(this.#config),
        }),
      );
    } catch (error) {
      if (!isNamed(error, 'UnableToDetectSchemaException')) throw error;
      const raw = (error as { RawInputRecords?: string[] }).RawInputRecords ?? [];
      if (raw.length === 0) return undefined;
      throw new SchemaDiscoveryError(
        `The input stream holds ${raw.length} records but no schema could be inferred from them ` +
          `(first: ${JSON.stringify(raw[0]?.slice(0, 200))}); put JSON or CSV records that match sql/fanout.sql`,
        { cause: error },
      );
    }
  }

  #discovery(response: DiscoverInputSchemaResponse, samplePut: number): Discovery {
    return {
      schema: fromApiSchema(response.InputSchema),
      samplePut,
      parsedRecords: response.ParsedInputRecords ?? [],
    };
  }

  #putSample(): Promise<number> {
    return putSchemaSample(this.#clients.kinesis, this.#config.inputStreamArn, this.#sample);
  }

  async create(application: ApplicationPlan, schema: SourceSchema): Promise<CreateResult> {
    const detail = await this.#describe(application.name);
    if (!detail) {
      await this.#clients.kinesisAnalytics.send(
        new CreateApplicationCommand({
          ApplicationName: application.name,
          ApplicationDescription: `kinesis-fanout ${this.#config.stage}: ${application.outputs.map((o) => o.sqlStream).join(', ')}`,
          ApplicationCode: this.#code(application, schema),
          Inputs: [analyticsInput(this.#config, schema)],
          Outputs: application.outputs.map((output) => analyticsOutput(this.#config, output)),
        }),
      );
      return { name: application.name, action: 'created', status: await this.status(application.name) };
    }
    const status = detail.ApplicationStatus as ApplicationStatus;
    // An application on its way out cannot be reused; once it is gone, a retry creates it afresh.
    if (status === 'DELETING') throw ApplicationBusyError.inStatus(application.name, status);
    const changed = await reconcileApplication(
      this.#clients.kinesisAnalytics,
      this.#config,
      detail,
      application,
      this.#code(application, schema),
      schema,
    );
    return { name: application.name, action: changed ? 'updated' : 'unchanged', status };
  }

  /** The SQL of one application: the fan-out's, or its copy pumps for this application's outputs. */
  #code(application: ApplicationPlan, schema: SourceSchema): string {
    const streams = application.outputs.map((o) => o.sqlStream);
    return this.#sql ?? applicationSqlOf(this.#config.fanout, schema.RecordColumns, streams);
  }

  async #describe(name: string): Promise<ApplicationDetail | undefined> {
    try {
      const response = await this.#clients.kinesisAnalytics.send(
        new DescribeApplicationCommand({ ApplicationName: name }),
      );
      return response.ApplicationDetail;
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async status(name: string): Promise<ApplicationStatus> {
    const detail = await this.#describe(name);
    return detail ? (detail.ApplicationStatus as ApplicationStatus) : 'NOT_FOUND';
  }

  async start(name: string, position: StartingPosition): Promise<StartResult> {
    const detail = await this.#describe(name);
    if (!detail) throw new ApplicationNotFoundError(name);
    const status = detail.ApplicationStatus as ApplicationStatus;
    if (status === 'RUNNING' || status === 'STARTING') return { name, action: 'already-running' };
    if (status === 'DELETING') throw new ApplicationStateError(`Application ${name} is being deleted; it cannot start`);
    if (status !== 'READY') throw ApplicationBusyError.inStatus(name, status);
    const inputId = detail.InputDescriptions?.[0]?.InputId;
    if (!inputId) throw new ApplicationStateError(`Application ${name} has no input to start`);
    await this.#clients.kinesisAnalytics.send(
      new StartApplicationCommand({
        ApplicationName: name,
        InputConfigurations: [{ Id: inputId, InputStartingPositionConfiguration: { InputStartingPosition: position } }],
      }),
    );
    return { name, action: 'started' };
  }

  async stop(name: string): Promise<StopResult> {
    const status = await this.status(name);
    if (status === 'NOT_FOUND') return { name, action: 'not-found' };
    if (status === 'READY' || status === 'STOPPING' || status === 'DELETING') return { name, action: 'not-running' };
    try {
      await this.#clients.kinesisAnalytics.send(new StopApplicationCommand({ ApplicationName: name }));
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) return { name, action: 'not-found' };
      throw error;
    }
    return { name, action: 'stopped' };
  }

  async delete(name: string): Promise<DeleteResult> {
    const detail = await this.#describe(name);
    if (!detail) return { name, action: 'not-found' };
    if (detail.ApplicationStatus === 'DELETING') return { name, action: 'already-deleting' };
    if (!detail.CreateTimestamp) throw new ApplicationStateError(`Application ${name} has no CreateTimestamp`);
    try {
      await this.#clients.kinesisAnalytics.send(
        new DeleteApplicationCommand({ ApplicationName: name, CreateTimestamp: detail.CreateTimestamp }),
      );
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) return { name, action: 'not-found' };
      throw error;
    }
    return { name, action: 'deleted' };
  }

  async list(): Promise<string[]> {
    const pattern = applicationNamePattern(this.#config.applicationPrefix);
    const names: string[] = [];
    for await (const summary of this.#applications()) {
      if (summary.ApplicationName && pattern.test(summary.ApplicationName)) names.push(summary.ApplicationName);
    }
    return names;
  }

  /**
   * Every application of the account and region. The v1 client has no paginator: ListApplications pages by the
   * last name of the previous page (ExclusiveStartApplicationName) while HasMoreApplications holds.
   */
  async *#applications(): AsyncGenerator<ApplicationSummary> {
    let exclusiveStart: string | undefined;
    for (;;) {
      const response = await this.#clients.kinesisAnalytics.send(
        new ListApplicationsCommand({
          Limit: 50,
          ...(exclusiveStart === undefined ? {} : { ExclusiveStartApplicationName: exclusiveStart }),
        }),
      );
      const summaries = response.ApplicationSummaries ?? [];
      yield* summaries;
      const last = summaries.at(-1)?.ApplicationName;
      if (!response.HasMoreApplications || !last) return;
      exclusiveStart = last;
    }
  }
}
