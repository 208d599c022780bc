/**
 * The control plane of the Kinesis Analytics twin: every operation of the 2015-08-14 API, validated against the
 * model (validation.ts) and against the application's status and version, with the asynchronous status changes
 * (STARTING, STOPPING, UPDATING, DELETING) each lasting a configurable delay on the injected clock.
 */
import type { SourceSchema } from '../../src/streaming-sql';
import type { Clock } from '../clock';
import { AwsServiceError } from '../service';
import {
  type ApplicationState,
  type ApplicationStatus,
  type ArnRole,
  type InputDescription,
  inAppStreamNames,
  type OutputDescription,
  type StartingPosition,
  type Tag,
  toDetail,
  toSummary,
} from './application';
import { type SqlEngine, withDefaultMappings } from './engine';
import type { ApplicationStore } from './store';
import { timestampMs, validateRequest } from './validation';

/** How long each asynchronous status lasts, in milliseconds of the twin's clock. */
export interface StatusDelays {
  starting: number;
  stopping: number;
  updating: number;
  deleting: number;
}

/** Short enough for `npm start`, long enough that pollers see STARTING/STOPPING/UPDATING/DELETING. */
export const DEFAULT_DELAYS: StatusDelays = { starting: 1500, stopping: 1000, updating: 500, deleting: 500 };
export const FAST_DELAYS: StatusDelays = { starting: 0, stopping: 0, updating: 0, deleting: 0 };

/** Documented service limits (limits.md). */
export const LIMITS = { applications: 50, destinations: 3, inputs: 1, referenceDataSources: 1, tags: 50 } as const;

/** What the control plane asks of the part that runs applications. */
export interface DataPlane {
  /** Throws `InvalidApplicationConfigurationException` when the application cannot run as configured. */
  check(app: ApplicationState): Promise<void>;
  /** Starts reading the input; `requestedAt` is the StartApplication time (NOW starts there). */
  start(app: ApplicationState, position: StartingPosition, requestedAt: number): void;
  /** Stops reading, delivers what was read, leaves `app.checkpoints` where the next run resumes. */
  stop(app: ApplicationState): Promise<void>;
  /** Picks up a new configuration of a running application, resuming from its checkpoints. */
  reconfigure(app: ApplicationState): void;
  /** Forgets a deleted application. */
  remove(name: string): void;
}

export interface ControlPlaneOptions {
  store: ApplicationStore;
  clock: Clock;
  region: string;
  accountId: string;
  delays: StatusDelays;
  engine: Pick<SqlEngine, 'compile'>;
  dataPlane?: DataPlane;
}

type Input = Record<string, unknown>;

const err = (type: string, message: string) => new AwsServiceError(type, message);
const KINESIS_STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;

function clone<T>(value: T): T {
  return structuredClone(value);
}

export class ControlPlane {
  private readonly timers = new Set<unknown>();
  private readonly ops: Record<string, (input: Input) => unknown | Promise<unknown>> = {
    CreateApplication: (i) => this.createApplication(i),
    DescribeApplication: (i) => ({ ApplicationDetail: toDetail(this.app(i)) }),
    ListApplications: (i) => this.listApplications(i),
    UpdateApplication: (i) => this.updateApplication(i),
    StartApplication: (i) => this.startApplication(i),
    StopApplication: (i) => this.stopApplication(i),
    DeleteApplication: (i) => this.deleteApplication(i),
    AddApplicationInput: (i) => this.addApplicationInput(i),
    AddApplicationOutput: (i) => this.addApplicationOutput(i),
    DeleteApplicationOutput: (i) => this.deleteApplicationOutput(i),
    AddApplicationInputProcessingConfiguration: (i) => this.addInputProcessing(i),
    DeleteApplicationInputProcessingConfiguration: (i) => this.deleteInputProcessing(i),
    AddApplicationReferenceDataSource: (i) => this.addReferenceDataSource(i),
    DeleteApplicationReferenceDataSource: (i) => this.deleteReferenceDataSource(i),
    AddApplicationCloudWatchLoggingOption: (i) => this.addCloudWatchLoggingOption(i),
    DeleteApplicationCloudWatchLoggingOption: (i) => this.deleteCloudWatchLoggingOption(i),
    TagResource: (i) => this.tagResource(i),
    UntagResource: (i) => this.untagResource(i),
    ListTagsForResource: (i) => ({ Tags: this.appByArn(i['ResourceARN']).tags }),
  };

