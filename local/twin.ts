/**
 * The twin: every local AWS service on one port. Each service is one entry of `services` below: it builds its
 * part from the shared options and says what it serves (an AWS JSON service, REST routes, or both). Adding a
 * service is one entry here plus one field on `Twin`.
 */
import { type Clock, systemClock } from './clock';
import { KinesisTwin } from './kinesis';
import { startServer } from './server';
import type { AwsJsonService, RestRoute } from './service';

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
    close: async () => {
      await server.close();
      for (const service of [...services].reverse()) await service.close?.(built[service.key as keyof TwinParts]);
    },
  };
}
