/**
 * The twin: every local AWS service on one port.
 *
 * Adding a service takes two edits in this file: a field on `TwinParts` (its in-process handle, which `Twin`
 * exposes under the same name) and an entry in `services` saying how to build it from the shared context and
 * in which wire protocol(s) the server speaks it (`mounts`: `awsJson(service)`, `restJson(routes)`,
 * `awsQuery(service)`, `restXml(routes)`; see local/service.ts and docs/architecture.md). Services are built in
 * list order, so a later one can use an earlier one in process through `ctx.parts`.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Clock, systemClock } from './clock';
import { CloudFormationTwin } from './cloudformation';
import { CloudWatchTwin } from './cloudwatch';
import { ConsoleService } from './console';
import { EcrTwin } from './ecr';
import { EventsTwin } from './events';
import { EventsWire } from './events/wire';
import { type FirehoseFaults, FirehoseTwin } from './firehose';
import { IamError, type IamMode, IamTwin } from './iam';
import { KinesisTwin } from './kinesis';
import { type Faults, KinesisAnalyticsTwin, lambdaPortOf } from './kinesis-analytics';
import { type LambdaFaults, LambdaTwin } from './lambda';
import { LogsTwin } from './logs';
import { holdQuietReclaim } from './memory';
import type { AccessOptions } from './protocols/access';
import { S3Twin } from './s3';
import { startServer } from './server';
import { awsJson, awsQuery, type Mount, restJson, restXml } from './service';
import { StepFunctionsTwin } from './stepfunctions';
import { StsTwin } from './sts';

export interface TwinOptions {
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Throughput limits and quotas (default true). */
  limits?: boolean;
  /** Keep state across restarts. */
  dataDir?: string;
  /** With dataDir: answer a change once it is fdatasync'd (true, default) or once written to the file (false). */
  fsync?: boolean;
  clock?: Clock;
  region?: string;
  /** Zero delays for every status transition, for tests. */
  fast?: boolean;
  /**
   * Where Lambda and CloudFormation unpack function code, `<codeDir>/lambda` (default `<cwd>/.fanout`; the
   * project's, so its node_modules resolve).
   */
  codeDir?: string;
  /** Test only: share of Kinesis Analytics output rows to drop/duplicate/misroute (default: env FANOUT_TWIN_FAULTS). */
  faults?: Faults;
  /**
   * Test only: faults of Firehose puts by delivery stream name (local/firehose: `failRecords` answered
   * ServiceUnavailableException in FailedPutCount, `throttleCalls` refused whole), e.g. `{ archive: { failRecords:
   * 0.25 } }`. Exact shares; a failed record is not buffered, so one sent again is delivered once.
   */
  firehoseFaults?: Readonly<Record<string, FirehoseFaults>>;
  /**
   * Test only: faults of Lambda Invoke by function name (local/lambda/faults.ts: `throttle` TooManyRequestsException,
   * `functionErrors` answered Unhandled, `deliveryFailed` records of a destination event answered DeliveryFailed),
   * all before the function sees the records they fail. Exact shares.
   */
  lambdaFaults?: Readonly<Record<string, LambdaFaults>>;
  /**
   * `auth` (default true): refuse requests without a well-formed SigV4 Authorization, as AWS does (signatures
   * are not verified; `--auth off` on the CLI for tools that send none). `allowedOrigins`: origins besides the
   * twin's own whose pages may call it (CORS); any other Origin is refused.
   */
  access?: AccessOptions;
  /**
   * IAM for the calls of functions, applications, state machines and mappings (their roles): `enforce` (default)
   * denies as AWS does, `warn` logs each would-be denial once and lets the call run, `off` checks nothing.
   */
  iam?: IamMode;
}

/** The in-process handles of the services; `Twin` exposes each under its key. */
export interface TwinParts {
  iam: IamTwin;
  kinesis: KinesisTwin;
  kinesisAnalytics: KinesisAnalyticsTwin;
  lambda: LambdaTwin;
  stepFunctions: StepFunctionsTwin;
  events: EventsTwin;
  s3: S3Twin;
  firehose: FirehoseTwin;
  logs: LogsTwin;
  sts: StsTwin;
  ecr: EcrTwin;
  cloudWatch: CloudWatchTwin;
  cloudFormation: CloudFormationTwin;
  /** The console at `/_console/` (its URL: `twin.console.url`). */
  console: ConsoleService;
}

export interface Twin extends TwinParts {
  /** `http://127.0.0.1:<port>`: what AWS_ENDPOINT_URL should be for code that talks to the twin. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** The clock every delay of the twin runs on (deploy waits on it too). */
  readonly clock: Clock;
  close(): Promise<void>;
}

