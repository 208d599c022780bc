/**
 * What `fanout status` shows, read through the SDK exactly as on AWS (CloudFormation, CloudWatch, Kinesis
 * Analytics, Lambda, Step Functions, EventBridge), so the same code reads a stage on AWS and on a twin.
 *
 * The stage's names come from its stack's Outputs; a stage the twin deployed without a stack (`fanout up`) is
 * described by the fan-out file it was deployed from. Each source that cannot be read becomes a line of
 * `problems`, not a failure: the screen says what it could not see.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricDataQuery,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DescribeApplicationCommand,
  KinesisAnalyticsClient,
  ListApplicationsCommand,
} from '@aws-sdk/client-kinesis-analytics';
import { GetFunctionConfigurationCommand, LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { parseSchedule } from '../../local/events';
import { MAPPING_STATUS } from '../../src/engines/lambda';
import { destinationNameOf } from '../../src/fanout-config/definition';
import { configFileOf, loadFanoutFile } from '../../src/fanout-config/load';

export interface StatusClients {
  cloudFormation: CloudFormationClient;
  cloudWatch: CloudWatchClient;
  kinesisAnalytics: KinesisAnalyticsClient;
  lambda: LambdaClient;
  sfn: SFNClient;
  events: EventBridgeClient;
}

export function statusClients(region: string, endpoint?: string): StatusClients {
  const config = { region, ...(endpoint !== undefined ? { endpoint } : {}) };
  return {
    cloudFormation: new CloudFormationClient(config),
    cloudWatch: new CloudWatchClient(config),
    kinesisAnalytics: new KinesisAnalyticsClient(config),
    lambda: new LambdaClient(config),
    sfn: new SFNClient(config),
    events: new EventBridgeClient(config),
  };
}

export interface ApplicationView {
  name: string;
  engine: 'kinesis-analytics' | 'lambda';
  status: string;
  /** Output stream names. */
  outputs: string[];
}

export interface ExecutionView {
  name: string;
  status: string;
  startDate: string;
  stopDate?: string;
  error?: string;
}

export interface StatusReport {
  stage: string;
  region: string;
  /** ISO time the screen was read. */
  at: string;
  windowMinutes: number;
  /** Where the stage's names came from. */
  source: 'stack' | 'fan-out file';
  input: { stream: string; records: number; readThrottled: number };
  applications: ApplicationView[];
  lag: {
    /** Latest input lag (ms): the maximum over the last minute with data, or the estimate when nothing reads. */
    ms: number | null;
    metric: string;
    state: 'keeping up' | 'behind' | 'growing' | 'idle' | 'unknown';
    note: string;
  };
  outputs: { stream: string; records: number; writeThrottled: number }[];
  /** Rows sent to the error stream (lambda engine; Kinesis Analytics publishes no such metric). */
  errorStreamRows: number | null;
  failedRecords: number | null;
  functionThrottles: number | null;
  executions: { lifecycle: ExecutionView | null; teardown: ExecutionView | null };
  teardownSchedule: { expression: string; enabled: boolean; next: string | null } | null;
  alarms: { name: string; state: string }[];
  problems: string[];
}

export interface StatusOptions {
  stage: string;
  region: string;
  /** Minutes of metrics to sum (default 5). */
  windowMinutes: number;
  /** The fan-out file, for a stage without a stack (default: FANOUT_CONFIG or fanout.yml in the project). */
  projectDir: string;
  now?: () => number;
}

const SERVICE = 'kinesis-fanout';

interface StageNames {
  prefix: string;
  input: string;
  outputs: string[];
  lifecycleArn?: string;
  teardownArn?: string;
  applicationPrefix: string;
  source: StatusReport['source'];
}

const nameOfArn = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);

