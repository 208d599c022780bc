/**
 * Metric alarms as recorded resources: PutMetricAlarm (create or replace), DescribeAlarms, DescribeAlarmsForMetric
 * and DeleteAlarms, checked as CloudWatch checks them. The twin does not evaluate alarms: each stays in
 * INSUFFICIENT_DATA with the reason CloudWatch gives a new alarm, and no action is ever sent.
 */
import type {
  DeleteAlarmsInput,
  DescribeAlarmsForMetricInput,
  DescribeAlarmsForMetricOutput,
  DescribeAlarmsInput,
  DescribeAlarmsOutput,
  MetricAlarm,
  PutMetricAlarmInput,
} from '@aws-sdk/client-cloudwatch';
import type { Answer } from '../../sdk-shapes';
import { errors } from '../errors';
import { type CloudWatchStore, sortedDimensions } from '../store';

const MAX_ALARM_SECONDS = 7 * 24 * 3600;
const DEFAULT_PAGE = 50;

export interface AlarmScope {
  region: string;
  accountId: string;
  now: number;
}

export function alarmArn(scope: AlarmScope, name: string): string {
  return `arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:${name}`;
}

function checkAlarm(input: PutMetricAlarmInput): void {
  const single = input.MetricName !== undefined || input.Namespace !== undefined;
  if (single && input.Metrics?.length)
    throw errors.invalidCombination('The parameters MetricName and Metrics are mutually exclusive.');
  if (!single && !input.Metrics?.length) throw errors.missing('MetricName');
  if (single) {
    if (input.MetricName === undefined) throw errors.missing('MetricName');
    if (input.Namespace === undefined) throw errors.missing('Namespace');
    if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined))
      throw errors.invalidCombination('Exactly one of the parameters Statistic and ExtendedStatistic is required.');
    if (input.Period === undefined) throw errors.missing('Period');
    if (input.Period < 60 ? ![10, 30].includes(input.Period) : input.Period % 60 !== 0)
      throw errors.invalidValue('The parameter Period must be 10, 30 or a multiple of 60.');
  }
  if (input.EvaluationPeriods === undefined) throw errors.missing('EvaluationPeriods');
  if (input.EvaluationPeriods < 1) throw errors.invalidValue('The parameter EvaluationPeriods must be at least 1.');
  if (input.ComparisonOperator === undefined) throw errors.missing('ComparisonOperator');
  if (input.Threshold === undefined && input.ThresholdMetricId === undefined) throw errors.missing('Threshold');
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods)
    throw errors.invalidValue('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  if (single && input.Period! * input.EvaluationPeriods > MAX_ALARM_SECONDS)
    throw errors.invalidValue(
      'The evaluation period of the alarm (Period times EvaluationPeriods) cannot exceed 604,800 seconds (7 days).',
    );
}