  constructor(private readonly opts: ControlPlaneOptions) {}

  /** The operations this control plane serves (DiscoverInputSchema is served next to it). */
  get operations(): string[] {
    return Object.keys(this.ops);
  }

  /** Runs one operation; throws AwsServiceError as the service would. */
  async handle(operation: string, input: Input): Promise<unknown> {
    const op = this.ops[operation];
    if (!op) throw err('UnknownOperationException', `Kinesis Analytics has no operation ${operation}`);
    validateRequest(operation, input);
    return op(input);
  }

  /** Cancels pending status changes (the twin is closing). */
  close(): void {
    for (const handle of this.timers) this.opts.clock.clearTimeout(handle);
    this.timers.clear();
  }

  arnOf(name: string): string {
    return `arn:aws:kinesisanalytics:${this.opts.region}:${this.opts.accountId}:application/${name}`;
  }

  // ---- applications ------------------------------------------------------------------------------------------

  private createApplication(i: Input) {
    const { store, clock } = this.opts;
    const name = i['ApplicationName'] as string;
    if (store.get(name)) throw err('ResourceInUseException', `Application ${name} already exists`);
    if (store.size >= LIMITS.applications) {
      throw err('LimitExceededException', `Limit of ${LIMITS.applications} applications per region reached`);
    }
    const inputs = (i['Inputs'] as Input[] | undefined) ?? [];
    const outputs = (i['Outputs'] as Input[] | undefined) ?? [];
    if (inputs.length > LIMITS.inputs) {
      throw err('InvalidArgumentException', `An application has at most ${LIMITS.inputs} streaming source`);
    }
    this.checkDestinationCount(outputs.length);
    const tags = (i['Tags'] as Tag[] | undefined) ?? [];
    this.checkTags(tags);
    const now = clock.now();
    const app: ApplicationState = {
      name,
      arn: this.arnOf(name),
      status: 'READY',
      createTimestamp: now,
      versionId: 1,
      inputs: [],
      outputs: [],
      referenceDataSources: [],
      cloudWatchLoggingOptions: [],
      tags: dedupeTags(tags),
      checkpoints: {},
    };
    if (i['ApplicationDescription'] !== undefined) app.description = i['ApplicationDescription'] as string;
    if (i['ApplicationCode'] !== undefined) app.code = i['ApplicationCode'] as string;
    for (const input of inputs)
      app.inputs.push(this.toInputDescription(input, this.nextId(app, app.inputs, 'InputId')));
    for (const output of outputs) {
      app.outputs.push(this.toOutputDescription(output, this.nextId(app, app.outputs, 'OutputId')));
    }
    for (const option of (i['CloudWatchLoggingOptions'] as Input[] | undefined) ?? []) {
      app.cloudWatchLoggingOptions.push({
        CloudWatchLoggingOptionId: this.nextId(app, app.cloudWatchLoggingOptions, 'CloudWatchLoggingOptionId'),
        LogStreamARN: option['LogStreamARN'] as string,
        RoleARN: option['RoleARN'] as string,
      });
    }
    this.checkCode(app);
    store.put(app);
    return { ApplicationSummary: toSummary(app) };
  }

  private listApplications(i: Input) {
    const limit = (i['Limit'] as number | undefined) ?? 50;
    const after = i['ExclusiveStartApplicationName'] as string | undefined;
    const all = this.opts.store.list().filter((app) => after === undefined || app.name > after);
    return {
      ApplicationSummaries: all.slice(0, limit).map(toSummary),
      HasMoreApplications: all.length > limit,
    };
  }