/** What every service is built from. */
export interface TwinContext {
  clock: Clock;
  limits: boolean;
  region: string;
  /** Zero delays for status transitions. */
  fast: boolean;
  dataDir?: string;
  /** With dataDir: acknowledge changes once fdatasync'd (default) or once written. */
  fsync?: boolean;
  faults?: Faults;
  firehoseFaults?: Readonly<Record<string, FirehoseFaults>>;
  lambdaFaults?: Readonly<Record<string, LambdaFaults>>;
  /** Where function code is unpacked (`<codeDir>/lambda`). */
  codeDir?: string;
  iam: IamMode;
  /** The services built before this one. */
  parts: Partial<TwinParts>;
  /** The twin's URL; known once the server listens (call it from requests or `started`, not from `create`). */
  endpoint(): string;
}

interface ServicePart<K extends keyof TwinParts> {
  key: K;
  create(ctx: TwinContext): TwinParts[K];
  /** What the server serves of this part, each in its wire protocol. */
  mounts?(part: TwinParts[K]): Mount[];
  /** Called once the server listens, e.g. to hand the endpoint to worker environments. */
  started?(part: TwinParts[K], endpoint: string): void | Promise<void>;
  close?(part: TwinParts[K]): Promise<void>;
}

function part<K extends keyof TwinParts>(p: ServicePart<K>): ServicePart<K> {
  return p;
}

/** Kinesis streams take this long to become ACTIVE unless `fast` (real Kinesis takes tens of seconds). */
const KINESIS_CREATE_DELAY_MS = 500;
/** Firehose streams take this long to become ACTIVE (and to go) unless `fast`. */
const FIREHOSE_STATUS_DELAY_MS = 500;

