/**
 * The lambda engine: the same SQL, compiled by src/streaming-sql, runs inside the fan-out function, fed by an event
 * source mapping on the input stream through an enhanced fan-out consumer. An application is three things:
 *
 * - its configuration (SQL, schema, outputs, output prefixes, error destination) in the fan-out function's
 *   environment, `FANOUT_APPLICATION` (why there: docs/architecture.md, "The lambda engine");
 * - an enhanced fan-out consumer of the input stream named after the application;
 * - an event source mapping from that consumer to the function, created disabled (READY).
 *
 * A mapping's StartingPosition is fixed when it is created, so starting at another position than the mapping's
 * (NOW on a mapping made for TRIM_HORIZON, or TRIM_HORIZON again after it read records) deletes and re-creates it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  paginateListStreamConsumers,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  paginateListEventSourceMappings,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { parseStreamArn, streamArn } from '../arn';
import type { AwsClients } from '../aws';
import type { FanoutConfig } from '../config';
import {
  APPLICATION_VARIABLE,
  ApplicationConfigError,
  decodeApplication,
  ENVIRONMENT_LIMIT_BYTES,
  type ErrorDestination,
  encodeApplication,
  environmentSize,
  type FanoutApplication,
  type OutputPrefix,
  parseErrorDestination,
  parseOutputPrefixes,
} from '../fanout/application';
import { applicationSqlOf } from '../fanout-config/application';
import { schemaSample } from '../schema-sample';
import { discoverSchema, UnableToDetectSchemaError } from '../streaming-sql';
import {
  ApplicationBusyError,
  ApplicationNotFoundError,
  ApplicationStateError,
  isNamed,
  SchemaDiscoveryError,
} from './errors';
import { putSchemaSample } from './sample';
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

/** A function has no limit on the streams it writes: one application holds every output. */
export const LAMBDA_MAX_OUTPUTS = Number.MAX_SAFE_INTEGER;

/** Records one GetRecords call reads for discovery, per shard. */
const DISCOVERY_SAMPLE = 100;

/** What the lambda engine needs beyond the service configuration. */
export interface LambdaEngineSettings {
  /** The fan-out function the mapping invokes. */
  readonly functionName: string;
  /** Records per batch the mapping hands the function. */
  readonly batchSize: number;
  /** Read through an enhanced fan-out consumer (its own 2 MB/s per shard) rather than the shared read budget. */
  readonly enhancedFanOut: boolean;
  readonly outputPrefixes: readonly OutputPrefix[];
  readonly errorDestination: ErrorDestination;
}

/**
 * Reads the lambda engine's settings from the environment (set in serverless.yml):
 * `FANOUT_FUNCTION_NAME` (required), `FANOUT_BATCH_SIZE` (100), `FANOUT_ENHANCED_FAN_OUT` (true),
 * `FANOUT_OUTPUT_PREFIXES` (JSON, none), `FANOUT_ERROR_DESTINATION` (`log` or a stream ARN; log).
 *
 * @param env - the environment, `process.env` by default
 * @throws ApplicationConfigError naming the variable that is missing or malformed
 */
export function loadLambdaSettings(env: Record<string, string | undefined> = process.env): LambdaEngineSettings {
  const functionName = env['FANOUT_FUNCTION_NAME']?.trim();
  if (!functionName) {
    throw new ApplicationConfigError(
      'Environment variable FANOUT_FUNCTION_NAME is not set (the lambda engine needs it)',
    );
  }
  const rawBatch = env['FANOUT_BATCH_SIZE']?.trim();
  const batchSize = rawBatch ? Number(rawBatch) : 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) {
    throw new ApplicationConfigError(`FANOUT_BATCH_SIZE must be an integer from 1 to 10000, got ${rawBatch}`);
  }
  const fanOut = env['FANOUT_ENHANCED_FAN_OUT']?.trim().toLowerCase();
  if (fanOut && fanOut !== 'true' && fanOut !== 'false') {
    throw new ApplicationConfigError(`FANOUT_ENHANCED_FAN_OUT must be true or false, got ${fanOut}`);
  }
  return {
    functionName,
    batchSize,
    enhancedFanOut: fanOut !== 'false',
    outputPrefixes: parseOutputPrefixes(env['FANOUT_OUTPUT_PREFIXES']),
    errorDestination: parseErrorDestination(env['FANOUT_ERROR_DESTINATION']),
  };
}