  private updateApplication(i: Input) {
    const app = this.app(i);
    this.requireStatus(app, ['READY', 'RUNNING'], 'UpdateApplication');
    this.requireVersion(app, i);
    const update = i['ApplicationUpdate'] as Input;
    const next = clone(app);
    if (update['ApplicationCodeUpdate'] !== undefined) next.code = update['ApplicationCodeUpdate'] as string;
    for (const u of (update['InputUpdates'] as Input[] | undefined) ?? []) applyInputUpdate(next, u);
    for (const u of (update['OutputUpdates'] as Input[] | undefined) ?? []) applyOutputUpdate(next, u);
    for (const u of (update['ReferenceDataSourceUpdates'] as Input[] | undefined) ?? []) {
      const ref = findById(
        next.referenceDataSources,
        'ReferenceId',
        u['ReferenceId'] as string,
        'Reference data source',
      );
      if (u['TableNameUpdate'] !== undefined) ref.TableName = u['TableNameUpdate'] as string;
      if (u['ReferenceSchemaUpdate'] !== undefined) ref.ReferenceSchema = u['ReferenceSchemaUpdate'] as SourceSchema;
      const s3 = u['S3ReferenceDataSourceUpdate'] as Input | undefined;
      if (s3?.['BucketARNUpdate'] !== undefined)
        ref.S3ReferenceDataSourceDescription.BucketARN = s3['BucketARNUpdate'] as string;
      if (s3?.['FileKeyUpdate'] !== undefined)
        ref.S3ReferenceDataSourceDescription.FileKey = s3['FileKeyUpdate'] as string;
      if (s3?.['ReferenceRoleARNUpdate'] !== undefined) {
        ref.S3ReferenceDataSourceDescription.ReferenceRoleARN = s3['ReferenceRoleARNUpdate'] as string;
      }
    }
    for (const u of (update['CloudWatchLoggingOptionUpdates'] as Input[] | undefined) ?? []) {
      const option = findById(
        next.cloudWatchLoggingOptions,
        'CloudWatchLoggingOptionId',
        u['CloudWatchLoggingOptionId'] as string,
        'CloudWatch logging option',
      );
      if (u['LogStreamARNUpdate'] !== undefined) option.LogStreamARN = u['LogStreamARNUpdate'] as string;
      if (u['RoleARNUpdate'] !== undefined) option.RoleARN = u['RoleARNUpdate'] as string;
    }
    this.checkCode(next);
    Object.assign(app, next);
    this.bumpVersion(app, false);
    // a stopped application just takes the new configuration; a running one is UPDATING while its runner restarts
    if (app.status === 'RUNNING') {
      app.status = 'UPDATING';
      app.statusBeforeUpdate = 'RUNNING';
      this.after(app, this.opts.delays.updating, () => {
        app.status = app.statusBeforeUpdate ?? 'READY';
        delete app.statusBeforeUpdate;
        this.opts.store.changed();
        if (app.status === 'RUNNING') this.opts.dataPlane?.reconfigure(app);
      });
    }
    return {};
  }

