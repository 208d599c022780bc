/**
 * Finding the load-test report in what Step Functions gives back: an execution's output (`{ ..., report }`), a
 * LoadTest task's output (the report itself), or an execution history (which still holds the report when the
 * execution failed on its verdict and so has no output).
 */
import type { LoadTestReport } from './types';

function isReport(value: unknown): value is LoadTestReport {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return (
    (v['verdict'] === 'pass' || v['verdict'] === 'fail') &&
    typeof v['outputs'] === 'object' &&
    Array.isArray(v['reasons'])
  );
}

/** The report in a value or in its `report` field; accepts JSON text. Undefined when there is none. */
export function findReport(value: unknown): LoadTestReport | undefined {
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (isReport(v)) return v;
  if (v !== null && typeof v === 'object') {
    const inner = (v as Record<string, unknown>)['report'];
    if (isReport(inner)) return inner;
  }
  return undefined;
}

/** The part of a GetExecutionHistory event this module reads. */
export interface HistoryEventLike {
  type?: string | undefined;
  stateExitedEventDetails?: { name?: string | undefined; output?: string | undefined } | undefined;
  taskSucceededEventDetails?: { output?: string | undefined } | undefined;
  lambdaFunctionSucceededEventDetails?: { output?: string | undefined } | undefined;
  executionSucceededEventDetails?: { output?: string | undefined } | undefined;
}

/** The last report found in an execution history, newest event first. */
export function reportFromHistory(events: readonly HistoryEventLike[]): LoadTestReport | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    const output =
      e.stateExitedEventDetails?.output ??
      e.taskSucceededEventDetails?.output ??
      e.lambdaFunctionSucceededEventDetails?.output ??
      e.executionSucceededEventDetails?.output;
    const report = output === undefined ? undefined : findReport(output);
    if (report) return report;
  }
  return undefined;
}
