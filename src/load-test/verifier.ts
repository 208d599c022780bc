/**
 * The verifier's bookkeeping, free of I/O: it is told what was sent, what arrived on the input and what arrived on
 * each output, and turns that into counts, latency figures, a verdict and its reasons.
 */
import { identify } from './identity';
import type { LatencyHistogram, LatencySummary, LoadTestReport, OutputReport, ThrottleCounts, Timeline } from './types';

export interface VerifierOptions {
  runId: string;
  /** The tag records carry in USERNAME when it is not the run id itself (see `recordTagOf`). */
  tag?: string;
  /** Records of the run: sequences 0 .. total-1. */
  total: number;
  /** Output stream names, in the order of `destinations`. */
  outputs: string[];
  /** `destinations[o][seq] === 1` when record `seq` belongs on output `o`. */
  destinations: Uint8Array[];
  /** Column names of each output, to read CSV records; JSON records name their columns. */
  columns?: string[][];
  /** The partition key record `seq` was put with. */
  partitionKeyOf: (seq: number) => string;
}

/** Widths the timeline's buckets may take, finest first. */
const TIMELINE_BUCKETS_MS = [100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000];
/** One record read from an output stream. */
export interface Arrival {
  shardId: string;
  /** ApproximateArrivalTimestamp, ms since the epoch. */
  arrivalMs: number;
  data: Uint8Array;
}

/** What the run itself adds to the report. */
export interface RunFacts {
  startedAt: number;
  /** Time of the last put: the timeout counts from here. */
  sendEndedAt: number;
  endedAt: number;
  timeoutSeconds: number;
  requested: number;
  targetRate: number;
  throttles: ThrottleCounts;
  /** Records that could not be put, and why. */
  failedToSend?: number;
  firstSendError?: string;
  /** From the expectation: records the SQL rejected, rows that could not be identified. */
  rejected?: number;
  firstRejection?: string;
  unidentified?: number;
  /** The run stopped early to return before its function's time limit. */
  cutShort?: boolean;
}

const decoder = new TextDecoder();

