/**
 * What an operator watches, in the stack: CloudWatch alarms that say the fan-out keeps up and loses nothing, the
 * SNS topic they notify (or a topic given by ARN), and one dashboard. Generated from the fan-out file for the
 * stage's engine; thresholds are stage params (serverless.yml `alarm*`, README "Operating a fan-out").
 *
 * | alarm (logical id)                  | metric (namespace, dimensions)                                        | fires when (default)                         |
 * | ----------------------------------- | --------------------------------------------------------------------- | -------------------------------------------- |
 * | InputIteratorAgeAlarm               | kinesis-analytics: AWS/Kinesis GetRecords.IteratorAgeMilliseconds     | Maximum > alarmIteratorAgeMs (60,000 ms) in   |
 * |                                     | (StreamName = input); lambda: AWS/Lambda IteratorAge (FunctionName)   | 3 of 5 minutes                               |
 * | FanoutErrorsAlarm (lambda)          | AWS/Lambda Errors (FunctionName = the fan-out function)               | Sum > alarmFunctionErrors (0) in a minute    |
 * | FanoutThrottlesAlarm (lambda)       | AWS/Lambda Throttles (FunctionName)                                   | Sum > alarmFunctionThrottles (0) in a minute |
 * | <Output>WriteThrottlesAlarm         | AWS/Kinesis WriteProvisionedThroughputExceeded (StreamName = output)  | Sum > alarmWriteThrottledRecords (0) in each |
 * |                                     |                                                                       | of 5 minutes                                 |
 * | ErrorStreamRowsAlarm (lambda)       | KinesisFanout ErrorStreamRows (service), the fan-out function's EMF   | Sum > alarmErrorStreamRows (0) in a minute   |
 * | FailedRecordsAlarm (lambda)         | KinesisFanout FailedRecords (service)                                 | Sum > alarmFailedRecords (0) in a minute     |
 * | LifecycleFailedAlarm, TeardownFailedAlarm | AWS/States ExecutionsFailed (StateMachineArn)                   | Sum > alarmFailedExecutions (0) in 5 minutes |
 *
 * Missing data is not breaching: a stage that runs nothing is not in alarm.
 */
import type { EngineName } from '../../config';
import { type FanoutDefinition, kinesisOutputs, type StreamSource } from '../definition';
import { FanoutConfigError } from '../errors';
import type { Cfn, Resource, StackOutput } from './cfn';

/** The thresholds, each a stage param (`--param alarmIteratorAgeMs=30000`). */
export interface AlarmThresholds {
  readonly iteratorAgeMs: number;
  readonly functionErrors: number;
  readonly functionThrottles: number;
  readonly writeThrottledRecords: number;
  readonly errorStreamRows: number;
  readonly failedRecords: number;
  readonly failedExecutions: number;
}

export const DEFAULT_THRESHOLDS: AlarmThresholds = {
  iteratorAgeMs: 60_000,
  functionErrors: 0,
  functionThrottles: 0,
  writeThrottledRecords: 0,
  errorStreamRows: 0,
  failedRecords: 0,
  failedExecutions: 0,
};

/** The stage param of each threshold (serverless.yml `params.default`). */
export const THRESHOLD_PARAMS: Record<keyof AlarmThresholds, string> = {
  iteratorAgeMs: 'alarmIteratorAgeMs',
  functionErrors: 'alarmFunctionErrors',
  functionThrottles: 'alarmFunctionThrottles',
  writeThrottledRecords: 'alarmWriteThrottledRecords',
  errorStreamRows: 'alarmErrorStreamRows',
  failedRecords: 'alarmFailedRecords',
  failedExecutions: 'alarmFailedExecutions',
};

/** The stage param naming an existing SNS topic for the alarms (empty: the stack makes one). */
export const TOPIC_PARAM = 'alarmTopicArn';

export interface MonitoringSettings {
  readonly engine: EngineName;
  /** An SNS topic ARN the alarms notify; empty or absent: the stack's own topic `<service>-<stage>-alarms`. */
  readonly alarmTopicArn?: string;
  readonly thresholds: AlarmThresholds;
}

export interface MonitoringScope {
  readonly service: string;
  readonly stage: string;
  /** `<service>-<stage>`: function and state machine names start with it. */
  readonly functionPrefix: string;
  readonly applicationPrefix: string;
}