export interface LambdaEngineOptions {
  readonly config: FanoutConfig;
  readonly clients: Pick<AwsClients, 'kinesis' | 'lambda'>;
  readonly settings: LambdaEngineSettings;
  /** Application code; by default the fan-out's (`applicationSqlOf`: its SQL file, or the generated copy). */
  readonly sql?: string;
  /** Records put into an empty input stream before discovery; sql/fanout.sample.json by default. */
  readonly sample?: readonly Record<string, unknown>[];
  /** Checks of a consumer or mapping that is changing state, and the pause between them. */
  readonly waitAttempts?: number;
  readonly waitDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Mapping states (Lambda) -> application statuses (Kinesis Analytics). */
const MAPPING_STATUS: Record<string, ApplicationStatus> = {
  Creating: 'STARTING',
  Enabling: 'STARTING',
  Enabled: 'RUNNING',
  Disabling: 'STOPPING',
  Disabled: 'READY',
  Updating: 'UPDATING',
  Deleting: 'DELETING',
};

/** Kinesis Analytics starting positions -> the mapping's. LAST_STOPPED_POINT keeps the mapping's checkpoints. */
const MAPPING_POSITION = { NOW: 'LATEST', TRIM_HORIZON: 'TRIM_HORIZON' } as const;

/** Lambda's LastProcessingResult of a mapping that has handed no record to the function yet. */
const NOTHING_PROCESSED = 'No records processed';

/** Runs the fan-out in a Lambda function fed by an event source mapping. */
export class LambdaEngine implements Engine {
  readonly name = 'lambda' as const;
  readonly maxOutputsPerApplication = LAMBDA_MAX_OUTPUTS;
  readonly #config: FanoutConfig;
  readonly #clients: Pick<AwsClients, 'kinesis' | 'lambda'>;
  readonly #settings: LambdaEngineSettings;
  readonly #sql: string | undefined;
  readonly #sample: readonly Record<string, unknown>[];
  readonly #waitAttempts: number;
  readonly #waitDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: LambdaEngineOptions) {
    this.#config = options.config;
    this.#clients = options.clients;
    this.#settings = options.settings;
    this.#sql = options.sql;
    this.#sample = options.sample ?? schemaSample;
    // At most ~10 s of waiting in one call: a step function has 30 s, and the state machine retries busy errors.
    this.#waitAttempts = options.waitAttempts ?? 10;
    this.#waitDelayMs = options.waitDelayMs ?? 1000;
    this.#sleep = options.sleep ?? sleep;
  }

  plan(): ApplicationPlan[] {
    return planApplications(this.#config.applicationPrefix, this.#config.outputs, this.maxOutputsPerApplication);
  }

  // ---- discover ------------------------------------------------------------------------------------------------

  async discover(): Promise<Discovery> {
    let samples = await this.#readSamples();
    let samplePut = 0;
    for (let attempt = 0; samples.length === 0 && attempt < this.#waitAttempts; attempt++) {
      if (attempt === 0) samplePut = await this.#putSample();
      else await this.#sleep(this.#waitDelayMs);
      samples = await this.#readSamples();
    }
    if (samples.length === 0) {
      throw new SchemaDiscoveryError(
        `The input stream ${this.#config.inputStreamArn} still looks empty after putting ${samplePut} sample records; ` +
          'check that the stream is ACTIVE and that the function may read it',
      );
    }
    try {
      const found = discoverSchema(samples);
      return { schema: found.InputSchema, samplePut, parsedRecords: found.ParsedInputRecords };
    } catch (error) {
      if (!(error instanceof UnableToDetectSchemaError)) throw error;
      const first = Buffer.from(samples[0]!).toString('utf8').slice(0, 200);
      throw new SchemaDiscoveryError(
        `The input stream holds ${samples.length} records but no schema could be inferred from them ` +
          `(first: ${JSON.stringify(first)}); put JSON or CSV records that match sql/fanout.sql`,
        { cause: error },
      );
    }
  }

  /** Up to DISCOVERY_SAMPLE records from the start of each shard of the input stream. */
  async #readSamples(): Promise<Uint8Array[]> {
    const kinesis = this.#clients.kinesis;
    const streamArn = this.#config.inputStreamArn;
    const shards = await kinesis.send(new ListShardsCommand({ StreamARN: streamArn }));
    const samples: Uint8Array[] = [];
    for (const shard of shards.Shards ?? []) {
      if (!shard.ShardId) continue;
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamARN: streamArn,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      let iterator = ShardIterator;
      // A trimmed or sparse shard can answer empty pages before its records; a few pages are enough to tell.
      for (let page = 0; iterator && page < 5 && samples.length < DISCOVERY_SAMPLE; page++) {
        const out = await kinesis.send(
          new GetRecordsCommand({ StreamARN: streamArn, ShardIterator: iterator, Limit: DISCOVERY_SAMPLE }),
        );
        for (const record of out.Records ?? []) if (record.Data) samples.push(record.Data);
        if ((out.Records ?? []).length > 0 || out.MillisBehindLatest === 0) break;
        iterator = out.NextShardIterator;
      }
      if (samples.length >= DISCOVERY_SAMPLE) break;
    }
    return samples.slice(0, DISCOVERY_SAMPLE);
  }