async function stageNames(clients: StatusClients, o: StatusOptions): Promise<StageNames> {
  const prefix = `${SERVICE}-${o.stage}`;
  try {
    const res = await clients.cloudFormation.send(new DescribeStacksCommand({ StackName: prefix }));
    const outputs = Object.fromEntries((res.Stacks?.[0]?.Outputs ?? []).map((x) => [x.OutputKey, x.OutputValue]));
    const streams = Object.entries(outputs).filter(([k]) => k.endsWith('StreamArn') && k !== 'InputStreamArn');
    if (outputs['InputStreamArn'])
      return {
        prefix,
        input: nameOfArn(outputs['InputStreamArn']),
        outputs: streams.map(([, v]) => nameOfArn(String(v))),
        ...(outputs['LifecycleStateMachineArn'] ? { lifecycleArn: outputs['LifecycleStateMachineArn'] } : {}),
        ...(outputs['TeardownStateMachineArn'] ? { teardownArn: outputs['TeardownStateMachineArn'] } : {}),
        applicationPrefix: outputs['ApplicationPrefix'] ?? prefix,
        source: 'stack',
      };
  } catch {
    // no stack (a twin's `fanout up` deploys without one): the fan-out file names the streams
  }
  const { definition } = loadFanoutFile(configFileOf(o.projectDir), { projectDir: o.projectDir });
  return {
    prefix,
    input: definition.input.name,
    outputs: definition.outputs.map(destinationNameOf),
    applicationPrefix: prefix,
    source: 'fan-out file',
  };
}

async function applications(clients: StatusClients, names: StageNames, problems: string[]): Promise<ApplicationView[]> {
  const found: ApplicationView[] = [];
  try {
    const list = await clients.kinesisAnalytics.send(new ListApplicationsCommand({ Limit: 50 }));
    for (const s of list.ApplicationSummaries ?? []) {
      if (!s.ApplicationName?.startsWith(`${names.applicationPrefix}-`)) continue;
      const d = await clients.kinesisAnalytics.send(
        new DescribeApplicationCommand({ ApplicationName: s.ApplicationName }),
      );
      found.push({
        name: s.ApplicationName,
        engine: 'kinesis-analytics',
        status: d.ApplicationDetail?.ApplicationStatus ?? String(s.ApplicationStatus),
        outputs: (d.ApplicationDetail?.OutputDescriptions ?? []).map((x) =>
          nameOfArn(x.KinesisStreamsOutputDescription?.ResourceARN ?? x.Name ?? '?'),
        ),
      });
    }
  } catch (error) {
    problems.push(`Kinesis Analytics applications: ${(error as Error).message}`);
  }
  const fn = `${names.prefix}-fanout`;
  try {
    const config = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
    const stored = config.Environment?.Variables?.['FANOUT_APPLICATION'];
    if (stored) {
      const app = JSON.parse(stored) as { name?: string; outputs?: { streamArn?: string }[] };
      const mappings = await clients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: fn }));
      const state = mappings.EventSourceMappings?.[0]?.State;
      found.push({
        name: app.name ?? fn,
        engine: 'lambda',
        status: state === undefined ? 'NOT STARTED' : (MAPPING_STATUS[state] ?? state.toUpperCase()),
        outputs: (app.outputs ?? []).map((x) => nameOfArn(x.streamArn ?? '?')),
      });
    }
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException')
      problems.push(`the fan-out function ${fn}: ${(error as Error).message}`);
  }
  return found;
}

type Series = { timestamps: number[]; values: number[] };

async function metrics(
  clients: StatusClients,
  queries: MetricDataQuery[],
  start: number,
  end: number,
): Promise<Record<string, Series>> {
  const out: Record<string, Series> = {};
  // GetMetricData takes at most 500 queries a call; the SDK's paginator follows each call's NextToken
  for (let i = 0; i < queries.length; i += 500) {
    const pages = paginateGetMetricData(
      { client: clients.cloudWatch },
      {
        StartTime: new Date(start),
        EndTime: new Date(end),
        MetricDataQueries: queries.slice(i, i + 500),
        ScanBy: 'TimestampDescending',
      },
    );
    for await (const res of pages) {
      for (const r of res.MetricDataResults ?? []) {
        out[r.Id!] ??= { timestamps: [], values: [] };
        const s = out[r.Id!]!;
        s.timestamps.push(...(r.Timestamps ?? []).map((t) => t.getTime()));
        s.values.push(...(r.Values ?? []));
      }
    }
  }
  return out;
}

