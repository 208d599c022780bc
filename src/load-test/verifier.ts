/**
 * The verifier's bookkeeping, free of I/O: it is told what was sent, what arrived on the input and what arrived on
 * each output, and turns that into counts, latency figures, a verdict, its reasons and warnings. Arrivals are
 * recognised per output as the expectation says (by token, by content, or only counted: see expected.ts).
 */
import { contentKey, parseOutputRecord } from './content';
import type { MatchBy, OutputExpectation } from './expected';
import { columnValue, TokenFinder } from './identity';
import type { LatencyHistogram, LatencySummary, LoadTestReport, OutputReport, ThrottleCounts, Timeline } from './types';

export interface VerifierOptions {
  runId: string;
  /** The tag the run's tokens carry; absent when records carry none (live mode). */
  tag?: string;
  /** Input records of the run: sequences 0 .. total-1. */
  total: number;
  /** Output stream names, in the order of `expectations`. */
  outputs: string[];
  expectations: readonly OutputExpectation[];
  /** The partition key record `seq` was put with. */
  partitionKeyOf: (seq: number) => string;
  /**
   * Live mode: the end of the window verified (exclusive). A row matched by content whose every expected copy has
   * arrived is a duplicate before this time, and from it on is taken for the output of a later record (records after
   * the window are not followed), so it counts as foreign.
   */
  liveUntil?: number;
  /**
   * The input order of record `seq`, when it is known up front (live mode: records are numbered in the order they
   * arrived on the input, the window's and those just before it alike). Without it the order is the put
   * acknowledgement's, and a record never acknowledged is placed by its sequence.
   */
  inputOrderOf?: (seq: number) => number;
}

/** How far an output's timestamp may be behind its input's (the two streams' clocks) for a row to be its output. */
const CAUSALITY_SLACK_MS = 50;

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
  /** Time of the last put (live: the end of the window): the timeout counts from here. */
  sendEndedAt: number;
  endedAt: number;
  timeoutSeconds: number;
  /**
   * Per output (by index), how much longer than the timeout its rows may take: a Firehose delivery stream's buffer
   * interval (its objects appear up to that long after the rows went in). Absent or 0: none.
   */
  bufferMs?: readonly number[];
  requested: number;
  /** Target records per second (synthetic mode). */
  targetRate?: number;
  throttles: ThrottleCounts;
  /** Records that could not be put, and why. */
  failedToSend?: number;
  firstSendError?: string;
  /** From the expectation: records the SQL rejected. */
  rejected?: number;
  firstRejection?: string;
  /** The run stopped early to return before its function's time limit. */
  cutShort?: boolean;
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

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Per output: its expected rows, how they are found, and what arrived. */
class OutputState {
  readonly firstArrival: Float64Array;
  /** token mode: the expected row of each record (-1: none). */
  readonly itemOfSeq: Int32Array | undefined;
  /** content mode: expected rows by content key, and how many of them have arrived. */
  readonly byKey = new Map<number, number[]>();
  readonly matched = new Map<number, number>();
  readonly excluded: Set<string>;
  /** Expected rows per record, and those that arrived. */
  readonly expectedOf: Uint16Array;
  readonly arrivedOf: Uint16Array;
  duplicates = 0;
  misrouted = 0;
  rows = 0;
  outstanding = 0;
  /**
   * Per output shard and input partition key, the records in the order they were read here. Their order is judged
   * at the report, once every put is acknowledged: a record may be read on an output before its put's
   * acknowledgement is handled (a busy producer), and its place is not known until then.
   */
  readonly arrivalsByKey = new Map<string, number[]>();

  constructor(
    readonly expectation: OutputExpectation,
    total: number,
  ) {
    const { seqs, keys, by } = expectation;
    this.firstArrival = new Float64Array(seqs.length).fill(Number.NaN);
    this.excluded = new Set(expectation.excluded);
    this.expectedOf = new Uint16Array(total);
    this.arrivedOf = new Uint16Array(total);
    for (const seq of seqs) if (seq < total) this.expectedOf[seq]!++;
    if (by === 'token') {
      this.itemOfSeq = new Int32Array(total).fill(-1);
      seqs.forEach((seq, item) => {
        if (seq < total) this.itemOfSeq![seq] = item;
      });
    } else {
      this.itemOfSeq = undefined;
      keys.forEach((key, item) => {
        const list = this.byKey.get(key);
        if (list) list.push(item);
        else this.byKey.set(key, [item]);
      });
    }
  }

