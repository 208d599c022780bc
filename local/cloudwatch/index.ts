/**
 * The CloudWatch twin (API 2010-08-01), spoken as AWS JSON 1.0 `GraniteServiceVersion20100801` (what
 * @aws-sdk/client-cloudwatch and the AWS CLI send): metrics (PutMetricData, ListMetrics, GetMetricStatistics,
 * GetMetricData), metric alarms and dashboards as recorded resources (put, described, deleted; alarms are not
 * evaluated and send nothing).
 *
 * The metrics AWS services publish by themselves are filled from the twin's own services (`attach`): AWS/Kinesis
 * from every put, read and push of the Kinesis twin; AWS/Lambda from each invocation's REPORT line and each
 * mapping batch; AWS/States from the executions' history events; AWS/KinesisAnalytics from the running
 * applications' counters, sampled each second on the Clock; and the functions' embedded metric format lines
 * (Powertools Metrics) into their own namespaces, as CloudWatch Logs extracts them.
 */
import type {
  DeleteAlarmsInput,
  DeleteDashboardsInput,
  DescribeAlarmsForMetricInput,
  DescribeAlarmsInput,
  GetDashboardInput,
  GetMetricDataInput,
  GetMetricStatisticsInput,
  ListDashboardsInput,
  ListMetricsInput,
  PutDashboardInput,
  PutMetricAlarmInput,
  PutMetricDataInput,
} from '@aws-sdk/client-cloudwatch';
import { ApiModel } from '../api-model/model';
import { ModelValidator } from '../api-model/validator';
import { type Clock, systemClock } from '../clock';
import type { KinesisTwin } from '../kinesis';
import type { KinesisAnalyticsTwin } from '../kinesis-analytics';
import type { LambdaTwin } from '../lambda';
import { toWireJson } from '../sdk-shapes';
import type { AwsJsonService, RequestContext } from '../service';
import type { StepFunctionsTwin } from '../stepfunctions';
import json from './api-model.json';
import { errors } from './errors';
import * as alarms from './operations/alarms';
import * as dashboards from './operations/dashboards';
import * as metrics from './operations/metrics';
import { kinesisTraffic } from './sources/kinesis';
import { type SampleState, sampleApplications } from './sources/kinesis-analytics';
import { functionLogMetrics, mappingBatchMetrics } from './sources/lambda';
import { type MetricSink, metricSink } from './sources/sink';
import { executionMetrics } from './sources/stepfunctions';
import { CloudWatchStore } from './store';

export { emfDatapoints } from './sources/emf';
export type { MetricSink } from './sources/sink';

export interface CloudWatchTwinOptions {
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** How often running Kinesis Analytics applications are sampled (ms of the Clock); default 1000. */
  sampleIntervalMs?: number;
}

/** The services whose metrics the twin publishes itself, as AWS services publish theirs. */
export interface MetricSources {
  kinesis?: KinesisTwin;
  lambda?: LambdaTwin;
  stepFunctions?: StepFunctionsTwin;
  kinesisAnalytics?: KinesisAnalyticsTwin;
}

const validator = new ModelValidator(new ApiModel(json), { errorType: 'InvalidParameterValueException' });

type Operation = (twin: CloudWatchTwin, input: never, ctx: { region: string; accountId: string }) => unknown;

const OPERATIONS: Record<string, Operation> = {
  PutMetricData: (t, i: PutMetricDataInput) => metrics.putMetricData(t.store, i, t.now()),
  ListMetrics: (t, i: ListMetricsInput) => metrics.listMetrics(t.store, i, t.now()),
  GetMetricStatistics: (t, i: GetMetricStatisticsInput) => metrics.getMetricStatistics(t.store, i),
  GetMetricData: (t, i: GetMetricDataInput) => metrics.getMetricData(t.store, i),
  PutMetricAlarm: (t, i: PutMetricAlarmInput, c) => alarms.putMetricAlarm(t.store, i, { ...c, now: t.now() }),
  DescribeAlarms: (t, i: DescribeAlarmsInput) => alarms.describeAlarms(t.store, i),
  DescribeAlarmsForMetric: (t, i: DescribeAlarmsForMetricInput) => alarms.describeAlarmsForMetric(t.store, i),
  DeleteAlarms: (t, i: DeleteAlarmsInput) => alarms.deleteAlarms(t.store, i),
  PutDashboard: (t, i: PutDashboardInput) => dashboards.putDashboard(t.store, i, t.now()),
  GetDashboard: (t, i: GetDashboardInput, c) => dashboards.getDashboard(t.store, i, c.accountId),
  ListDashboards: (t, i: ListDashboardsInput, c) => dashboards.listDashboards(t.store, i, c.accountId),
  DeleteDashboards: (t, i: DeleteDashboardsInput) => dashboards.deleteDashboards(t.store, i),
};

export class CloudWatchTwin implements AwsJsonService {
  readonly targetPrefix = 'GraniteServiceVersion20100801';
  readonly jsonVersion = '1.0' as const;
  readonly store = new CloudWatchStore();
  /** Where the twin's own counters go (and tests put datapoints at the Clock's time). */
  readonly sink: MetricSink;
  readonly region: string;
  readonly accountId: string;
  private readonly clock: Clock;
  private readonly sampleIntervalMs: number;
  private readonly detach: (() => void)[] = [];
  private sampler: unknown;
  private closed = false;

  constructor(opts: CloudWatchTwinOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    this.sampleIntervalMs = opts.sampleIntervalMs ?? 1000;
    this.sink = metricSink(this.store, this.clock);
  }

  now(): number {
    return this.clock.now();
  }

  async handle(operation: string, input: Record<string, unknown>, ctx?: RequestContext): Promise<unknown> {
    const op = OPERATIONS[operation];
    if (!op) throw errors.unknownOperation(operation);
    validator.validate(operation, input);
    const scope = { region: ctx?.region ?? this.region, accountId: ctx?.accountId ?? this.accountId };
    const output = op(this, input as never, scope);
    return output === undefined ? undefined : toWireJson(output);
  }

  /** Publishes the metrics of these services from now on, as the AWS services publish theirs. */
  attach(sources: MetricSources): void {
    const { kinesis, lambda, stepFunctions, kinesisAnalytics } = sources;
    if (kinesis) {
      kinesis.traffic = kinesisTraffic(this.sink);
      this.detach.push(() => {
        kinesis.traffic = undefined;
      });
    }
    if (lambda) {
      this.detach.push(lambda.onFunctionLog(functionLogMetrics(this.sink)));
      this.detach.push(lambda.onMappingBatch(mappingBatchMetrics(this.sink)));
    }
    if (stepFunctions) this.detach.push(stepFunctions.onExecutionEvent(executionMetrics(this.sink)));
    if (kinesisAnalytics) {
      const seen: SampleState = new Map();
      const tick = (): void => {
        if (this.closed) return;
        sampleApplications(kinesisAnalytics, this.sink, seen);
        this.sampler = this.clock.setTimeout(tick, this.sampleIntervalMs);
      };
      this.sampler = this.clock.setTimeout(tick, this.sampleIntervalMs);
    }
  }

  /** Stops sampling and listening. */
  close(): void {
    this.closed = true;
    if (this.sampler !== undefined) this.clock.clearTimeout(this.sampler);
    for (const undo of this.detach.splice(0)) undo();
  }
}
