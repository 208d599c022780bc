/**
 * Metrics: PutMetricData, ListMetrics, GetMetricStatistics and GetMetricData, typed with the SDK's own request and
 * response types (after the model validator). Statistics are SampleCount, Sum, Average, Minimum and Maximum over
 * the statistic sets the store folds datapoints into; percentiles and metric math are refused by name (the twin
 * keeps no raw values and evaluates no expressions).
 */
import type {
  Datapoint,
  Dimension,
  DimensionFilter,
  GetMetricDataInput,
  GetMetricDataOutput,
  GetMetricStatisticsInput,
  GetMetricStatisticsOutput,
  ListMetricsInput,
  ListMetricsOutput,
  MetricDataResult,
  PutMetricDataInput,
  Statistic,
} from '@aws-sdk/client-cloudwatch';
import type { Answer } from '../../sdk-shapes';
import { errors } from '../errors';
import type { CloudWatchStore, Series, StatisticSet } from '../store';

const TWO_WEEKS_MS = 14 * 24 * 3600_000;
const TWO_HOURS_MS = 2 * 3600_000;
const LIST_PAGE = 500;
const MAX_STATISTICS_DATAPOINTS = 1440;
const MAX_METRIC_DATA_DATAPOINTS = 100_800;
const STATISTICS: readonly Statistic[] = ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'];

/** A timestamp as the wire carries it (epoch seconds, or an ISO text from the CLI) or a Date in process, in ms. */
export function timeOf(value: unknown, member: string): number {
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value * 1000
        : typeof value === 'string'
          ? /^\d+(\.\d+)?$/.test(value)
            ? Number(value) * 1000
            : Date.parse(value)
          : Number.NaN;
  if (!Number.isFinite(ms)) throw errors.invalidValue(`The parameter ${member} must be a timestamp.`);
  return ms;
}

function checkPeriod(period: number | undefined, member: string): number {
  if (period === undefined || !Number.isInteger(period) || period < 1)
    throw errors.invalidValue(`The parameter ${member} must be a positive integer.`);
  if (period < 60 ? ![1, 5, 10, 30].includes(period) : period % 60 !== 0)
    throw errors.invalidValue(
      `The parameter ${member} must be 1, 5, 10, 30 or a multiple of 60 (the period ${period} is neither).`,
    );
  return period;
}

function statOf(set: StatisticSet, stat: string): number {
  switch (stat) {
    case 'SampleCount':
      return set.count;
    case 'Sum':
      return set.sum;
    case 'Average':
      return set.sum / set.count;
    case 'Minimum':
      return set.min;
    case 'Maximum':
      return set.max;
    default:
      throw errors.invalidValue(
        `The statistic ${stat} is not served by the twin: it keeps statistic sets (SampleCount, Sum, Average, Minimum, Maximum), no percentiles.`,
      );
  }
}

/** Puts datapoints the way PutMetricData does, checked as CloudWatch checks them. */
export function putMetricData(store: CloudWatchStore, input: PutMetricDataInput, now: number): void {
  const namespace = input.Namespace!;
  if (namespace.startsWith('AWS/'))
    throw errors.invalidValue(`The value ${namespace} for parameter Namespace is invalid: AWS/ is reserved.`);
  const data = input.MetricData ?? [];
  if (data.length === 0) throw errors.missing('MetricData');
  const sets: { series: Series; at: number; set: StatisticSet; unit: string | undefined }[] = [];
  data.forEach((datum, i) => {
    const member = `MetricData.member.${i + 1}`;
    if (!datum.MetricName) throw errors.missing(`${member}.MetricName`);
    const given = [datum.Value !== undefined, datum.StatisticValues !== undefined, datum.Values !== undefined];
    if (given.filter(Boolean).length > 1)
      throw errors.invalidCombination(
        `The parameters ${member}.Value, ${member}.StatisticValues and ${member}.Values are mutually exclusive.`,
      );
    const at = datum.Timestamp === undefined ? now : timeOf(datum.Timestamp, `${member}.Timestamp`);
    if (at < now - TWO_WEEKS_MS || at > now + TWO_HOURS_MS)
      throw errors.invalidValue(
        `The parameter ${member}.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.`,
      );
    const set = statisticSetOf(datum, member);
    if (set.count === 0) return;
    sets.push({
      series: store.seriesOf(namespace, datum.MetricName, datum.Dimensions, true),
      at,
      set,
      unit: datum.Unit,
    });
  });
  // everything is checked before anything is kept: a bad datum refuses the whole call, as on AWS
  for (const s of sets) s.series.add(s.at, s.set, s.unit, now);
}