  get by(): MatchBy {
    return this.expectation.by;
  }

  /**
   * The expected row a row of content `key` arriving at `arrivalMs` stands for: the earliest one not yet matched,
   * unless its record reached the input only after that (then the row is the output of an earlier record: -2).
   * -1 when every expected row of that content has arrived; undefined when none was expected here.
   */
  takeByKey(key: number, arrivalMs: number, inputMs: (item: number) => number): number | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    const n = this.matched.get(key) ?? 0;
    if (n >= list.length) return -1;
    const input = inputMs(list[n]!);
    if (!Number.isNaN(input) && input > arrivalMs + CAUSALITY_SLACK_MS) return -2;
    this.matched.set(key, n + 1);
    return list[n]!;
  }
}

export class Verifier {
  private readonly putOrder: Float64Array;
  private readonly ackMs: Float64Array;
  private readonly inputMs: Float64Array;
  private readonly states: OutputState[];
  private readonly finder: TokenFinder | undefined;
  private acked = 0;
  private inputSeen = 0;
  private foreign = 0;

  constructor(readonly options: VerifierOptions) {
    const { total, outputs, expectations } = options;
    if (expectations.length !== outputs.length) throw new RangeError('one expectation per output is needed');
    this.putOrder = new Float64Array(total).fill(Number.NaN);
    this.ackMs = new Float64Array(total).fill(Number.NaN);
    this.inputMs = new Float64Array(total).fill(Number.NaN);
    this.states = expectations.map((e) => new OutputState(e, total));
    this.finder = options.tag === undefined ? undefined : new TokenFinder(options.tag);
  }

  /** Record `seq` was accepted by PutRecords (live: seen on the input); call in acknowledgement order. */
  sent(seq: number, ackMs: number): void {
    if (seq < 0 || seq >= this.options.total || !Number.isNaN(this.putOrder[seq]!)) return;
    this.putOrder[seq] = this.acked++;
    this.ackMs[seq] = ackMs;
    // A record can show up on an output before its put is acknowledged here; it is not outstanding then.
    for (const s of this.states) if (s.by !== 'rows') s.outstanding += s.expectedOf[seq]! - s.arrivedOf[seq]!;
  }

  /** Record `seq` was seen on the input stream with this ApproximateArrivalTimestamp. */
  input(seq: number, arrivalMs: number): void {
    if (seq < 0 || seq >= this.options.total || !Number.isNaN(this.inputMs[seq]!)) return;
    this.inputMs[seq] = arrivalMs;
    this.inputSeen++;
  }

  /** Input arrivals seen so far, of the records acknowledged. */
  get inputComplete(): boolean {
    return this.inputSeen >= this.acked;
  }

  get sentCount(): number {
    return this.acked;
  }

  /** Whether a row carries a token of this run in any of its values. */
  private seqAnywhere(values: Record<string, unknown>): number | undefined {
    if (!this.finder) return undefined;
    for (const value of Object.values(values)) {
      const seq = this.finder.seqIn(value);
      if (seq !== undefined && seq < this.options.total) return seq;
    }
    return undefined;
  }

  /** A record read from output `o`. */
  output(o: number, arrival: Arrival): void {
    const state = this.states[o]!;
    const values = parseOutputRecord(arrival.data, state.expectation.columns);
    if (!values) {
      this.foreign++;
      return;
    }
    if (state.by === 'rows') {
      state.rows++;
      return;
    }
    if (state.by === 'token') {
      const column = state.expectation.tokenColumn!;
      const seq = this.finder!.seqIn(columnValue(values, column)) ?? this.seqAnywhere(values);
      if (seq === undefined || seq >= this.options.total) {
        this.foreign++;
        return;
      }
      const item = state.itemOfSeq![seq]!;
      if (item < 0) state.misrouted++;
      else this.arrive(state, item, seq, arrival);
      return;
    }
    const { seqs } = state.expectation;
    const item = state.takeByKey(contentKey(values, state.excluded), arrival.arrivalMs, (i) => this.sentTime(seqs[i]!));
    if (item === -2) this.foreign++;
    else if (item === -1) {
      if (this.options.liveUntil !== undefined && arrival.arrivalMs >= this.options.liveUntil) this.foreign++;
      else state.duplicates++;
    } else if (item !== undefined) this.arrive(state, item, seqs[item]!, arrival);
    else if (this.expectedElsewhere(o, values) || this.seqAnywhere(values) !== undefined) state.misrouted++;
    else this.foreign++;
  }