/** PutMetricAlarm: the alarm is kept as configured; a second put replaces its configuration, keeping its state. */
export function putMetricAlarm(store: CloudWatchStore, input: PutMetricAlarmInput, scope: AlarmScope): void {
  checkAlarm(input);
  const name = input.AlarmName!;
  const before = store.alarms.get(name);
  const now = new Date(scope.now);
  const alarm: MetricAlarm = {
    AlarmName: name,
    AlarmArn: alarmArn(scope, name),
    ...(input.AlarmDescription !== undefined ? { AlarmDescription: input.AlarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: now,
    ActionsEnabled: input.ActionsEnabled ?? true,
    OKActions: input.OKActions ?? [],
    AlarmActions: input.AlarmActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
    StateValue: before?.StateValue ?? 'INSUFFICIENT_DATA',
    StateReason: before?.StateReason ?? 'Unchecked: Initial alarm creation',
    StateUpdatedTimestamp: before?.StateUpdatedTimestamp ?? now,
    StateTransitionedTimestamp: before?.StateTransitionedTimestamp ?? now,
    ...(input.MetricName !== undefined ? { MetricName: input.MetricName } : {}),
    ...(input.Namespace !== undefined ? { Namespace: input.Namespace } : {}),
    ...(input.Statistic !== undefined ? { Statistic: input.Statistic } : {}),
    ...(input.ExtendedStatistic !== undefined ? { ExtendedStatistic: input.ExtendedStatistic } : {}),
    Dimensions: input.Metrics?.length ? [] : sortedDimensions(input.Dimensions),
    ...(input.Period !== undefined ? { Period: input.Period } : {}),
    ...(input.Unit !== undefined ? { Unit: input.Unit } : {}),
    EvaluationPeriods: input.EvaluationPeriods!,
    ...(input.DatapointsToAlarm !== undefined ? { DatapointsToAlarm: input.DatapointsToAlarm } : {}),
    ...(input.Threshold !== undefined ? { Threshold: input.Threshold } : {}),
    ComparisonOperator: input.ComparisonOperator!,
    ...(input.TreatMissingData !== undefined ? { TreatMissingData: input.TreatMissingData } : {}),
    ...(input.EvaluateLowSampleCountPercentile !== undefined
      ? { EvaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile }
      : {}),
    ...(input.Metrics?.length ? { Metrics: input.Metrics } : {}),
    ...(input.ThresholdMetricId !== undefined ? { ThresholdMetricId: input.ThresholdMetricId } : {}),
  };
  store.alarms.set(name, alarm);
}

function page<T>(items: T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  let from = 0;
  if (token !== undefined) {
    from = Number(Buffer.from(token, 'base64').toString('utf8'));
    if (!Number.isInteger(from) || from < 0 || from > items.length) throw errors.invalidNextToken();
  }
  const slice = items.slice(from, from + size);
  return from + size < items.length
    ? { items: slice, next: Buffer.from(String(from + size)).toString('base64') }
    : { items: slice };
}

/** DescribeAlarms: metric alarms by name, prefix, state or action prefix, in name order, 50 a page by default. */
export function describeAlarms(store: CloudWatchStore, input: DescribeAlarmsInput): Answer<DescribeAlarmsOutput> {
  if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined)
    throw errors.invalidCombination('The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.');
  const size = input.MaxRecords ?? DEFAULT_PAGE;
  if (size < 1 || size > 100) throw errors.invalidValue('The parameter MaxRecords must be between 1 and 100.');
  const wantsMetric = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
  const names = input.AlarmNames?.length ? new Set(input.AlarmNames) : undefined;
  const found = wantsMetric
    ? [...store.alarms.values()]
        .filter(
          (a) =>
            (names === undefined || names.has(a.AlarmName!)) &&
            (input.AlarmNamePrefix === undefined || a.AlarmName!.startsWith(input.AlarmNamePrefix)) &&
            (input.StateValue === undefined || a.StateValue === input.StateValue) &&
            (input.ActionPrefix === undefined ||
              [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some((x) =>
                x.startsWith(input.ActionPrefix!),
              )),
        )
        .sort((a, b) => (a.AlarmName! < b.AlarmName! ? -1 : 1))
    : [];
  const { items, next } = page(found, input.NextToken, size);
  return {
    MetricAlarms: items,
    ...(input.AlarmTypes?.includes('CompositeAlarm') ? { CompositeAlarms: [] } : {}),
    ...(next !== undefined ? { NextToken: next } : {}),
  };
}

/** DescribeAlarmsForMetric: the alarms on exactly this metric (and statistic, period, unit when given). */
export function describeAlarmsForMetric(
  store: CloudWatchStore,
  input: DescribeAlarmsForMetricInput,
): Answer<DescribeAlarmsForMetricOutput> {
  const dims = JSON.stringify(sortedDimensions(input.Dimensions));
  return {
    MetricAlarms: [...store.alarms.values()].filter(
      (a) =>
        a.MetricName === input.MetricName &&
        a.Namespace === input.Namespace &&
        JSON.stringify(a.Dimensions ?? []) === dims &&
        (input.Statistic === undefined || a.Statistic === input.Statistic) &&
        (input.ExtendedStatistic === undefined || a.ExtendedStatistic === input.ExtendedStatistic) &&
        (input.Period === undefined || a.Period === input.Period) &&
        (input.Unit === undefined || a.Unit === input.Unit),
    ),
  };
}

/** DeleteAlarms: all of them, or none when one is not there. */
export function deleteAlarms(store: CloudWatchStore, input: DeleteAlarmsInput): void {
  const names = input.AlarmNames ?? [];
  const missing = names.filter((n) => !store.alarms.has(n));
  if (missing.length > 0) throw errors.alarmNotFound(missing);
  for (const n of names) store.alarms.delete(n);
}
