/**
 * AWS/Lambda from the Lambda twin, as Lambda publishes it per function (dimension FunctionName): Invocations,
 * Errors, Throttles and Duration from each invocation's REPORT line (the twin never throttles an invocation, so
 * Throttles is 0 beside each), and IteratorAge of each batch a Kinesis event source mapping hands its function.
 * Custom metrics the functions log as CloudWatch embedded metric format (Powertools Metrics) go to their own
 * namespaces (emf.ts).
 */
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import type { FunctionLogEvent, MappingBatch } from '../../lambda';
import { emfDatapoints } from './emf';
import type { MetricSink } from './sink';

const NS = 'AWS/Lambda';
const REPORT = /^REPORT RequestId: \S+\tDuration: ([\d.]+) ms\t(?:.*\tStatus: (\w+)\t)?/;

export function functionLogMetrics(sink: MetricSink): (event: FunctionLogEvent) => void {
  return (event) => {
    const message = event.message;
    if (message.startsWith('REPORT ')) {
      const m = REPORT.exec(message);
      if (!m) return;
      const dims = [{ Name: 'FunctionName', Value: event.functionName }];
      sink.at(event.timestamp, NS, 'Invocations', dims, 1, 'Count');
      sink.at(event.timestamp, NS, 'Errors', dims, m[2] ? 1 : 0, 'Count');
      sink.at(event.timestamp, NS, 'Throttles', dims, 0, 'Count');
      sink.at(event.timestamp, NS, 'Duration', dims, Number(m[1]), 'Milliseconds');
      return;
    }
    for (const p of emfDatapoints(message, event.timestamp))
      sink.at(p.at, p.namespace, p.metricName, p.dimensions, p.value, p.unit);
  };
}

/** The function name of a function ARN (qualified or not). */
function functionNameOf(arn: string): string {
  try {
    return parseArn(arn).resource.split(':')[1] ?? arn;
  } catch {
    return arn;
  }
}

export function mappingBatchMetrics(sink: MetricSink): (batch: MappingBatch) => void {
  return (batch) => {
    sink.count(
      NS,
      'IteratorAge',
      [{ Name: 'FunctionName', Value: functionNameOf(batch.functionArn) }],
      batch.iteratorAgeMs,
      'Milliseconds',
    );
  };
}