function statisticSetOf(datum: NonNullable<PutMetricDataInput['MetricData']>[number], member: string): StatisticSet {
  const finite = (v: number, name: string): number => {
    if (!Number.isFinite(v)) throw errors.invalidValue(`The value ${v} for parameter ${name} is invalid.`);
    return v;
  };
  if (datum.StatisticValues) {
    const s = datum.StatisticValues;
    return {
      count: finite(s.SampleCount!, `${member}.StatisticValues.SampleCount`),
      sum: finite(s.Sum!, `${member}.StatisticValues.Sum`),
      min: finite(s.Minimum!, `${member}.StatisticValues.Minimum`),
      max: finite(s.Maximum!, `${member}.StatisticValues.Maximum`),
    };
  }
  if (datum.Values) {
    const counts = datum.Counts;
    if (counts && counts.length !== datum.Values.length)
      throw errors.invalidCombination(`The parameters ${member}.Values and ${member}.Counts must be of equal length.`);
    const set: StatisticSet = { count: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY };
    datum.Values.forEach((raw, j) => {
      const v = finite(raw, `${member}.Values.member.${j + 1}`);
      const n = counts ? finite(counts[j]!, `${member}.Counts.member.${j + 1}`) : 1;
      if (n <= 0) return;
      set.count += n;
      set.sum += v * n;
      set.min = Math.min(set.min, v);
      set.max = Math.max(set.max, v);
    });
    return set;
  }
  if (datum.Value === undefined) throw errors.missing(`${member}.Value`);
  const v = finite(datum.Value, `${member}.Value`);
  return { count: 1, sum: v, min: v, max: v };
}

function matches(series: Series, filters: readonly DimensionFilter[] | undefined): boolean {
  return (filters ?? []).every((f) =>
    series.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)),
  );
}

/** ListMetrics: every metric with a datapoint in the last two weeks (three hours with RecentlyActive=PT3H). */
export function listMetrics(store: CloudWatchStore, input: ListMetricsInput, now: number): Answer<ListMetricsOutput> {
  const since = now - (input.RecentlyActive === 'PT3H' ? 3 * 3600_000 : TWO_WEEKS_MS);
  const found = [...store.series.values()]
    .filter(
      (s) =>
        s.lastAt >= since &&
        (input.Namespace === undefined || s.namespace === input.Namespace) &&
        (input.MetricName === undefined || s.metricName === input.MetricName) &&
        matches(s, input.Dimensions),
    )
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.metricName.localeCompare(b.metricName));
  const from = pageStart(input.NextToken, found.length);
  const page = found.slice(from, from + LIST_PAGE);
  return {
    Metrics: page.map((s) => ({ Namespace: s.namespace, MetricName: s.metricName, Dimensions: [...s.dimensions] })),
    ...(from + LIST_PAGE < found.length ? { NextToken: pageToken(from + LIST_PAGE) } : {}),
  };
}

function pageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function pageStart(token: string | undefined, total: number): number {
  if (token === undefined) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0 && offset <= total) return offset;
  } catch {
    // answered below
  }
  throw errors.invalidNextToken();
}

interface Window {
  start: number;
  end: number;
  period: number;
}

function windowOf(startTime: unknown, endTime: unknown, period: number): Window {
  const periodMs = period * 1000;
  const start = Math.floor(timeOf(startTime, 'StartTime') / periodMs) * periodMs;
  const end = timeOf(endTime, 'EndTime');
  if (end <= start) throw errors.invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  return { start, end, period };
}

function unitMatches(series: Series, unit: string | undefined): boolean {
  return unit === undefined || unit === (series.unit ?? 'None');
}

