/**
 * What the fan-out-shape tests share: one lifecycle execution followed to its end (status, cause, report, history),
 * the input each run of a state entered with, and the check that every output of a report is whole.
 */
import type { HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import type { LoadTestReport } from '../../../src/load-test';
import { runLifecycle } from '../twin/run';

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface Run {
  status: string | undefined;
  cause: string | undefined;
  report: LoadTestReport;
  events: HistoryEvent[];
}

/** Starts the lifecycle with `input` and follows it to its end. */
export async function lifecycle(client: SFNClient, input: Record<string, unknown>): Promise<Run> {
  const { execution, events, report } = await runLifecycle(client, input);
  return { status: execution.status, cause: execution.cause, report: report as LoadTestReport, events };
}

/** The input each execution of `state` entered with. */
export function inputsOf<T>(events: HistoryEvent[], state: string): T[] {
  return events.flatMap((e) =>
    e.stateEnteredEventDetails?.name === state && e.stateEnteredEventDetails.input
      ? [JSON.parse(e.stateEnteredEventDetails.input) as T]
      : [],
  );
}

/** Every output of the report: present, each record once, nothing missing, duplicated or misrouted. */
export function expectEveryOutputWhole(
  report: LoadTestReport,
  outputs: readonly string[],
  mode: 'live' | 'synthetic',
): void {
  expect({ verdict: report.verdict, reasons: report.reasons }).toEqual({ verdict: 'pass', reasons: [] });
  expect(report.mode).toBe(mode);
  expect(report.records?.source).toBe(mode === 'live' ? 'live' : 'synthetic');
  expect(Object.keys(report.outputs).sort()).toEqual([...outputs].sort());
  for (const [name, o] of Object.entries(report.outputs)) {
    expect({ name, missing: o.missing, duplicates: o.duplicates, misrouted: o.misrouted }).toEqual({
      name,
      missing: 0,
      duplicates: 0,
      misrouted: 0,
    });
    expect(o.expected).toBeGreaterThan(0);
    expect(o.received).toBe(o.expected);
  }
}
