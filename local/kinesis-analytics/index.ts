/**
 * The Kinesis Analytics (SQL applications, API 2015-08-14) twin: `KinesisAnalytics_20150814.*` in AWS JSON 1.1,
 * applications that really run their SQL between Kinesis streams (and Lambda functions) of the twin, one route of
 * the twin's own, `GET /_twin/kinesis-analytics/applications/{name}/errors`, and `metrics(name)` in process.
 */
import * as streamingSql from '../../src/streaming-sql';
import { type Clock, systemClock } from '../clock';
import { type Authorizer, IamError } from '../iam';
import { kinesisAs } from '../iam/guard';
import type { AwsJsonService, RequestContext, RestRoute } from '../service';
import { ControlPlane } from './control-plane';
import type { ApplicationMetrics } from './counters';
import { RunningApplications } from './data-plane';
import type { SqlEngine } from './engine';
import { applicationNotFound, invalidArgument } from './errors';
import { checkFaults, type Faults, parseFaults } from './faults';
import type { FirehosePort } from './firehose-port';
import { durableOutput, type KinesisPort } from './kinesis-port';
import type { LambdaPort } from './lambda-port';
import { DEFAULT_DELAYS, FAST_DELAYS, type StatusDelays } from './lifecycle';
import { discoverInputSchema } from './operations/discover';
import type { ApplicationState } from './state';
import { ApplicationStore } from './store';
import { DEFAULT_TIMING, FAST_TIMING, type RunnerTiming } from './timing';
import { operationNames } from './validation';

export type { ApplicationMetrics } from './counters';
export type { Faults } from './faults';
export { type LambdaPort, lambdaPortOf } from './lambda-port';
export type { StatusDelays } from './lifecycle';
export type { RunnerTiming } from './timing';

export interface KinesisAnalyticsTwinOptions {
  /** The Kinesis twin the applications read from and write to. */
  kinesis: KinesisPort;
  /** The Lambda twin: Lambda destinations and input preprocessing functions run there. */
  lambda?: LambdaPort;
  /** The Firehose twin: Firehose destinations are delivered there. */
  firehose?: FirehosePort;
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Keep applications and their checkpoints here across restarts (`<dataDir>/kinesis-analytics/journal`). */
  dataDir?: string;
  /** With dataDir: a change is durable once fdatasync'd (true, default) or once written to the file. */
  fsync?: boolean;
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
  /** IAM: checks each call of a role session, and the applications read and write with their RoleARNs. */
  iam?: Authorizer;
}

const ERRORS_ROUTE = /^\/_twin\/kinesis-analytics\/applications\/(?<name>[a-zA-Z0-9_.-]{1,128})\/errors$/;

export class KinesisAnalyticsTwin implements AwsJsonService {
  readonly targetPrefix = 'KinesisAnalytics_20150814';
  readonly jsonVersion = '1.1' as const;
  readonly store: ApplicationStore;
  readonly runners: RunningApplications;
  private readonly control: ControlPlane;
  private readonly kinesis: KinesisPort;
  private readonly engine: SqlEngine;
  private readonly lambda: LambdaPort | undefined;
  private readonly iam: Authorizer | undefined;

  constructor(opts: KinesisAnalyticsTwinOptions) {
    this.iam = opts.iam;
    const clock = opts.clock ?? systemClock;
    // with a data directory, a checkpoint moves only past output that is durable in its stream
    this.kinesis = opts.dataDir !== undefined ? durableOutput(opts.kinesis) : opts.kinesis;
    this.engine = opts.engine ?? streamingSql;
    this.lambda = opts.lambda;
    this.store = new ApplicationStore(opts.dataDir, opts.fsync !== undefined ? { fsync: opts.fsync } : {});
    const faults = opts.faults ? checkFaults(opts.faults) : parseFaults(process.env['FANOUT_TWIN_FAULTS']);
    this.runners = new RunningApplications({
      kinesis: this.kinesis,
      iam: opts.iam,
      lambda: opts.lambda,
      firehose: opts.firehose,
      engine: this.engine,
      clock,
      timing: { ...DEFAULT_TIMING, ...(opts.fast ? FAST_TIMING : {}), ...opts.timing },
      faults,
      store: this.store,
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
    this.control.lifecycle.resume();
  }

  async handle(operation: string, input: Record<string, unknown>, ctx?: RequestContext): Promise<unknown> {
    if (ctx?.principal && this.iam && operationNames.includes(operation)) {
      this.iam.authorize(ctx.principal, 'kinesisAnalytics', operation, input, { region: ctx.region });
    }
    if (operation === 'DiscoverInputSchema') return this.discover(input);
    const output = await this.control.handle(operation, input);
    // with a data directory, a change is answered once it is durable
    await this.store.commit();
    return output;
  }

  /** DiscoverInputSchema: Kinesis Analytics samples the stream with the role it is handed. */
  private discover(input: Record<string, unknown>): Promise<unknown> {
    const role = typeof input['RoleARN'] === 'string' ? input['RoleARN'] : undefined;
    const kinesis = kinesisAs(this.kinesis, this.iam, { reader: this.iam?.session(role, 'DiscoverInputSchema') });
    return discoverInputSchema(input, kinesis, this.engine, this.lambda).catch((error: unknown) => {
      if (!(error instanceof IamError)) throw error;
      throw invalidArgument(
        `Kinesis Analytics cannot read ${String(input['ResourceARN'])} with role ${role}: ${error.message}`,
      );
    });
  }

  /** The twin's own routes of this service. */
  get routes(): RestRoute[] {
    return [
      {
        method: 'GET',
        path: ERRORS_ROUTE,
        handle: async ({ params }) => ({ status: 200, body: this.errorReport(this.find(params['name'] ?? '', 404)) }),
      },
    ];
  }

  /**
   * What `GET /_twin/kinesis-analytics/applications/{name}/errors` returns: the error-stream records counted since
   * the twin started (the latest 100 of them), and the counters of the current run.
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

  /**
   * The twin's counters of one application over its life in this twin, named as Kinesis Analytics named its
   * CloudWatch metrics (records and bytes per input and per destination, preprocessing and Lambda delivery,
   * MillisBehindLatest) plus the rows put on its error stream. Throws ResourceNotFoundException for an unknown one.
   */
  metrics(applicationName: string): ApplicationMetrics {
    return this.runners.applicationMetrics(this.find(applicationName));
  }

  /** Stops the running applications (checkpoints stay with delivered output) and closes the store. */
  async close(): Promise<void> {
    this.control.close();
    await this.runners.close();
    await this.store.close();
  }

  private find(name: string, status = 400): ApplicationState {
    const app = this.store.get(name);
    if (!app) throw applicationNotFound(name, status);
    return app;
  }
}
