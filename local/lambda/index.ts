/**
 * The Lambda twin: functions from their packaged code, each version in worker threads with its own environment
 * (function.ts); versions and aliases; Kinesis event source mappings; the REST API of the model (routes.ts), so
 * `aws lambda ...` and @aws-sdk/client-lambda work against the twin; and a log sink with every function's log lines
 * as Lambda writes them to CloudWatch Logs.
 *
 * The wire (`handle`, behind the routes) and the in-process API (the typed methods, with the SDK's request and
 * response types) run the same validated operations. `invokeText` is the in-process way to invoke with JSON text.
 */

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type {
  AliasConfiguration,
  Concurrency,
  CreateAliasRequest,
  CreateEventSourceMappingRequest,
  DeleteAliasRequest,
  DeleteEventSourceMappingRequest,
  DeleteFunctionConcurrencyRequest,
  DeleteFunctionRequest,
  EventSourceMappingConfiguration,
  FunctionConfiguration,
  GetAliasRequest,
  GetEventSourceMappingRequest,
  GetFunctionConcurrencyRequest,
  GetFunctionConcurrencyResponse,
  GetFunctionConfigurationRequest,
  GetFunctionRequest,
  GetFunctionResponse,
  InvocationRequest,
  InvocationResponse,
  ListAliasesRequest,
  ListAliasesResponse,
  ListEventSourceMappingsRequest,
  ListEventSourceMappingsResponse,
  ListFunctionsRequest,
  ListFunctionsResponse,
  ListVersionsByFunctionRequest,
  ListVersionsByFunctionResponse,
  PublishVersionRequest,
  PutFunctionConcurrencyRequest,
  UpdateAliasRequest,
  UpdateEventSourceMappingRequest,
  UpdateFunctionConfigurationRequest,
} from '@aws-sdk/client-lambda';
import { type Clock, systemClock } from '../clock';
import type { Authorizer, CredentialIssuer } from '../iam';
import type { Answer } from '../sdk-shapes';
import type { RequestContext, RestRoute } from '../service';
import { InvokeFaults, type LambdaFaultCounts, type LambdaFaults } from './faults';
import type { InvokeResult, LambdaFunction } from './function';
import { MappingLifecycle } from './lifecycle';
import { type FunctionLogListener, LogSink } from './logs';
import type { EventSourceMapping, MappingBatch } from './mapping/event-source-mapping';
import type { KinesisSource } from './mapping/types';
import * as functions from './operations/functions';
import { invoke, invokeText } from './operations/invoke';
import * as mappings from './operations/mappings';
import * as versions from './operations/versions';
import { LambdaPersistence } from './persistence';
import { routes } from './routes';
import { type Journal, LambdaStore } from './store';
import { validateInput } from './validation';

export type { LambdaFaultCounts, LambdaFaults } from './faults';
export type { InvokeResult } from './function';
export { LambdaFunction } from './function';
export type { FunctionLogEvent, FunctionLogListener } from './logs';
export { EventSourceMapping, type MappingBatch } from './mapping/event-source-mapping';
export type { KinesisSource } from './mapping/types';
export type { CodeInput, CreateFunctionInput, UpdateFunctionCodeInput } from './operations/functions';
export { parseFunctionRef } from './store';

export interface LambdaTwinOptions {
  kinesis?: KinesisSource;
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Idle shard poll period of event source mappings (Lambda: about 1000 ms). */
  pollIntervalMs?: number;
  /** Pause before a failed batch is retried. */
  retryDelayMs?: number;
  /** Delay of the asynchronous state transitions of mappings (Creating -> Enabled, ...). */
  transitionDelayMs?: number;
  /** Receives what functions write to stdout/stderr. */
  onLog?: (functionName: string, chunk: string) => void;
  /** Where zips are unpacked; default `<cwd>/.fanout/lambda`. */
  codeCacheDir?: string;
  /** Where state changes are kept (the persistence seam); with dataDir, the twin's own journal. */
  journal?: Journal;
  /**
   * IAM: checks each call of a role session before it runs, and issues each function's environment the
   * credentials of its role (so its SDK calls carry who it is); mappings read with the function's role.
   */
  iam?: Authorizer & CredentialIssuer;
  /** Keep functions, versions, aliases and mappings with their checkpoints here (`<dataDir>/lambda/journal`). */
  dataDir?: string;
  /** With dataDir: a change is durable once fdatasync'd (true, default) or once written to the file. */
  fsync?: boolean;
  /** Where restore problems are reported (default: standard error). */
  warn?: (message: string) => void;
  /**
   * Test only: fault injection on Invoke by function name, e.g. `{ 'kinesis-fanout-dev-audit': { deliveryFailed:
   * 0.25, functionErrors: 0.1, throttle: 0.1 } }` (./faults.ts: every fault hits before the function sees the records,
   * so each is delivered once when sent again). `setFaults` changes them later, `faultCounts` says what they did.
   */
  faults?: Readonly<Record<string, LambdaFaults>>;
}