/** Namespace of the fan-out function's own metrics (Powertools Metrics, EMF; handlers/fanout.ts). */
export const FANOUT_NAMESPACE = 'KinesisFanout';
/** Logical ids the framework gives the two state machines (serverless.yml `id:`). */
const MACHINES = { Lifecycle: 'LifecycleStateMachine', Teardown: 'TeardownStateMachine' } as const;
const TOPIC_ID = 'AlarmTopic';
export const DASHBOARD_ID = 'Dashboard';

type Dim = { Name: string; Value: Cfn };

interface AlarmSpec {
  id: string;
  /** The end of its name: `<service>-<stage>-<suffix>`. */
  suffix: string;
  description: string;
  namespace: string;
  metric: string;
  dimensions: Dim[];
  statistic: 'Maximum' | 'Sum';
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
}

/** The fan-out function of the lambda engine (the `fanout` row of functions.ts). */
export const fanoutFunctionName = (scope: MonitoringScope): string => `${scope.functionPrefix}-fanout`;

/** Each alarm the stack holds for this fan-out and engine, in a fixed order. */
export function alarmSpecs(
  definition: FanoutDefinition,
  scope: MonitoringScope,
  settings: MonitoringSettings,
): AlarmSpec[] {
  const t = settings.thresholds;
  const lambda = settings.engine === 'lambda';
  const fn = [{ Name: 'FunctionName', Value: fanoutFunctionName(scope) }];
  const service = [{ Name: 'service', Value: scope.service }];
  const perMinute = { period: 60, evaluationPeriods: 1, datapointsToAlarm: 1, statistic: 'Sum' as const };
  const specs: AlarmSpec[] = [
    {
      id: 'InputIteratorAgeAlarm',
      suffix: 'input-iterator-age',
      description: `The fan-out reads ${definition.input.name} more than ${t.iteratorAgeMs} ms behind its tip (it does not keep up)`,
      ...(lambda
        ? { namespace: 'AWS/Lambda', metric: 'IteratorAge', dimensions: fn }
        : {
            namespace: 'AWS/Kinesis',
            metric: 'GetRecords.IteratorAgeMilliseconds',
            dimensions: [{ Name: 'StreamName', Value: definition.input.name }],
          }),
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      threshold: t.iteratorAgeMs,
    },
  ];
  if (lambda)
    specs.push(
      {
        id: 'FanoutErrorsAlarm',
        suffix: 'fanout-errors',
        description: 'The fan-out function failed batches (Lambda retries them; rows may be written twice)',
        namespace: 'AWS/Lambda',
        metric: 'Errors',
        dimensions: fn,
        ...perMinute,
        threshold: t.functionErrors,
      },
      {
        id: 'FanoutThrottlesAlarm',
        suffix: 'fanout-throttles',
        description: 'Invocations of the fan-out function were throttled (concurrency limit)',
        namespace: 'AWS/Lambda',
        metric: 'Throttles',
        dimensions: fn,
        ...perMinute,
        threshold: t.functionThrottles,
      },
    );
  for (const output of kinesisOutputs(definition))
    specs.push({
      id: `${output.id}WriteThrottlesAlarm`,
      suffix: `${output.stream.name}-write-throttles`,
      description: `Writes to ${output.stream.name} were throttled in each of 5 minutes (add shards or on-demand capacity)`,
      namespace: 'AWS/Kinesis',
      metric: 'WriteProvisionedThroughputExceeded',
      dimensions: [{ Name: 'StreamName', Value: output.stream.name }],
      statistic: 'Sum',
      period: 60,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      threshold: t.writeThrottledRecords,
    });
  if (lambda)
    specs.push(
      {
        id: 'ErrorStreamRowsAlarm',
        suffix: 'error-stream-rows',
        description: 'Records went to the error stream (unreadable, or refused by an output for good)',
        namespace: FANOUT_NAMESPACE,
        metric: 'ErrorStreamRows',
        dimensions: service,
        ...perMinute,
        threshold: t.errorStreamRows,
      },
      {
        id: 'FailedRecordsAlarm',
        suffix: 'failed-records',
        description: 'Records could not be written and were handed back to Lambda to retry',
        namespace: FANOUT_NAMESPACE,
        metric: 'FailedRecords',
        dimensions: service,
        ...perMinute,
        threshold: t.failedRecords,
      },
    );
  for (const [name, id] of Object.entries(MACHINES))
    specs.push({
      id: `${name}FailedAlarm`,
      suffix: `${name.toLowerCase()}-failed`,
      description: `An execution of the ${name.toLowerCase()} state machine failed`,
      namespace: 'AWS/States',
      metric: 'ExecutionsFailed',
      dimensions: [{ Name: 'StateMachineArn', Value: { Ref: id } }],
      statistic: 'Sum',
      period: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      threshold: t.failedExecutions,
    });
  return specs;
}