  private async startApplication(i: Input) {
    const app = this.app(i);
    this.requireStatus(app, ['READY'], 'StartApplication');
    const configs = i['InputConfigurations'] as Input[];
    const input = app.inputs[0];
    if (!input) {
      throw err(
        'InvalidApplicationConfigurationException',
        `Application ${app.name} has no input; add one with AddApplicationInput before starting it`,
      );
    }
    if (app.code === undefined || app.code.trim() === '') {
      throw err('InvalidApplicationConfigurationException', `Application ${app.name} has no application code`);
    }
    let position: StartingPosition = 'NOW';
    for (const config of configs) {
      if (config['Id'] !== input.InputId) {
        throw err('InvalidArgumentException', `Application ${app.name} has no input with id ${String(config['Id'])}`);
      }
      const requested = (config['InputStartingPositionConfiguration'] as Input)['InputStartingPosition'];
      if (requested !== undefined) position = requested as StartingPosition;
    }
    await this.opts.dataPlane?.check(app);
    // the checks above awaited: another request may have started (or deleted) the application meanwhile
    this.requireStatus(app, ['READY'], 'StartApplication');
    const requestedAt = this.opts.clock.now();
    input.InputStartingPositionConfiguration = { InputStartingPosition: position };
    app.startingPosition = position;
    app.status = 'STARTING';
    this.opts.store.changed();
    this.after(app, this.opts.delays.starting, () => {
      app.status = 'RUNNING';
      this.opts.store.changed();
      try {
        this.opts.dataPlane?.start(app, position, requestedAt);
      } catch (error) {
        // the configuration checked at StartApplication no longer holds (say, the stream was deleted meanwhile)
        app.status = 'READY';
        process.emitWarning(`Kinesis Analytics twin: application ${app.name} could not start: ${String(error)}`);
      }
    });
    return {};
  }

  private stopApplication(i: Input) {
    const app = this.app(i);
    this.requireStatus(app, ['RUNNING'], 'StopApplication');
    app.status = 'STOPPING';
    this.opts.store.changed();
    const drained = this.opts.dataPlane?.stop(app) ?? Promise.resolve();
    const waited = new Promise<void>((resolve) => this.after(app, this.opts.delays.stopping, resolve));
    void Promise.all([drained, waited]).then(() => {
      if (this.opts.store.get(app.name) !== app || app.status !== 'STOPPING') return;
      app.status = 'READY';
      this.opts.store.changed();
    });
    return {};
  }

  private deleteApplication(i: Input) {
    const app = this.app(i);
    if (app.status === 'DELETING')
      throw err('ResourceInUseException', `Application ${app.name} is already being deleted`);
    const given = timestampMs(i['CreateTimestamp']);
    // clients round-trip the timestamp through seconds (the AWS CLI may drop the milliseconds)
    if (Math.floor(given / 1000) !== Math.floor(app.createTimestamp / 1000)) {
      throw err(
        'ConcurrentModificationException',
        `CreateTimestamp ${new Date(given).toISOString()} does not match application ${app.name}, created ${new Date(app.createTimestamp).toISOString()}`,
      );
    }
    const wasRunning = app.status === 'RUNNING' || app.status === 'STOPPING';
    app.status = 'DELETING';
    this.opts.store.changed();
    const drained = wasRunning ? (this.opts.dataPlane?.stop(app) ?? Promise.resolve()) : Promise.resolve();
    const waited = new Promise<void>((resolve) => this.after(app, this.opts.delays.deleting, resolve));
    void Promise.all([drained, waited]).then(() => {
      if (this.opts.store.get(app.name) !== app) return;
      this.opts.store.delete(app.name);
      this.opts.dataPlane?.remove(app.name);
    });
    return {};
  }

  // ---- configuration -----------------------------------------------------------------------------------------

  private addApplicationInput(i: Input) {
    const app = this.modifiable(i, 'AddApplicationInput');
    if (app.inputs.length >= LIMITS.inputs) {
      throw err(
        'InvalidArgumentException',
        `Application ${app.name} already has a streaming source (at most ${LIMITS.inputs})`,
      );
    }
    const next = clone(app);
    next.inputs.push(this.toInputDescription(i['Input'] as Input, this.nextId(app, app.inputs, 'InputId', true)));
    this.checkCode(next);
    app.inputs = next.inputs;
    this.bumpVersion(app);
    return {};
  }

  private addApplicationOutput(i: Input) {
    const app = this.modifiable(i, 'AddApplicationOutput');
    this.checkDestinationCount(app.outputs.length + 1);
    app.outputs.push(this.toOutputDescription(i['Output'] as Input, this.nextId(app, app.outputs, 'OutputId', true)));
    this.bumpVersion(app);
    return {};
  }

