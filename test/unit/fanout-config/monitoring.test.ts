import { resolve } from 'node:path';
import type { EngineName } from '../../../src/config';
import { FanoutConfigError } from '../../../src/fanout-config/errors';
import { loadFanoutFile } from '../../../src/fanout-config/load';
import {
  DEFAULT_THRESHOLDS,
  type MonitoringSettings,
  monitoringSettingsOf,
} from '../../../src/fanout-config/template/monitoring';
import { piecesOf } from '../../../src/fanout-config/template/resolver';

const ROOT = resolve(__dirname, '..', '..', '..');
const NAMES = { service: 'kinesis-fanout', stage: 'dev', applicationPrefix: 'kinesis-fanout-dev' };

type Props = Record<string, unknown>;

function resourcesOf(
  engine: EngineName,
  settings: Partial<MonitoringSettings> = {},
): Record<string, { Type: string; Properties: Props }> {
  const { definition } = loadFanoutFile('fanout.yml', { projectDir: ROOT, engine });
  return piecesOf(definition, NAMES, { engine, thresholds: DEFAULT_THRESHOLDS, ...settings }).resources
    .Resources as never;
}

/** What an alarm watches, as the README documents it. */
function watched(p: Props) {
  return {
    metric: `${p['Namespace']} ${p['MetricName']}`,
    dimensions: p['Dimensions'],
    statistic: p['Statistic'],
    threshold: p['Threshold'],
    periods: `${p['DatapointsToAlarm']} of ${p['EvaluationPeriods']} x ${p['Period']} s`,
  };
}

const stream = (name: string) => [{ Name: 'StreamName', Value: name }];
const fanoutFunction = [{ Name: 'FunctionName', Value: 'kinesis-fanout-dev-fanout' }];

describe('Alarms in the template', () => {
  const lambda = resourcesOf('lambda');
  const analytics = resourcesOf('kinesis-analytics');
  const alarm = (r: typeof lambda, id: string) => {
    expect(r[id]?.Type).toBe('AWS::CloudWatch::Alarm');
    return watched(r[id]!.Properties);
  };

  it('input iterator age, lambda engine: the mapping IteratorAge of the fan-out function', () => {
    expect(alarm(lambda, 'InputIteratorAgeAlarm')).toEqual({
      metric: 'AWS/Lambda IteratorAge',
      dimensions: fanoutFunction,
      statistic: 'Maximum',
      threshold: 60_000,
      periods: '3 of 5 x 60 s',
    });
  });

  it('input iterator age, kinesis-analytics engine: GetRecords.IteratorAgeMilliseconds of the input', () => {
    expect(alarm(analytics, 'InputIteratorAgeAlarm')).toEqual({
      metric: 'AWS/Kinesis GetRecords.IteratorAgeMilliseconds',
      dimensions: stream('Transactions'),
      statistic: 'Maximum',
      threshold: 60_000,
      periods: '3 of 5 x 60 s',
    });
  });

  it('fan-out function errors (lambda engine)', () => {
    expect(alarm(lambda, 'FanoutErrorsAlarm')).toEqual({
      metric: 'AWS/Lambda Errors',
      dimensions: fanoutFunction,
      statistic: 'Sum',
      threshold: 0,
      periods: '1 of 1 x 60 s',
    });
  });

  it('fan-out function throttles (lambda engine)', () => {
    expect(alarm(lambda, 'FanoutThrottlesAlarm')).toEqual({
      metric: 'AWS/Lambda Throttles',
      dimensions: fanoutFunction,
      statistic: 'Sum',
      threshold: 0,
      periods: '1 of 1 x 60 s',
    });
  });

  it('write throttles of each output stream, both engines', () => {
    for (const r of [lambda, analytics]) {
      for (const name of ['PositiveTransactions', 'NegativeTransactions'])
        expect(alarm(r, `${name}WriteThrottlesAlarm`)).toEqual({
          metric: 'AWS/Kinesis WriteProvisionedThroughputExceeded',
          dimensions: stream(name),
          statistic: 'Sum',
          threshold: 0,
          periods: '5 of 5 x 60 s',
        });
    }
  });

  it('error-stream rows and failed records the fan-out function publishes (EMF, lambda engine)', () => {
    expect(alarm(lambda, 'ErrorStreamRowsAlarm')).toEqual({
      metric: 'KinesisFanout ErrorStreamRows',
      dimensions: [{ Name: 'service', Value: 'kinesis-fanout' }],
      statistic: 'Sum',
      threshold: 0,
      periods: '1 of 1 x 60 s',
    });
    expect(alarm(lambda, 'FailedRecordsAlarm')).toEqual({
      metric: 'KinesisFanout FailedRecords',
      dimensions: [{ Name: 'service', Value: 'kinesis-fanout' }],
      statistic: 'Sum',
      threshold: 0,
      periods: '1 of 1 x 60 s',
    });
  });

  it('failed executions of both state machines, both engines', () => {
    for (const r of [lambda, analytics]) {
      for (const [id, machine] of [
        ['LifecycleFailedAlarm', 'LifecycleStateMachine'],
        ['TeardownFailedAlarm', 'TeardownStateMachine'],
      ])
        expect(alarm(r, id!)).toEqual({
          metric: 'AWS/States ExecutionsFailed',
          dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine } }],
          statistic: 'Sum',
          threshold: 0,
          periods: '1 of 1 x 300 s',
        });
    }
  });

  it('holds no alarm of the fan-out function on the kinesis-analytics engine (it runs no such function)', () => {
    const ids = Object.keys(analytics).filter((id) => analytics[id]!.Type === 'AWS::CloudWatch::Alarm');
    expect(ids.sort()).toEqual(
      [
        'InputIteratorAgeAlarm',
        'PositiveTransactionsWriteThrottlesAlarm',
        'NegativeTransactionsWriteThrottlesAlarm',
        'LifecycleFailedAlarm',
        'TeardownFailedAlarm',
      ].sort(),
    );
  });

  it('notifies the stack topic when no topic is given, on alarm and on recovery, and not on missing data', () => {
    expect(lambda['AlarmTopic']).toEqual({
      Type: 'AWS::SNS::Topic',
      Properties: { TopicName: 'kinesis-fanout-dev-alarms', DisplayName: 'kinesis-fanout-dev fan-out alarms' },
    });
    const p = lambda['FanoutErrorsAlarm']!.Properties;
    expect(p['AlarmActions']).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(p['OKActions']).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(p['TreatMissingData']).toBe('notBreaching');
    expect(p['AlarmName']).toBe('kinesis-fanout-dev-fanout-errors');
  });

  it('notifies a given topic and makes none, with thresholds from the stage params', async () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:ops';
    const params: Record<string, unknown> = {
      alarmTopicArn: topic,
      alarmIteratorAgeMs: '30000',
      alarmFunctionErrors: 5,
    };
    const settings = await monitoringSettingsOf('lambda', async (name) => params[name]);
    const r = resourcesOf('lambda', settings);
    expect(r['AlarmTopic']).toBeUndefined();
    expect(r['InputIteratorAgeAlarm']!.Properties['Threshold']).toBe(30_000);
    expect(r['FanoutErrorsAlarm']!.Properties['Threshold']).toBe(5);
    expect(r['FanoutErrorsAlarm']!.Properties['AlarmActions']).toEqual([topic]);
    await expect(
      monitoringSettingsOf('lambda', async (n) => (n === 'alarmFailedRecords' ? 'many' : undefined)),
    ).rejects.toThrow(
      new FanoutConfigError('expected a number of 0 or more, not "many"', {
        file: 'serverless.yml',
        path: ['params', 'alarmFailedRecords'],
      }),
    );
    await expect(
      monitoringSettingsOf('lambda', async (n) => (n === 'alarmTopicArn' ? 'ops' : undefined)),
    ).rejects.toThrow(/params.alarmTopicArn: expected the ARN of an SNS topic/);
  });
});