function alarmResource(spec: AlarmSpec, scope: MonitoringScope, topic: Cfn): Resource {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: `${scope.functionPrefix}-${spec.suffix}`,
      AlarmDescription: spec.description,
      Namespace: spec.namespace,
      MetricName: spec.metric,
      Dimensions: spec.dimensions,
      Statistic: spec.statistic,
      Period: spec.period,
      EvaluationPeriods: spec.evaluationPeriods,
      DatapointsToAlarm: spec.datapointsToAlarm,
      Threshold: spec.threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
    },
  };
}

/** A metric of a dashboard widget: `[namespace, name, dimension, value, ..., {options}]`. */
type WidgetMetric = (string | Record<string, string | number>)[];

const metricOf = (
  namespace: string,
  name: string,
  dims: [string, string][],
  options?: Record<string, string | number>,
): WidgetMetric => [namespace, name, ...dims.flat(), ...(options ? [options] : [])];

function streamNames(definition: FanoutDefinition): { input: StreamSource; outputs: StreamSource[] } {
  return { input: definition.input, outputs: kinesisOutputs(definition).map((o) => o.stream) };
}

/**
 * The dashboard body: JSON with `${AWS::Region}` and `${<Machine>}` left for Fn::Sub. Widgets: records in and out
 * per output, input lag, write throttles, the fan-out function (lambda) or the applications' lag (kinesis-analytics),
 * executions, and the alarms.
 */
export function dashboardBody(
  definition: FanoutDefinition,
  scope: MonitoringScope,
  settings: MonitoringSettings,
  alarmIds: string[],
): string {
  const { input, outputs } = streamNames(definition);
  const lambda = settings.engine === 'lambda';
  const region = `\${AWS::Region}`; // for Fn::Sub
  const fn = fanoutFunctionName(scope);
  const widgets: Record<string, unknown>[] = [];
  const chart = (title: string, metrics: WidgetMetric[], extra: Record<string, unknown> = {}): void => {
    const i = widgets.length;
    widgets.push({
      type: 'metric',
      x: (i % 2) * 12,
      y: Math.floor(i / 2) * 6,
      width: 12,
      height: 6,
      properties: { title, region, view: 'timeSeries', stacked: false, period: 60, metrics, ...extra },
    });
  };
  const stream = (name: string): [string, string][] => [['StreamName', name]];
  chart('Records in and out per output (per minute)', [
    metricOf('AWS/Kinesis', 'IncomingRecords', stream(input.name), { stat: 'Sum', label: `in: ${input.name}` }),
    ...outputs.map((o) =>
      metricOf('AWS/Kinesis', 'IncomingRecords', stream(o.name), { stat: 'Sum', label: `out: ${o.name}` }),
    ),
  ]);
  chart(
    'Input lag (ms)',
    [
      lambda
        ? metricOf('AWS/Lambda', 'IteratorAge', [['FunctionName', fn]], { stat: 'Maximum' })
        : metricOf('AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', stream(input.name), { stat: 'Maximum' }),
    ],
    { annotations: { horizontal: [{ label: 'alarm', value: settings.thresholds.iteratorAgeMs }] } },
  );
  chart(
    'Write throttles per output (records)',
    outputs.map((o) => metricOf('AWS/Kinesis', 'WriteProvisionedThroughputExceeded', stream(o.name), { stat: 'Sum' })),
  );
  if (lambda) {
    chart(
      'Fan-out function',
      ['Invocations', 'Errors', 'Throttles'].map((m) =>
        metricOf('AWS/Lambda', m, [['FunctionName', fn]], { stat: 'Sum' }),
      ),
    );
    chart(
      'Error stream and failed records',
      ['ErrorStreamRows', 'FailedRecords', 'DuplicateRecords'].map((m) =>
        metricOf(FANOUT_NAMESPACE, m, [['service', scope.service]], { stat: 'Sum' }),
      ),
    );
  } else {
    const applications = Math.max(1, Math.ceil(definition.outputs.length / 3));
    chart(
      'Applications: MillisBehindLatest',
      Array.from({ length: applications }, (_, i) =>
        metricOf(
          'AWS/KinesisAnalytics',
          'MillisBehindLatest',
          [['Application', `${scope.applicationPrefix}-${i + 1}`]],
          {
            stat: 'Maximum',
          },
        ),
      ),
    );
  }
  chart(
    'Executions',
    Object.entries(MACHINES).flatMap(([name, id]) =>
      ['ExecutionsSucceeded', 'ExecutionsFailed'].map((m) =>
        metricOf('AWS/States', m, [['StateMachineArn', `\${${id}}`]], { stat: 'Sum', label: `${name} ${m.slice(10)}` }),
      ),
    ),
    { period: 300 },
  );
  widgets.push({
    type: 'alarm',
    x: 0,
    y: Math.ceil(widgets.length / 2) * 6,
    width: 24,
    height: 4,
    properties: { title: 'Alarms', alarms: alarmIds.map((id) => `\${${id}.Arn}`) },
  });
  return JSON.stringify({ widgets });
}

