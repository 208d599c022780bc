/**
 * What the CloudWatch twin holds: metric series (datapoints folded into statistic sets per second and per minute,
 * as CloudWatch keeps high-resolution data for 3 hours and minute data for 15 days), metric alarms (recorded, not
 * evaluated) and dashboards. A series is one namespace, metric name and exact set of dimensions, as CloudWatch
 * names a metric; its unit is the one its datapoints were put with.
 */
import type { Dimension, MetricAlarm } from '@aws-sdk/client-cloudwatch';

/** SampleCount, Sum, Minimum, Maximum of the datapoints of one bucket. */
export interface StatisticSet {
  count: number;
  sum: number;
  min: number;
  max: number;
}

const SECOND_RETENTION_MS = 3 * 3600_000;
const MINUTE_RETENTION_MS = 15 * 24 * 3600_000;
/** How often a series lets go of buckets past retention (on a write). */
const PRUNE_EVERY_MS = 60_000;

export class Series {
  readonly seconds = new Map<number, StatisticSet>();
  readonly minutes = new Map<number, StatisticSet>();
  unit: string | undefined;
  /** Time of the latest datapoint (ms). */
  lastAt = Number.NEGATIVE_INFINITY;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly namespace: string,
    readonly metricName: string,
    /** Sorted by name. */
    readonly dimensions: readonly Dimension[],
  ) {}

  /** Adds `samples` datapoints summing to `sum` (one datapoint: count 1, sum = min = max = value) at `at` ms. */
  add(at: number, set: StatisticSet, unit: string | undefined, now: number): void {
    if (unit !== undefined && unit !== 'None') this.unit = unit;
    fold(this.seconds, Math.floor(at / 1000) * 1000, set);
    fold(this.minutes, Math.floor(at / 60_000) * 60_000, set);
    if (at > this.lastAt) this.lastAt = at;
    if (now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.prunedAt = now;
      prune(this.seconds, now - SECOND_RETENTION_MS);
      prune(this.minutes, now - MINUTE_RETENTION_MS);
    }
  }

  /**
   * The statistic sets of each period of `periodSec` from `start` (inclusive) to `end` (exclusive), keyed by the
   * period's start (ms). Periods under a minute read the per-second buckets; others the per-minute ones.
   */
  periods(start: number, end: number, periodSec: number): Map<number, StatisticSet> {
    const periodMs = periodSec * 1000;
    const source = periodSec % 60 === 0 ? this.minutes : this.seconds;
    const out = new Map<number, StatisticSet>();
    for (const [at, set] of source) {
      if (at < start || at >= end) continue;
      const slot = start + Math.floor((at - start) / periodMs) * periodMs;
      fold(out, slot, set);
    }
    return out;
  }
}

function fold(buckets: Map<number, StatisticSet>, at: number, set: StatisticSet): void {
  const bucket = buckets.get(at);
  if (!bucket) {
    buckets.set(at, { ...set });
    return;
  }
  bucket.count += set.count;
  bucket.sum += set.sum;
  if (set.min < bucket.min) bucket.min = set.min;
  if (set.max > bucket.max) bucket.max = set.max;
}

function prune(buckets: Map<number, StatisticSet>, before: number): void {
  for (const at of buckets.keys()) if (at < before) buckets.delete(at);
}

/** The dimensions of a metric in CloudWatch's order (by name), which is also how a series is found. */
export function sortedDimensions(dimensions: readonly Dimension[] | undefined): Dimension[] {
  return [...(dimensions ?? [])]
    .map((d) => ({ Name: d.Name!, Value: d.Value! }))
    .sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

function seriesKey(namespace: string, metricName: string, dimensions: readonly Dimension[]): string {
  let key = `${namespace}\u0000${metricName}`;
  for (const d of dimensions) key += `\u0000${d.Name}\u0001${d.Value}`;
  return key;
}

export interface StoredDashboard {
  name: string;
  body: string;
  lastModified: number;
}

export class CloudWatchStore {
  readonly series = new Map<string, Series>();
  readonly alarms = new Map<string, MetricAlarm>();
  readonly dashboards = new Map<string, StoredDashboard>();

  /** The series of this metric, made when `create` (dimensions in any order). */
  seriesOf(namespace: string, metricName: string, dimensions: readonly Dimension[] | undefined): Series | undefined;
  seriesOf(namespace: string, metricName: string, dimensions: readonly Dimension[] | undefined, create: true): Series;
  seriesOf(
    namespace: string,
    metricName: string,
    dimensions: readonly Dimension[] | undefined,
    create = false,
  ): Series | undefined {
    const dims = sortedDimensions(dimensions);
    const key = seriesKey(namespace, metricName, dims);
    let series = this.series.get(key);
    if (!series && create) {
      series = new Series(namespace, metricName, dims);
      this.series.set(key, series);
    }
    return series;
  }
}
