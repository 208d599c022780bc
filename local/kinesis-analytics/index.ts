/**
 * The Kinesis Analytics (SQL applications, API 2015-08-14) twin: `KinesisAnalytics_20150814.*` in AWS JSON 1.1,
 * applications that really run their SQL between Kinesis streams of the twin, and one route of the twin's own:
 * `GET /_twin/kinesis-analytics/applications/{name}/errors`.
 */
import * as streamingSql from '../../src/streaming-sql';
import { type Clock, systemClock } from '../clock';
import { type AwsJsonService, AwsServiceError, type RequestContext, type RestRoute } from '../service';
import type { ApplicationState } from './application';
import { ControlPlane, DEFAULT_DELAYS, FAST_DELAYS, type StatusDelays } from './control-plane';
import { RunnerPool } from './data-plane';
import { discoverInputSchema } from './discover';
import type { SqlEngine } from './engine';
import { checkFaults, type Faults, parseFaults } from './faults';
import type { KinesisPort } from './kinesis-port';
import { DEFAULT_TIMING, type RunnerTiming } from './runner';
import { ApplicationStore } from './store';

export type { StatusDelays } from './control-plane';
export type { Faults } from './faults';
export type { RunnerTiming } from './runner';

export interface KinesisAnalyticsTwinOptions {
  /** The Kinesis twin the applications read from and write to. */
  kinesis: KinesisPort;
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Keep applications and their checkpoints here across restarts. */
  dataDir?: string;
  /** Zero status delays and quicker polling, for tests. */
  fast?: boolean;
  /** Per-status delays; default DEFAULT_DELAYS (FAST_DELAYS with `fast`). */
  delays?: Partial<StatusDelays>;
  /** Runner timing; default DEFAULT_TIMING. */
  timing?: Partial<RunnerTiming>;
  /**
   * Test-only fault injection on output rows; default from the env var FANOUT_TWIN_FAULTS
   * (`drop=0.01,duplicate=0.005,misroute=0.002`).
   */
  faults?: Faults;
  /** The SQL engine; default src/streaming-sql. */
  engine?: SqlEngine;
}

const ERRORS_ROUTE = /^\/_twin\/kinesis-analytics\/applications\/(?<name>[a-zA-Z0-9_.-]{1,128})\/errors$/;

export class KinesisAnalyticsTwin implements AwsJsonService {
  readonly targetPrefix = 'KinesisAnalytics_20150814';
  readonly jsonVersion = '1.1' as const;
  readonly store: ApplicationStore;
  readonly runners: RunnerPool;
  private readonly control: ControlPlane;
  private readonly kinesis: KinesisPort;
  private readonly engine: SqlEngine;

  constructor(opts: KinesisAnalyticsTwinOptions) {
    const clock = opts.clock ?? systemClock;
    this.kinesis = opts.kinesis;
    this.engine = opts.engine ?? streamingSql;
    this.store = new ApplicationStore(opts.dataDir);
    const faults = opts.faults ? checkFaults(opts.faults) : parseFaults(process.env['FANOUT_TWIN_FAULTS']);
    this.runners = new RunnerPool({
      kinesis: this.kinesis,
      engine: this.engine,
      clock,
      timing: { ...DEFAULT_TIMING, ...(opts.fast ? { pollIntervalMs: 20, retryBaseMs: 10 } : {}), ...opts.timing },
      ...(faults ? { faults } : {}),
      onChange: () => this.store.changed(),
    });
    this.control = new ControlPlane({
      store: this.store,
      clock,
      region: opts.region ?? 'us-east-1',
      accountId: opts.accountId ?? '000000000000',
      delays: { ...(opts.fast ? FAST_DELAYS : DEFAULT_DELAYS), ...opts.delays },
      engine: this.engine,
      dataPlane: this.runners,
    });
    this.resume(clock);
  }

  async handle(operation: string, input: Record<string, unknown>, _ctx?: RequestContext): Promise<unknown> {
    if (operation === 'DiscoverInputSchema') return discoverInputSchema(input, this.kinesis, this.engine);
    return this.control.handle(operation, input);
  }

  /** The twin's own routes of this service. */
  get routes(): RestRoute[] {
    return [
      {
        method: 'GET',
        path: ERRORS_ROUTE,
        handle: async ({ params }) => {
          const name = params['name'] ?? '';
          const app = this.store.get(name);
          if (!app) throw new AwsServiceError('ResourceNotFoundException', `Application ${name} not found`, 404);
          return { status: 200, body: this.errorReport(app) };
        },
      },
    ];
  }

  /**
   * What `GET /_twin/kinesis-analytics/applications/{name}/errors` returns: the error-stream records counted since
   * the twin started (the latest 100 of them), and the runner's counters.
   */
  errorReport(app: ApplicationState) {
    const log = this.runners.errors(app.name);
    return {
      ApplicationName: app.name,
      ApplicationStatus: app.status,
      ErrorCount: log.count,
      Errors: log.recent,
      Metrics: this.runners.metrics(app.name) ?? null,
      FaultsInjected: this.runners.faultsInjected(app.name),
    };
  }

  /** Stops the runners (checkpoints stay with delivered output) and writes the store. */
  async close(): Promise<void> {
    this.control.close();
    await this.runners.close();
    this.store.flush();
  }

  /** After a restart: statuses in flight settle, and RUNNING applications carry on from their checkpoints. */
  private resume(clock: Clock): void {
    for (const app of this.store.list()) {
      if (app.status === 'DELETING') {
        this.store.delete(app.name);
        continue;
      }
      if (app.status === 'UPDATING') app.status = app.statusBeforeUpdate ?? 'READY';
      delete app.statusBeforeUpdate;
      if (app.status === 'STARTING') app.status = 'RUNNING';
      if (app.status === 'STOPPING') app.status = 'READY';
      if (app.status === 'RUNNING') this.runners.start(app, 'LAST_STOPPED_POINT', clock.now());
    }
  }
}