/** The alarms, their topic (unless given) and the dashboard, with the stack Outputs that name them. */
export function monitoringOf(
  definition: FanoutDefinition,
  scope: MonitoringScope,
  settings: MonitoringSettings,
): { resources: Record<string, Resource>; outputs: Record<string, StackOutput> } {
  const given = settings.alarmTopicArn?.trim() ?? '';
  const topic: Cfn = given !== '' ? given : { Ref: TOPIC_ID };
  const resources: Record<string, Resource> = {};
  if (given === '')
    resources[TOPIC_ID] = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: `${scope.functionPrefix}-alarms`,
        DisplayName: `${scope.functionPrefix} fan-out alarms`,
      },
    };
  const specs = alarmSpecs(definition, scope, settings);
  for (const spec of specs) resources[spec.id] = alarmResource(spec, scope, topic);
  resources[DASHBOARD_ID] = {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: scope.functionPrefix,
      DashboardBody: {
        'Fn::Sub': dashboardBody(
          definition,
          scope,
          settings,
          specs.map((s) => s.id),
        ),
      },
    },
  };
  return {
    resources,
    outputs: {
      AlarmTopicArn: { Description: 'The SNS topic the alarms notify (subscribe to it)', Value: topic },
      DashboardName: { Description: 'The CloudWatch dashboard of the fan-out', Value: { Ref: DASHBOARD_ID } },
    },
  };
}

/**
 * The monitoring settings from the stage params (`resolve('alarmIteratorAgeMs')`: the param's value, undefined
 * when the stage sets none: the default).
 *
 * @throws FanoutConfigError naming the param when a threshold is not a number of 0 or more
 */
export async function monitoringSettingsOf(
  engine: EngineName,
  resolve: (param: string) => Promise<unknown>,
): Promise<MonitoringSettings> {
  const names = Object.keys(THRESHOLD_PARAMS) as (keyof AlarmThresholds)[];
  const [topic, ...values] = await Promise.all([
    resolve(TOPIC_PARAM),
    ...names.map((n) => resolve(THRESHOLD_PARAMS[n])),
  ]);
  const thresholds = { ...DEFAULT_THRESHOLDS } as Record<keyof AlarmThresholds, number>;
  names.forEach((name, i) => {
    const raw = values[i];
    if (raw === undefined || raw === null || raw === '') return;
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isFinite(n) || n < 0)
      throw new FanoutConfigError(`expected a number of 0 or more, not ${JSON.stringify(raw)}`, {
        file: 'serverless.yml',
        path: ['params', THRESHOLD_PARAMS[name]],
      });
    thresholds[name] = n;
  });
  const arn = typeof topic === 'string' ? topic.trim() : '';
  if (arn !== '' && !/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/.test(arn))
    throw new FanoutConfigError(
      `expected the ARN of an SNS topic (arn:aws:sns:<region>:<account>:<name>), not "${arn}"`,
      {
        file: 'serverless.yml',
        path: ['params', TOPIC_PARAM],
      },
    );
  return { engine, ...(arn !== '' ? { alarmTopicArn: arn } : {}), thresholds };
}
