/** Shapes shared by the generator, the verifier and the report (the LoadTest task's output). */
import type { Truncation } from './truncation';

export type { Truncation };

/** What the verifier found on one output stream. */
export interface OutputReport {
  /** Records the application's SQL routes to this stream. */
  expected: number;
  /** Expected records that arrived (once or more) before the timeout. */
  received: number;
  /** Expected records that did not arrive before the timeout (including those that arrived late). */
  missing: number;
  /** Extra copies of expected records. */
  duplicates: number;
  /** Arrivals of records this stream should not carry. */
  misrouted: number;
  /** Records that arrived before a record put earlier with the same partition key. */
  outOfOrder: number;
  /** Expected records that arrived only after the timeout (a subset of `missing`). */
  late: number;
  /**
   * How arriving rows were recognised: `token in <column>` (the run's token in that column), `content` (the SQL
   * keeps no column that could carry it: matched by the rest of their content) or `rows` (windowed: counted only).
   */
  matchedBy?: string;
}

/** One application of the fan-out and the output streams it writes. */
export interface ReportApplication {
  name: string;
  outputs: string[];
}

/** What ran: shown at the top of every report. */
export interface RunContext {
  engine?: string;
  stage?: string;
  executionArn?: string;
  applications?: ReportApplication[];
  /** The input stream the records went into (or were read from, live). */
  input?: string;
}

/** Where the records came from. */
export interface RecordsInfo {
  source: 'synthetic' | 'sample' | 'generator' | 'live';
  /** The sample file or generator module, when the user gave one. */
  name?: string;
  /** The tag of the run's tokens (`<tag>-<seq>`), and the input columns that carried it. */
  tag?: string;
  carriers?: string[];
  /** User records per KPL aggregate the producer put (absent: one Kinesis record each). */
  aggregate?: number;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Latency distribution: `counts[stream][i]` records took between `i * binMs` and `(i + 1) * binMs`. */
export interface LatencyHistogram {
  binMs: number;
  counts: Record<string, number[]>;
}

/** Per-bucket counts from `startMs`: records sent (arrived on the input) and first arrivals on each output. */
export interface Timeline {
  startMs: number;
  bucketMs: number;
  sent: number[];
  received: Record<string, number[]>;
}

/** Throttles met on the way, by the API call that met them. */
export interface ThrottleCounts {
  /** PutRecords entries refused with ProvisionedThroughputExceededException (each one was retried). */
  put: number;
  /** GetRecords / GetShardIterator calls refused with ProvisionedThroughputExceededException. */
  get: number;
}

/** The load test's result: the LoadTest task's output and `.fanout/report.json`. */
export interface LoadTestReport {
  /** `skipped`: `records: 0` or `loadTest: off`; nothing was put or read. */
  verdict: 'pass' | 'fail' | 'skipped';
  /** Why the verdict is fail; empty on pass. */
  reasons: string[];
  /** What deserves a look even when the verdict passes (rate short of the target, values cut to their column...). */
  warnings?: string[];
  /** `synthetic`: generated records were put; `live`: the traffic already flowing was verified. */
  mode?: 'synthetic' | 'live';
  run?: RunContext;
  records?: RecordsInfo;
  /** Values cut to their column size (see truncation.ts). */
  truncated?: Truncation[];
  runId: string;
  /** Records written to the input stream. */
  sent: number;
  /** From the first put to the end of verification. */
  durationMs: number;
  /** ISO 8601 time of the first put. */
  startedAt: string;
  outputs: Record<string, OutputReport>;
  /** From each record's arrival on the input stream to its first arrival on an output (ApproximateArrivalTimestamp). */
  latencyMs: LatencySummary;
  throttled: number;
  throttledBy?: ThrottleCounts;
  /** Records requested, the target rate and the rate achieved (records/s). */
  requested?: number;
  targetRate?: number;
  achievedRate?: number;
  timeoutSeconds?: number;
  /** Records read from the outputs that belong to no record of this run (other runs, other producers). */
  foreign?: number;
  histogram?: LatencyHistogram;
  timeline?: Timeline;
}

/** One output of the application: the in-application stream and the Kinesis stream it feeds. */
export type { OutputBinding } from '../config';

/** The clock the load test reads and sleeps on; `local/clock.ts`'s Clock fits it. */
export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemTimer: Timer = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Progress of a run, for logs. */
export type ProgressLog = (message: string, fields?: Record<string, unknown>) => void;
