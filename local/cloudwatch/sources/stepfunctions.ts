/**
 * AWS/States from the Step Functions twin's history events, as Step Functions publishes them per state machine
 * (dimension StateMachineArn): ExecutionsStarted, ExecutionsSucceeded, ExecutionsFailed, ExecutionsAborted,
 * ExecutionsTimedOut (one each as it happens) and ExecutionTime (ms, when an execution ends).
 */
import type { ExecutionEvent } from '../../stepfunctions';
import type { MetricSink } from './sink';

const NS = 'AWS/States';
const ENDS: Record<string, string> = {
  ExecutionSucceeded: 'ExecutionsSucceeded',
  ExecutionFailed: 'ExecutionsFailed',
  ExecutionAborted: 'ExecutionsAborted',
  ExecutionTimedOut: 'ExecutionsTimedOut',
};

export function executionMetrics(sink: MetricSink): (event: ExecutionEvent) => void {
  const started = new Map<string, number>();
  return ({ executionArn, stateMachineArn, event }) => {
    const at = event.timestamp * 1000;
    const dims = [{ Name: 'StateMachineArn', Value: stateMachineArn }];
    if (event.type === 'ExecutionStarted') {
      started.set(executionArn, at);
      sink.at(at, NS, 'ExecutionsStarted', dims, 1, 'Count');
      return;
    }
    const metric = ENDS[event.type];
    if (!metric) return;
    sink.at(at, NS, metric, dims, 1, 'Count');
    const began = started.get(executionArn);
    started.delete(executionArn);
    if (began !== undefined) sink.at(at, NS, 'ExecutionTime', dims, Math.max(0, at - began), 'Milliseconds');
  };
}