  private expectedElsewhere(o: number, values: Record<string, unknown>): boolean {
    return this.states.some((s, i) => i !== o && s.by === 'content' && s.byKey.has(contentKey(values, s.excluded)));
  }

  private arrive(state: OutputState, item: number, seq: number, arrival: Arrival): void {
    if (!Number.isNaN(state.firstArrival[item]!)) {
      state.duplicates++;
      return;
    }
    state.firstArrival[item] = arrival.arrivalMs;
    state.arrivedOf[seq]!++;
    if (!Number.isNaN(this.putOrder[seq]!)) state.outstanding--;
    const key = `${arrival.shardId}\u0000${this.options.partitionKeyOf(seq)}`;
    const list = state.arrivalsByKey.get(key);
    if (list) list.push(seq);
    else state.arrivalsByKey.set(key, [seq]);
  }

  /**
   * Records read after a later record of their key: by the input's order when known up front (live), else by the
   * put acknowledgement's (each key's order on its shard), a record never acknowledged placed by its sequence.
   */
  private outOfOrder(state: OutputState): number {
    const orderOf = (seq: number): number => {
      const acked = this.putOrder[seq]!;
      return this.options.inputOrderOf?.(seq) ?? (Number.isNaN(acked) ? seq : acked);
    };
    let count = 0;
    for (const seqs of state.arrivalsByKey.values()) {
      let last = Number.NEGATIVE_INFINITY;
      for (const seq of seqs) {
        const order = orderOf(seq);
        if (order < last) count++;
        else last = order;
      }
    }
    return count;
  }

  /** Every record acknowledged so far has arrived on every output it is bound for (counted outputs aside). */
  get complete(): boolean {
    return this.states.every((s) => s.outstanding <= 0);
  }

  /** Acknowledged records not yet seen on output `o` (by its index). */
  outstandingOf(o: number): number {
    return Math.max(0, this.states[o]?.outstanding ?? 0);
  }

  /** Acknowledged records not yet seen where they are bound, over all outputs. */
  get outstandingCount(): number {
    return this.states.reduce((a, s) => a + Math.max(0, s.outstanding), 0);
  }

  private sentTime(seq: number): number {
    const input = this.inputMs[seq]!;
    return Number.isNaN(input) ? this.ackMs[seq]! : input;
  }

