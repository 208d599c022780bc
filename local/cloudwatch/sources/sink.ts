/**
 * How the twin's own counters reach the CloudWatch store: one datapoint at the twin's present time. Series are
 * looked up once per metric and dimension values, so a hot path (every PutRecords) costs a map lookup.
 */
import type { Dimension } from '@aws-sdk/client-cloudwatch';
import type { Clock } from '../../clock';
import type { CloudWatchStore, Series, StatisticSet } from '../store';

export interface MetricSink {
  /** One datapoint of `value` now (a count, bytes, or a gauge such as an age). */
  count(namespace: string, metricName: string, dimensions: Dimension[], value: number, unit: string): void;
  /** Several datapoints at once, as their statistic set (Success: count attempts, sum successes). */
  set(namespace: string, metricName: string, dimensions: Dimension[], set: StatisticSet, unit: string): void;
  /** One datapoint at `at` (ms), e.g. from an EMF line's own timestamp. */
  at(at: number, namespace: string, metricName: string, dimensions: Dimension[], value: number, unit?: string): void;
}

export function metricSink(store: CloudWatchStore, clock: Clock): MetricSink {
  const cache = new Map<string, Series>();
  const seriesOf = (namespace: string, metricName: string, dimensions: Dimension[]): Series => {
    let key = `${namespace}\u0000${metricName}`;
    for (const d of dimensions) key += `\u0000${d.Name}\u0001${d.Value}`;
    let series = cache.get(key);
    if (!series) {
      series = store.seriesOf(namespace, metricName, dimensions, true);
      cache.set(key, series);
    }
    return series;
  };
  const add = (at: number, ns: string, name: string, dims: Dimension[], value: number, unit?: string): void => {
    if (!Number.isFinite(value)) return;
    seriesOf(ns, name, dims).add(at, { count: 1, sum: value, min: value, max: value }, unit, clock.now());
  };
  return {
    count: (ns, name, dims, value, unit) => add(clock.now(), ns, name, dims, value, unit),
    set: (ns, name, dims, set, unit) => seriesOf(ns, name, dims).add(clock.now(), set, unit, clock.now()),
    at: add,
  };
}
