/**
 * AWS/KinesisAnalytics from the applications' counters (`KinesisAnalyticsTwin.metrics(name)`: totals over the
 * twin's life, named as Kinesis Data Analytics named its metrics), sampled on the twin's Clock: each sample of a
 * RUNNING application publishes what changed since the last one. Per input (dimensions Application, Flow=Input,
 * Id=<InputId>): Records, Bytes, InputProcessing.OkRecords/OkBytes/DroppedRecords/ProcessingFailedRecords/Success;
 * per output (Flow=Output, Id=<OutputId>): Records, Bytes, Success (1 per delivery attempt that took all its
 * records, 0 per one that did not, as AWS counts it), LambdaDelivery.OkRecords/DeliveryFailedRecords; per
 * application: MillisBehindLatest. (The twin's own count of error-stream rows is not an AWS metric: not published.)
 */
import type { Dimension } from '@aws-sdk/client-cloudwatch';
import type { KinesisAnalyticsTwin } from '../../kinesis-analytics';
import type { MetricSink } from './sink';

const NS = 'AWS/KinesisAnalytics';

/** The totals of the previous sample, by application and counter. */
export type SampleState = Map<string, Map<string, number>>;

/** One sample of every RUNNING application. */
export function sampleApplications(analytics: KinesisAnalyticsTwin, sink: MetricSink, seen: SampleState): void {
  for (const app of analytics.store.list()) {
    if (app.status !== 'RUNNING') continue;
    const m = analytics.metrics(app.name);
    let before = seen.get(app.name);
    if (!before) {
      before = new Map();
      seen.set(app.name, before);
    }
    const last = before;
    /** The change of a total since the last sample (a total that went down started again from zero). */
    const delta = (key: string, total: number): number => {
      const previous = last.get(key) ?? 0;
      last.set(key, total);
      return total >= previous ? total - previous : total;
    };
    const application = { Name: 'Application', Value: app.name };
    const count = (dims: Dimension[], key: string, name: string, total: number, unit: string): void => {
      const change = delta(key, total);
      sink.count(NS, name, dims, change, unit);
    };
    for (const input of m.Inputs) {
      const dims = [application, { Name: 'Flow', Value: 'Input' }, { Name: 'Id', Value: input.Id }];
      const key = `in/${input.Id}/`;
      count(dims, `${key}Records`, 'Records', input.Records, 'Count');
      count(dims, `${key}Bytes`, 'Bytes', input.Bytes, 'Bytes');
      const p = input.InputProcessing;
      if (p) {
        count(dims, `${key}ok`, 'InputProcessing.OkRecords', p.OkRecords, 'Count');
        count(dims, `${key}okBytes`, 'InputProcessing.OkBytes', p.OkBytes, 'Bytes');
        count(dims, `${key}dropped`, 'InputProcessing.DroppedRecords', p.DroppedRecords, 'Count');
        count(dims, `${key}failed`, 'InputProcessing.ProcessingFailedRecords', p.ProcessingFailedRecords, 'Count');
        count(dims, `${key}success`, 'InputProcessing.Success', p.Success, 'Count');
      }
    }
    for (const output of m.Outputs) {
      const dims = [application, { Name: 'Flow', Value: 'Output' }, { Name: 'Id', Value: output.Id }];
      const key = `out/${output.Id}/`;
      count(dims, `${key}Records`, 'Records', output.Records, 'Count');
      count(dims, `${key}Bytes`, 'Bytes', output.Bytes, 'Bytes');
      const ok = delta(`${key}Success`, output.Success);
      const failed = delta(`${key}Failed`, output.Failed);
      if (ok + failed > 0)
        sink.set(
          NS,
          'Success',
          dims,
          { count: ok + failed, sum: ok, min: failed > 0 ? 0 : 1, max: ok > 0 ? 1 : 0 },
          'Count',
        );
      const l = output.LambdaDelivery;
      if (l) {
        count(dims, `${key}lambdaOk`, 'LambdaDelivery.OkRecords', l.OkRecords, 'Count');
        count(dims, `${key}lambdaFailed`, 'LambdaDelivery.DeliveryFailedRecords', l.DeliveryFailedRecords, 'Count');
      }
    }
    sink.count(NS, 'MillisBehindLatest', [application], m.MillisBehindLatest, 'Milliseconds');
  }
}
