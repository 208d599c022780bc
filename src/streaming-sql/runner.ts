/**
 * Runs a compiled application's pumps over records: reads each record into the source stream, flows every row
 * through the pumps that read its stream (in dependency order), keeps each runner's tumbling and sliding window
 * state, closes windows as ROWTIME passes their end, and turns runtime errors into error-stream rows.
 */
import { SqlRuntimeError } from './errors';
import type { RecordReader } from './formats';
import type { ErrorRow, InputRecord, PumpPlan, Runner, RunResult, StreamInfo } from './plan';
import type { OutputRow } from './serialize';
import type { SlidingAggregate } from './sliding';

function hex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

interface Group {
  k: unknown[];
  a: unknown[];
}

interface WindowState {
  start: number | null;
  groups: Map<string, Group>;
}

/** A window's state when the transaction began, and the first version of each group the transaction changed. */
interface WindowUndo {
  start: number | null;
  groups: Map<string, Group>;
  /** Group key -> its accumulators before the transaction; null for a group the transaction created. */
  saved: Map<string, Group | null>;
}

/** One runner of a compiled application: its own window state, fed by push() and advance(). */
export class PumpRunner implements Runner {
  private rowtime = Number.NEGATIVE_INFINITY;
  private rows: OutputRow[] = [];
  private errors: ErrorRow[] = [];
  private readonly consumers = new Map<StreamInfo, PumpPlan[]>();
  private readonly windows = new Map<PumpPlan, WindowState>();
  private readonly sliding = new Map<PumpPlan, SlidingAggregate[]>();
  private readonly aggPumps: PumpPlan[];
  private undo: { rowtime: number; windows: Map<PumpPlan, WindowUndo> } | undefined;
  // the record being pushed, for error rows and 1:1 partition keys
  private record: InputRecord | undefined;
  private arrival = 0;
  private readonly sink = (row: unknown[]): void => {
    this.flow(this.source, row, this.rowtime, this.record?.partitionKey);
  };

  constructor(
    private readonly reader: RecordReader,
    private readonly source: StreamInfo,
    pumps: PumpPlan[],
  ) {
    for (const p of pumps) {
      const list = this.consumers.get(p.from) ?? [];
      list.push(p);
      this.consumers.set(p.from, list);
      if (p.agg) this.windows.set(p, { start: null, groups: new Map() });
      if (p.newState) this.sliding.set(p, p.newState());
    }
    this.aggPumps = pumps.filter((p) => p.agg);
  }

  push(records: InputRecord[]): RunResult {
    for (const rec of records) {
      const t = Number(rec.arrivalTime);
      if (t > this.rowtime) this.rowtime = t;
      if (this.aggPumps.length) this.closeWindows(this.rowtime);
      this.record = rec;
      this.arrival = t;
      const data = rec.data;
      const text = Buffer.isBuffer(data)
        ? data.toString('utf8')
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
      try {
        this.reader(text, this.sink);
      } catch (error) {
        if (!(error instanceof SqlRuntimeError)) throw error;
        this.error(error, null);
      }
    }
    this.record = undefined;
    return this.take();
  }

  advance(now: number): RunResult {
    if (now > this.rowtime) this.rowtime = now;
    this.closeWindows(this.rowtime);
    return this.take();
  }

  begin(): void {
    this.commit();
    for (const aggregates of this.sliding.values()) for (const a of aggregates) a.begin();
    const windows = new Map<PumpPlan, WindowUndo>();
    for (const [p, state] of this.windows)
      windows.set(p, { start: state.start, groups: state.groups, saved: new Map() });
    this.undo = { rowtime: this.rowtime, windows };
  }

  commit(): void {
    if (!this.undo) return;
    for (const aggregates of this.sliding.values()) for (const a of aggregates) a.commit();
    this.undo = undefined;
  }

  rollback(): void {
    const undo = this.undo;
    if (!undo) return;
    this.rowtime = undo.rowtime;
    for (const [p, w] of undo.windows) {
      for (const [key, group] of w.saved) {
        if (group === null) w.groups.delete(key);
        else w.groups.set(key, group);
      }
      const state = this.windows.get(p)!;
      state.start = w.start;
      state.groups = w.groups;
    }
    for (const aggregates of this.sliding.values()) for (const a of aggregates) a.rollback();
    this.rows = [];
    this.errors = [];
    this.undo = undefined;
  }

