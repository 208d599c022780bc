/**
 * The Lambda twin: functions from the packaged artifact, each in worker threads with its own environment, the
 * Invoke REST API (`aws lambda invoke` works against the twin), and Kinesis event source mappings with their REST
 * API (Create/Update/Get/Delete/ListEventSourceMappings), so engines drive them with @aws-sdk/client-lambda.
 */
import { availableParallelism } from 'node:os';
import { type Clock, systemClock } from '../clock';
import { AwsServiceError, type RestRequest, type RestResponse, type RestRoute } from '../service';
import {
  EventSourceMapping,
  type KinesisSource,
  type MappingSettings,
  type MappingState,
  streamNameOfSource,
} from './event-source-mapping';
import { type FunctionConfig, type InvokeResult, LambdaFunction } from './function';

export type { KinesisSource } from './event-source-mapping';
export { EventSourceMapping } from './event-source-mapping';
export type { InvokeResult } from './function';
export { LambdaFunction } from './function';

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
}

/** What deploy hands over to create a function. */
export interface CreateFunctionInput {
  name: string;
  handler: string;
  runtime?: string;
  timeout?: number;
  memorySize?: number;
  codeDir: string;
  /** The template's Environment.Variables, already resolved. */
  variables?: Record<string, string>;
  role?: string;
  concurrency?: number;
}

/** Environment variables Lambda reserves: a function's own variables cannot replace them. */
const RESERVED = new Set([
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_EXECUTION_ENV',
  'LAMBDA_TASK_ROOT',
]);

