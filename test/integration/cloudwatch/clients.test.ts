/**
 * The CloudWatch twin as its clients call it: @aws-sdk/client-cloudwatch (AWS JSON 1.0) and the AWS CLI (which
 * picks the same protocol from botocore's model), on a twin whose Kinesis traffic fills AWS/Kinesis.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CloudWatchClient,
  DashboardNotFoundError,
  GetDashboardCommand,
  GetMetricDataCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { startTwin, type Twin } from '../../../local/twin';
import { awsCliEnv, tool } from '../../tools';

const run = promisify(execFile);

let twin: Twin;
let cw: CloudWatchClient;

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('aws', [...args, '--endpoint-url', twin.endpoint, '--output', 'json'], {
    env: awsCliEnv(),
  });
  return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
}

beforeAll(async () => {
  twin = await startTwin({ port: 0, fast: true });
  cw = new CloudWatchClient({
    endpoint: twin.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  twin.kinesis.call('CreateStream', { StreamName: 'cw-in', ShardCount: 1 });
  await twin.clock.sleep(20);
  const records = Array.from({ length: 25 }, (_, i) => ({ data: Buffer.from(`{"n":${i}}`), partitionKey: `k${i}` }));
  twin.kinesis.putRecords({ StreamName: 'cw-in' }, records);
});

afterAll(async () => {
  cw.destroy();
  await twin.close();
});

describe('CloudWatch twin through the SDK', () => {
  it('answers GetMetricData with the stream traffic and the datapoints put', async () => {
    const now = Date.now();
    await cw.send(
      new PutMetricDataCommand({
        Namespace: 'KinesisFanout',
        MetricData: [
          { MetricName: 'ErrorStreamRows', Value: 2, Unit: 'Count', Dimensions: [{ Name: 'service', Value: 's' }] },
        ],
      }),
    );
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(now - 300_000),
        EndTime: new Date(now + 60_000),
        MetricDataQueries: [
          {
            Id: 'incoming',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/Kinesis',
                MetricName: 'IncomingRecords',
                Dimensions: [{ Name: 'StreamName', Value: 'cw-in' }],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
          {
            Id: 'errors',
            MetricStat: {
              Metric: {
                Namespace: 'KinesisFanout',
                MetricName: 'ErrorStreamRows',
                Dimensions: [{ Name: 'service', Value: 's' }],
              },
              Period: 60,
              Stat: 'Sum',
            },
          },
        ],
      }),
    );
    const byId = Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
    expect(byId['incoming']?.Values?.reduce((a: number, b: number) => a + b, 0)).toBe(25);
    expect(byId['incoming']?.Timestamps?.[0]).toBeInstanceOf(Date);
    expect(byId['errors']?.Values).toEqual([2]);
    await expect(cw.send(new GetDashboardCommand({ DashboardName: 'none' }))).rejects.toBeInstanceOf(
      DashboardNotFoundError,
    );
  });
});

const awsCli = tool('aws');
awsCli.describe(awsCli.title('CloudWatch twin through the AWS CLI'), () => {
  it('lists and reads metrics, records an alarm and a dashboard', async () => {
    const listed = await aws(
      'cloudwatch',
      'list-metrics',
      '--namespace',
      'AWS/Kinesis',
      '--metric-name',
      'IncomingRecords',
    );
    expect(listed['Metrics']).toEqual([
      {
        Namespace: 'AWS/Kinesis',
        MetricName: 'IncomingRecords',
        Dimensions: [{ Name: 'StreamName', Value: 'cw-in' }],
      },
    ]);
    const now = Date.now();
    const stats = await aws(
      'cloudwatch',
      'get-metric-statistics',
      '--namespace',
      'AWS/Kinesis',
      '--metric-name',
      'IncomingRecords',
      '--dimensions',
      'Name=StreamName,Value=cw-in',
      '--start-time',
      new Date(now - 600_000).toISOString(),
      '--end-time',
      new Date(now + 60_000).toISOString(),
      '--period',
      '60',
      '--statistics',
      'Sum',
    );
    const points = stats['Datapoints'] as { Sum: number; Unit: string }[];
    expect(points.reduce((a, p) => a + p.Sum, 0)).toBe(25);
    expect(points[0]?.Unit).toBe('Count');
    await aws(
      'cloudwatch',
      'put-metric-alarm',
      '--alarm-name',
      'cw-in-iterator-age',
      '--namespace',
      'AWS/Kinesis',
      '--metric-name',
      'GetRecords.IteratorAgeMilliseconds',
      '--dimensions',
      'Name=StreamName,Value=cw-in',
      '--statistic',
      'Maximum',
      '--period',
      '60',
      '--evaluation-periods',
      '5',
      '--threshold',
      '60000',
      '--comparison-operator',
      'GreaterThanThreshold',
    );
    const alarms = await aws('cloudwatch', 'describe-alarms', '--alarm-names', 'cw-in-iterator-age');
    expect(alarms['MetricAlarms']).toEqual([
      expect.objectContaining({ AlarmName: 'cw-in-iterator-age', Threshold: 60000, StateValue: 'INSUFFICIENT_DATA' }),
    ]);
    const body = JSON.stringify({ widgets: [{ type: 'text', properties: { markdown: '# fan-out' } }] });
    await aws('cloudwatch', 'put-dashboard', '--dashboard-name', 'cw-dash', '--dashboard-body', body);
    expect((await aws('cloudwatch', 'get-dashboard', '--dashboard-name', 'cw-dash'))['DashboardBody']).toBe(body);
  }, 120_000);
});