/** Parses an output record: a JSON object, or a CSV row read with the output's column names. */
export function parseOutputRecord(
  data: Uint8Array,
  columns: string[] | undefined,
): Record<string, unknown> | undefined {
  const text = decoder.decode(data).trim();
  if (text.startsWith('{')) {
    try {
      const value: unknown = JSON.parse(text);
      return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  if (!columns || columns.length === 0) return undefined;
  const cells = text.split(',');
  return Object.fromEntries(columns.map((name, i) => [name, cells[i]?.replace(/^"|"$/g, '')]));
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** A bin width of 1, 2 or 5 times a power of ten that splits `max` into at most `bins` bins. */
export function niceBinWidth(max: number, bins: number): number {
  const raw = Math.max(1, max / bins);
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * power >= raw) return step * power;
  return 10 * power;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export class Verifier {
  private readonly putOrder: Float64Array;
  private readonly ackMs: Float64Array;
  private readonly inputMs: Float64Array;
  private readonly firstArrival: Float64Array[];
  private readonly duplicates: number[];
  private readonly misrouted: number[];
  private readonly outOfOrder: number[];
  /** Per output: records acknowledged by the input, bound for that output, not yet seen there. */
  private readonly outstanding: number[];
  private readonly lastOrder: Map<string, number>[];
  private acked = 0;
  private inputSeen = 0;
  private foreign = 0;

  private readonly tag: string;

  constructor(readonly options: VerifierOptions) {
    const { total, outputs, destinations } = options;
    this.tag = options.tag ?? options.runId;
    if (destinations.length !== outputs.length) throw new RangeError('one destination map per output is needed');
    this.putOrder = new Float64Array(total).fill(Number.NaN);
    this.ackMs = new Float64Array(total).fill(Number.NaN);
    this.inputMs = new Float64Array(total).fill(Number.NaN);
    this.firstArrival = outputs.map(() => new Float64Array(total).fill(Number.NaN));
    this.duplicates = outputs.map(() => 0);
    this.misrouted = outputs.map(() => 0);
    this.outOfOrder = outputs.map(() => 0);
    this.lastOrder = outputs.map(() => new Map());
    this.outstanding = outputs.map(() => 0);
  }

  /** Record `seq` was accepted by PutRecords; call in acknowledgement order (the input's per-shard order). */
  sent(seq: number, ackMs: number): void {
    if (!Number.isNaN(this.putOrder[seq]!)) return;
    this.putOrder[seq] = this.acked++;
    this.ackMs[seq] = ackMs;
    // A record can show up on an output before its put is acknowledged here; it is not outstanding then.
    this.options.destinations.forEach((dest, o) => {
      if (dest[seq] && Number.isNaN(this.firstArrival[o]![seq]!)) this.outstanding[o]!++;
    });
  }

  /** Record `seq` was seen on the input stream with this ApproximateArrivalTimestamp. */
  input(seq: number, arrivalMs: number): void {
    if (seq < 0 || seq >= this.options.total || !Number.isNaN(this.inputMs[seq]!)) return;
    this.inputMs[seq] = arrivalMs;
    this.inputSeen++;
  }

  /** Reads an input-stream record and notes its arrival; returns false when it is not of this run. */
  inputRecord(data: Uint8Array, arrivalMs: number): boolean {
    const values = parseOutputRecord(data, ['ID', 'USERNAME', 'AMOUNT']);
    const seq = values && identify(values, this.tag, this.options.total);
    if (seq === undefined) return false;
    this.input(seq, arrivalMs);
    return true;
  }

  /** Input arrivals seen so far, of the records acknowledged. */
  get inputComplete(): boolean {
    return this.inputSeen >= this.acked;
  }

  get sentCount(): number {
    return this.acked;
  }

  /** A record read from output `o`. */
  output(o: number, arrival: Arrival): void {
    const values = parseOutputRecord(arrival.data, this.options.columns?.[o]);
    const seq = values && identify(values, this.tag, this.options.total);
    if (seq === undefined) {
      this.foreign++;
      return;
    }
    if (!this.options.destinations[o]![seq]) {
      this.misrouted[o]!++;
      return;
    }
    const first = this.firstArrival[o]!;
    if (!Number.isNaN(first[seq]!)) {
      this.duplicates[o]!++;
      return;
    }
    first[seq] = arrival.arrivalMs;
    if (!Number.isNaN(this.putOrder[seq]!)) this.outstanding[o]!--;
    const order = Number.isNaN(this.putOrder[seq]!) ? seq : this.putOrder[seq]!;
    const key = `${arrival.shardId}\u0000${this.options.partitionKeyOf(seq)}`;
    const last = this.lastOrder[o]!.get(key);
    if (last !== undefined && order < last) this.outOfOrder[o]!++;
    else this.lastOrder[o]!.set(key, order);
  }

  /** Every record acknowledged so far has arrived on every output it is bound for. */
  get complete(): boolean {
    return this.outstanding.every((n) => n <= 0);
  }

  /** Acknowledged records not yet seen where they are bound, over all outputs. */
  get outstandingCount(): number {
    return this.outstanding.reduce((a, b) => a + b, 0);
  }

  private sentTime(seq: number): number {
    const input = this.inputMs[seq]!;
    return Number.isNaN(input) ? this.ackMs[seq]! : input;
  }

  /** The report: counts per output, latency, histogram, timeline, verdict and reasons. */
  report(facts: RunFacts): LoadTestReport {
    const { outputs, total } = this.options;
    const deadline = facts.sendEndedAt + facts.timeoutSeconds * 1000;
    const outputReports: Record<string, OutputReport> = {};
    const latencies: number[][] = outputs.map(() => []);
    let lastArrival = facts.sendEndedAt;
    outputs.forEach((name, o) => {
      const first = this.firstArrival[o]!;
      const dest = this.options.destinations[o]!;
      let expected = 0;
      let received = 0;
      let late = 0;
      for (let seq = 0; seq < total; seq++) {
        // Only records the input acknowledged are expected anywhere; the rest are a reason of their own.
        if (!dest[seq] || Number.isNaN(this.putOrder[seq]!)) continue;
        expected++;
        const at = first[seq]!;
        if (Number.isNaN(at)) continue;
        if (at > deadline) {
          late++;
          continue;
        }
        received++;
        lastArrival = Math.max(lastArrival, at);
        const sentAt = this.sentTime(seq);
        if (!Number.isNaN(sentAt)) latencies[o]!.push(Math.max(0, at - sentAt));
      }
      outputReports[name] = {
        expected,
        received,
        missing: expected - received,
        duplicates: this.duplicates[o]!,
        misrouted: this.misrouted[o]!,
        outOfOrder: this.outOfOrder[o]!,
        late,
      };
    });
    const all = Float64Array.from(latencies.flat()).sort();
    const latencyMs: LatencySummary = {
      p50: percentile(all, 50),
      p90: percentile(all, 90),
      p99: percentile(all, 99),
      max: all.length ? all[all.length - 1]! : 0,
    };
    const reasons = this.reasons(outputReports, facts);
    const throttled = facts.throttles.put + facts.throttles.get;
    const sendSeconds = Math.max(0.001, (facts.sendEndedAt - facts.startedAt) / 1000);
    return {
      verdict: reasons.length === 0 ? 'pass' : 'fail',
      reasons,
      runId: this.options.runId,
      sent: this.acked,
      durationMs: Math.round(facts.endedAt - facts.startedAt),
      startedAt: new Date(facts.startedAt).toISOString(),
      outputs: outputReports,
      latencyMs,
      throttled,
      throttledBy: { ...facts.throttles },
      requested: facts.requested,
      targetRate: facts.targetRate,
      achievedRate: Math.round((this.acked / sendSeconds) * 10) / 10,
      timeoutSeconds: facts.timeoutSeconds,
      foreign: this.foreign,
      histogram: this.histogram(latencies, latencyMs.max),
      timeline: this.timeline(facts.startedAt, Math.min(lastArrival, deadline)),
    };
  }

  private reasons(outputs: Record<string, OutputReport>, facts: RunFacts): string[] {
    const reasons: string[] = [];
    if (facts.cutShort)
      reasons.push(
        "the run was cut short to return its report before the function's time limit: ask for fewer records, a higher rate or a shorter timeout",
      );
    if (this.acked < facts.requested) {
      const why = facts.firstSendError ? `: ${facts.firstSendError}` : '';
      reasons.push(
        `only ${this.acked.toLocaleString('en-US')} of ${plural(facts.requested, 'record')} were written to the input stream${why}`,
      );
    }
    if (facts.rejected)
      reasons.push(
        `the SQL rejects ${plural(facts.rejected, 'generated record')} into error_stream${facts.firstRejection ? `: ${facts.firstRejection}` : ''}`,
      );
    if (facts.unidentified)
      reasons.push(
        `${plural(facts.unidentified, 'output row')} of the SQL carry no USERNAME of this run: the load test cannot follow them`,
      );
    const expectedTotal = Object.values(outputs).reduce((n, o) => n + o.expected, 0);
    if (expectedTotal === 0 && this.acked > 0) reasons.push('the SQL routes none of the records to any output stream');
    for (const [name, o] of Object.entries(outputs)) {
      if (o.missing > 0) {
        const late =
          o.late > 0
            ? ` (${o.late.toLocaleString('en-US')} of them arrived after the ${facts.timeoutSeconds} s timeout)`
            : '';
        reasons.push(`${name}: ${o.missing.toLocaleString('en-US')} of ${plural(o.expected, 'record')} missing${late}`);
      }
      if (o.duplicates > 0) reasons.push(`${name}: ${plural(o.duplicates, 'duplicate')}`);
      if (o.misrouted > 0)
        reasons.push(`${name}: ${plural(o.misrouted, 'misrouted record')} (the SQL does not send them here)`);
      if (o.outOfOrder > 0)
        reasons.push(`${name}: ${plural(o.outOfOrder, 'record')} out of order within a partition key`);
    }
    return reasons;
  }

  private histogram(latencies: number[][], max: number): LatencyHistogram {
    const binMs = niceBinWidth(max, 40);
    const bins = Math.max(1, Math.floor(max / binMs) + 1);
    const counts: Record<string, number[]> = {};
    this.options.outputs.forEach((name, o) => {
      const row = new Array<number>(bins).fill(0);
      for (const ms of latencies[o]!) row[Math.min(bins - 1, Math.floor(ms / binMs))]!++;
      counts[name] = row;
    });
    return { binMs, counts };
  }

  private timeline(startMs: number, endMs: number): Timeline {
    const span = Math.max(1, endMs - startMs);
    // The finest bucket that keeps at most 300 of them: a 500-record run (under a second of sending) still draws
    // a curve, a 5-minute run is per second, and the report stays small (Step Functions caps state at 256 KB).
    const bucketMs = TIMELINE_BUCKETS_MS.find((ms) => span / ms <= 300) ?? Math.ceil(span / 300 / 60_000) * 60_000;
    const buckets = Math.floor(span / bucketMs) + 1;
    const at = (ms: number) => Math.min(buckets - 1, Math.max(0, Math.floor((ms - startMs) / bucketMs)));
    const sent = new Array<number>(buckets).fill(0);
    for (let seq = 0; seq < this.options.total; seq++) {
      const t = this.sentTime(seq);
      if (!Number.isNaN(t)) sent[at(t)]!++;
    }
    const received: Record<string, number[]> = {};
    this.options.outputs.forEach((name, o) => {
      const row = new Array<number>(buckets).fill(0);
      const first = this.firstArrival[o]!;
      for (let seq = 0; seq < this.options.total; seq++) {
        const t = first[seq]!;
        if (!Number.isNaN(t) && t <= endMs) row[at(t)]!++;
      }
      received[name] = row;
    });
    return { startMs, bucketMs, sent, received };
  }
}
