/**
 * Step Functions executions through @aws-sdk/client-sfn, the same against AWS and against any endpoint that speaks
 * its API: find a state machine by name, start an execution, follow its history until it stops.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListStateMachines,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';

/**
 * Events per GetExecutionHistory page while following: a look at a running execution mostly finds none or a few
 * new ones, and a page is read (and sent) whole even when its first event is one already handed over.
 */
const HISTORY_PAGE = 10;

/** Raised when no state machine matches the name given. */
export class StateMachineNotFoundError extends Error {
  constructor(name: string, known: string[]) {
    super(`No state machine named '${name}'. Deployed: ${known.join(', ') || '(none)'}`);
    this.name = 'StateMachineNotFoundError';
  }
}

/**
 * Finds a state machine by ARN, full name, or the short name of serverless.yml (`lifecycle` matches
 * `kinesis-fanout-dev-lifecycle`).
 */
export async function findStateMachine(client: SFNClient, name: string): Promise<string> {
  if (name.startsWith('arn:')) return name;
  const all: { name?: string | undefined; stateMachineArn?: string | undefined }[] = [];
  for await (const page of paginateListStateMachines({ client }, {})) all.push(...(page.stateMachines ?? []));
  const lower = name.toLowerCase();
  const match =
    all.find((m) => m.name === name) ??
    all.find((m) => m.name?.toLowerCase().endsWith(`-${lower}`)) ??
    all.find((m) =>
      m.name
        ?.toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .includes(lower.replace(/[^a-z0-9]/g, '')),
    );
  if (!match?.stateMachineArn)
    throw new StateMachineNotFoundError(
      name,
      all.map((m) => m.name ?? ''),
    );
  return match.stateMachineArn;
}

/**
 * Starts an execution with the SDK, as on AWS.
 *
 * @param input - the execution input (JSON-serialised; `{}` when undefined)
 * @param name - the execution's name (Step Functions makes one up when omitted)
 * @returns the execution ARN
 */
export async function startExecution(
  client: SFNClient,
  stateMachineArn: string,
  input: unknown,
  name?: string,
): Promise<string> {
  const out = await client.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input ?? {}), ...(name ? { name } : {}) }),
  );
  if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
  return out.executionArn;
}

/** The events that end an execution (a redrive may start it again: DescribeExecution says). */
const ENDING_EVENTS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

/** Looks without an ending event between two DescribeExecution calls: the net under an end never written. */
const DESCRIBE_EVERY = 10;

/**
 * Follows an execution's history until it stops: hands over each new event in order, then returns the final
 * DescribeExecution. Each look reads the history newest first and stops at the last event already handed over, so
 * a look costs what is new, not the whole history (which grows with every state, and was read again every 50 ms).
 * A look at a running execution asks for its newest event alone first, and reads on only when that one is new;
 * DescribeExecution is asked once an ending event is read (or every DESCRIBE_EVERY looks, or on abort), not at
 * every look: one small call a look where there were two (GetExecutionHistory's quota refills at 20 a second).
 */
export async function followExecution(
  client: SFNClient,
  executionArn: string,
  onEvent: (event: HistoryEvent) => void,
  opts: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<DescribeExecutionCommandOutput> {
  let seen = 0;
  let looks = 0;
  let final: DescribeExecutionCommandOutput | undefined;
  for (;;) {
    looks++;
    let fresh = seen === 0;
    if (!fresh) {
      const newest = await client.send(
        new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }),
      );
      fresh = (newest.events?.[0]?.id ?? 0) > seen;
    }
    let ended = false;
    if (fresh) {
      const events = new Map<number, HistoryEvent>();
      newest: for await (const page of paginateGetExecutionHistory(
        { client, pageSize: HISTORY_PAGE },
        { executionArn, reverseOrder: true },
      )) {
        for (const event of page.events ?? []) {
          if (event.id === undefined || event.id <= seen) break newest;
          events.set(event.id, event);
        }
      }
      for (const id of [...events.keys()].sort((a, b) => a - b)) {
        seen = id;
        const event = events.get(id)!;
        if (ENDING_EVENTS.has(event.type ?? '')) ended = true;
        onEvent(event);
      }
    }
    if (final) return final;
    const aborted = opts.signal?.aborted === true;
    if (ended || aborted || looks % DESCRIBE_EVERY === 0) {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (aborted || (ended && described.status !== 'RUNNING')) return described;
      // ended after this look read the history: one more look hands over its last events
      if (described.status !== 'RUNNING') {
        final = described;
        continue;
      }
    }
    await sleep(opts.pollMs ?? 50);
  }
}