/** A Fn::Sub text with every `${...}` replaced as CloudFormation would, for parsing. */
function substituted(text: string): string {
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
    name === 'AWS::Region' ? 'us-east-1' : `resolved:${name}`,
  );
}

const AWS_METRICS: Record<string, string[]> = {
  'AWS/Kinesis': ['IncomingRecords', 'GetRecords.IteratorAgeMilliseconds', 'WriteProvisionedThroughputExceeded'],
  'AWS/Lambda': ['IteratorAge', 'Invocations', 'Errors', 'Throttles'],
  'AWS/KinesisAnalytics': ['MillisBehindLatest'],
  'AWS/States': ['ExecutionsSucceeded', 'ExecutionsFailed'],
};
/** What handlers/fanout.ts publishes with Powertools Metrics (src/fanout/processor.ts). */
const FANOUT_METRICS = ['ErrorStreamRows', 'FailedRecords', 'DuplicateRecords'];

describe('The dashboard in the template', () => {
  for (const engine of ['lambda', 'kinesis-analytics'] as const) {
    it(`is valid JSON whose metrics exist in AWS's namespaces or are the fan-out's own (${engine})`, () => {
      const r = resourcesOf(engine);
      const dashboard = r['Dashboard']!;
      expect(dashboard.Type).toBe('AWS::CloudWatch::Dashboard');
      expect(dashboard.Properties['DashboardName']).toBe('kinesis-fanout-dev');
      const body = JSON.parse(
        substituted((dashboard.Properties['DashboardBody'] as { 'Fn::Sub': string })['Fn::Sub']),
      ) as {
        widgets: { type: string; properties: { metrics?: unknown[][]; alarms?: string[]; region?: string } }[];
      };
      const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []);
      expect(metrics.length).toBeGreaterThan(8);
      for (const m of metrics) {
        const [namespace, name] = m as [string, string];
        if (namespace === 'KinesisFanout') expect(FANOUT_METRICS).toContain(name);
        else expect(AWS_METRICS[namespace]).toContain(name);
      }
      for (const w of body.widgets.filter((x) => x.type === 'metric')) expect(w.properties.region).toBe('us-east-1');
      // records in and out per output: the input and each output stream
      const inOut = body.widgets[0]!.properties.metrics!.map((m) => m[3]);
      expect(inOut).toEqual(['Transactions', 'PositiveTransactions', 'NegativeTransactions']);
      // every alarm of the stack, and only those, in the alarm widget
      const alarms = body.widgets.find((w) => w.type === 'alarm')!.properties.alarms!;
      const ids = Object.keys(r).filter((id) => r[id]!.Type === 'AWS::CloudWatch::Alarm');
      expect(alarms).toEqual(ids.map((id) => `resolved:${id}.Arn`));
    });
  }
});
