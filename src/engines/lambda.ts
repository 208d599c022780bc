/**
 * The lambda engine: the same SQL, compiled by src/streaming-sql, runs inside the fan-out function, fed by an event
 * source mapping on the input stream through an enhanced fan-out consumer. An application is three things:
 *
 * - a published version of the fan-out function (src/engines/lambda-function.ts): the deployment's code, SQL and
 *   outputs, plus the application's name and discovered schema in its environment; a deploy never changes it;
 * - an enhanced fan-out consumer of the input stream named after the application;
 * - an event source mapping from that consumer to that version, created disabled (READY).
 *
 * A mapping's StartingPosition is fixed when it is created, so starting at another position than the mapping's
 * (NOW on a mapping made for TRIM_HORIZON, or TRIM_HORIZON again after it read records) deletes and re-creates it.
 * Rolling an application forward (a new deployment, another schema) moves the same mapping onto a new version: its
 * checkpoints carry over, so no record is lost or handed over twice.
 */
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
  paginateListEventSourceMappings,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { parseFunctionArn } from '../arn';
import type { AwsClients } from '../aws';
import type { FanoutConfig } from '../config';
import {
  APPLICATION_NAME_VARIABLE,
  ApplicationConfigError,
  type ErrorDestination,
  parseErrorDestination,
} from '../fanout/environment';
import { discoverSchema, UnableToDetectSchemaError } from '../streaming-sql';
import { ApplicationBusyError, ApplicationNotFoundError, isNamed, SchemaDiscoveryError } from './errors';
import { FunctionHold } from './lambda-function';
import { LAMBDA_MAX_OUTPUTS } from './limits';
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

export { LAMBDA_MAX_OUTPUTS };

/** Records one GetRecords call reads for discovery, per shard. */
const DISCOVERY_SAMPLE = 100;

/** What the lambda engine needs beyond the service configuration. */
export interface LambdaEngineSettings {
  /** The fan-out function the mapping invokes. */
  readonly functionName: string;
  /** Records per batch the mapping hands the function. */
  readonly batchSize: number;
  /** Batches of one shard in flight at once (the mapping's ParallelizationFactor, 1-10; a key keeps its order). */
  readonly parallelizationFactor: number;
  /** Read through an enhanced fan-out consumer (its own 2 MB/s per shard) rather than the shared read budget. */
  readonly enhancedFanOut: boolean;
  readonly errorDestination: ErrorDestination;
}

/**
 * Reads the lambda engine's settings from the environment (set in serverless.yml):
 * `FANOUT_FUNCTION_NAME` (required), `FANOUT_BATCH_SIZE` (100), `FANOUT_PARALLELIZATION_FACTOR` (1),
 * `FANOUT_ENHANCED_FAN_OUT` (true), `FANOUT_ERROR_DESTINATION` (`log` or a stream ARN; log).
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
  const rawFactor = env['FANOUT_PARALLELIZATION_FACTOR']?.trim();
  const parallelizationFactor = rawFactor ? Number(rawFactor) : 1;
  if (!Number.isInteger(parallelizationFactor) || parallelizationFactor < 1 || parallelizationFactor > 10) {
    throw new ApplicationConfigError(`FANOUT_PARALLELIZATION_FACTOR must be an integer from 1 to 10, got ${rawFactor}`);
  }
  const fanOut = env['FANOUT_ENHANCED_FAN_OUT']?.trim().toLowerCase();
  if (fanOut && fanOut !== 'true' && fanOut !== 'false') {
    throw new ApplicationConfigError(`FANOUT_ENHANCED_FAN_OUT must be true or false, got ${fanOut}`);
  }
  return {
    functionName,
    batchSize,
    parallelizationFactor,
    enhancedFanOut: fanOut !== 'false',
    errorDestination: parseErrorDestination(env['FANOUT_ERROR_DESTINATION']),
  };
}

export interface LambdaEngineOptions extends EngineOptions {
  readonly clients: Pick<AwsClients, 'kinesis' | 'lambda'>;
  readonly settings: LambdaEngineSettings;
  /** Checks of a consumer or mapping that is changing state, and the pause between them. */
  readonly waitAttempts?: number;
  readonly waitDelayMs?: number;
}

