/**
 * Test-only fault injection on Invoke (RequestResponse), by function name: what a fan-out's `function:` output and a
 * Kinesis Analytics LambdaOutput are written through. Shares are exact (local/faults.ts: 0.25 hits every 4th), and
 * every fault hits before the function sees the records it fails, so a writer that sends them again delivers each
 * once (a function that failed after doing its work would be delivered to twice: AWS promises at least once).
 *
 * - `throttle`: the call is refused with TooManyRequestsException (429), as when concurrency runs out.
 * - `functionErrors`: the invocation answers a function error (`FunctionError: Unhandled`), the function not run.
 * - `deliveryFailed`: records of a destination event (`{ records: [{ recordId, ... }] }`, the Kinesis Analytics
 *   Lambda output contract) are taken out of the event and answered `DeliveryFailed`, as a destination function
 *   that could not deliver them answers; the function gets the others (or is not run when none is left).
 *
 * Step Functions' Task invocations and event source mappings do not go through Invoke and meet no fault.
 */
import { checkShares, hits } from '../faults';

export interface LambdaFaults {
  /** Share of Invoke calls refused with TooManyRequestsException. */
  throttle?: number;
  /** Share of invocations answered with a function error before the function runs. */
  functionErrors?: number;
  /** Share of a destination event's records answered DeliveryFailed without reaching the function. */
  deliveryFailed?: number;
}

/** What fault injection did to a function so far. */
export interface LambdaFaultCounts {
  throttled: number;
  functionErrors: number;
  deliveryFailed: number;
}

/** What an invocation meets before its function runs. */
export type FaultDecision =
  | { readonly kind: 'throttle' }
  | { readonly kind: 'functionError'; readonly payload: string }
  | {
      readonly kind: 'run';
      /** The event to hand the function (the records answered DeliveryFailed taken out). */
      readonly payload: string;
      /** The record ids answered DeliveryFailed. */
      readonly failed: readonly string[];
      /** False when every record was failed: the function is not run. */
      readonly invoke: boolean;
    };

interface State {
  faults: LambdaFaults;
  calls: number;
  invocations: number;
  records: number;
  injected: LambdaFaultCounts;
}

const NONE: LambdaFaultCounts = { throttled: 0, functionErrors: 0, deliveryFailed: 0 };

export class InvokeFaults {
  readonly #byName = new Map<string, State>();

  constructor(initial: Readonly<Record<string, LambdaFaults>> = {}) {
    for (const [name, faults] of Object.entries(initial)) this.set(name, faults);
  }

  set(functionName: string, faults: LambdaFaults | undefined): void {
    if (faults === undefined) this.#byName.delete(functionName);
    else
      this.#byName.set(functionName, {
        faults: checkShares(`Lambda twin faults of ${functionName}`, faults),
        calls: 0,
        invocations: 0,
        records: 0,
        injected: { ...NONE },
      });
  }

  counts(functionName: string): LambdaFaultCounts {
    return { ...(this.#byName.get(functionName)?.injected ?? NONE) };
  }

  /** What the next invocation of `functionName` with `payload` meets; undefined when it has no faults. */
  decide(functionName: string, payload: string): FaultDecision | undefined {
    const state = this.#byName.get(functionName);
    if (!state) return undefined;
    const { faults, injected } = state;
    if (hits(faults.throttle, ++state.calls)) {
      injected.throttled++;
      return { kind: 'throttle' };
    }
    if (hits(faults.functionErrors, ++state.invocations)) {
      injected.functionErrors++;
      return {
        kind: 'functionError',
        payload: JSON.stringify({
          errorType: 'InjectedFault',
          errorMessage: 'Lambda twin: a function error injected before the function ran (faults.functionErrors)',
          trace: [],
        }),
      };
    }
    const event = destinationEvent(payload);
    if (!event || !faults.deliveryFailed) return { kind: 'run', payload, failed: [], invoke: true };
    const kept: unknown[] = [];
    const failed: string[] = [];
    for (const record of event.records) {
      if (hits(faults.deliveryFailed, ++state.records)) failed.push(record.recordId);
      else kept.push(record);
    }
    injected.deliveryFailed += failed.length;
    return {
      kind: 'run',
      payload: failed.length === 0 ? payload : JSON.stringify({ ...event, records: kept }),
      failed,
      invoke: kept.length > 0 || event.records.length === 0,
    };
  }
}

/** The event when it is a destination event (records with string recordIds), else undefined. */
function destinationEvent(payload: string): { records: { recordId: string }[] } | undefined {
  try {
    const event = JSON.parse(payload) as { records?: unknown };
    if (!Array.isArray(event?.records)) return undefined;
    if (!event.records.every((r) => typeof (r as { recordId?: unknown })?.recordId === 'string')) return undefined;
    return event as { records: { recordId: string }[] };
  } catch {
    return undefined;
  }
}

/** The function's answer with `failed` answered DeliveryFailed (the answer as is when it is not the contract's). */
export function withDeliveryFailed(answer: string | undefined, failed: readonly string[]): string {
  const answered = failed.map((recordId) => ({ recordId, result: 'DeliveryFailed' }));
  if (answer === undefined) return JSON.stringify({ records: answered });
  try {
    const parsed = JSON.parse(answer) as { records?: unknown };
    if (!Array.isArray(parsed?.records)) return answer;
    return JSON.stringify({ ...parsed, records: [...parsed.records, ...answered] });
  } catch {
    return answer;
  }
}