const query = (
  id: string,
  namespace: string,
  name: string,
  dims: Record<string, string>,
  stat: 'Sum' | 'Maximum',
): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: {
      Namespace: namespace,
      MetricName: name,
      Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
    },
    Period: 60,
    Stat: stat,
  },
});

const sum = (s: Series | undefined): number => (s?.values ?? []).reduce((a, b) => a + b, 0);

async function lastExecution(clients: StatusClients, arn: string | undefined): Promise<ExecutionView | null> {
  if (!arn) return null;
  const list = await clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 1 }));
  const e = list.executions?.[0];
  if (!e) return null;
  const view: ExecutionView = {
    name: e.name!,
    status: e.status!,
    startDate: e.startDate!.toISOString(),
    ...(e.stopDate ? { stopDate: e.stopDate.toISOString() } : {}),
  };
  if (e.status === 'FAILED' || e.status === 'TIMED_OUT' || e.status === 'ABORTED') {
    const d = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    if (d.error) view.error = `${d.error}${d.cause ? `: ${d.cause.slice(0, 200)}` : ''}`;
  }
  return view;
}

/** The next time an EventBridge schedule expression fires (the twin's parser: the same rules as EventBridge). */
export function nextFire(expression: string, now: number): number | null {
  try {
    return parseSchedule(expression)(now) ?? null;
  } catch {
    return null;
  }
}

/** Reads one screen of the stage. */
export async function collectStatus(clients: StatusClients, o: StatusOptions): Promise<StatusReport> {
  const now = (o.now ?? Date.now)();
  const problems: string[] = [];
  const names = await stageNames(clients, o);
  const apps = await applications(clients, names, problems);
  const fn = `${names.prefix}-fanout`;
  const stream = (n: string) => ({ StreamName: n });
  const queries: MetricDataQuery[] = [
    query('inRecords', 'AWS/Kinesis', 'IncomingRecords', stream(names.input), 'Sum'),
    query('inReadThrottled', 'AWS/Kinesis', 'ReadProvisionedThroughputExceeded', stream(names.input), 'Sum'),
    query('lagKinesis', 'AWS/Kinesis', 'GetRecords.IteratorAgeMilliseconds', stream(names.input), 'Maximum'),
    query('lagLambda', 'AWS/Lambda', 'IteratorAge', { FunctionName: fn }, 'Maximum'),
    query('fnThrottles', 'AWS/Lambda', 'Throttles', { FunctionName: fn }, 'Sum'),
    query('errorRows', 'KinesisFanout', 'ErrorStreamRows', { service: SERVICE }, 'Sum'),
    query('failedRecords', 'KinesisFanout', 'FailedRecords', { service: SERVICE }, 'Sum'),
    ...names.outputs.flatMap((name, i) => [
      query(`out${i}`, 'AWS/Kinesis', 'IncomingRecords', stream(name), 'Sum'),
      query(`out${i}Throttled`, 'AWS/Kinesis', 'WriteProvisionedThroughputExceeded', stream(name), 'Sum'),
    ]),
  ];
  let m: Record<string, Series> = {};
  try {
    m = await metrics(clients, queries, now - o.windowMinutes * 60_000, now + 60_000);
  } catch (error) {
    problems.push(`CloudWatch metrics: ${(error as Error).message}`);
  }
  const [lifecycle, teardown] = await Promise.all(
    [
      names.lifecycleArn ?? machineArn(o, names.prefix, 'lifecycle'),
      names.teardownArn ?? machineArn(o, names.prefix, 'teardown'),
    ].map((arn) =>
      lastExecution(clients, arn).catch((error: unknown) => {
        problems.push(`executions of ${nameOfArn(arn).split(':').pop()}: ${(error as Error).message}`);
        return null;
      }),
    ),
  );
  let teardownSchedule: StatusReport['teardownSchedule'] = null;
  try {
    const rule = await clients.events.send(new DescribeRuleCommand({ Name: `${names.prefix}-teardown` }));
    const expression = rule.ScheduleExpression ?? '';
    const enabled = rule.State === 'ENABLED';
    const next = enabled ? nextFire(expression, now) : null;
    teardownSchedule = { expression, enabled, next: next === null ? null : new Date(next).toISOString() };
  } catch (error) {
    problems.push(`teardown schedule: ${(error as Error).message}`);
  }
  let alarms: StatusReport['alarms'] = [];
  try {
    const res = await clients.cloudWatch.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: `${names.prefix}-`, MaxRecords: 100 }),
    );
    alarms = (res.MetricAlarms ?? []).map((a) => ({ name: a.AlarmName!, state: a.StateValue! }));
  } catch (error) {
    problems.push(`alarms: ${(error as Error).message}`);
  }
  const inRecords = sum(m['inRecords']);
  // the engine of the applications found; with none, the one whose lag metric has data
  const lambda = apps.length > 0 ? apps.every((a) => a.engine === 'lambda') : (m['lagLambda']?.values.length ?? 0) > 0;
  const lagSeries = lambda ? m['lagLambda'] : m['lagKinesis'];
  return {
    stage: o.stage,
    region: o.region,
    at: new Date(now).toISOString(),
    windowMinutes: o.windowMinutes,
    source: names.source,
    input: { stream: names.input, records: inRecords, readThrottled: sum(m['inReadThrottled']) },
    applications: apps,
    lag: lagOf(
      lagSeries,
      lambda ? 'AWS/Lambda IteratorAge' : 'AWS/Kinesis GetRecords.IteratorAgeMilliseconds',
      apps,
      m['inRecords'],
      now,
    ),
    outputs: names.outputs.map((name, i) => ({
      stream: name,
      records: sum(m[`out${i}`]),
      writeThrottled: sum(m[`out${i}Throttled`]),
    })),
    errorStreamRows: lambda ? sum(m['errorRows']) : null,
    failedRecords: lambda ? sum(m['failedRecords']) : null,
    functionThrottles: lambda ? sum(m['fnThrottles']) : null,
    executions: { lifecycle, teardown },
    teardownSchedule,
    alarms,
    problems,
  };
}