  private deleteApplicationOutput(i: Input) {
    const app = this.modifiable(i, 'DeleteApplicationOutput');
    const output = findById(app.outputs, 'OutputId', i['OutputId'] as string, 'Output');
    app.outputs = app.outputs.filter((o) => o !== output);
    this.bumpVersion(app);
    return {};
  }

  private addInputProcessing(i: Input) {
    const app = this.modifiable(i, 'AddApplicationInputProcessingConfiguration');
    const input = findById(app.inputs, 'InputId', i['InputId'] as string, 'Input');
    if (input.InputProcessingConfigurationDescription) {
      throw err('InvalidArgumentException', `Input ${input.InputId} already has an input processing configuration`);
    }
    const lambda = (i['InputProcessingConfiguration'] as Input)['InputLambdaProcessor'] as ArnRole;
    input.InputProcessingConfigurationDescription = { InputLambdaProcessorDescription: pickArnRole(lambda) };
    this.bumpVersion(app);
    return {};
  }

  private deleteInputProcessing(i: Input) {
    const app = this.modifiable(i, 'DeleteApplicationInputProcessingConfiguration');
    const input = findById(app.inputs, 'InputId', i['InputId'] as string, 'Input');
    delete input.InputProcessingConfigurationDescription;
    this.bumpVersion(app);
    return {};
  }

  private addReferenceDataSource(i: Input) {
    const app = this.modifiable(i, 'AddApplicationReferenceDataSource');
    if (app.referenceDataSources.length >= LIMITS.referenceDataSources) {
      throw err('InvalidArgumentException', `Application ${app.name} already has a reference data source (at most 1)`);
    }
    const source = i['ReferenceDataSource'] as Input;
    const s3 = source['S3ReferenceDataSource'] as Input | undefined;
    if (!s3) throw err('InvalidArgumentException', 'ReferenceDataSource needs S3ReferenceDataSource');
    app.referenceDataSources.push({
      ReferenceId: this.nextId(app, app.referenceDataSources, 'ReferenceId', true),
      TableName: source['TableName'] as string,
      S3ReferenceDataSourceDescription: {
        BucketARN: s3['BucketARN'] as string,
        FileKey: s3['FileKey'] as string,
        ReferenceRoleARN: s3['ReferenceRoleARN'] as string,
      },
      ReferenceSchema: source['ReferenceSchema'] as SourceSchema,
    });
    this.bumpVersion(app);
    return {};
  }

  private deleteReferenceDataSource(i: Input) {
    const app = this.modifiable(i, 'DeleteApplicationReferenceDataSource');
    const ref = findById(app.referenceDataSources, 'ReferenceId', i['ReferenceId'] as string, 'Reference data source');
    app.referenceDataSources = app.referenceDataSources.filter((r) => r !== ref);
    this.bumpVersion(app);
    return {};
  }

  private addCloudWatchLoggingOption(i: Input) {
    const app = this.modifiable(i, 'AddApplicationCloudWatchLoggingOption');
    const option = i['CloudWatchLoggingOption'] as Input;
    app.cloudWatchLoggingOptions.push({
      CloudWatchLoggingOptionId: this.nextId(app, app.cloudWatchLoggingOptions, 'CloudWatchLoggingOptionId', true),
      LogStreamARN: option['LogStreamARN'] as string,
      RoleARN: option['RoleARN'] as string,
    });
    this.bumpVersion(app);
    return {};
  }

  private deleteCloudWatchLoggingOption(i: Input) {
    const app = this.modifiable(i, 'DeleteApplicationCloudWatchLoggingOption');
    const id = i['CloudWatchLoggingOptionId'] as string;
    const option = findById(app.cloudWatchLoggingOptions, 'CloudWatchLoggingOptionId', id, 'CloudWatch logging option');
    app.cloudWatchLoggingOptions = app.cloudWatchLoggingOptions.filter((o) => o !== option);
    this.bumpVersion(app);
    return {};
  }

  // ---- tags --------------------------------------------------------------------------------------------------