/** Mapping states (Lambda) -> application statuses (Kinesis Analytics). */
export const MAPPING_STATUS: Record<string, ApplicationStatus> = {
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
  readonly #hold: FunctionHold;
  readonly #sample: readonly Record<string, unknown>[];
  readonly #waitAttempts: number;
  readonly #waitDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: LambdaEngineOptions) {
    this.#config = options.config;
    this.#clients = options.clients;
    this.#settings = options.settings;
    this.#sample = options.sample ?? ENGINE_DEFAULTS.sample;
    this.#waitAttempts = options.waitAttempts ?? ENGINE_DEFAULTS.waitAttempts;
    this.#waitDelayMs = options.waitDelayMs ?? ENGINE_DEFAULTS.checkDelayMs;
    this.#sleep = options.sleep ?? ENGINE_DEFAULTS.sleep;
    this.#hold = new FunctionHold({
      lambda: this.#clients.lambda,
      functionName: this.#settings.functionName,
      waitAttempts: this.#waitAttempts,
      waitDelayMs: this.#waitDelayMs,
      sleep: this.#sleep,
    });
  }

  plan(): ApplicationPlan[] {
    return planApplications(this.#config.applicationPrefix, this.#config.outputs, this.maxOutputsPerApplication);
  }

  // ---- discover ------------------------------------------------------------------------------------------------

  async discover(): Promise<Discovery> {
    let samples = await this.#readSamples();
    let samplePut = 0;
    // A stream the user brings gets nothing put into it: its records are someone's data.
    const mayPut = this.#config.fanout.input.created;
    for (let attempt = 0; samples.length === 0 && attempt < this.#waitAttempts; attempt++) {
      if (attempt === 0 && mayPut) samplePut = await this.#putSample();
      else await this.#sleep(this.#waitDelayMs);
      samples = await this.#readSamples();
    }
    if (samples.length === 0) throw emptyInputError(this.#config, samplePut, 'the function');
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
    const name = application.name;
    const consumerArn = await this.#registerConsumer(name);
    const mapping = await this.#mapping(name);
    const current = mapping ? await this.#hold.targetOf(mapping.FunctionArn) : undefined;
    const pinned = await this.#hold.pin(name, schema, current);
    if (!mapping) {
      await this.#createMapping(consumerArn ?? this.#config.inputStreamArn, pinned.arn, 'TRIM_HORIZON', false);
      return { name, action: 'created', status: await this.status(name) };
    }
    if (!pinned.published && mapping.FunctionArn === pinned.arn) {
      return { name, action: 'unchanged', status: await this.status(name) };
    }
    // Roll forward: the same mapping (its checkpoints) onto the new version; a version before it stays for the
    // batch that may still be in flight on it, older ones go.
    await this.#retarget(mapping, pinned.arn);
    const previous = parseFunctionArn(mapping.FunctionArn)?.qualifier;
    const now = parseFunctionArn(pinned.arn)?.qualifier;
    await this.#hold.removeVersions(
      name,
      [now, previous].filter((q): q is string => q !== undefined),
    );
    return { name, action: 'updated', status: await this.status(name) };
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

  /**
   * The application's mapping: the one of the fan-out function (any version) on the application's consumer, or on
   * the input stream without one. Listed by event source: Lambda lists by FunctionName only the mappings of that
   * exact qualifier.
   */
  async #mapping(name: string): Promise<EventSourceMappingConfiguration | undefined> {
    let source = this.#config.inputStreamArn;
    if (this.#settings.enhancedFanOut) {
      const consumer = await this.#consumer(name);
      if (!consumer) return undefined;
      source = consumer.arn;
    }
    for (const mapping of await this.#mappingsOn(source)) {
      // without a consumer, several applications could share the input stream: the version says whose it is
      if (this.#settings.enhancedFanOut) return mapping;
      const target = await this.#hold.targetOf(mapping.FunctionArn);
      if ((target?.Environment?.Variables?.[APPLICATION_NAME_VARIABLE] ?? name) === name) return mapping;
    }
    return undefined;
  }

  /** The fan-out function's mappings (of any version) on an event source. */
  async #mappingsOn(source: string): Promise<EventSourceMappingConfiguration[]> {
    const found: EventSourceMappingConfiguration[] = [];
    const pages = paginateListEventSourceMappings({ client: this.#clients.lambda }, { EventSourceArn: source });
    for await (const page of pages) {
      for (const m of page.EventSourceMappings ?? []) {
        if (parseFunctionArn(m.FunctionArn)?.functionName === this.#settings.functionName) found.push(m);
      }
    }
    return found;
  }

  async #createMapping(
    source: string,
    functionArn: string,
    position: 'TRIM_HORIZON' | 'LATEST',
    enabled: boolean,
  ): Promise<void> {
    await this.#clients.lambda.send(
      new CreateEventSourceMappingCommand({
        FunctionName: functionArn,
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
        ParallelizationFactor: this.#settings.parallelizationFactor,
      }),
    );
  }

  /** Points a mapping at another version of the function; its checkpoints stay. */
  async #retarget(mapping: EventSourceMappingConfiguration, functionArn: string): Promise<void> {
    const state = mapping.State ?? '';
    if (state !== 'Enabled' && state !== 'Disabled') {
      throw new ApplicationBusyError(`The mapping of ${mapping.EventSourceArn} is ${state}; it cannot change yet`);
    }
    try {
      await this.#clients.lambda.send(
        new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, FunctionName: functionArn }),
      );
    } catch (error) {
      if (isNamed(error, 'ResourceInUseException', 'ResourceConflictException')) {
        throw new ApplicationBusyError(`The event source mapping ${mapping.UUID} is changing state`, { cause: error });
      }
      throw error;
    }
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
    const [mapping, consumer] = await Promise.all([this.#mapping(name), this.#consumer(name)]);
    if (mapping) return MAPPING_STATUS[mapping.State ?? ''] ?? 'UPDATING';
    // a consumer without its mapping: a create cut short, or a delete under way; either way on its way out
    return consumer ? 'DELETING' : 'NOT_FOUND';
  }

  async start(name: string, position: StartingPosition): Promise<StartResult> {
    const mapping = await this.#mapping(name);
    if (!mapping) throw new ApplicationNotFoundError(name);
    const wanted = position === 'LAST_STOPPED_POINT' ? undefined : MAPPING_POSITION[position];
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
    await this.#createMapping(consumerArn ?? this.#config.inputStreamArn, mapping.FunctionArn!, wanted, true);
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
    const mapping = await this.#mapping(name);
    if (!mapping) return { name, action: (await this.#consumer(name)) ? 'not-running' : 'not-found' };
    const state = mapping.State ?? '';
    if (state === 'Disabled' || state === 'Disabling' || state === 'Deleting') return { name, action: 'not-running' };
    await this.#setEnabled(mapping.UUID!, false);
    return { name, action: 'stopped' };
  }

  async delete(name: string): Promise<DeleteResult> {
    const [mapping, consumer, versions] = await Promise.all([
      this.#mapping(name),
      this.#consumer(name),
      this.#hold.versions(),
    ]);
    const pinned = versions.get(name) ?? [];
    if (!mapping && !consumer && pinned.length === 0) return { name, action: 'not-found' };
    const going = (!mapping || mapping.State === 'Deleting') && (!consumer || consumer.status === 'DELETING');
    if (mapping && mapping.State !== 'Deleting') await this.#deleteMapping(mapping.UUID!);
    if (consumer && consumer.status !== 'DELETING') {
      try {
        await this.#clients.kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumer.arn }));
      } catch (error) {
        if (!isNamed(error, 'ResourceNotFoundException')) throw error;
      }
    }
    const removed = await this.#hold.removeVersions(name);
    return { name, action: going && removed === 0 ? 'already-deleting' : 'deleted' };
  }

  /** The stage's applications: its consumers of the input stream, its mappings, and the versions published for them. */
  async list(): Promise<string[]> {
    const pattern = applicationNamePattern(this.#config.applicationPrefix);
    const names = new Set<string>((await this.#hold.versions()).keys());
    if (this.#settings.enhancedFanOut) {
      const pages = paginateListStreamConsumers(
        { client: this.#clients.kinesis },
        { StreamARN: this.#config.inputStreamArn },
      );
      for await (const page of pages)
        for (const c of page.Consumers ?? []) if (c.ConsumerName) names.add(c.ConsumerName);
    } else {
      for (const mapping of await this.#mappingsOn(this.#config.inputStreamArn)) {
        const target = await this.#hold.targetOf(mapping.FunctionArn);
        names.add(target?.Environment?.Variables?.[APPLICATION_NAME_VARIABLE] ?? `${this.#config.applicationPrefix}-1`);
      }
    }
    return [...names].filter((n) => pattern.test(n)).sort();
  }
}