/** Operations that change nothing: answered without waiting for the journal. */
const READS = /^(Get|List)|^Invoke$/;

type Input = Record<string, unknown>;

/** Each operation, from its (validated) SDK request to its SDK response. */
const OPERATIONS: Record<string, (t: LambdaTwin, input: Input) => unknown> = {
  CreateFunction: (t, i) => functions.createFunction(t.store, i as never),
  GetFunction: (t, i) => functions.getFunction(t.store, i as never),
  GetFunctionConfiguration: (t, i) => functions.getFunctionConfiguration(t.store, i as never),
  ListFunctions: (t, i) => functions.listFunctions(t.store, i),
  UpdateFunctionConfiguration: (t, i) => functions.updateFunctionConfiguration(t.store, i as never),
  UpdateFunctionCode: (t, i) =>
    functions.updateFunctionCode(t.store, i as never, (record) => versions.publish(t.store, record)),
  DeleteFunction: (t, i) =>
    functions.deleteFunction(t.store, i as never, async (arn) => {
      for (const m of [...t.store.mappings.values()])
        if (m.settings.functionArn === arn || m.settings.functionArn.startsWith(`${arn}:`)) await t.lifecycle.drop(m);
    }),
  Invoke: (t, i) => invoke(t.store, i as never, t.faults),
  PublishVersion: (t, i) => versions.publishVersion(t.store, i as never),
  ListVersionsByFunction: (t, i) => versions.listVersionsByFunction(t.store, i as never),
  CreateAlias: (t, i) => versions.createAlias(t.store, i as never),
  GetAlias: (t, i) => versions.getAlias(t.store, i as never),
  UpdateAlias: (t, i) => versions.updateAlias(t.store, i as never),
  DeleteAlias: (t, i) => versions.deleteAlias(t.store, i as never),
  ListAliases: (t, i) => versions.listAliases(t.store, i as never),
  PutFunctionConcurrency: (t, i) => versions.putFunctionConcurrency(t.store, i as never),
  GetFunctionConcurrency: (t, i) => versions.getFunctionConcurrency(t.store, i as never),
  DeleteFunctionConcurrency: (t, i) => versions.deleteFunctionConcurrency(t.store, i as never),
  CreateEventSourceMapping: (t, i) => mappings.createEventSourceMapping(t.mappingContext, i as never),
  GetEventSourceMapping: (t, i) => mappings.getEventSourceMapping(t.store, i as never),
  ListEventSourceMappings: (t, i) => mappings.listEventSourceMappings(t.store, i),
  UpdateEventSourceMapping: (t, i) => mappings.updateEventSourceMapping(t.mappingContext, i as never),
  DeleteEventSourceMapping: (t, i) => mappings.deleteEventSourceMapping(t.mappingContext, i as never),
};

export class LambdaTwin {
  readonly region: string;
  readonly accountId: string;
  readonly store: LambdaStore;
  readonly lifecycle: MappingLifecycle;
  private readonly sink = new LogSink();
  private readonly batchListeners = new Set<(batch: MappingBatch) => void>();
  private readonly iam: Authorizer | undefined;
  /** @internal what mapping operations need */
  readonly mappingContext: mappings.MappingContext;
  private readonly persistence: LambdaPersistence | undefined;
  /** @internal Invoke's injected faults (test only) */
  readonly faults: InvokeFaults;
  /** Sets the mappings kept across a restart reading again (once the twin's endpoint is known). */
  private resume: (() => void) | undefined;