  private take(): RunResult {
    const out = { rows: this.rows, errors: this.errors };
    this.rows = [];
    this.errors = [];
    return out;
  }

  private error(error: SqlRuntimeError, pump: string | null, row?: unknown[]): void {
    const rec = this.record;
    const e: ErrorRow = {
      stream: 'error_stream',
      ERROR_TIME: this.rowtime,
      ERROR_LEVEL: 'ERROR',
      ERROR_NAME: error.errorName,
      MESSAGE: error.message,
      DATA_ROW: rec
        ? hex(rec.data)
        : Buffer.from(JSON.stringify(row ?? [], (_, v) => (typeof v === 'bigint' ? v.toString() : v))).toString('hex'),
      DATA_ROWTIME: this.rowtime,
      PUMP_NAME: pump,
    };
    if (rec?.sequenceNumber !== undefined) e.sequenceNumber = rec.sequenceNumber;
    if (rec?.shardId !== undefined) e.shardId = rec.shardId;
    this.errors.push(e);
  }

  /** A row entered `stream`: run the pumps that read it. */
  private flow(stream: StreamInfo, row: unknown[], rowtime: number, partitionKey: string | undefined): void {
    const pumps = this.consumers.get(stream);
    if (!pumps) return;
    const arrival = stream.source ? this.arrival : rowtime;
    for (let i = 0; i < pumps.length; i++) {
      const p = pumps[i]!;
      try {
        if (p.map) {
          const out = p.map(row, rowtime, arrival, this.sliding.get(p));
          if (out !== undefined) this.insert(p.into, out, rowtime, partitionKey);
        } else this.accumulate(p, row, rowtime, arrival);
      } catch (error) {
        if (!(error instanceof SqlRuntimeError)) throw error;
        this.error(error, p.name, row);
      }
    }
  }

  private insert(stream: StreamInfo, row: unknown[], rowtime: number, partitionKey: string | undefined): void {
    if (stream.hidden) {
      this.flow(stream, row, rowtime, partitionKey);
      return;
    }
    const values = stream.external!(row);
    this.rows.push(
      partitionKey === undefined
        ? { stream: stream.name, values, rowtime }
        : { stream: stream.name, values, rowtime, partitionKey },
    );
    this.flow(stream, row, rowtime, partitionKey);
  }

  private accumulate(p: PumpPlan, row: unknown[], rowtime: number, arrival: number): void {
    const agg = p.agg!;
    const keys = agg.keys(row, rowtime, arrival);
    if (keys === undefined) return;
    const state = this.windows.get(p)!;
    const start = keys[agg.window] as number;
    if (state.start !== null && start !== state.start) this.close(p, state);
    state.start = start;
    let key = '';
    for (let i = 0; i < keys.length; i++) {
      if (i === agg.window) continue;
      const v = keys[i];
      key += `${typeof v}:${String(v)}\u0001`;
    }
    let g = state.groups.get(key);
    const undo = this.undo?.windows.get(p);
    // the groups of the window the transaction began in: keep each one's first version before changing it
    if (undo && state.groups === undo.groups && !undo.saved.has(key)) {
      undo.saved.set(key, g ? { k: g.k, a: g.a.slice() } : null);
    }
    if (!g) {
      g = { k: keys, a: agg.init() };
      state.groups.set(key, g);
    }
    agg.accumulate(g, row, rowtime, arrival);
  }

  private closeWindows(now: number): void {
    for (const p of this.aggPumps) {
      const state = this.windows.get(p)!;
      if (state.start !== null && state.start + p.agg!.sizeMs <= now) this.close(p, state);
    }
  }

  private close(p: PumpPlan, state: WindowState): void {
    const agg = p.agg!;
    const wend = state.start! + agg.sizeMs;
    const groups = [...state.groups.values()];
    // a new map rather than clear(): an open transaction may still need the old one
    state.groups = new Map();
    state.start = null;
    const saved = this.record;
    this.record = undefined;
    for (const g of groups) {
      try {
        const out = agg.emit(g, wend);
        if (out !== undefined) this.insert(p.into, out, wend, undefined);
      } catch (error) {
        if (!(error instanceof SqlRuntimeError)) throw error;
        this.error(error, p.name, g.k);
      }
    }
    this.record = saved;
  }
}