  #putSample(): Promise<number> {
    return putSchemaSample(this.#clients.kinesis, this.#config.inputStreamArn, this.#sample);
  }

  // ---- create --------------------------------------------------------------------------------------------------

  async create(application: ApplicationPlan, schema: SourceSchema): Promise<CreateResult> {
    const wanted: FanoutApplication = {
      name: application.name,
      inputStreamArn: this.#config.inputStreamArn,
      sql: this.#sql ?? applicationSqlOf(this.#config.fanout, schema.RecordColumns),
      schema,
      outputs: application.outputs,
      outputPrefixes: this.#settings.outputPrefixes,
      errorDestination: this.#settings.errorDestination,
    };
    const configured = await this.#configure(wanted);
    const consumerArn = await this.#registerConsumer(application.name);
    const mapping = await this.#mapping(application.name);
    let created = false;
    if (!mapping) {
      await this.#createMapping(consumerArn ?? this.#config.inputStreamArn, 'TRIM_HORIZON', false);
      created = true;
    }
    const action = configured === 'created' || (configured === 'unchanged' && created) ? 'created' : configured;
    return { name: application.name, action, status: await this.status(application.name) };
  }

  /** Writes the application into the function's environment unless it is there already. */
  async #configure(wanted: FanoutApplication): Promise<'created' | 'updated' | 'unchanged'> {
    const fn = await this.#function();
    const variables = { ...(fn.Environment?.Variables ?? {}) };
    const current = variables[APPLICATION_VARIABLE];
    const value = encodeApplication(wanted);
    if (current === value) return 'unchanged';
    if (fn.LastUpdateStatus === 'InProgress') {
      throw new ApplicationBusyError(`Function ${this.#settings.functionName} is being updated; try again shortly`);
    }
    variables[APPLICATION_VARIABLE] = value;
    const size = environmentSize(variables);
    if (size > ENVIRONMENT_LIMIT_BYTES) {
      throw new ApplicationConfigError(
        `The application makes the environment of ${this.#settings.functionName} ${size} bytes; Lambda allows ` +
          `${ENVIRONMENT_LIMIT_BYTES}. Shorten the SQL or the outputs`,
      );
    }
    await this.#updateEnvironment(variables);
    return current === undefined ? 'created' : 'updated';
  }

  async #updateEnvironment(variables: Record<string, string>): Promise<void> {
    try {
      await this.#clients.lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: this.#settings.functionName,
          Environment: { Variables: variables },
        }),
      );
    } catch (error) {
      // Another update of the function is under way: the state machine retries ApplicationBusyError.
      if (isNamed(error, 'ResourceConflictException')) {
        throw new ApplicationBusyError(`Function ${this.#settings.functionName} is being updated`, { cause: error });
      }
      throw error;
    }
  }

  async #function(): Promise<FunctionConfiguration> {
    try {
      return await this.#clients.lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: this.#settings.functionName }),
      );
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) {
        throw new ApplicationStateError(
          `The fan-out function ${this.#settings.functionName} does not exist: deploy the service first`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** The application stored in the function, when it is the one named. */
  async #stored(name: string): Promise<{ fn: FunctionConfiguration; application?: FanoutApplication }> {
    const fn = await this.#function();
    const value = fn.Environment?.Variables?.[APPLICATION_VARIABLE];
    if (value === undefined) return { fn };
    const application = decodeApplication(value);
    return application.name === name ? { fn, application } : { fn };
  }

  // ---- consumer ------------------------------------------------------------------------------------------------

  /** Registers the consumer and waits until it is ACTIVE; undefined when the engine reads without one. */
  async #registerConsumer(name: string): Promise<string | undefined> {
    if (!this.#settings.enhancedFanOut) return undefined;
    try {
      await this.#clients.kinesis.send(
        new RegisterStreamConsumerCommand({ StreamARN: this.#config.inputStreamArn, ConsumerName: name }),
      );
    } catch (error) {
      if (!isNamed(error, 'ResourceInUseException')) throw error;
    }
    for (let check = 1; ; check++) {
      const consumer = await this.#consumer(name);
      if (consumer?.status === 'ACTIVE') return consumer.arn;
      if (check >= this.#waitAttempts) {
        throw new ApplicationBusyError(`Consumer ${name} of the input stream is ${consumer?.status ?? 'missing'}`);
      }
      await this.#sleep(this.#waitDelayMs);
    }
  }

  async #consumer(name: string): Promise<{ arn: string; status: string } | undefined> {
    if (!this.#settings.enhancedFanOut) return undefined;
    try {
      const out = await this.#clients.kinesis.send(
        new DescribeStreamConsumerCommand({ StreamARN: this.#config.inputStreamArn, ConsumerName: name }),
      );
      const d = out.ConsumerDescription;
      return d?.ConsumerARN ? { arn: d.ConsumerARN, status: d.ConsumerStatus ?? 'ACTIVE' } : undefined;
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  // ---- mapping -------------------------------------------------------------------------------------------------

  /** The application's mapping: the function's mapping on its consumer (or on the input stream without one). */
  async #mapping(name: string): Promise<EventSourceMappingConfiguration | undefined> {
    const input = this.#config.inputStreamArn;
    const pages = paginateListEventSourceMappings(
      { client: this.#clients.lambda },
      { FunctionName: this.#settings.functionName },
    );
    for await (const page of pages) {
      const found = (page.EventSourceMappings ?? []).find((m) => {
        if (!this.#settings.enhancedFanOut) return m.EventSourceArn === input;
        const source = parseStreamArn(m.EventSourceArn);
        return source?.consumer?.name === name && streamArn(source, source.streamName) === input;
      });
      if (found) return found;
    }
    return undefined;
  }

  async #createMapping(source: string, position: 'TRIM_HORIZON' | 'LATEST', enabled: boolean): Promise<void> {
    await this.#clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: this.#settings.functionName,
        EventSourceArn: source,
        Enabled: enabled,
        StartingPosition: position,
        BatchSize: this.#settings.batchSize,
        // The function reports the earliest record it could not write; Lambda retries from there, and bisects a
        // batch only when the function fails as a whole. -1: retry until the records expire, never skip them.
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: -1,
        ParallelizationFactor: 1,
      }),
    );
  }

  async #setEnabled(uuid: string, enabled: boolean): Promise<void> {
    try {
      await this.#clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: enabled }));
    } catch (error) {
      if (isNamed(error, 'ResourceInUseException', 'ResourceConflictException')) {
        throw new ApplicationBusyError(`The event source mapping ${uuid} is changing state`, { cause: error });
      }
      throw error;
    }
  }

  // ---- status, start, stop, delete, list ----------------------------------------------------------------------

  async status(name: string): Promise<ApplicationStatus> {
    const { fn, application } = await this.#stored(name);
    const [mapping, consumer] = await Promise.all([this.#mapping(name), this.#consumer(name)]);
    if (!application) return mapping || consumer ? 'DELETING' : 'NOT_FOUND';
    if (mapping) return MAPPING_STATUS[mapping.State ?? ''] ?? 'UPDATING';
    if (consumer?.status === 'DELETING') return 'DELETING';
    if (consumer?.status === 'CREATING' || fn.LastUpdateStatus === 'InProgress') return 'UPDATING';
    return 'READY';
  }

  async start(name: string, position: StartingPosition): Promise<StartResult> {
    const { application } = await this.#stored(name);
    if (!application) throw new ApplicationNotFoundError(name);
    const mapping = await this.#mapping(name);
    const wanted = position === 'LAST_STOPPED_POINT' ? undefined : MAPPING_POSITION[position];
    if (!mapping) {
      const consumerArn = await this.#registerConsumer(name);
      await this.#createMapping(consumerArn ?? this.#config.inputStreamArn, wanted ?? 'TRIM_HORIZON', true);
      return { name, action: 'started' };
    }
    const state = mapping.State ?? '';
    if (state === 'Enabled' || state === 'Enabling') return { name, action: 'already-running' };
    if (state !== 'Disabled') throw new ApplicationBusyError(`The mapping of ${name} is ${state}; it cannot start yet`);
    const untouched = (mapping.LastProcessingResult ?? NOTHING_PROCESSED) === NOTHING_PROCESSED;
    if (wanted === undefined || (wanted === mapping.StartingPosition && untouched)) {
      await this.#setEnabled(mapping.UUID!, true);
      return { name, action: 'started' };
    }
    // Only a new mapping starts at another position: its checkpoints go with the old one, as a restart of a
    // Kinesis Analytics application at NOW or TRIM_HORIZON forgets where it stopped.
    await this.#deleteMapping(mapping.UUID!);
    await this.#untilMappingGone(name);
    const consumerArn = await this.#registerConsumer(name);
    await this.#createMapping(consumerArn ?? this.#config.inputStreamArn, wanted, true);
    return { name, action: 'started' };
  }

  async #deleteMapping(uuid: string): Promise<void> {
    try {
      await this.#clients.lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid }));
    } catch (error) {
      if (isNamed(error, 'ResourceNotFoundException')) return;
      if (isNamed(error, 'ResourceInUseException', 'ResourceConflictException')) {
        throw new ApplicationBusyError(`The event source mapping ${uuid} is changing state`, { cause: error });
      }
      throw error;
    }
  }

  async #untilMappingGone(name: string): Promise<void> {
    for (let check = 1; ; check++) {
      if (!(await this.#mapping(name))) return;
      if (check >= this.#waitAttempts)
        throw new ApplicationBusyError(`The old mapping of ${name} is still being deleted`);
      await this.#sleep(this.#waitDelayMs);
    }
  }

  async stop(name: string): Promise<StopResult> {
    const { application } = await this.#stored(name);
    const mapping = await this.#mapping(name);
    if (!application && !mapping) return { name, action: 'not-found' };
    const state = mapping?.State ?? '';
    if (!mapping || state === 'Disabled' || state === 'Disabling' || state === 'Deleting') {
      return { name, action: 'not-running' };
    }
    await this.#setEnabled(mapping.UUID!, false);
    return { name, action: 'stopped' };
  }

  async delete(name: string): Promise<DeleteResult> {
    const { fn, application } = await this.#stored(name);
    const [mapping, consumer] = await Promise.all([this.#mapping(name), this.#consumer(name)]);
    if (!application && !mapping && !consumer) return { name, action: 'not-found' };
    const alreadyGoing =
      !application && (!mapping || mapping.State === 'Deleting') && (!consumer || consumer.status === 'DELETING');
    if (alreadyGoing) return { name, action: 'already-deleting' };
    if (mapping && mapping.State !== 'Deleting') await this.#deleteMapping(mapping.UUID!);
    if (consumer && consumer.status !== 'DELETING') {
      try {
        await this.#clients.kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumer.arn }));
      } catch (error) {
        if (!isNamed(error, 'ResourceNotFoundException')) throw error;
      }
    }
    if (application) {
      const variables = { ...(fn.Environment?.Variables ?? {}) };
      delete variables[APPLICATION_VARIABLE];
      await this.#updateEnvironment(variables);
    }
    return { name, action: 'deleted' };
  }

  async list(): Promise<string[]> {
    const pattern = applicationNamePattern(this.#config.applicationPrefix);
    const names = new Set<string>();
    const fn = await this.#function();
    const value = fn.Environment?.Variables?.[APPLICATION_VARIABLE];
    if (value !== undefined) {
      try {
        names.add(decodeApplication(value).name);
      } catch {
        // A malformed application is still this stage's to tear down, under the one name the engine gives it.
        names.add(`${this.#config.applicationPrefix}-1`);
      }
    }
    if (this.#settings.enhancedFanOut) {
      const pages = paginateListStreamConsumers(
        { client: this.#clients.kinesis },
        { StreamARN: this.#config.inputStreamArn },
      );
      for await (const page of pages)
        for (const c of page.Consumers ?? []) if (c.ConsumerName) names.add(c.ConsumerName);
    }
    return [...names].filter((n) => pattern.test(n)).sort();
  }
}
