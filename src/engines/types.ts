/**
 * One interface, several engines: how a fan-out application is made real. The lifecycle state machine calls the
 * same handlers, with the same state names, whichever engine runs; only the engine behind them changes.
 */
import type { EngineName, OutputBinding } from '../config';
import type { SourceSchema } from '../streaming-sql';
import { InvalidInputError } from './errors';

export type { SourceSchema };

/** Where a started application begins reading the input stream (Kinesis Analytics names). */
export const STARTING_POSITIONS = ['NOW', 'TRIM_HORIZON', 'LAST_STOPPED_POINT'] as const;
export type StartingPosition = (typeof STARTING_POSITIONS)[number];

/**
 * Status of an application, in Kinesis Analytics terms; other engines map their own states onto these.
 * `NOT_FOUND` means there is no such application (never created, or deleted).
 */
export const APPLICATION_STATUSES = [
  'NOT_FOUND',
  'READY',
  'STARTING',
  'RUNNING',
  'STOPPING',
  'UPDATING',
  'DELETING',
] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** One application to make real: its name and the outputs it writes. */
export interface ApplicationPlan {
  /** `${APPLICATION_PREFIX}-<n>`, n from 1. */
  readonly name: string;
  readonly outputs: readonly OutputBinding[];
}

/** What schema discovery found on the input stream. */
export interface Discovery {
  readonly schema: SourceSchema;
  /** How many labelled sample records discovery put into the input stream first (0 when it held data). */
  readonly samplePut: number;
  /** The records discovery parsed, one array of column values each (for the console and the CLI). */
  readonly parsedRecords: readonly (readonly string[])[];
}

export type CreateAction = 'created' | 'unchanged' | 'updated';
export interface CreateResult {
  readonly name: string;
  readonly action: CreateAction;
  readonly status: ApplicationStatus;
}

export interface StartResult {
  readonly name: string;
  readonly action: 'started' | 'already-running';
}

export interface StopResult {
  readonly name: string;
  readonly action: 'stopped' | 'not-running' | 'not-found';
}

export interface DeleteResult {
  readonly name: string;
  readonly action: 'deleted' | 'already-deleting' | 'not-found';
}

/**
 * An engine. Every method is safe to call again after a failure or a retry of the state machine task
 * (create is idempotent, stop and delete succeed on an application that is already gone).
 */
export interface Engine {
  readonly name: EngineName;
  /** The most outputs one application can write; the plan puts at most this many in each application. */
  readonly maxOutputsPerApplication: number;
  /** The applications of this stage: ceil(outputs / maxOutputsPerApplication) of them, named by the prefix. */
  plan(): ApplicationPlan[];
  /** Infers the input schema from the input stream, putting a labelled sample first when the stream is empty. */
  discover(): Promise<Discovery>;
  /** Creates the application, or reuses an identical one, or updates one whose SQL, schema or outputs differ. */
  create(application: ApplicationPlan, schema: SourceSchema): Promise<CreateResult>;
  status(name: string): Promise<ApplicationStatus>;
  /** Starts reading the input at `position`; a running or starting application is left alone. */
  start(name: string, position: StartingPosition): Promise<StartResult>;
  stop(name: string): Promise<StopResult>;
  delete(name: string): Promise<DeleteResult>;
  /** Names of every application of this stage (by name prefix), for the scheduled teardown. */
  list(): Promise<string[]>;
}

/**
 * Splits the outputs into applications of at most `maxPerApplication` outputs, named `${prefix}-1`, `${prefix}-2`...
 *
 * @param prefix - the stage's application name prefix
 * @param outputs - every output of the fan-out, in configuration order
 * @param maxPerApplication - the engine's limit of outputs per application
 */
export function planApplications(
  prefix: string,
  outputs: readonly OutputBinding[],
  maxPerApplication: number,
): ApplicationPlan[] {
  if (!Number.isInteger(maxPerApplication) || maxPerApplication < 1) {
    throw new RangeError(`maxPerApplication must be a positive integer, got ${maxPerApplication}`);
  }
  const plans: ApplicationPlan[] = [];
  for (let start = 0; start < outputs.length; start += maxPerApplication) {
    plans.push({ name: `${prefix}-${plans.length + 1}`, outputs: outputs.slice(start, start + maxPerApplication) });
  }
  return plans;
}

/** Parses a starting position from an execution input; absent means TRIM_HORIZON. */
export function startingPositionOf(value: unknown): StartingPosition {
  if (value === undefined || value === null || value === '') return 'TRIM_HORIZON';
  if (typeof value === 'string' && (STARTING_POSITIONS as readonly string[]).includes(value)) {
    return value as StartingPosition;
  }
  throw new InvalidInputError(
    `startingPosition must be one of ${STARTING_POSITIONS.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/** The names of a stage's applications, `${prefix}-<n>`: what `list` keeps of everything it finds. */
export function applicationNamePattern(prefix: string): RegExp {
  return new RegExp(`^${prefix.replace(/[.]/g, '\\.')}-\\d+$`);
}
