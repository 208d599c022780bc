import { ManualClock } from '../../../../local/clock';
import { CloudWatchTwin } from '../../../../local/cloudwatch';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const sec = (ms: number) => ms / 1000;

function twin(): { cw: CloudWatchTwin; clock: ManualClock } {
  const clock = new ManualClock(T0);
  return { cw: new CloudWatchTwin({ clock }), clock };
}

/** Calls an operation as the wire does (timestamps in epoch seconds) and returns its JSON answer. */
async function call(cw: CloudWatchTwin, op: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  return ((await cw.handle(op, input)) ?? {}) as Record<string, unknown>;
}

async function refusal(cw: CloudWatchTwin, op: string, input: Record<string, unknown>): Promise<Error> {
  try {
    await cw.handle(op, input);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${op} was accepted`);
}

const dims = [{ Name: 'StreamName', Value: 'in' }];

describe('CloudWatch twin: metrics', () => {
  it('folds datapoints into periods: Sum, SampleCount, Average, Minimum, Maximum', async () => {
    const { cw } = twin();
    await call(cw, 'PutMetricData', {
      Namespace: 'Fanout',
      MetricData: [
        { MetricName: 'Rows', Dimensions: dims, Value: 4, Unit: 'Count', Timestamp: sec(T0 - 90_000) },
        { MetricName: 'Rows', Dimensions: dims, Value: 6, Unit: 'Count', Timestamp: sec(T0 - 80_000) },
        {
          MetricName: 'Rows',
          Dimensions: dims,
          Values: [1, 3],
          Counts: [2, 1],
          Unit: 'Count',
          Timestamp: sec(T0 - 10_000),
        },
      ],
    });
    const out = await call(cw, 'GetMetricStatistics', {
      Namespace: 'Fanout',
      MetricName: 'Rows',
      Dimensions: dims,
      StartTime: sec(T0 - 120_000),
      EndTime: sec(T0),
      Period: 60,
      Statistics: ['Sum', 'SampleCount', 'Average', 'Minimum', 'Maximum'],
    });
    expect(out['Label']).toBe('Rows');
    expect(out['Datapoints']).toEqual([
      { Timestamp: sec(T0 - 120_000), Sum: 10, SampleCount: 2, Average: 5, Minimum: 4, Maximum: 6, Unit: 'Count' },
      { Timestamp: sec(T0 - 60_000), Sum: 5, SampleCount: 3, Average: 5 / 3, Minimum: 1, Maximum: 3, Unit: 'Count' },
    ]);
  });

  it('GetMetricData answers each query newest first (or ascending), per second or per minute', async () => {
    const { cw, clock } = twin();
    cw.sink.count('AWS/Kinesis', 'IncomingRecords', dims, 5, 'Count');
    await clock.advance(1000);
    cw.sink.count('AWS/Kinesis', 'IncomingRecords', dims, 7, 'Count');
    const query = (id: string, period: number) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: dims },
        Period: period,
        Stat: 'Sum',
      },
    });
    const out = await call(cw, 'GetMetricData', {
      StartTime: sec(T0 - 60_000),
      EndTime: sec(T0 + 60_000),
      MetricDataQueries: [query('perSecond', 1), query('perMinute', 60), { ...query('hidden', 60), ReturnData: false }],
    });
    expect(out['MetricDataResults']).toEqual([
      {
        Id: 'perSecond',
        Label: 'IncomingRecords',
        Timestamps: [sec(T0 + 1000), sec(T0)],
        Values: [7, 5],
        StatusCode: 'Complete',
      },
      { Id: 'perMinute', Label: 'IncomingRecords', Timestamps: [sec(T0)], Values: [12], StatusCode: 'Complete' },
    ]);
    const ascending = await call(cw, 'GetMetricData', {
      StartTime: sec(T0),
      EndTime: sec(T0 + 5000),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [query('q', 1)],
    });
    expect((ascending['MetricDataResults'] as { Values: number[] }[])[0]!.Values).toEqual([5, 7]);
  });

  it('finds a metric only by its exact dimensions, in any order', async () => {
    const { cw } = twin();
    const two = [
      { Name: 'StreamName', Value: 'in' },
      { Name: 'ConsumerName', Value: 'c' },
    ];
    cw.sink.count('AWS/Kinesis', 'SubscribeToShardEvent.Records', two, 3, 'Count');
    const get = (dimensions: unknown) =>
      call(cw, 'GetMetricStatistics', {
        Namespace: 'AWS/Kinesis',
        MetricName: 'SubscribeToShardEvent.Records',
        Dimensions: dimensions,
        StartTime: sec(T0 - 60_000),
        EndTime: sec(T0 + 60_000),
        Period: 60,
        Statistics: ['Sum'],
      });
    expect(((await get([...two].reverse()))['Datapoints'] as unknown[]).length).toBe(1);
    expect((await get(dims))['Datapoints']).toEqual([]);
  });

  it('lists metrics by namespace, name and dimension filter', async () => {
    const { cw } = twin();
    cw.sink.count('AWS/Kinesis', 'IncomingRecords', dims, 1, 'Count');
    cw.sink.count('AWS/Kinesis', 'IncomingRecords', [{ Name: 'StreamName', Value: 'out' }], 1, 'Count');
    cw.sink.count('AWS/Lambda', 'Invocations', [{ Name: 'FunctionName', Value: 'f' }], 1, 'Count');
    const all = await call(cw, 'ListMetrics', {});
    expect((all['Metrics'] as unknown[]).length).toBe(3);
    const filtered = await call(cw, 'ListMetrics', {
      Namespace: 'AWS/Kinesis',
      Dimensions: [{ Name: 'StreamName', Value: 'out' }],
    });
    expect(filtered['Metrics']).toEqual([
      { Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: 'out' }] },
    ]);
  });

  it('refuses what CloudWatch refuses, keeping nothing of a refused call', async () => {
    const { cw } = twin();
    expect(
      (await refusal(cw, 'PutMetricData', { Namespace: 'AWS/Kinesis', MetricData: [{ MetricName: 'x', Value: 1 }] }))
        .name,
    ).toBe('InvalidParameterValueException');
    const both = await refusal(cw, 'PutMetricData', {
      Namespace: 'Mine',
      MetricData: [
        { MetricName: 'ok', Value: 1 },
        { MetricName: 'bad', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } },
      ],
    });
    expect(both.name).toBe('InvalidParameterCombinationException');
    expect((await call(cw, 'ListMetrics', {}))['Metrics']).toEqual([]);
    const old = await refusal(cw, 'PutMetricData', {
      Namespace: 'Mine',
      MetricData: [{ MetricName: 'old', Value: 1, Timestamp: sec(T0 - 15 * 24 * 3600_000) }],
    });
    expect(old.message).toMatch(/two weeks in the past/);
    const base = { Namespace: 'Mine', MetricName: 'm', StartTime: sec(T0 - 3600_000), EndTime: sec(T0) };
    expect((await refusal(cw, 'GetMetricStatistics', { ...base, Period: 7, Statistics: ['Sum'] })).message).toMatch(
      /1, 5, 10, 30 or a multiple of 60/,
    );
    expect((await refusal(cw, 'GetMetricStatistics', { ...base, Period: 1, Statistics: ['Sum'] })).message).toMatch(
      /exceeds the limit of 1,440/,
    );
    expect(
      (await refusal(cw, 'GetMetricStatistics', { ...base, Period: 60, ExtendedStatistics: ['p99'] })).message,
    ).toMatch(/no percentiles/);
    const math = await refusal(cw, 'GetMetricData', {
      StartTime: base.StartTime,
      EndTime: base.EndTime,
      MetricDataQueries: [{ Id: 'e', Expression: 'SUM(METRICS())' }],
    });
    expect(math.message).toMatch(/no metric math/);
    expect((await refusal(cw, 'GetMetricStatistics', { Namespace: 'Mine' })).name).toBe(
      'InvalidParameterValueException',
    );
    expect((await refusal(cw, 'SetAlarmState', {})).name).toBe('UnknownOperationException');
  });
});

describe('CloudWatch twin: alarms and dashboards are recorded', () => {
  const alarm = {
    AlarmName: 'fanout-dev-input-iterator-age',
    Namespace: 'AWS/Kinesis',
    MetricName: 'GetRecords.IteratorAgeMilliseconds',
    Dimensions: dims,
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 5,
    Threshold: 60000,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: ['arn:aws:sns:us-east-1:000000000000:fanout-dev-alarms'],
  };

  it('keeps an alarm as put, never evaluated, and deletes all or none', async () => {
    const { cw } = twin();
    await call(cw, 'PutMetricAlarm', alarm);
    const described = await call(cw, 'DescribeAlarms', { AlarmNamePrefix: 'fanout-dev' });
    expect(described['MetricAlarms']).toEqual([
      expect.objectContaining({
        ...alarm,
        AlarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:fanout-dev-input-iterator-age',
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
      }),
    ]);
    const forMetric = await call(cw, 'DescribeAlarmsForMetric', {
      Namespace: 'AWS/Kinesis',
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Dimensions: dims,
    });
    expect((forMetric['MetricAlarms'] as unknown[]).length).toBe(1);
    expect((await refusal(cw, 'DeleteAlarms', { AlarmNames: [alarm.AlarmName, 'other'] })).name).toBe(
      'ResourceNotFound',
    );
    expect(((await call(cw, 'DescribeAlarms', {}))['MetricAlarms'] as unknown[]).length).toBe(1);
    await call(cw, 'DeleteAlarms', { AlarmNames: [alarm.AlarmName] });
    expect((await call(cw, 'DescribeAlarms', {}))['MetricAlarms']).toEqual([]);
  });

  it('refuses an alarm CloudWatch would refuse', async () => {
    const { cw } = twin();
    const { Statistic: _, ...noStatistic } = alarm;
    expect((await refusal(cw, 'PutMetricAlarm', noStatistic)).name).toBe('InvalidParameterCombinationException');
    expect((await refusal(cw, 'PutMetricAlarm', { ...alarm, DatapointsToAlarm: 6 })).message).toMatch(
      /DatapointsToAlarm/,
    );
    expect((await refusal(cw, 'PutMetricAlarm', { ...alarm, Period: 45 })).name).toBe('InvalidParameterValueException');
  });

  it('keeps a dashboard whose body is well formed, and says what is wrong with one that is not', async () => {
    const { cw } = twin();
    const body = JSON.stringify({
      widgets: [
        {
          type: 'metric',
          properties: { region: 'us-east-1', metrics: [['AWS/Kinesis', 'IncomingRecords', 'StreamName', 'in']] },
        },
      ],
    });
    expect(await call(cw, 'PutDashboard', { DashboardName: 'fanout-dev', DashboardBody: body })).toEqual({
      DashboardValidationMessages: [],
    });
    expect(await call(cw, 'GetDashboard', { DashboardName: 'fanout-dev' })).toEqual({
      DashboardArn: 'arn:aws:cloudwatch::000000000000:dashboard/fanout-dev',
      DashboardName: 'fanout-dev',
      DashboardBody: body,
    });
    expect(
      ((await call(cw, 'ListDashboards', { DashboardNamePrefix: 'fanout' }))['DashboardEntries'] as unknown[]).length,
    ).toBe(1);
    const bad = (await refusal(cw, 'PutDashboard', {
      DashboardName: 'bad',
      DashboardBody: JSON.stringify({ widgets: [{ type: 'metric', properties: { metrics: [] } }] }),
    })) as Error & { extra: Record<string, unknown> };
    expect(bad.name).toBe('DashboardInvalidInputError');
    expect(bad.extra['dashboardValidationMessages']).toEqual([
      { DataPath: '/widgets/0/properties', Message: "Should have required property 'region'" },
    ]);
    expect((await refusal(cw, 'PutDashboard', { DashboardName: 'bad', DashboardBody: '{' })).name).toBe(
      'DashboardInvalidInputError',
    );
    expect((await refusal(cw, 'DeleteDashboards', { DashboardNames: ['fanout-dev', 'nope'] })).name).toBe(
      'DashboardNotFoundError',
    );
    await call(cw, 'DeleteDashboards', { DashboardNames: ['fanout-dev'] });
    expect((await refusal(cw, 'GetDashboard', { DashboardName: 'fanout-dev' })).name).toBe('DashboardNotFoundError');
  });
});