function machineArn(o: StatusOptions, prefix: string, which: string): string {
  return `arn:aws:states:${o.region}:000000000000:stateMachine:${prefix}-${which}`;
}

/**
 * The input's lag: the latest minute's maximum iterator age while something reads the input; when nothing has read
 * it since records arrived (the fan-out stopped), at least the time since the last read, and growing.
 */
export function lagOf(
  lag: Series | undefined,
  metric: string,
  apps: ApplicationView[],
  incoming: Series | undefined,
  now: number,
): StatusReport['lag'] {
  const running = apps.filter((a) => a.status === 'RUNNING').length;
  const latestIn = Math.max(...(incoming?.timestamps ?? [Number.NEGATIVE_INFINITY]));
  const latestRead = lag && lag.timestamps.length > 0 ? Math.max(...lag.timestamps) : Number.NEGATIVE_INFINITY;
  if (running === 0) {
    if (latestIn === Number.NEGATIVE_INFINITY)
      return { ms: null, metric, state: 'idle', note: 'no application is running, and no records arrived' };
    // nothing reads: the oldest unread record is at least as old as the first minute with records after the last read
    const since = Number.isFinite(latestRead) ? latestRead + 60_000 : Math.min(...(incoming?.timestamps ?? [now]));
    return {
      ms: Math.max(0, now - since),
      metric,
      state: 'growing',
      note: `no application is RUNNING while records arrive: the lag grows (about ${Math.round(Math.max(0, now - since) / 1000)} s and counting)`,
    };
  }
  if (!lag || lag.values.length === 0)
    return { ms: null, metric, state: 'unknown', note: 'no reads measured yet in the window' };
  const i = lag.timestamps.indexOf(latestRead);
  const ms = lag.values[i]!;
  return ms < 1000
    ? { ms, metric, state: 'keeping up', note: 'under a second behind the tip' }
    : { ms, metric, state: 'behind', note: `${(ms / 1000).toFixed(1)} s behind the tip (maximum of the last minute)` };
}