const json = (status: number, body: unknown): RestResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export class LambdaTwin {
  readonly region: string;
  readonly accountId: string;
  /** The twin's endpoint: functions call AWS through it (AWS_ENDPOINT_URL). Set once the server listens. */
  endpoint = 'http://127.0.0.1:4566';
  private readonly functions = new Map<string, LambdaFunction>();
  private readonly mappings = new Map<string, EventSourceMapping>();
  private readonly clock: Clock;
  private readonly created = new Map<string, number>();
  private readonly timers = new Set<unknown>();
  /** Receives what functions write to stdout/stderr (replaceable after start, e.g. by the CLI). */
  onLog: (functionName: string, chunk: string) => void;

  constructor(private readonly opts: LambdaTwinOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.clock = opts.clock ?? systemClock;
    this.onLog = opts.onLog ?? (() => {});
  }

  functionArn(name: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}`;
  }

  /** Creates (or replaces) a function. */
  async createFunction(input: CreateFunctionInput): Promise<Record<string, unknown>> {
    const existing = this.functions.get(input.name);
    if (existing) await existing.close();
    const memorySize = input.memorySize ?? 128;
    const own = Object.fromEntries(Object.entries(input.variables ?? {}).filter(([k]) => !RESERVED.has(k)));
    const environment: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
      TZ: 'UTC',
      LANG: 'en_US.UTF-8',
      AWS_ENDPOINT_URL: this.endpoint,
      ...own,
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_LAMBDA_FUNCTION_NAME: input.name,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${input.name}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${input.runtime ?? 'nodejs20.x'}`,
      LAMBDA_TASK_ROOT: input.codeDir,
    };
    // the function declares a newer Node than the twin may run on: the SDK's warning about it is the twin's, not the
    // function's, so it stays out of the function's logs
    if (Number(process.versions.node.split('.')[0]) < 22)
      environment['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
    const config: FunctionConfig = {
      name: input.name,
      arn: this.functionArn(input.name),
      handler: input.handler,
      runtime: input.runtime ?? 'nodejs20.x',
      timeout: input.timeout ?? 3,
      memorySize,
      codeDir: input.codeDir,
      environment,
      ...(input.role ? { role: input.role } : {}),
      ...(input.concurrency ? { concurrency: input.concurrency } : {}),
    };
    this.functions.set(input.name, new LambdaFunction(config, (name, chunk) => this.onLog(name, chunk)));
    this.created.set(input.name, this.clock.now());
    return this.configuration(input.name);
  }

  /**
   * Starts one environment of the function and loads its handler, a few functions at a time (one per core), lowest
   * `priority` first (then in the order asked), so the functions a run needs first are ready first. Invocations wait
   * for their function's warm-up.
   */
  warm(nameOrArn: string, priority = 0): Promise<void> {
    const fn = this.getFunction(nameOrArn);
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

  /** The function a name, ARN or partial ARN (with or without qualifier) designates. */
  getFunction(nameOrArn: string): LambdaFunction {
    const fn = this.functions.get(functionName(nameOrArn));
    if (!fn)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Function not found: ${nameOrArn.startsWith('arn:') ? nameOrArn : this.functionArn(nameOrArn)}`,
        404,
      );
    return fn;
  }

  listFunctions(): LambdaFunction[] {
    return [...this.functions.values()];
  }

  /** Invokes a function synchronously (RequestResponse). */
  async invoke(nameOrArn: string, payload: string): Promise<InvokeResult> {
    return this.getFunction(nameOrArn).invoke(payload);
  }

  async deleteFunction(nameOrArn: string): Promise<void> {
    const fn = this.getFunction(nameOrArn);
    for (const m of [...this.mappings.values()]) if (m.settings.functionArn === fn.config.arn) await this.drop(m);
    this.functions.delete(fn.config.name);
    await fn.close();
  }

  /**
   * UpdateFunctionConfiguration: Environment (replaced whole, as Lambda does), Timeout, MemorySize, Handler. The
   * function gets new execution environments, so the next invocation is a cold start that reads the new values.
   */
  async updateFunctionConfiguration(
    nameOrArn: string,
    input: Record<string, unknown>,
  ): Promise<Record<string, unknown>> {
    const c = this.getFunction(nameOrArn).config;
    let variables = this.ownVariables(c.environment);
    const environment = input['Environment'];
    if (environment !== undefined) {
      const given = (environment as { Variables?: unknown } | null)?.Variables ?? {};
      if (typeof given !== 'object' || given === null || Array.isArray(given))
        throw invalid('Environment.Variables must be a map of strings');
      variables = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)]));
      const reserved = Object.keys(variables).filter((k) => RESERVED.has(k));
      if (reserved.length > 0)
        throw invalid(
          `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
        );
      const size = Object.entries(variables).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
      if (size > 4096)
        throw invalid(
          `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size}`,
        );
    }
    const num = (key: string, min: number, max: number) => integerIn(input, key, min, max);
    return this.createFunction({
      name: c.name,
      handler: str(input['Handler']) ?? c.handler,
      runtime: c.runtime,
      timeout: num('Timeout', 1, 900) ?? c.timeout,
      memorySize: num('MemorySize', 128, 10240) ?? c.memorySize,
      codeDir: c.codeDir,
      variables,
      ...(c.role ? { role: c.role } : {}),
      ...(c.concurrency ? { concurrency: c.concurrency } : {}),
    });
  }

  /** The variables a function was given, without those the runtime adds. */
  private ownVariables(environment: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(environment).filter(
        ([k]) =>
          !RESERVED.has(k) && !['PATH', 'TZ', 'LANG', 'AWS_ENDPOINT_URL', 'AWS_LAMBDA_LOG_GROUP_NAME'].includes(k),
      ),
    );
  }

  private configuration(name: string): Record<string, unknown> {
    const c = this.getFunction(name).config;
    const own = Object.fromEntries(
      Object.entries(c.environment).filter(
        ([k]) =>
          !RESERVED.has(k) && !['PATH', 'TZ', 'LANG', 'AWS_ENDPOINT_URL', 'AWS_LAMBDA_LOG_GROUP_NAME'].includes(k),
      ),
    );
    return {
      FunctionName: c.name,
      FunctionArn: c.arn,
      Runtime: c.runtime,
      Role: c.role ?? `arn:aws:iam::${this.accountId}:role/lambda-role`,
      Handler: c.handler,
      CodeSize: 0,
      Timeout: c.timeout,
      MemorySize: c.memorySize,
      LastModified: new Date(this.created.get(name) ?? this.clock.now()).toISOString().replace('Z', '+0000'),
      Version: '$LATEST',
      Environment: { Variables: own },
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: ['x86_64'],
    };
  }

  // ---- event source mappings -------------------------------------------------------------------------------

  /** CreateEventSourceMapping (wire shape in and out). */
  async createEventSourceMapping(input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const kinesis = this.opts.kinesis;
    const eventSourceArn = str(input['EventSourceArn']);
    const functionNameIn = str(input['FunctionName']);
    if (!functionNameIn) throw invalid('FunctionName is required');
    const fn = this.getFunction(functionNameIn);
    if (!eventSourceArn?.startsWith('arn:aws:kinesis:') || !eventSourceArn.includes(':stream/'))
      throw invalid(`Unsupported event source ${eventSourceArn ?? '(none)'}: the twin maps Kinesis streams`);
    if (!kinesis) throw new AwsServiceError('ServiceException', 'The Lambda twin has no Kinesis twin to poll', 500);
    for (const m of this.mappings.values()) {
      if (m.settings.eventSourceArn === eventSourceArn && m.settings.functionArn === fn.config.arn)
        throw new AwsServiceError(
          'ResourceConflictException',
          `The event source arn (" ${eventSourceArn} ") and function (" ${fn.config.name} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${m.uuid}`,
          409,
        );
    }
    const startingPosition = str(input['StartingPosition']);
    if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST' && startingPosition !== 'AT_TIMESTAMP')
      throw invalid('StartingPosition must be TRIM_HORIZON, LATEST or AT_TIMESTAMP for a Kinesis event source');
    const settings: MappingSettings = {
      eventSourceArn,
      functionArn: fn.config.arn,
      batchSize: 100,
      startingPosition,
      maximumBatchingWindowInSeconds: 0,
      maximumRetryAttempts: -1,
      bisectBatchOnFunctionError: false,
      functionResponseTypes: [],
      parallelizationFactor: 1,
      maximumRecordAgeInSeconds: -1,
    };
    if (typeof input['StartingPositionTimestamp'] === 'number')
      settings.startingPositionTimestamp = input['StartingPositionTimestamp'] * 1000;
    applySettings(settings, input);
    const streamName = streamNameOfSource(eventSourceArn);
    const ctx = { region: this.region, accountId: this.accountId, headers: {} };
    try {
      await kinesis.handle('DescribeStreamSummary', { StreamName: streamName }, ctx);
    } catch (error) {
      throw invalid(`Stream not found: ${eventSourceArn}`, error);
    }
    if (eventSourceArn.includes('/consumer/')) {
      // An enhanced fan-out consumer must exist and be ACTIVE; the pollers then read its stream's shards.
      const described = await kinesis
        .handle('DescribeStreamConsumer', { ConsumerARN: eventSourceArn }, ctx)
        .catch((error: unknown) => {
          throw invalid(`Consumer not found: ${eventSourceArn}`, error);
        });
      const status = (described as { ConsumerDescription?: { ConsumerStatus?: string } }).ConsumerDescription
        ?.ConsumerStatus;
      if (status !== 'ACTIVE') throw invalid(`The consumer ${eventSourceArn} is ${status}, not ACTIVE`);
    }
    const mapping = new EventSourceMapping(settings, {
      kinesis,
      clock: this.clock,
      region: this.region,
      accountId: this.accountId,
      invoke: async (arn, payload) => {
        try {
          const r = await this.invoke(arn, payload);
          return { payload: r.payload, failed: r.functionError !== undefined };
        } catch (error) {
          return { payload: JSON.stringify({ errorMessage: String(error) }), failed: true };
        }
      },
      pollIntervalMs: this.opts.pollIntervalMs ?? 1000,
      retryDelayMs: this.opts.retryDelayMs ?? 1000,
      ...(fn.config.role ? { roleArn: fn.config.role } : {}),
    });
    this.mappings.set(mapping.uuid, mapping);
    const enabled = input['Enabled'] !== false;
    this.transition(mapping, enabled ? 'Enabled' : 'Disabled');
    return mapping.describe();
  }

  getEventSourceMapping(uuid: string): EventSourceMapping {
    const m = this.mappings.get(uuid);
    if (!m)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`,
        404,
      );
    return m;
  }

  /** UpdateEventSourceMapping: settings, and Enabled to start or stop polling. */
  updateEventSourceMapping(uuid: string, input: Record<string, unknown>): Record<string, unknown> {
    const m = this.getEventSourceMapping(uuid);
    if (m.state === 'Deleting')
      throw new AwsServiceError(
        'ResourceInUseException',
        `Cannot update the event source mapping ${uuid}: it is being deleted`,
      );
    if (typeof input['FunctionName'] === 'string')
      m.settings.functionArn = this.getFunction(input['FunctionName']).config.arn;
    applySettings(m.settings, input);
    m.lastModified = this.clock.now();
    const wasOn = m.state === 'Enabled' || m.state === 'Enabling' || m.state === 'Creating';
    const on = typeof input['Enabled'] === 'boolean' ? input['Enabled'] : wasOn;
    if (on !== wasOn) {
      m.state = on ? 'Enabling' : 'Disabling';
      this.transition(m, on ? 'Enabled' : 'Disabled');
    } else {
      m.state = 'Updating';
      this.transition(m, on ? 'Enabled' : 'Disabled', true);
    }
    return m.describe();
  }

  async deleteEventSourceMapping(uuid: string): Promise<Record<string, unknown>> {
    const m = this.getEventSourceMapping(uuid);
    m.state = 'Deleting';
    const out = m.describe();
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      void this.drop(m);
    }, this.opts.transitionDelayMs ?? 0);
    this.timers.add(handle);
    return out;
  }

  listEventSourceMappings(filter: { eventSourceArn?: string; functionName?: string } = {}): EventSourceMapping[] {
    const fnArn = filter.functionName ? this.functionArn(functionName(filter.functionName)) : undefined;
    return [...this.mappings.values()].filter(
      (m) =>
        (!filter.eventSourceArn || m.settings.eventSourceArn === filter.eventSourceArn) &&
        (!fnArn || m.settings.functionArn === fnArn),
    );
  }

  private async drop(m: EventSourceMapping): Promise<void> {
    this.mappings.delete(m.uuid);
    await m.stop();
  }

  private transition(m: EventSourceMapping, to: 'Enabled' | 'Disabled', restart = false): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      void (async () => {
        if (!this.mappings.has(m.uuid) || m.state === 'Deleting') return;
        const polling: MappingState[] = ['Enabled'];
        if (to === 'Enabled') {
          if (restart) await m.stop();
          if (restart || !polling.includes(m.state)) await m.start().catch(() => undefined);
        } else {
          await m.stop();
        }
        if (this.mappings.has(m.uuid) && (m.state as MappingState) !== 'Deleting') m.state = to;
      })();
    }, this.opts.transitionDelayMs ?? 0);
    this.timers.add(handle);
  }

  // ---- REST API --------------------------------------------------------------------------------------------

  /** The REST routes the twin's server mounts. */
  get routes(): RestRoute[] {
    const base = '/2015-03-31';
    const route = (method: string, path: RegExp, handle: (req: RestRequest) => Promise<RestResponse>): RestRoute => ({
      method,
      path,
      handle: async (req) => {
        try {
          return await handle(req);
        } catch (error) {
          if (error instanceof AwsServiceError) throw error;
          throw new AwsServiceError('ServiceException', error instanceof Error ? error.message : String(error), 500);
        }
      },
    });
    return [
      route('POST', new RegExp(`^${base}/functions/(?<name>[^/]+)/invocations$`), (req) => this.invokeRoute(req)),
      route('GET', new RegExp(`^${base}/functions/?$`), async () =>
        json(200, { Functions: this.listFunctions().map((f) => this.configuration(f.config.name)) }),
      ),
      route('PUT', new RegExp(`^${base}/functions/(?<name>[^/]+)/configuration$`), async (req) =>
        json(200, await this.updateFunctionConfiguration(decodeURIComponent(req.params['name']!), parseBody(req))),
      ),
      route('GET', new RegExp(`^${base}/functions/(?<name>[^/]+)/configuration$`), async (req) =>
        json(200, this.configuration(this.getFunction(decodeURIComponent(req.params['name']!)).config.name)),
      ),
      route('GET', new RegExp(`^${base}/functions/(?<name>[^/]+)$`), async (req) => {
        const fn = this.getFunction(decodeURIComponent(req.params['name']!));
        return json(200, {
          Configuration: this.configuration(fn.config.name),
          Code: { RepositoryType: 'S3', Location: `file://${fn.config.codeDir}` },
        });
      }),
      route('POST', new RegExp(`^${base}/event-source-mappings/?$`), async (req) =>
        json(202, await this.createEventSourceMapping(parseBody(req))),
      ),
      route('GET', new RegExp(`^${base}/event-source-mappings/?$`), async (req) => {
        const filter: { eventSourceArn?: string; functionName?: string } = {};
        const arn = req.query.get('EventSourceArn');
        const fn = req.query.get('FunctionName');
        if (arn) filter.eventSourceArn = arn;
        if (fn) filter.functionName = fn;
        const all = this.listEventSourceMappings(filter);
        const start = Number(req.query.get('Marker') ?? 0) || 0;
        const max = Math.min(100, Number(req.query.get('MaxItems') ?? 100) || 100);
        const page = all.slice(start, start + max);
        const body: Record<string, unknown> = { EventSourceMappings: page.map((m) => m.describe()) };
        if (start + max < all.length) body['NextMarker'] = String(start + max);
        return json(200, body);
      }),
      route('GET', new RegExp(`^${base}/event-source-mappings/(?<uuid>[^/]+)$`), async (req) =>
        json(200, this.getEventSourceMapping(req.params['uuid']!).describe()),
      ),
      route('PUT', new RegExp(`^${base}/event-source-mappings/(?<uuid>[^/]+)$`), async (req) =>
        json(202, this.updateEventSourceMapping(req.params['uuid']!, parseBody(req))),
      ),
      route('DELETE', new RegExp(`^${base}/event-source-mappings/(?<uuid>[^/]+)$`), async (req) =>
        json(202, await this.deleteEventSourceMapping(req.params['uuid']!)),
      ),
    ];
  }

  private async invokeRoute(req: RestRequest): Promise<RestResponse> {
    const fn = this.getFunction(decodeURIComponent(req.params['name']!));
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const payload = req.body.length === 0 ? '{}' : req.body.toString('utf8');
    try {
      JSON.parse(payload);
    } catch {
      throw new AwsServiceError('InvalidRequestContentException', 'Could not parse request body into json', 400);
    }
    if (type === 'DryRun') return { status: 204, headers: {}, body: '' };
    if (type === 'Event') {
      void fn.invoke(payload).catch(() => undefined);
      return { status: 202, headers: {}, body: '' };
    }
    if (type !== 'RequestResponse') throw invalid(`Invalid InvocationType: ${type}`);
    const result = await fn.invoke(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-amz-executed-version': '$LATEST',
      'x-amzn-requestid': result.requestId,
    };
    if (result.functionError) headers['x-amz-function-error'] = result.functionError;
    if (req.headers['x-amz-log-type'] === 'Tail')
      headers['x-amz-log-result'] = Buffer.from(result.logs.slice(-4096)).toString('base64');
    return { status: 200, headers, body: Buffer.from(result.payload) };
  }

  /** Stops every mapping and every function's worker threads. */
  async close(): Promise<void> {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.mappings.values()].map((m) => m.stop()));
    this.mappings.clear();
    await Promise.all([...this.functions.values()].map((f) => f.close()));
    this.functions.clear();
  }
}