/** GetMetricStatistics: the datapoints of one metric, one per period with data (in time order). */
export function getMetricStatistics(
  store: CloudWatchStore,
  input: GetMetricStatisticsInput,
): Answer<GetMetricStatisticsOutput> {
  const period = checkPeriod(input.Period, 'Period');
  const statistics = input.Statistics ?? [];
  if (input.ExtendedStatistics?.length)
    throw errors.invalidValue(
      'The parameter ExtendedStatistics is not served by the twin: it keeps statistic sets, no percentiles.',
    );
  if (statistics.length === 0) throw errors.missing('Statistics');
  for (const s of statistics) if (!STATISTICS.includes(s)) throw errors.invalidValue(`The statistic ${s} is invalid.`);
  const w = windowOf(input.StartTime, input.EndTime, period);
  const requested = Math.ceil((w.end - w.start) / (period * 1000));
  if (requested > MAX_STATISTICS_DATAPOINTS)
    throw errors.invalidCombination(
      `You have requested up to ${requested.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  const series = store.seriesOf(input.Namespace!, input.MetricName!, input.Dimensions);
  const datapoints: Datapoint[] = [];
  if (series && unitMatches(series, input.Unit)) {
    for (const [at, set] of [...series.periods(w.start, w.end, period)].sort((a, b) => a[0] - b[0])) {
      const point: Datapoint = { Timestamp: new Date(at), Unit: (series.unit ?? 'None') as Datapoint['Unit'] };
      for (const s of statistics) point[s] = statOf(set, s);
      datapoints.push(point);
    }
  }
  return { Label: input.MetricName!, Datapoints: datapoints };
}

/** GetMetricData: each MetricStat query's values, newest first unless ScanBy=TimestampAscending. */
export function getMetricData(store: CloudWatchStore, input: GetMetricDataInput): Answer<GetMetricDataOutput> {
  const queries = input.MetricDataQueries ?? [];
  if (queries.length === 0) throw errors.missing('MetricDataQueries');
  const ids = new Set<string>();
  const results: MetricDataResult[] = [];
  let total = 0;
  const max = input.MaxDatapoints ?? MAX_METRIC_DATA_DATAPOINTS;
  for (const [i, q] of queries.entries()) {
    const member = `MetricDataQueries.member.${i + 1}`;
    if (ids.has(q.Id!)) throw errors.invalidValue(`The value ${q.Id} for parameter ${member}.Id is not unique.`);
    ids.add(q.Id!);
    if (q.Expression !== undefined)
      throw errors.invalidValue(
        `The twin evaluates no metric math: ${member} (Id ${q.Id}) has an Expression; ask for each metric with MetricStat.`,
      );
    const stat = q.MetricStat;
    if (!stat) throw errors.invalidCombination(`${member} must have either MetricStat or Expression.`);
    const period = checkPeriod(stat.Period, `${member}.MetricStat.Period`);
    const w = windowOf(input.StartTime, input.EndTime, period);
    const metric = stat.Metric!;
    const series = store.seriesOf(metric.Namespace ?? '', metric.MetricName ?? '', metric.Dimensions);
    let points: [number, number][] = [];
    if (series && unitMatches(series, stat.Unit))
      points = [...series.periods(w.start, w.end, period)].map(([at, set]) => [at, statOf(set, stat.Stat!)]);
    else statOf({ count: 1, sum: 0, min: 0, max: 0 }, stat.Stat!); // an unknown statistic is refused either way
    points.sort((a, b) => (input.ScanBy === 'TimestampAscending' ? a[0] - b[0] : b[0] - a[0]));
    if (q.ReturnData === false) continue;
    const room = Math.max(0, max - total);
    const kept = points.slice(0, room);
    total += kept.length;
    results.push({
      Id: q.Id!,
      Label: q.Label ?? metric.MetricName!,
      Timestamps: kept.map(([at]) => new Date(at)),
      Values: kept.map(([, v]) => v),
      StatusCode: kept.length < points.length ? 'PartialData' : 'Complete',
    });
  }
  return { MetricDataResults: results, Messages: [] };
}

/** Dimensions as an SDK list, for in-process callers. */
export function dimensionsOf(record: Record<string, string>): Dimension[] {
  return Object.entries(record).map(([Name, Value]) => ({ Name, Value }));
}
