/**
 * The execution inputs of the two state machines, validated once, first (the ValidateInput state), so that a bad
 * input fails before anything is created, with a message naming the field. Every field is optional; the stack's
 * defaults (serverless.yml params, handed over by the state machine) fill in the rest and are checked the same way.
 * The CLI checks `--data` with the same schemas before it starts an execution.
 */
import * as z from 'zod';
import { ENGINE_NAMES, type EngineName } from './config';
import { InvalidInputError } from './engines/errors';
import { maxOutputsPerApplication } from './engines/limits';
import { STARTING_POSITIONS } from './engines/types';
import { MAX_KEYS_PER_SHARD } from './load-test/partition-keys';
import { MAX_RECORDS } from './load-test/run';
import { parseWith } from './validation';

/**
 * Step Functions keeps at most 25,000 events in an execution's history, and fails the execution outright (no Catch
 * runs, so nothing is torn down) when it would hold more. Each status check of a wait loop adds at most 11
 * (Describe: 5, Choice: 2, the counting Pass: 2, and a Wait: 2 only when DescribeApplication could not wait all of
 * its window); every application has two loops (READY, RUNNING) and two more in teardown (stopped, deleted). The
 * rest of a run takes far fewer than the events left over.
 */
export const HISTORY_EVENT_LIMIT = 25_000;
export const EVENTS_PER_CHECK = 11;
const EVENTS_BESIDES_WAITS = 1_000;

/** A load test's records per second: the producer paces itself, so this is a target, not a burst. */
const MAX_RATE = 1_000_000;
/** The live load test's window (src/load-test/live.ts takes 1 to 600 s). */
const MAX_LIVE_SECONDS = 600;
/** The LoadTest task may run 900 s; it needs time after the wait to read the input and build its report. */
const MAX_TIMEOUT_SECONDS = 840;

const lifecycleFields = {
  engine: z.enum(ENGINE_NAMES),
  startingPosition: z.enum(STARTING_POSITIONS),
  keep: z.boolean(),
  /** 0 skips the load test. */
  records: z.int().min(0).max(MAX_RECORDS),
  rate: z.number().positive().max(MAX_RATE),
  timeoutSeconds: z.number().positive().max(MAX_TIMEOUT_SECONDS),
  /** synthetic: the load test puts its own records; live: it verifies the traffic already flowing. */
  mode: z.enum(['synthetic', 'live']),
  liveSeconds: z.number().min(1).max(MAX_LIVE_SECONDS),
  /** Synthetic mode: the partition keys the records are spread over, per input shard. */
  keysPerShard: z.int().min(1).max(MAX_KEYS_PER_SHARD),
  /** KPL-aggregated load-test records: true (10 user records each), N, false; null: the fan-out's default. */
  aggregate: z.union([z.boolean(), z.int().min(1).max(10_000)]).nullable(),
  waitSeconds: z.int().min(0).max(3600),
  maxWaitAttempts: z.int().min(1).max(10_000),
};

/** What a user may put in a lifecycle execution's input; anything else is refused by name. */
export const lifecycleInput = z.strictObject(z.object(lifecycleFields).partial().shape);
export type LifecycleInput = z.output<typeof lifecycleInput>;

/** The stack's defaults, as the state machine hands them over (every field present). */
export const lifecycleDefaults = z.object(lifecycleFields);
export type LifecycleOptions = z.output<typeof lifecycleDefaults>;

/** The teardown's input: `{}` (every engine of the stage, what the schedule starts) or one engine. */
export const teardownInput = z.strictObject({ engine: z.enum(ENGINE_NAMES).optional() });

/** What the teardown runs with: the engines whose applications it lists and removes. */
export interface TeardownOptions {
  readonly engines: readonly EngineName[];
}

/** What the validation needs of the stage, beyond the input and the defaults. */
export interface StageFacts {
  /** How many outputs the fan-out has: the engine makes ceil(outputs / per application) applications. */
  readonly outputs: number;
  /** The teardown's own bound on the checks of each of its two wait loops (serverless.yml teardownMaxChecks). */
  readonly teardownMaxChecks: number;
  /**
   * Whether the input is a stream the user brings (`input.arn` in fanout.yml) rather than one the stack creates. Then,
   * unless the input or the defaults say otherwise, the applications start reading at NOW (a run never replays the
   * retained input into live outputs) and the load test verifies the live traffic instead of putting records.
   */
  readonly inputIsUsers?: boolean;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  return parseWith(schema, value ?? {}, what);
}

/** The largest maxWaitAttempts whose wait loops fit the execution history with `applications` applications. */
export function maxWaitAttemptsFor(applications: number, teardownMaxChecks: number): number {
  const teardown = 2 * teardownMaxChecks * EVENTS_PER_CHECK;
  const perApplication = (HISTORY_EVENT_LIMIT - EVENTS_BESIDES_WAITS) / Math.max(1, applications);
  return Math.max(1, Math.floor((perApplication - teardown) / (2 * EVENTS_PER_CHECK)));
}

/**
 * Validates a lifecycle execution input and merges it over the stack's defaults.
 *
 * @param input - the execution input as given (`{}` and absent are the same)
 * @param defaults - the stack's defaults (serverless.yml params)
 * @param stage - the fan-out's size, for the limits that depend on it
 * @throws InvalidInputError naming every wrong field
 */
export function lifecycleOptions(input: unknown, defaults: unknown, stage: StageFacts): LifecycleOptions {
  const given = parse(lifecycleInput, input, 'The execution input is invalid');
  const base = parse(
    lifecycleDefaults,
    {
      startingPosition: stage.inputIsUsers ? 'NOW' : 'TRIM_HORIZON',
      mode: stage.inputIsUsers ? 'live' : 'synthetic',
      ...(defaults as object),
    },
    'The stack defaults (serverless.yml params) are invalid',
  );
  const engine = given.engine ?? base.engine;
  const applications = Math.ceil(stage.outputs / maxOutputsPerApplication(engine));
  const ceiling = maxWaitAttemptsFor(applications, stage.teardownMaxChecks);
  if (given.maxWaitAttempts !== undefined && given.maxWaitAttempts > ceiling) {
    throw new InvalidInputError(
      `The execution input is invalid: maxWaitAttempts: must be at most ${ceiling} with ${applications} ` +
        `application(s) of the ${engine} engine (each check adds about ${EVENTS_PER_CHECK} events to the execution ` +
        `history, which Step Functions caps at ${HISTORY_EVENT_LIMIT.toLocaleString('en-US')}), got ${given.maxWaitAttempts}`,
    );
  }
  return {
    engine,
    startingPosition: given.startingPosition ?? base.startingPosition,
    keep: given.keep ?? base.keep,
    records: given.records ?? base.records,
    rate: given.rate ?? base.rate,
    timeoutSeconds: given.timeoutSeconds ?? base.timeoutSeconds,
    mode: given.mode ?? base.mode,
    liveSeconds: given.liveSeconds ?? base.liveSeconds,
    keysPerShard: given.keysPerShard ?? base.keysPerShard,
    aggregate: given.aggregate !== undefined ? given.aggregate : base.aggregate,
    waitSeconds: given.waitSeconds ?? base.waitSeconds,
    maxWaitAttempts: given.maxWaitAttempts ?? Math.min(base.maxWaitAttempts, ceiling),
  };
}

/**
 * Validates a teardown execution input.
 *
 * @throws InvalidInputError naming every wrong field
 */
export function teardownOptions(input: unknown): TeardownOptions {
  const { engine } = parse(teardownInput, input, 'The execution input is invalid');
  return { engines: engine === undefined ? [...ENGINE_NAMES] : [engine] };
}