/** The function name in a name, `name:qualifier`, partial ARN or ARN. */
export function functionName(nameOrArn: string): string {
  const parts = nameOrArn.split(':');
  if (parts[0] === 'arn') return parts[6] ?? nameOrArn;
  if (parts[1] === 'function') return parts[2] ?? nameOrArn;
  return parts[0]!;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** An optional integer field within [min, max]; InvalidParameterValueException otherwise. */
function integerIn(input: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = input[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw invalid(`${key} must be an integer between ${min} and ${max}`);
  return v;
}

function invalid(message: string, cause?: unknown): AwsServiceError {
  const e = new AwsServiceError('InvalidParameterValueException', message);
  if (cause !== undefined) (e as { cause?: unknown }).cause = cause;
  return e;
}

function parseBody(req: RestRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  try {
    return JSON.parse(req.body.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw invalid('Could not parse request body into json', error);
  }
}

function applySettings(s: MappingSettings, input: Record<string, unknown>): void {
  const num = (key: string, min: number, max: number) => integerIn(input, key, min, max);
  s.batchSize = num('BatchSize', 1, 10000) ?? s.batchSize;
  s.maximumBatchingWindowInSeconds = num('MaximumBatchingWindowInSeconds', 0, 300) ?? s.maximumBatchingWindowInSeconds;
  s.maximumRetryAttempts = num('MaximumRetryAttempts', -1, 10000) ?? s.maximumRetryAttempts;
  s.parallelizationFactor = num('ParallelizationFactor', 1, 10) ?? s.parallelizationFactor;
  s.maximumRecordAgeInSeconds = num('MaximumRecordAgeInSeconds', -1, 604800) ?? s.maximumRecordAgeInSeconds;
  if (typeof input['BisectBatchOnFunctionError'] === 'boolean')
    s.bisectBatchOnFunctionError = input['BisectBatchOnFunctionError'];
  if (Array.isArray(input['FunctionResponseTypes']))
    s.functionResponseTypes = (input['FunctionResponseTypes'] as unknown[]).map(String);
  if (input['DestinationConfig'] !== undefined) s.destinationConfig = input['DestinationConfig'];
}
