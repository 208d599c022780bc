/**
 * What compile() makes and a runner runs: the application's public shapes (records in, rows and error rows out, the
 * compiled application), and the plan between them: the in-application streams and the compiled pumps.
 */
import type { Pos } from './ast';
import type { ColumnDef } from './formats';
import type { OutputRow } from './serialize';
import type { SlidingAggregate } from './sliding';

export interface InputRecord {
  data: Uint8Array;
  /** ms since the epoch; becomes ROWTIME (kept non-decreasing, as ROWTIME is). */
  arrivalTime: number;
  partitionKey?: string;
  sequenceNumber?: string;
  shardId?: string;
}

/** A row of the in-application error stream (error-handling.md). */
export interface ErrorRow {
  stream: 'error_stream';
  ERROR_TIME: number;
  ERROR_LEVEL: string;
  ERROR_NAME: string;
  MESSAGE: string;
  /** The hex-encoded bytes of the source record (as the guide's error stream shows it). */
  DATA_ROW: string;
  DATA_ROWTIME: number;
  /** The pump that failed, or null for records that could not be read into the source stream. */
  PUMP_NAME: string | null;
  sequenceNumber?: string;
  shardId?: string;
}

export interface RunResult {
  rows: OutputRow[];
  errors: ErrorRow[];
}

export interface Runner {
  /** Runs the pumps on these records, in order. */
  push(records: InputRecord[]): RunResult;
  /** Closes the windows whose end is <= now and emits their rows, even with no new records. */
  advance(now: number): RunResult;
  /**
   * Starts a transaction over the window state (tumbling groups, sliding windows, ROWTIME): `rollback()` puts it
   * back as it is now, as if the records pushed since had never come. Copy on write: what a transaction costs is
   * what its records touch, not the size of the windows. A `begin()` while one is open commits that one.
   */
  begin(): void;
  /** Ends the open transaction, keeping its changes. */
  commit(): void;
  /** Ends the open transaction, undoing its changes (rows not yet taken are dropped). */
  rollback(): void;
}

export interface OutputStream {
  name: string;
  columns: { name: string; sqlType: string }[];
}

export interface CompiledApplication {
  /** The in-application input stream, `${namePrefix}_001`. */
  readonly inputStream: string;
  /** The in-application streams pumps write to, with their columns, in the order the code creates them. */
  readonly outputs: OutputStream[];
  /** The pumps, in the order they run. */
  readonly pumps: { name: string; from: string; into: string; windowMs?: number }[];
  /** A runner with its own window state. */
  createRunner(): Runner;
}

/** An in-application stream: the source, one the code creates, or the hidden stream of a FROM subquery. */
export interface StreamInfo {
  name: string;
  columns: ColumnDef[];
  index: Map<string, number>;
  pos: Pos;
  source: boolean;
  /** The stream of a FROM subquery: feeds its pump, never an output. */
  hidden?: boolean;
  /** In-memory row -> OutputRow.values. */
  external?: (row: unknown[]) => Record<string, unknown>;
}

/** A pump without a window: one row in, one row (or none) out. */
export type MapFn = (
  r: unknown[],
  rowtime: number,
  arrival: number,
  W: SlidingAggregate[] | undefined,
) => unknown[] | undefined;

/** A tumbling-window pump: keys per row, accumulators per group, one row per group when the window closes. */
export interface AggFns {
  window: number;
  sizeMs: number;
  keys: (r: unknown[], rowtime: number, arrival: number) => unknown[];
  init: () => unknown[];
  accumulate: (g: { k: unknown[]; a: unknown[] }, r: unknown[], rowtime: number, arrival: number) => void;
  emit: (g: { k: unknown[]; a: unknown[] }, wend: number) => unknown[] | undefined;
}

/** A compiled pump: its streams and either a row function or a window's functions. */
export interface PumpPlan {
  name: string;
  from: StreamInfo;
  into: StreamInfo;
  map?: MapFn;
  /** Per-runner state of the sliding-window aggregates of a map pump. */
  newState?: () => SlidingAggregate[];
  agg?: AggFns;
  order: number;
}
