/**
 * The answers of the console's state machine API (local/console/state-machines.ts writes them,
 * web/src/pages/state-machines.tsx reads them): types only, importing only the graph's types, so `tsc -p web` checks
 * the page against them without Node's types.
 */
import type { StateGraph } from './graph';

/** An execution in a list: ms epoch dates, `stopDate` once it has ended. */
export interface ExecutionSummary {
  executionArn: string;
  name: string;
  stateMachineArn: string;
  status: string;
  startDate: number;
  stopDate?: number;
}

/** A state machine in the list, with its executions counted and its latest one. */
export interface MachineSummary {
  stateMachineArn: string;
  name: string;
  type: string;
  creationDate: number;
  executions: number;
  running: number;
  latest?: ExecutionSummary;
}

/** GET /_console/api/state-machines */
export interface StateMachineListAnswer {
  stateMachines: MachineSummary[];
}

/** GET /_console/api/state-machines/{arn}: its definition, graph and executions, newest first. */
export interface MachineDetailAnswer extends Omit<MachineSummary, 'executions' | 'running' | 'latest'> {
  roleArn: string;
  revisionId: string;
  definition: string;
  graph: StateGraph;
  executions: ExecutionSummary[];
}
