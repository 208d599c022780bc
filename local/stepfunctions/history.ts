/**
 * Execution history in AWS's shape: the events aws-local-stepfunctions reports, plus the Lambda/Task events the
 * twin records around each invocation, renamed and detailed as GetExecutionHistory returns them, stamped with the
 * twin's Clock. Each event is also handed to the history's listener as it is added (the execution log sink).
 */
import type { Clock } from '../clock';

/** One HistoryEvent on the wire (timestamp in epoch seconds). */
export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** The subset of aws-local-stepfunctions' EventLog the twin reads. */
export interface LibraryEvent {
  type: string;
  timestamp: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  state?: { name: string; type: string; input: unknown; output?: unknown };
  parentState?: { name: string; type: string; input: unknown };
  index?: number;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value ?? null));
// the twin never truncates: payloads stay whole however large
const details = (_value: unknown): { truncated: boolean } => ({ truncated: false });

/** An execution's history, appended to while it runs. */
export class History {
  readonly events: HistoryEvent[] = [];
  /**
   * The Map iteration each state event ran in (event id -> iteration index), from the interpreter; in process only
   * (the console shows a Map's iterations with it; AWS's history keeps it in previousEventId chains).
   */
  readonly iterationOf = new Map<number, number>();
  /** Index of the event to point previousEventId at, per nesting (the last entered state). */
  private lastEntered = 0;

  /**
   * @param typeOf the type the history gives a state the interpreter runs as another (Wait states run as Task
   *   states on the twin's Clock)
   * @param onEvent told of every event as it is added
   */
  constructor(
    private readonly clock: Clock,
    private readonly typeOf: (stateName: string, type: string) => string = (_name, type) => type,
    private readonly onEvent?: (event: HistoryEvent) => void,
  ) {}

  add(
    type: string,
    detailKey: string | undefined,
    detail: Record<string, unknown> | undefined,
    at = this.clock.now(),
  ): void {
    const id = this.events.length + 1;
    const event: HistoryEvent = {
      timestamp: at / 1000,
      type,
      id,
      previousEventId: type.endsWith('StateEntered') ? id - 1 : this.lastEntered || id - 1,
    };
    if (detailKey && detail) event[detailKey] = detail;
    if (type.endsWith('StateEntered')) this.lastEntered = id;
    if (type === 'ExecutionStarted') event.previousEventId = 0;
    this.events.push(event);
    this.onEvent?.(event);
  }

  /** Adds what one library event means in AWS's vocabulary. */
  fromLibrary(e: LibraryEvent, roleArn: string): void {
    const first = this.events.length;
    this.translate(e, roleArn);
    if (e.index === undefined || e.type.startsWith('MapIteration')) return;
    for (let i = first; i < this.events.length; i++) this.iterationOf.set(this.events[i]!.id, e.index);
  }

  private translate(e: LibraryEvent, roleArn: string): void {
    const at = this.clock.now();
    const state = e.state && { ...e.state, type: this.typeOf(e.state.name, e.state.type) };
    switch (e.type) {
      case 'ExecutionStarted':
        this.add(
          'ExecutionStarted',
          'executionStartedEventDetails',
          { input: text(e.input), inputDetails: details(e.input), roleArn },
          at,
        );
        return;
      case 'ExecutionSucceeded':
        this.add(
          'ExecutionSucceeded',
          'executionSucceededEventDetails',
          { output: text(e.output), outputDetails: details(e.output) },
          at,
        );
        return;
      case 'ExecutionFailed':
        this.add('ExecutionFailed', 'executionFailedEventDetails', failure(e), at);
        return;
      case 'ExecutionAborted':
        this.add('ExecutionAborted', 'executionAbortedEventDetails', {}, at);
        return;
      case 'ExecutionTimeout':
        this.add(
          'ExecutionTimedOut',
          'executionTimedOutEventDetails',
          { error: 'States.Timeout', cause: 'The execution timed out' },
          at,
        );
        return;
      case 'StateEntered': {
        const s = state!;
        this.add(
          `${s.type}StateEntered`,
          'stateEnteredEventDetails',
          { name: s.name, input: text(s.input), inputDetails: details(s.input) },
          at,
        );
        if (s.type === 'Map')
          this.add('MapStateStarted', 'mapStateStartedEventDetails', { length: mapLength(s.input) }, at);
        if (s.type === 'Parallel') this.add('ParallelStateStarted', undefined, undefined, at);
        return;
      }
      case 'StateExited': {
        const s = state!;
        if (s.type === 'Fail') return;
        if (s.type === 'Map') this.add('MapStateSucceeded', undefined, undefined, at);
        if (s.type === 'Parallel') this.add('ParallelStateSucceeded', undefined, undefined, at);
        this.add(
          `${s.type}StateExited`,
          'stateExitedEventDetails',
          { name: s.name, output: text(s.output), outputDetails: details(s.output) },
          at,
        );
        return;
      }
      case 'StateFailed': {
        const s = state!;
        if (s.type === 'Map') this.add('MapStateFailed', undefined, undefined, at);
        if (s.type === 'Parallel') this.add('ParallelStateFailed', undefined, undefined, at);
        return;
      }
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const key = `${e.type[0]!.toLowerCase()}${e.type.slice(1)}EventDetails`;
        const d: Record<string, unknown> = { name: e.parentState?.name, index: e.index };
        if (e.type === 'MapIterationFailed') Object.assign(d, failure(e));
        this.add(e.type, key, d, at);
        return;
      }
      default:
        // StateRetried, StateCaught and Parallel branch events have no counterpart in AWS's history
        return;
    }
  }
}

function failure(e: LibraryEvent): { error: string; cause: string } {
  return { error: e.Error ?? 'States.Runtime', cause: typeof e.Cause === 'string' ? e.Cause : text(e.Cause) };
}

function mapLength(input: unknown): number {
  return Array.isArray(input) ? input.length : 0;
}