  private tagResource(i: Input) {
    const app = this.appByArn(i['ResourceARN']);
    const tags = dedupeTags([...app.tags, ...(i['Tags'] as Tag[])]);
    this.checkTags(tags);
    app.tags = tags;
    this.opts.store.changed();
    return {};
  }

  private untagResource(i: Input) {
    const app = this.appByArn(i['ResourceARN']);
    const keys = new Set(i['TagKeys'] as string[]);
    app.tags = app.tags.filter((t) => !keys.has(t.Key));
    this.opts.store.changed();
    return {};
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  private app(i: Input): ApplicationState {
    const name = i['ApplicationName'] as string;
    const app = this.opts.store.get(name);
    if (!app) throw err('ResourceNotFoundException', `Application ${name} not found`);
    return app;
  }

  private appByArn(arn: unknown): ApplicationState {
    const app = this.opts.store.list().find((a) => a.arn === arn);
    if (!app) throw err('ResourceNotFoundException', `Application ${String(arn)} not found`);
    return app;
  }

  /** An application whose configuration may change now: current version given, READY or RUNNING. */
  private modifiable(i: Input, operation: string): ApplicationState {
    const app = this.app(i);
    this.requireStatus(app, ['READY', 'RUNNING'], operation);
    this.requireVersion(app, i);
    return app;
  }

  private requireStatus(app: ApplicationState, allowed: ApplicationStatus[], operation: string): void {
    if (!allowed.includes(app.status)) {
      throw err(
        'ResourceInUseException',
        `Application ${app.name} is ${app.status}; ${operation} needs it ${allowed.join(' or ')}`,
      );
    }
  }

  private requireVersion(app: ApplicationState, i: Input): void {
    const given = i['CurrentApplicationVersionId'];
    if (given !== app.versionId) {
      throw err(
        'ConcurrentModificationException',
        `CurrentApplicationVersionId ${String(given)} is not the current version (${app.versionId}) of application ${app.name}; describe it and retry`,
      );
    }
  }

  private bumpVersion(app: ApplicationState, reconfigure = true): void {
    app.versionId += 1;
    app.lastUpdateTimestamp = this.opts.clock.now();
    this.opts.store.changed();
    if (reconfigure && app.status === 'RUNNING') this.opts.dataPlane?.reconfigure(app);
  }

  /** Runs `fn` after `ms`, unless the application was deleted (or replaced) meanwhile. */
  private after(app: ApplicationState, ms: number, fn: () => void): void {
    const handle = this.opts.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (this.opts.store.get(app.name) === app) fn();
    }, ms);
    this.timers.add(handle);
  }

  /** Configuration ids read `<version>.<n>`: the version that added the item, then its rank within it. */
  private nextId<K extends string>(
    app: ApplicationState,
    items: Record<K, string>[],
    key: K,
    nextVersion = false,
  ): string {
    const version = app.versionId + (nextVersion ? 1 : 0);
    const taken = items.filter((item) => item[key].startsWith(`${version}.`)).length;
    return `${version}.${taken + 1}`;
  }

  private checkDestinationCount(count: number): void {
    if (count > LIMITS.destinations) {
      throw err(
        'InvalidArgumentException',
        `An application has at most ${LIMITS.destinations} destinations; this request would make ${count}`,
      );
    }
  }

  private checkTags(tags: Tag[]): void {
    if (tags.length > LIMITS.tags) {
      throw err(
        'TooManyTagsException',
        `An application has at most ${LIMITS.tags} tags; this request would make ${tags.length}`,
      );
    }
    const reserved = tags.find((t) => t.Key.toLowerCase().startsWith('aws:'));
    if (reserved) throw err('InvalidArgumentException', `Tag key ${reserved.Key} uses the reserved prefix aws:`);
  }

  /** Compiles the code against the input schema so bad SQL fails the request, as the service does. */
  private checkCode(app: ApplicationState): void {
    const input = app.inputs[0];
    if (app.code === undefined || app.code.trim() === '' || !input) return;
    try {
      this.opts.engine.compile(app.code, {
        schema: withDefaultMappings(input.InputSchema),
        namePrefix: input.NamePrefix,
      });
    } catch (error) {
      throw toServiceError(error);
    }
  }

  private toInputDescription(input: Input, id: string): InputDescription {
    const streams = input['KinesisStreamsInput'] as ArnRole | undefined;
    const firehose = input['KinesisFirehoseInput'] as ArnRole | undefined;
    if ((streams ? 1 : 0) + (firehose ? 1 : 0) !== 1) {
      throw err(
        'InvalidArgumentException',
        'An input needs exactly one of KinesisStreamsInput or KinesisFirehoseInput',
      );
    }
    if (streams && !KINESIS_STREAM_ARN.test(streams.ResourceARN)) {
      throw err(
        'InvalidArgumentException',
        `KinesisStreamsInput.ResourceARN ${streams.ResourceARN} is not a Kinesis stream ARN`,
      );
    }
    const prefix = input['NamePrefix'] as string;
    const count = ((input['InputParallelism'] as Input | undefined)?.['Count'] as number | undefined) ?? 1;
    const lambda = (input['InputProcessingConfiguration'] as Input | undefined)?.['InputLambdaProcessor'] as
      | ArnRole
      | undefined;
    return {
      InputId: id,
      NamePrefix: prefix,
      InAppStreamNames: inAppStreamNames(prefix, count),
      ...(lambda
        ? { InputProcessingConfigurationDescription: { InputLambdaProcessorDescription: pickArnRole(lambda) } }
        : {}),
      ...(streams ? { KinesisStreamsInputDescription: pickArnRole(streams) } : {}),
      ...(firehose ? { KinesisFirehoseInputDescription: pickArnRole(firehose) } : {}),
      // the service reports the encoding it reads, UTF-8, whether or not the request named it
      InputSchema: { RecordEncoding: 'UTF-8', ...(input['InputSchema'] as SourceSchema) },
      InputParallelism: { Count: count },
      InputStartingPositionConfiguration: {},
    };
  }

  private toOutputDescription(output: Input, id: string): OutputDescription {
    const kinds = ['KinesisStreamsOutput', 'KinesisFirehoseOutput', 'LambdaOutput'].filter(
      (k) => output[k] !== undefined,
    );
    if (kinds.length !== 1) {
      throw err(
        'InvalidArgumentException',
        'An output needs exactly one of KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput',
      );
    }
    const streams = output['KinesisStreamsOutput'] as ArnRole | undefined;
    if (streams && !KINESIS_STREAM_ARN.test(streams.ResourceARN)) {
      throw err(
        'InvalidArgumentException',
        `KinesisStreamsOutput.ResourceARN ${streams.ResourceARN} is not a Kinesis stream ARN`,
      );
    }
    const kind = kinds[0] as string;
    return {
      OutputId: id,
      Name: output['Name'] as string,
      [`${kind}Description`]: pickArnRole(output[kind] as ArnRole),
      DestinationSchema: {
        RecordFormatType: (output['DestinationSchema'] as Input)['RecordFormatType'] as 'JSON' | 'CSV',
      },
    } as OutputDescription;
  }
}