const services = [
  part({
    key: 'iam',
    create: (ctx) =>
      new IamTwin({
        region: ctx.region,
        mode: ctx.iam,
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
      }),
    close: (iam) => iam.close(),
  }),
  part({
    key: 'kinesis',
    create: (ctx) =>
      new KinesisTwin({
        iam: ctx.parts.iam!,
        clock: ctx.clock,
        limits: ctx.limits,
        region: ctx.region,
        createDelayMs: ctx.fast ? 0 : KINESIS_CREATE_DELAY_MS,
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
      }),
    mounts: (kinesis) => [awsJson(kinesis, { cbor: kinesis.model })],
    close: (kinesis) => kinesis.close(),
  }),
  part({
    key: 'lambda',
    create: (ctx) =>
      new LambdaTwin({
        iam: ctx.parts.iam!,
        clock: ctx.clock,
        region: ctx.region,
        ...(ctx.parts.kinesis ? { kinesis: ctx.parts.kinesis } : {}),
        // Lambda polls a shard about once a second; only a fast twin without limits polls more (it would
        // otherwise take the GetRecords budget of 5 calls/s/shard from every other reader of the stream)
        pollIntervalMs: ctx.fast && !ctx.limits ? 50 : 1000,
        retryDelayMs: ctx.fast ? 10 : 500,
        ...(ctx.codeDir !== undefined ? { codeCacheDir: join(ctx.codeDir, 'lambda') } : {}),
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
        ...(ctx.lambdaFaults !== undefined ? { faults: ctx.lambdaFaults } : {}),
      }),
    mounts: (lambda) => [restJson(lambda.routes)],
    started: (lambda, endpoint) => {
      lambda.endpoint = endpoint;
    },
    close: (lambda) => lambda.close(),
  }),
  part({
    key: 's3',
    create: (ctx) => {
      const s3 = new S3Twin({
        clock: ctx.clock,
        region: ctx.region,
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
      });
      // CreateFunction and UpdateFunctionCode with Code.S3Bucket/S3Key read the object from this S3
      const lambda = ctx.parts.lambda;
      if (lambda) lambda.store.fetchS3Object = async (bucket, key) => s3.object(bucket, key).body;
      return s3;
    },
    mounts: (s3) => [restXml(s3.routes)],
  }),
  part({
    key: 'firehose',
    create: (ctx) =>
      new FirehoseTwin({
        s3: ctx.parts.s3!,
        iam: ctx.parts.iam!,
        clock: ctx.clock,
        region: ctx.region,
        limits: ctx.limits,
        // Firehose takes tens of seconds to make a stream ACTIVE; a fast twin delivers each put at once
        statusDelayMs: ctx.fast ? 0 : FIREHOSE_STATUS_DELAY_MS,
        ...(ctx.fast ? { bufferIntervalMs: 0, retryMs: 10 } : {}),
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
        ...(ctx.firehoseFaults !== undefined ? { faults: ctx.firehoseFaults } : {}),
      }),
    mounts: (firehose) => [awsJson(firehose)],
    close: (firehose) => firehose.close(),
  }),
  part({
    key: 'kinesisAnalytics',
    create: (ctx) =>
      new KinesisAnalyticsTwin({
        kinesis: ctx.parts.kinesis!,
        iam: ctx.parts.iam!,
        // built before: Lambda destinations and preprocessing functions run there (and it closes after)
        ...(ctx.parts.lambda ? { lambda: lambdaPortOf(ctx.parts.lambda) } : {}),
        // built before: Firehose destinations are delivered there (and it closes after, flushing to S3)
        ...(ctx.parts.firehose ? { firehose: ctx.parts.firehose } : {}),
        clock: ctx.clock,
        region: ctx.region,
        fast: ctx.fast,
        // an application reads a shard at its tip about once a second, leaving its other consumers the rest of
        // the shard's 5 reads; without limits there is nothing to share, and a put is read at once
        ...(ctx.limits ? {} : { timing: { caughtUpReadIntervalMs: 0 } }),
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
        ...(ctx.faults !== undefined ? { faults: ctx.faults } : {}),
      }),
    mounts: (analytics) => [awsJson(analytics), restJson(analytics.routes)],
    close: (analytics) => analytics.close(),
  }),
  part({
    key: 'stepFunctions',
    create: (ctx) => {
      const lambda = ctx.parts.lambda;
      const iam = ctx.parts.iam!;
      return new StepFunctionsTwin({
        clock: ctx.clock,
        region: ctx.region,
        ...(lambda
          ? {
              invoke: (fn: string, payload: string, caller?: { roleArn: string; executionName: string }) => {
                // Step Functions invokes with the state machine's role
                try {
                  iam.authorize(iam.session(caller?.roleArn, caller?.executionName ?? ''), 'lambda', 'Invoke', {
                    FunctionName: fn,
                  });
                } catch (error) {
                  throw asLambdaException(error);
                }
                return lambda.invokeText(fn, payload);
              },
            }
          : {}),
        ...(ctx.fast ? { waitScale: 0.01, retryScale: 0.01 } : {}),
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
      });
    },
    mounts: (sfn) => [awsJson(sfn)],
    close: (sfn) => sfn.close(),
  }),
  part({
    key: 'events',
    create: (ctx) => {
      const events = new EventsTwin({
        clock: ctx.clock,
        region: ctx.region,
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
      });
      const sfn = ctx.parts.stepFunctions;
      const iam = ctx.parts.iam!;
      if (sfn) {
        events.setInvoker(async (target, input) => {
          // EventBridge starts the execution with the target's role
          iam.authorize(iam.session(target.RoleArn, 'events'), 'stepFunctions', 'StartExecution', {
            stateMachineArn: target.Arn,
          });
          return sfn.startExecution({ stateMachineArn: target.Arn, input });
        });
      }
      return events;
    },
    // read on the wire as on AWS (DescribeRule, ListRules, ListTargetsByRule: `fanout status`, the AWS CLI)
    mounts: (events) => [awsJson(new EventsWire(events))],
    close: (events) => events.close(),
  }),
  part({
    key: 'logs',
    create: (ctx) => {
      const logs = new LogsTwin({ clock: ctx.clock, region: ctx.region });
      // what functions write lands in their log groups and streams, as Lambda sends it
      ctx.parts.lambda?.onFunctionLog((event) => logs.functionLog(event));
      // and executions' history events, where their state machine's logging configuration says
      const sfn = ctx.parts.stepFunctions;
      sfn?.onExecutionEvent(
        logs.executionLogger((arn) => sfn.describeStateMachine({ stateMachineArn: arn }).loggingConfiguration),
      );
      return logs;
    },
    mounts: (logs) => [awsJson(logs)],
  }),
  part({ key: 'sts', create: () => new StsTwin(), mounts: (sts) => [awsQuery(sts)] }),
  part({ key: 'ecr', create: () => new EcrTwin(), mounts: (ecr) => [awsJson(ecr)] }),
  part({
    key: 'cloudWatch',
    create: (ctx) => {
      const cloudWatch = new CloudWatchTwin({ clock: ctx.clock, region: ctx.region });
      // AWS services publish their own metrics; so do the twin's, from their counters and the functions' logs
      const { kinesis, lambda, stepFunctions, kinesisAnalytics } = ctx.parts;
      cloudWatch.attach({
        ...(kinesis ? { kinesis } : {}),
        ...(lambda ? { lambda } : {}),
        ...(stepFunctions ? { stepFunctions } : {}),
        ...(kinesisAnalytics ? { kinesisAnalytics } : {}),
      });
      return cloudWatch;
    },
    mounts: (cloudWatch) => [awsJson(cloudWatch)],
    close: async (cloudWatch) => cloudWatch.close(),
  }),
  part({
    key: 'cloudFormation',
    create: (ctx) => {
      const p = ctx.parts;
      return new CloudFormationTwin({
        target: {
          region: ctx.region,
          clock: ctx.clock,
          kinesis: p.kinesis!,
          lambda: p.lambda!,
          stepFunctions: p.stepFunctions!,
          events: p.events!,
          s3: p.s3!,
          firehose: p.firehose!,
          logs: p.logs!,
          cloudWatch: p.cloudWatch!,
          iam: p.iam!,
        },
        s3: p.s3!,
        clock: ctx.clock,
        region: ctx.region,
        codeRoot: p.lambda!.store.codeCacheDir,
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.fsync !== undefined ? { fsync: ctx.fsync } : {}),
      });
    },
    mounts: (cfn) => [awsQuery(cfn)],
    close: (cfn) => cfn.close(),
  }),
  part({
    key: 'console',
    create: (ctx) =>
      new ConsoleService({
        kinesis: ctx.parts.kinesis!,
        stepFunctions: ctx.parts.stepFunctions!,
        ...(ctx.parts.kinesisAnalytics ? { kinesisAnalytics: ctx.parts.kinesisAnalytics } : {}),
        ...(ctx.parts.lambda ? { lambda: ctx.parts.lambda } : {}),
        ...(ctx.parts.events ? { events: ctx.parts.events } : {}),
        endpoint: ctx.endpoint,
        now: () => ctx.clock.now(),
      }),
    mounts: (console) => [restJson(console.routes)],
    close: async (console) => console.close(),
  }),
];