  /** The report: counts per output, latency, histogram, timeline, verdict and reasons. */
  report(facts: RunFacts): LoadTestReport {
    const { outputs } = this.options;
    const timeoutAt = facts.sendEndedAt + facts.timeoutSeconds * 1000;
    const deadlineOf = (o: number) => timeoutAt + (facts.bufferMs?.[o] ?? 0);
    const deadline = outputs.reduce((latest, _, o) => Math.max(latest, deadlineOf(o)), timeoutAt);
    const outputReports: Record<string, OutputReport> = {};
    const latencies: number[][] = outputs.map(() => []);
    let lastArrival = facts.sendEndedAt;
    outputs.forEach((name, o) => {
      const state = this.states[o]!;
      const { seqs } = state.expectation;
      let expected = 0;
      let received = 0;
      let late = 0;
      if (state.by === 'rows') {
        outputReports[name] = {
          expected: seqs.length,
          received: state.rows,
          missing: 0,
          duplicates: 0,
          misrouted: 0,
          outOfOrder: 0,
          late: 0,
          matchedBy: 'rows',
        };
        return;
      }
      seqs.forEach((seq, item) => {
        // Only records the input acknowledged are expected anywhere; the rest are a reason of their own.
        if (Number.isNaN(this.putOrder[seq]!)) return;
        expected++;
        const at = state.firstArrival[item]!;
        if (Number.isNaN(at)) return;
        if (at > deadlineOf(o)) {
          late++;
          return;
        }
        received++;
        lastArrival = Math.max(lastArrival, at);
        const sentAt = this.sentTime(seq);
        if (!Number.isNaN(sentAt)) latencies[o]!.push(Math.max(0, at - sentAt));
      });
      outputReports[name] = {
        expected,
        received,
        missing: expected - received,
        duplicates: state.duplicates,
        misrouted: state.misrouted,
        outOfOrder: this.outOfOrder(state),
        late,
        matchedBy: state.by === 'token' ? `token in ${state.expectation.tokenColumn}` : 'content',
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
      warnings: [],
      runId: this.options.runId,
      sent: this.acked,
      durationMs: Math.round(facts.endedAt - facts.startedAt),
      startedAt: new Date(facts.startedAt).toISOString(),
      outputs: outputReports,
      latencyMs,
      throttled,
      throttledBy: { ...facts.throttles },
      requested: facts.requested,
      ...(facts.targetRate === undefined ? {} : { targetRate: facts.targetRate }),
      achievedRate: Math.round((this.acked / sendSeconds) * 10) / 10,
      timeoutSeconds: facts.timeoutSeconds,
      foreign: this.foreign,
      histogram: this.histogram(latencies, latencyMs.max),
      timeline: this.timeline(facts.startedAt, Math.max(facts.sendEndedAt, Math.min(lastArrival, deadline))),
    };
  }

  private reasons(outputs: Record<string, OutputReport>, facts: RunFacts): string[] {
    const reasons: string[] = [];
    if (facts.cutShort)
      reasons.push(
        `the run was cut short to return its report before the function's time limit: ask for fewer records, a higher rate or a shorter timeout${facts.bufferMs?.some((ms) => ms > 0) ? ", or give the Firehose outputs a shorter buffer (bufferSeconds: the load test waits the timeout plus a delivery stream's buffering interval)" : ''}`,
      );
    if (this.acked < facts.requested) {
      const why = facts.firstSendError ? `: ${facts.firstSendError}` : '';
      reasons.push(
        `only ${this.acked.toLocaleString('en-US')} of ${plural(facts.requested, 'record')} were written to the input stream${why}`,
      );
    }
    if (facts.rejected)
      reasons.push(
        `the SQL rejects ${plural(facts.rejected, 'record')} into error_stream${facts.firstRejection ? `: ${facts.firstRejection}` : ''}`,
      );
    const checked = Object.values(outputs).filter((o) => o.matchedBy !== 'rows');
    const expectedTotal = checked.reduce((n, o) => n + o.expected, 0);
    if (checked.length > 0 && expectedTotal === 0 && this.acked > 0)
      reasons.push('the SQL routes none of the records to any output stream');
    for (const [name, o] of Object.entries(outputs)) {
      if (o.missing > 0) {
        const bufferMs = facts.bufferMs?.[this.options.outputs.indexOf(name)] ?? 0;
        const waited = `the ${facts.timeoutSeconds} s timeout${bufferMs > 0 ? ` + the ${bufferMs / 1000} s Firehose buffer` : ''}`;
        const late = o.late > 0 ? ` (${o.late.toLocaleString('en-US')} of them arrived after ${waited})` : '';
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
    // The finest bucket that keeps at most 300 of them: a 500-record run (under a second of sending) still shows its
    // shape, a 5-minute run is per second, and the report stays small (Step Functions caps state at 256 KB).
    const bucketMs = TIMELINE_BUCKETS_MS.find((ms) => span / ms <= 300) ?? Math.ceil(span / 300 / 60_000) * 60_000;
    const buckets = Math.floor(span / bucketMs) + 1;
    const at = (ms: number) => Math.min(buckets - 1, Math.max(0, Math.floor((ms - startMs) / bucketMs)));
    const sent = new Array<number>(buckets).fill(0);
    // Only the run's records (acknowledged, or seen in the live window) are drawn.
    const ours = (seq: number) => !Number.isNaN(this.putOrder[seq]!);
    for (let seq = 0; seq < this.options.total; seq++) {
      const t = this.sentTime(seq);
      if (!Number.isNaN(t) && ours(seq)) sent[at(t)]!++;
    }
    const received: Record<string, number[]> = {};
    this.options.outputs.forEach((name, o) => {
      const row = new Array<number>(buckets).fill(0);
      const { firstArrival, expectation } = this.states[o]!;
      firstArrival.forEach((t, item) => {
        if (!Number.isNaN(t) && t <= endMs && ours(expectation.seqs[item]!)) row[at(t)]!++;
      });
      received[name] = row;
    });
    return { startMs, bucketMs, sent, received };
  }
}