function pickArnRole(value: ArnRole): ArnRole {
  return { ResourceARN: value.ResourceARN, RoleARN: value.RoleARN };
}

function dedupeTags(tags: Tag[]): Tag[] {
  const byKey = new Map<string, Tag>();
  for (const tag of tags)
    byKey.set(tag.Key, tag.Value === undefined ? { Key: tag.Key } : { Key: tag.Key, Value: tag.Value });
  return [...byKey.values()];
}

function findById<K extends string, T extends Record<K, string>>(items: T[], key: K, id: string, what: string): T {
  const item = items.find((x) => x[key] === id);
  if (!item) throw err('ResourceNotFoundException', `${what} ${id} not found`);
  return item;
}

function applyInputUpdate(app: ApplicationState, u: Input): void {
  const input = findById(app.inputs, 'InputId', u['InputId'] as string, 'Input');
  if (u['NamePrefixUpdate'] !== undefined) input.NamePrefix = u['NamePrefixUpdate'] as string;
  const parallelism = u['InputParallelismUpdate'] as Input | undefined;
  if (parallelism?.['CountUpdate'] !== undefined)
    input.InputParallelism = { Count: parallelism['CountUpdate'] as number };
  input.InAppStreamNames = inAppStreamNames(input.NamePrefix, input.InputParallelism.Count);
  const streams = u['KinesisStreamsInputUpdate'] as Input | undefined;
  if (streams) {
    const current = input.KinesisStreamsInputDescription ?? { ResourceARN: '', RoleARN: '' };
    input.KinesisStreamsInputDescription = {
      ResourceARN: (streams['ResourceARNUpdate'] as string | undefined) ?? current.ResourceARN,
      RoleARN: (streams['RoleARNUpdate'] as string | undefined) ?? current.RoleARN,
    };
    if (!KINESIS_STREAM_ARN.test(input.KinesisStreamsInputDescription.ResourceARN)) {
      throw err('InvalidArgumentException', 'KinesisStreamsInputUpdate needs a Kinesis stream ARN');
    }
    delete input.KinesisFirehoseInputDescription;
  }
  const schema = u['InputSchemaUpdate'] as Input | undefined;
  if (schema) {
    const next = { ...input.InputSchema };
    if (schema['RecordFormatUpdate'] !== undefined)
      next.RecordFormat = schema['RecordFormatUpdate'] as SourceSchema['RecordFormat'];
    if (schema['RecordEncodingUpdate'] !== undefined) next.RecordEncoding = schema['RecordEncodingUpdate'] as string;
    if (schema['RecordColumnUpdates'] !== undefined)
      next.RecordColumns = schema['RecordColumnUpdates'] as SourceSchema['RecordColumns'];
    input.InputSchema = next;
  }
}