type AnyPart = ServicePart<keyof TwinParts>;

/** Starts every service of the twin on one port of 127.0.0.1. */
export async function startTwin(opts: TwinOptions = {}): Promise<Twin> {
  const region = opts.region ?? 'us-east-1';
  const parts: Partial<TwinParts> = {};
  let endpoint: string | undefined;
  const ctx: TwinContext = {
    clock: opts.clock ?? systemClock,
    limits: opts.limits ?? true,
    region,
    fast: opts.fast ?? false,
    parts,
    endpoint: () => {
      if (endpoint === undefined) throw new Error('The twin is not listening yet');
      return endpoint;
    },
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    ...(opts.fsync !== undefined ? { fsync: opts.fsync } : {}),
    ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
    ...(opts.firehoseFaults !== undefined ? { firehoseFaults: opts.firehoseFaults } : {}),
    ...(opts.lambdaFaults !== undefined ? { lambdaFaults: opts.lambdaFaults } : {}),
    ...(opts.codeDir !== undefined ? { codeDir: opts.codeDir } : {}),
    iam: opts.iam ?? 'enforce',
  };
  const mounts: Mount[] = [];
  const built: AnyPart[] = [];
  const closeParts = async (): Promise<void> => {
    for (const service of built.reverse()) await service.close?.(parts[service.key]!);
  };
  try {
    for (const service of services as AnyPart[]) {
      const handle = service.create(ctx);
      (parts as Record<string, unknown>)[service.key] = handle;
      built.push(service);
      mounts.push(...(service.mounts?.(handle) ?? []));
    }
  } catch (error) {
    await closeParts();
    throw error;
  }
  const server = await startServer({
    port: opts.port ?? 4566,
    mounts,
    region,
    ...(opts.access ? { access: opts.access } : {}),
    principalOf: (accessKeyId) => parts.iam!.principalOfKey(accessKeyId),
  }).catch(async (error: unknown) => {
    await closeParts();
    throw new TwinStartError(`Cannot listen on 127.0.0.1:${opts.port ?? 4566}`, { cause: error });
  });
  endpoint = server.url;
  for (const service of built) await service.started?.(parts[service.key]!, server.url);
  // the young generation given back when the process goes quiet (local/memory.ts)
  const releaseReclaim = holdQuietReclaim();
  return {
    ...(parts as TwinParts),
    endpoint: server.url,
    port: server.port,
    region,
    clock: ctx.clock,
    close: async () => {
      releaseReclaim();
      await server.close();
      await closeParts();
    },
  };
}

/**
 * A denial as Step Functions reports a Lambda task's: the error `Lambda.AWSLambdaException`, the cause Lambda's
 * message with the SDK's service details, as AWS's history shows it.
 */
function asLambdaException(error: unknown): unknown {
  if (!(error instanceof IamError)) return error;
  const e = new Error(
    `${error.message} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException; Request ID: ${randomUUID()}; Proxy: null)`,
  );
  e.name = 'AWSLambdaException';
  return e;
}

export class TwinStartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(
      (options?.cause as { code?: unknown } | undefined)?.code === 'EADDRINUSE'
        ? `${message}: the port is in use (another twin? pick one with --port)`
        : message,
      options,
    );
    this.name = 'TwinStartError';
  }
}