  constructor(opts: LambdaTwinOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.iam = opts.iam;
    this.faults = new InvokeFaults(opts.faults);
    const clock = opts.clock ?? systemClock;
    const warn = opts.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
    if (opts.dataDir !== undefined) {
      this.persistence = new LambdaPersistence(opts.dataDir, {
        ...(opts.fsync !== undefined ? { fsync: opts.fsync } : {}),
        warn,
      });
    }
    const journal = opts.journal ?? this.persistence;
    this.store = new LambdaStore(
      {
        clock,
        region: this.region,
        accountId: this.accountId,
        sink: this.sink,
        ...(journal ? { journal } : {}),
        ...(opts.iam ? { credentials: opts.iam } : {}),
      },
      opts.codeCacheDir ?? join(process.cwd(), '.fanout', 'lambda'),
    );
    if (opts.onLog) this.store.onStdout = opts.onLog;
    this.lifecycle = new MappingLifecycle(this.store, clock, opts.transitionDelayMs ?? 0);
    this.mappingContext = {
      store: this.store,
      lifecycle: this.lifecycle,
      kinesis: opts.kinesis,
      ...(opts.iam ? { iam: opts.iam } : {}),
      deps: {
        clock,
        region: this.region,
        accountId: this.accountId,
        invoke: async (arn, payload) => {
          try {
            const r = await this.invokeText(arn, payload);
            return { payload: r.payload, failed: r.functionError !== undefined };
          } catch (error) {
            return { payload: JSON.stringify({ errorMessage: String(error) }), failed: true };
          }
        },
        pollIntervalMs: opts.pollIntervalMs ?? 1000,
        retryDelayMs: opts.retryDelayMs ?? 1000,
        onBatch: (batch) => {
          for (const listener of this.batchListeners) listener(batch);
        },
      },
    };
    if (this.persistence) {
      this.resume = this.persistence.restore(this.mappingContext, warn);
      this.persistence.attach(this.store);
    }
  }

