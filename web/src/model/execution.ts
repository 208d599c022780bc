/**
 * What the execution page shows, computed from the history alone, as the Step Functions console does: the status
 * of each state (the last time it ran), of each Map iteration and of the states inside it, and each state's input
 * and output. Pure: no DOM, tested by jest (test/unit/console/execution-model.test.ts).
 *
 * A state is In progress from its `...StateEntered` until its `...StateExited` (Succeeded). When it never exits:
 * Caught error if another state of the same flow was entered after it (its Catch took over), Failed if its flow
 * (the execution or its Map iteration) failed, Cancelled if the execution was aborted or timed out.
 */

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export type StateStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'CAUGHT_ERROR' | 'CANCELLED';
export type FlowStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface StateRun {
  name: string;
  status: StateStatus;
  /** Times it was entered. */
  entered: number;
  enteredEventId: number;
  /** ms epoch. */
  start: number;
  end?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface Iteration {
  index: number;
  status: FlowStatus;
  states: Map<string, StateRun>;
  error?: string;
  cause?: string;
}

export interface ExecutionModel {
  /** States outside any Map iteration. */
  states: Map<string, StateRun>;
  /** Per Map state: its iterations by index. */
  iterations: Map<string, Map<number, Iteration>>;
  /** Event id -> the state it belongs to (its own, or the state whose entry it follows). */
  stepOf: Map<number, string>;
}

interface Flow {
  states: Map<string, StateRun>;
  active: StateRun | undefined;
}

const detailsOf = (e: HistoryEvent): Record<string, unknown> | undefined => {
  for (const key in e) if (key.endsWith('EventDetails')) return e[key] as Record<string, unknown>;
  return undefined;
};

/**
 * @param events the history, in order
 * @param iterationOf event id -> Map iteration index, for events of states inside a Map
 * @param mapOf state name -> the Map state it is inside (from the graph)
 */
export function executionModel(
  events: readonly HistoryEvent[],
  iterationOf: Readonly<Record<string, number>>,
  mapOf: ReadonlyMap<string, string>,
): ExecutionModel {
  const top: Flow = { states: new Map(), active: undefined };
  const iterations = new Map<string, Map<number, Iteration>>();
  const flows = new Map<string, Flow>();
  const stepOf = new Map<number, string>();
  const runOfEntered = new Map<number, StateRun>();

  const iterationFlow = (map: string, index: number): { flow: Flow; iteration: Iteration } => {
    let byIndex = iterations.get(map);
    if (!byIndex) {
      byIndex = new Map();
      iterations.set(map, byIndex);
    }
    let iteration = byIndex.get(index);
    if (!iteration) {
      iteration = { index, status: 'RUNNING', states: new Map() };
      byIndex.set(index, iteration);
    }
    const key = `${map}#${index}`;
    let flow = flows.get(key);
    if (!flow) {
      flow = { states: iteration.states, active: undefined };
      flows.set(key, flow);
    }
    return { flow, iteration };
  };
  const flowOf = (name: string, eventId: number): Flow => {
    const map = mapOf.get(name);
    const index = iterationOf[eventId];
    if (map === undefined || index === undefined) return top;
    return iterationFlow(map, index).flow;
  };
  const endFlow = (flow: Flow, status: StateStatus, error?: string, cause?: string): void => {
    for (const run of flow.states.values()) {
      if (run.status !== 'IN_PROGRESS') continue;
      run.status = status;
      if (error !== undefined) run.error ??= error;
      if (cause !== undefined) run.cause ??= cause;
    }
    flow.active = undefined;
  };

  for (const e of events) {
    const d = detailsOf(e) ?? {};
    const at = e.timestamp * 1000;
    if (e.type.endsWith('StateEntered')) {
      const name = String(d['name']);
      stepOf.set(e.id, name);
      const flow = flowOf(name, e.id);
      // the state before it in this flow never exited: its Catch sent the flow here
      if (flow.active && flow.active.name !== name && flow.active.status === 'IN_PROGRESS')
        flow.active.status = 'CAUGHT_ERROR';
      const previous = flow.states.get(name);
      const run: StateRun = {
        name,
        status: e.type === 'FailStateEntered' ? 'FAILED' : 'IN_PROGRESS',
        entered: (previous?.entered ?? 0) + 1,
        enteredEventId: e.id,
        start: at,
        ...(typeof d['input'] === 'string' ? { input: d['input'] } : {}),
      };
      flow.states.set(name, run);
      flow.active = run;
      runOfEntered.set(e.id, run);
      continue;
    }
    if (e.type.endsWith('StateExited')) {
      const name = String(d['name']);
      stepOf.set(e.id, name);
      const flow = flowOf(name, e.id);
      const run = flow.states.get(name);
      if (run) {
        run.status = 'SUCCEEDED';
        run.end = at;
        if (typeof d['output'] === 'string') run.output = d['output'];
        if (flow.active === run) flow.active = undefined;
      }
      continue;
    }
    if (e.type.startsWith('MapIteration')) {
      const map = String(d['name']);
      const { flow, iteration } = iterationFlow(map, Number(d['index']));
      stepOf.set(e.id, map);
      if (e.type === 'MapIterationSucceeded') iteration.status = 'SUCCEEDED';
      if (e.type === 'MapIterationFailed') {
        iteration.status = 'FAILED';
        if (typeof d['error'] === 'string') iteration.error = d['error'];
        if (typeof d['cause'] === 'string') iteration.cause = d['cause'];
        endFlow(flow, 'FAILED', iteration.error, iteration.cause);
      }
      if (e.type === 'MapIterationAborted') {
        iteration.status = 'ABORTED';
        endFlow(flow, 'CANCELLED');
      }
      continue;
    }
    if (e.type === 'ExecutionFailed' || e.type === 'ExecutionAborted' || e.type === 'ExecutionTimedOut') {
      const status: StateStatus = e.type === 'ExecutionFailed' ? 'FAILED' : 'CANCELLED';
      const error = typeof d['error'] === 'string' ? d['error'] : undefined;
      const cause = typeof d['cause'] === 'string' ? d['cause'] : undefined;
      for (const [key, flow] of flows) {
        const [map, index] = key.split('#');
        const iteration = iterations.get(map!)?.get(Number(index));
        if (iteration?.status === 'RUNNING') iteration.status = status === 'FAILED' ? 'FAILED' : 'ABORTED';
        endFlow(flow, status === 'FAILED' ? 'CANCELLED' : status);
      }
      endFlow(top, status, error, cause);
      continue;
    }
    // task, Lambda and Map events: they belong to the state whose entry they follow
    const run = runOfEntered.get(e.previousEventId) ?? runOfEntered.get(findEntered(e, stepOf, runOfEntered));
    if (run) {
      stepOf.set(e.id, run.name);
      runOfEntered.set(e.id, run);
      if (/Failed$|TimedOut$/.test(e.type)) {
        if (typeof d['error'] === 'string') run.error = d['error'];
        if (typeof d['cause'] === 'string') run.cause = d['cause'];
      }
    }
  }
  return { states: top.states, iterations, stepOf };
}

function findEntered(e: HistoryEvent, _stepOf: Map<number, string>, runs: Map<number, StateRun>): number {
  let id = e.previousEventId;
  while (id > 0 && !runs.has(id)) id--;
  return id;
}

/** The iteration the page shows first: the first failed one, else the first running one, else the first. */
export function defaultIteration(iterations: Map<number, Iteration> | undefined): number | undefined {
  if (!iterations || iterations.size === 0) return undefined;
  const all = [...iterations.values()].sort((a, b) => a.index - b.index);
  return (all.find((i) => i.status === 'FAILED') ?? all.find((i) => i.status === 'RUNNING') ?? all[0])!.index;
}