function applyOutputUpdate(app: ApplicationState, u: Input): void {
  const output = findById(app.outputs, 'OutputId', u['OutputId'] as string, 'Output');
  if (u['NameUpdate'] !== undefined) output.Name = u['NameUpdate'] as string;
  const schema = u['DestinationSchemaUpdate'] as Input | undefined;
  if (schema) output.DestinationSchema = { RecordFormatType: schema['RecordFormatType'] as 'JSON' | 'CSV' };
  const kinds = [
    ['KinesisStreamsOutputUpdate', 'KinesisStreamsOutputDescription'],
    ['KinesisFirehoseOutputUpdate', 'KinesisFirehoseOutputDescription'],
    ['LambdaOutputUpdate', 'LambdaOutputDescription'],
  ] as const;
  for (const [updateKey, descriptionKey] of kinds) {
    const update = u[updateKey] as Input | undefined;
    if (!update) continue;
    const current = output[descriptionKey] ?? { ResourceARN: '', RoleARN: '' };
    const next = {
      ResourceARN: (update['ResourceARNUpdate'] as string | undefined) ?? current.ResourceARN,
      RoleARN: (update['RoleARNUpdate'] as string | undefined) ?? current.RoleARN,
    };
    for (const [, other] of kinds) delete output[other];
    output[descriptionKey] = next;
    if (descriptionKey === 'KinesisStreamsOutputDescription' && !KINESIS_STREAM_ARN.test(next.ResourceARN)) {
      throw err('InvalidArgumentException', 'KinesisStreamsOutputUpdate needs a Kinesis stream ARN');
    }
  }
}

/**
 * Maps the SQL engine's errors (named after the API's exceptions) onto wire errors; anything else is a fault of the
 * twin and is returned unchanged, so it surfaces as such.
 */
export function toServiceError(error: unknown): unknown {
  if (error instanceof AwsServiceError) return error;
  if (
    error instanceof Error &&
    (error.name === 'CodeValidationException' || error.name === 'InvalidArgumentException')
  ) {
    return new AwsServiceError(error.name, error.message);
  }
  return error;
}
