/**
 * The twin: every local AWS service on one port. Each service is one entry of `services` below: it builds its
 * part from the shared options and says what it serves (an AWS JSON service, REST routes, or both). Adding a
 * service is one entry here plus one field on `Twin`.
 */
import { type Clock, systemClock } from './clock';
import { EventsTwin } from './events';
import { KinesisTwin } from './kinesis';
import { LambdaTwin } from './lambda';
import { startServer } from './server';
import type { AwsJsonService, RestRoute } from './service';
import { StepFunctionsTwin } from './stepfunctions';

export interface TwinOptions {
  /** Default 4566; 0 picks a free port. */
  port?: number;
  /** Throughput limits and quotas (default true). */
  limits?: boolean;
  /** Keep state across restarts. */
  dataDir?: string;
  clock?: Clock;
  region?: string;
  /** Zero delays for every status transition, for tests. */
  fast?: boolean;
}

export interface Twin {
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  readonly kinesis: KinesisTwin;
  readonly lambda: LambdaTwin;
  readonly stepFunctions: StepFunctionsTwin;
  readonly events: EventsTwin;
  close(): Promise<void>;
}

/** Options every service is built from. */
export interface TwinContext {
  clock: Clock;
  limits: boolean;
  region: string;
  fast: boolean;
  dataDir?: string;
  /** The services built before this one, for those that call others in process. */
  parts: Partial<TwinParts>;
}

/** The in-process handles of the services, as exposed on `Twin`. */
export interface TwinParts {
  kinesis: KinesisTwin;
  lambda: LambdaTwin;
  stepFunctions: StepFunctionsTwin;
  events: EventsTwin;
}

interface ServicePart<K extends keyof TwinParts> {
  key: K;
  create(ctx: TwinContext): TwinParts[K];
  /** What the server dispatches to this part. */
  json?(part: TwinParts[K]): AwsJsonService[];
  routes?(part: TwinParts[K]): RestRoute[];
  close?(part: TwinParts[K]): Promise<void>;
}

/** Stream creation takes this long on the twin unless `fast`; real Kinesis takes tens of seconds. */
const KINESIS_CREATE_DELAY_MS = 500;

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of parts, each typed by its own key
const services: ServicePart<any>[] = [
  {
    key: 'kinesis',
    create: (ctx) =>
      new KinesisTwin({
        clock: ctx.clock,
        limits: ctx.limits,
        region: ctx.region,
        createDelayMs: ctx.fast ? 0 : KINESIS_CREATE_DELAY_MS,
        ...(ctx.dataDir !== undefined ? { dataDir: ctx.dataDir } : {}),
      }),
    json: (kinesis: KinesisTwin) => [kinesis],
    close: (kinesis: KinesisTwin) => kinesis.close(),
  } satisfies ServicePart<'kinesis'>,
  {
    key: 'lambda',
    create: (ctx) =>
      new LambdaTwin({
        clock: ctx.clock,
        region: ctx.region,
        ...(ctx.parts.kinesis ? { kinesis: ctx.parts.kinesis } : {}),
        // Lambda polls an idle shard about once a second; the fast twin polls often so tests and runs stay short
        pollIntervalMs: ctx.fast ? 50 : 1000,
        retryDelayMs: ctx.fast ? 10 : 500,
      }),
    routes: (lambda: LambdaTwin) => lambda.routes,
    close: (lambda: LambdaTwin) => lambda.close(),
  } satisfies ServicePart<'lambda'>,
  {
    key: 'stepFunctions',
    create: (ctx) => {
      const lambda = ctx.parts.lambda;
      return new StepFunctionsTwin({
        region: ctx.region,
        ...(lambda ? { invoke: (fn: string, payload: string) => lambda.invoke(fn, payload) } : {}),
        ...(ctx.fast ? { waitScale: 0.01, retryScale: 0.01 } : {}),
      });
    },
    json: (sfn: StepFunctionsTwin) => [sfn],
    close: (sfn: StepFunctionsTwin) => sfn.close(),
  } satisfies ServicePart<'stepFunctions'>,
  {
    key: 'events',
    create: (ctx) => {
      const events = new EventsTwin({ clock: ctx.clock, region: ctx.region });
      const sfn = ctx.parts.stepFunctions;
      if (sfn) events.setInvoker(async (target, input) => sfn.startExecution({ stateMachineArn: target.arn, input }));
      return events;
    },
    close: (events: EventsTwin) => events.close(),
  } satisfies ServicePart<'events'>,
];

/** Starts every service of the twin on one port (127.0.0.1). */
export async function startTwin(opts: TwinOptions = {}): Promise<Twin> {
  const region = opts.region ?? 'us-east-1';
  const parts: Partial<TwinParts> = {};
  const ctx: TwinContext = {
    clock: opts.clock ?? systemClock,
    limits: opts.limits ?? true,
    region,
    fast: opts.fast ?? false,
    parts,
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
  };
  const json: AwsJsonService[] = [];
  const routes: RestRoute[] = [];
  for (const service of services) {
    const part = service.create(ctx);
    (parts as Record<string, unknown>)[service.key] = part;
    json.push(...(service.json?.(part) ?? []));
    routes.push(...(service.routes?.(part) ?? []));
  }
  const server = await startServer({ port: opts.port ?? 4566, services: json, routes, region });
  const built = parts as TwinParts;
  return {
    endpoint: server.url,
    port: server.port,
    region,
    kinesis: built.kinesis,
    lambda: built.lambda,
    stepFunctions: built.stepFunctions,
    events: built.events,
    close: async () => {
      await server.close();
      for (const service of [...services].reverse()) await service.close?.(built[service.key as keyof TwinParts]);
    },
  };
}
