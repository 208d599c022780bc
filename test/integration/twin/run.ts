/**
 * One lifecycle run on a twin, as the lifecycle tests make it: start the lifecycle state machine with an input,
 * follow it to its end keeping every history event, and find the load-test report (in the output, or in the
 * history when the execution failed after the load test).
 */
import type { DescribeExecutionCommandOutput, HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { findReport, findStateMachine, followExecution, startExecution } from '../../../local/up';
import type { LoadTestReport } from '../../../src/load-test';

export interface LifecycleRun {
  readonly execution: DescribeExecutionCommandOutput;
  readonly events: HistoryEvent[];
  readonly report: LoadTestReport | undefined;
}

/** Runs the stage's lifecycle with `input` to its end. */
export async function runLifecycle(client: SFNClient, input: Record<string, unknown>): Promise<LifecycleRun> {
  const lifecycle = await findStateMachine(client, 'lifecycle');
  const executionArn = await startExecution(client, lifecycle, input);
  const events: HistoryEvent[] = [];
  const execution = await followExecution(client, executionArn, (e) => events.push(e));
  return { execution, events, report: findReport(execution.output, events) };
}