  /** Calls `listener` with each batch a mapping hands its function (CloudWatch's IteratorAge); unsubscribe. */
  onMappingBatch(listener: (batch: MappingBatch) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** The twin's endpoint: functions call AWS through it (AWS_ENDPOINT_URL). Set once the server listens. */
  get endpoint(): string {
    return this.store.endpoint;
  }

  set endpoint(url: string) {
    const before = this.store.endpoint;
    this.store.endpoint = url;
    // functions kept across a restart were built before the server listened: their environments start later
    for (const r of this.store.functions.values()) {
      for (const v of [r.latest, ...r.versions.values()]) {
        const environment = v.runtime.config.environment;
        if (environment['AWS_ENDPOINT_URL'] === before) environment['AWS_ENDPOINT_URL'] = url;
      }
    }
    const resume = this.resume;
    this.resume = undefined;
    resume?.();
  }

  /** Receives what functions write to stdout/stderr, raw (replaceable after start, e.g. by the CLI). */
  get onLog(): (functionName: string, chunk: string) => void {
    return this.store.onStdout;
  }

  set onLog(fn: (functionName: string, chunk: string) => void) {
    this.store.onStdout = fn;
  }

  /** Calls `listener` with every log event of every function (as CloudWatch Logs would get it); unsubscribe. */
  onFunctionLog(listener: FunctionLogListener): () => void {
    return this.sink.subscribe(listener);
  }

  functionArn(name: string): string {
    return this.store.functionArn(name);
  }

  /** Test only: faults injected into Invoke of `functionName` (./faults.ts); undefined clears them. */
  setFaults(functionName: string, faults: LambdaFaults | undefined): void {
    this.faults.set(functionName, faults);
  }

  /** Test only: the faults Invoke of `functionName` met since they were set. */
  faultCounts(functionName: string): LambdaFaultCounts {
    return this.faults.counts(functionName);
  }

  /**
   * Runs one operation with its SDK request (the routes' way in); validation first, then (for a role session's
   * call) IAM.
   */
  async handle(operation: string, input: Input, ctx?: RequestContext): Promise<unknown> {
    const run = OPERATIONS[operation];
    if (!run) throw new Error(`The Lambda twin has no operation ${operation}`);
    validateInput(operation, input);
    if (ctx?.principal && this.iam) {
      this.iam.authorize(ctx.principal, 'lambda', operation, input, {
        region: ctx.region,
        mappingFunctionArn: (uuid) => this.store.mappings.get(uuid)?.settings.functionArn,
      });
    }
    const output = await run(this, input);
    // with a data directory, a change is answered once it is durable
    if (this.persistence && !READS.test(operation)) await this.persistence.commit();
    return output;
  }

  /** The REST routes the twin's server mounts. */
  get routes(): RestRoute[] {
    return routes((operation, input, ctx) => this.handle(operation, input, ctx));
  }

  // ---- in process: the same operations, typed -----------------------------------------------------------------

  private call<T>(operation: string, input: object): Promise<Answer<T>> {
    return this.handle(operation, input as Input) as Promise<Answer<T>>;
  }

  /** CreateFunction; the code may be zip bytes, an S3 object (with an S3 twin) or an unpacked directory. */
  createFunction(input: functions.CreateFunctionInput): Promise<Answer<FunctionConfiguration>> {
    return this.call('CreateFunction', input);
  }

  getFunction(input: GetFunctionRequest): Promise<Answer<GetFunctionResponse>> {
    return this.call('GetFunction', input);
  }

  getFunctionConfiguration(input: GetFunctionConfigurationRequest): Promise<Answer<FunctionConfiguration>> {
    return this.call('GetFunctionConfiguration', input);
  }

  listFunctions(input: ListFunctionsRequest = {}): Promise<Answer<ListFunctionsResponse>> {
    return this.call('ListFunctions', input);
  }

  /** New environments read the new configuration; invocations under way finish in the old ones. */
  updateFunctionConfiguration(input: UpdateFunctionConfigurationRequest): Promise<Answer<FunctionConfiguration>> {
    return this.call('UpdateFunctionConfiguration', input);
  }

  /** New code (zip bytes, an S3 object or an unpacked directory) for `$LATEST`; Publish makes a version of it. */
  updateFunctionCode(input: functions.UpdateFunctionCodeInput): Promise<Answer<FunctionConfiguration>> {
    return this.call('UpdateFunctionCode', input);
  }

  /** The function with its versions, aliases and event source mappings (a Qualifier: that version only). */
  deleteFunction(input: DeleteFunctionRequest): Promise<Answer<Record<string, never>>> {
    return this.call('DeleteFunction', input);
  }

  invoke(input: InvocationRequest): Promise<Answer<InvocationResponse & { RequestId?: string }>> {
    return this.call('Invoke', input);
  }

  publishVersion(input: PublishVersionRequest): Promise<Answer<FunctionConfiguration>> {
    return this.call('PublishVersion', input);
  }

  listVersionsByFunction(input: ListVersionsByFunctionRequest): Promise<Answer<ListVersionsByFunctionResponse>> {
    return this.call('ListVersionsByFunction', input);
  }

  createAlias(input: CreateAliasRequest): Promise<Answer<AliasConfiguration>> {
    return this.call('CreateAlias', input);
  }

  getAlias(input: GetAliasRequest): Promise<Answer<AliasConfiguration>> {
    return this.call('GetAlias', input);
  }

  updateAlias(input: UpdateAliasRequest): Promise<Answer<AliasConfiguration>> {
    return this.call('UpdateAlias', input);
  }

  deleteAlias(input: DeleteAliasRequest): Promise<Answer<Record<string, never>>> {
    return this.call('DeleteAlias', input);
  }

  listAliases(input: ListAliasesRequest): Promise<Answer<ListAliasesResponse>> {
    return this.call('ListAliases', input);
  }

  putFunctionConcurrency(input: PutFunctionConcurrencyRequest): Promise<Answer<Concurrency>> {
    return this.call('PutFunctionConcurrency', input);
  }

  getFunctionConcurrency(input: GetFunctionConcurrencyRequest): Promise<Answer<GetFunctionConcurrencyResponse>> {
    return this.call('GetFunctionConcurrency', input);
  }

  deleteFunctionConcurrency(input: DeleteFunctionConcurrencyRequest): Promise<Answer<Record<string, never>>> {
    return this.call('DeleteFunctionConcurrency', input);
  }

  createEventSourceMapping(input: CreateEventSourceMappingRequest): Promise<Answer<EventSourceMappingConfiguration>> {
    return this.call('CreateEventSourceMapping', input);
  }

  getEventSourceMapping(input: GetEventSourceMappingRequest): Promise<Answer<EventSourceMappingConfiguration>> {
    return this.call('GetEventSourceMapping', input);
  }

  listEventSourceMappings(
    input: ListEventSourceMappingsRequest = {},
  ): Promise<Answer<ListEventSourceMappingsResponse>> {
    return this.call('ListEventSourceMappings', input);
  }

  /** Settings, FunctionName (another function, version or alias) and Enabled; the checkpoints carry over. */
  updateEventSourceMapping(input: UpdateEventSourceMappingRequest): Promise<Answer<EventSourceMappingConfiguration>> {
    return this.call('UpdateEventSourceMapping', input);
  }

  deleteEventSourceMapping(input: DeleteEventSourceMappingRequest): Promise<Answer<EventSourceMappingConfiguration>> {
    return this.call('DeleteEventSourceMapping', input);
  }

  // ---- in process: the twin's own ------------------------------------------------------------------------------

  /** Invokes a function (a name, qualified name or ARN) synchronously with JSON text. */
  invokeText(nameOrArn: string, payload: string, qualifier?: string): Promise<InvokeResult> {
    return invokeText(this.store, nameOrArn, payload, qualifier);
  }

  /** The execution environments of a function version (for the CLI and tests). */
  runtimeOf(nameOrArn: string): LambdaFunction {
    const { record, qualifier } = this.store.find(nameOrArn);
    return this.store.version(record, qualifier).version.runtime;
  }

  /** The `$LATEST` of every function. */
  runtimes(): LambdaFunction[] {
    return [...this.store.functions.values()].map((r) => r.latest.runtime);
  }

  /** An event source mapping itself: its state, checkpoints and counters. */
  mapping(uuid: string): EventSourceMapping {
    return mappings.mappingOf(this.store, uuid);
  }

  /**
   * Starts one environment of the function and loads its handler, a few functions at a time (one per core), lowest
   * `priority` first (then in the order asked), so the functions a run needs first are ready first. Invocations wait
   * for their function's warm-up.
   */
  warm(nameOrArn: string, priority = 0): Promise<void> {
    const fn = this.runtimeOf(nameOrArn);
    const run = async (): Promise<void> => {
      await fn.warm().catch(() => undefined);
      this.warmers--;
      this.warmQueue.shift()?.start();
    };
    if (this.warmers < Math.max(1, availableParallelism())) {
      this.warmers++;
      return run();
    }
    return new Promise<void>((resolve) => {
      const entry = {
        priority,
        start: () => {
          this.warmers++;
          void run().then(resolve);
        },
      };
      const at = this.warmQueue.findIndex((e) => e.priority > priority);
      this.warmQueue.splice(at < 0 ? this.warmQueue.length : at, 0, entry);
    });
  }

  private warmers = 0;
  private readonly warmQueue: { priority: number; start: () => void }[] = [];

  /** Resolves once every change so far (checkpoints included) is durable; at once without a data directory. */
  async flush(): Promise<void> {
    await this.persistence?.commit();
  }

  /** Stops every mapping and every function's worker threads. */
  async close(): Promise<void> {
    this.lifecycle.close();
    await Promise.all([...this.store.mappings.values()].map((m) => m.stop()));
    this.store.mappings.clear();
    await Promise.all(
      [...this.store.functions.values()].flatMap((r) =>
        [r.latest, ...r.versions.values()].map((v) => v.runtime.close()),
      ),
    );
    this.store.functions.clear();
    await this.persistence?.close();
  }
}
