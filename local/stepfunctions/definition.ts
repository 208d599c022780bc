/**
 * A state machine definition made ready for the interpreter, in one walk over every state, nested Map and
 * Parallel machines included.
 *
 * aws-local-stepfunctions waits on the wall clock (Wait states, retry intervals, Task and execution timeouts), so
 * every wait the twin can own moves onto the twin's Clock:
 * - a Wait state becomes a Task state served by the twin (same InputPath, OutputPath, Next/End), which waits on the
 *   Clock; the history still calls it a Wait state;
 * - a Task state's Retry and TimeoutSeconds are taken out of what the library sees and applied by the twin around
 *   each attempt (the library's own timeout is pushed out of reach);
 * - the execution's TimeoutSeconds is kept here for the twin to enforce.
 * Map and Parallel states keep their Retry in the library (their interval scaled by `retryScale`).
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

/** A Retry entry, with the defaults of the Amazon States Language. */
export interface Retrier {
  errorEquals: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  jitter: 'FULL' | 'NONE';
}

/** A Task state the twin runs. */
export interface TaskSpec {
  resource: string;
  /** TimeoutSeconds, or a reference path to it (TimeoutSecondsPath); none: the task may run for ever. */
  timeoutSeconds?: number;
  timeoutSecondsPath?: string;
  retriers: Retrier[];
}

/** How long a Wait state waits: exactly one of these is set (ASL requires it). */
export interface WaitSpec {
  seconds?: number;
  secondsPath?: string;
  timestamp?: string;
  timestampPath?: string;
}

export interface PreparedDefinition {
  /** What the library runs. */
  runnable: StateMachineDefinition;
  /** Task states by name (ASL state names are unique across the whole machine). */
  tasks: Map<string, TaskSpec>;
  /** Wait states by name, served as Task states. */
  waits: Map<string, WaitSpec>;
  /** Retry intervals in ms the library applies to Map and Parallel states, per retrier (only with a retryScale). */
  retryOverrides: Record<string, number[]>;
  /** The execution's TimeoutSeconds. */
  timeoutSeconds?: number;
}

export interface Scales {
  /** Multiplies the `Seconds` of Wait states (not SecondsPath or timestamps). */
  waitScale: number;
  /** Multiplies retry intervals; backoff and jitter are then not applied. */
  retryScale: number;
}

/** Keeps the library's own Task timer (60 s by default) out of reach; the twin enforces TimeoutSeconds itself. */
const OUT_OF_REACH_SECONDS = 2_000_000;

type State = Record<string, unknown>;
type States = Record<string, State>;

/** Prepares a parsed definition; the input is not changed. */
export function prepare(definition: StateMachineDefinition, scales: Scales): PreparedDefinition {
  // a JSON round trip, not structuredClone: under jest the latter builds objects of another realm, which the
  // library's plain-object checks (States.JsonMerge) refuse
  const runnable = JSON.parse(JSON.stringify(definition)) as { States: States; TimeoutSeconds?: number };
  const prepared: PreparedDefinition = {
    runnable: runnable as unknown as StateMachineDefinition,
    tasks: new Map(),
    waits: new Map(),
    retryOverrides: {},
  };
  if (typeof runnable.TimeoutSeconds === 'number') {
    prepared.timeoutSeconds = runnable.TimeoutSeconds;
    delete runnable.TimeoutSeconds;
  }
  const walk = (states: States): void => {
    for (const [name, state] of Object.entries(states)) {
      if (state['Type'] === 'Task' && typeof state['Resource'] === 'string') prepareTask(name, state, prepared);
      else if (state['Type'] === 'Wait') states[name] = prepareWait(name, state, prepared);
      else if (Array.isArray(state['Retry']) && scales.retryScale !== 1)
        prepared.retryOverrides[name] = (state['Retry'] as { IntervalSeconds?: number }[]).map((r) =>
          Math.round((r.IntervalSeconds ?? 1) * 1000 * scales.retryScale),
        );
      for (const nested of nestedMachines(state)) walk(nested);
    }
  };
  walk(runnable.States);
  return prepared;
}

function nestedMachines(state: State): States[] {
  const machines = [
    state['Iterator'],
    state['ItemProcessor'],
    ...(Array.isArray(state['Branches']) ? state['Branches'] : []),
  ];
  return machines.flatMap((m) => {
    const states = (m as { States?: States } | undefined)?.States;
    return states ? [states] : [];
  });
}

function prepareTask(name: string, state: State, prepared: PreparedDefinition): void {
  const spec: TaskSpec = { resource: state['Resource'] as string, retriers: retriers(state['Retry']) };
  if (typeof state['TimeoutSeconds'] === 'number') spec.timeoutSeconds = state['TimeoutSeconds'];
  if (typeof state['TimeoutSecondsPath'] === 'string') spec.timeoutSecondsPath = state['TimeoutSecondsPath'];
  delete state['Retry'];
  delete state['TimeoutSecondsPath'];
  state['TimeoutSeconds'] = OUT_OF_REACH_SECONDS;
  prepared.tasks.set(name, spec);
}

function prepareWait(name: string, state: State, prepared: PreparedDefinition): State {
  const spec: WaitSpec = {};
  if (typeof state['Seconds'] === 'number') spec.seconds = state['Seconds'];
  if (typeof state['SecondsPath'] === 'string') spec.secondsPath = state['SecondsPath'];
  if (typeof state['Timestamp'] === 'string') spec.timestamp = state['Timestamp'];
  if (typeof state['TimestampPath'] === 'string') spec.timestampPath = state['TimestampPath'];
  prepared.waits.set(name, spec);
  const task: State = {
    Type: 'Task',
    Resource: `arn:aws:states:::twin:wait`,
    TimeoutSeconds: OUT_OF_REACH_SECONDS,
  };
  for (const key of ['Comment', 'InputPath', 'OutputPath', 'Next', 'End']) if (key in state) task[key] = state[key];
  return task;
}

function retriers(value: unknown): Retrier[] {
  if (!Array.isArray(value)) return [];
  return (value as Record<string, unknown>[]).map((r) => ({
    errorEquals: Array.isArray(r['ErrorEquals']) ? (r['ErrorEquals'] as string[]) : [],
    intervalSeconds: typeof r['IntervalSeconds'] === 'number' ? r['IntervalSeconds'] : 1,
    maxAttempts: typeof r['MaxAttempts'] === 'number' ? r['MaxAttempts'] : 3,
    backoffRate: typeof r['BackoffRate'] === 'number' ? r['BackoffRate'] : 2,
    ...(typeof r['MaxDelaySeconds'] === 'number' ? { maxDelaySeconds: r['MaxDelaySeconds'] } : {}),
    jitter: r['JitterStrategy'] === 'FULL' ? 'FULL' : 'NONE',
  }));
}

/**
 * The value a Reference Path (`$.a.b[0]`, `$['a']`, `$$.Execution.Input`) selects, or undefined when it selects
 * nothing. Reference paths are the only paths SecondsPath, TimestampPath and TimeoutSecondsPath accept.
 */
export function referencePath(path: string, input: unknown, context: unknown): unknown {
  let value: unknown;
  let rest: string;
  if (path.startsWith('$$')) {
    value = context;
    rest = path.slice(2);
  } else if (path.startsWith('$')) {
    value = input;
    rest = path.slice(1);
  } else return undefined;
  const step = /^(?:\.([^.[\]]+)|\['([^']*)'\]|\[(\d+)\])/;
  while (rest.length > 0) {
    const m = step.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    if (value === null || typeof value !== 'object') return undefined;
    const key = m[1] ?? m[2] ?? Number(m[3]);
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}
