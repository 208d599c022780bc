/**
 * compile(): checks application code against the source schema and the streams it creates, compiles every pump to
 * plain JavaScript once, and hands out runners that push records through the pumps.
 */
import type { CreatePump, CreateStream, Expr, Pos, Select, Statement, WindowSpec } from './ast';
import { SchemaValidationError, SqlCompileError, SqlRuntimeError } from './errors';
import { type Code, ExprCompiler, Module, type Scope, sameType } from './expressions';
import { type ColumnDef, compileReader, type RecordReader, type SourceSchema } from './formats';
import { parse } from './parser';
import { rt } from './runtime';
import type { OutputRow } from './serialize';
import { type SlidingAggregate, SlidingScope } from './sliding';
import { isDatetime, isNumeric, isString, parseTypeText, resolveType, T, toExternal, typeText } from './types';
import { findWindow, GroupScope } from './windows';

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

interface StreamInfo {
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

type MapFn = (
  r: unknown[],
  rowtime: number,
  arrival: number,
  W: SlidingAggregate[] | undefined,
) => unknown[] | undefined;

interface AggFns {
  window: number;
  sizeMs: number;
  keys: (r: unknown[], rowtime: number, arrival: number) => unknown[];
  init: () => unknown[];
  accumulate: (g: { k: unknown[]; a: unknown[] }, r: unknown[], rowtime: number, arrival: number) => void;
  emit: (g: { k: unknown[]; a: unknown[] }, wend: number) => unknown[] | undefined;
}

interface PumpPlan {
  name: string;
  from: StreamInfo;
  into: StreamInfo;
  map?: MapFn;
  /** Per-runner state of the sliding-window aggregates of a map pump. */
  newState?: () => SlidingAggregate[];
  agg?: AggFns;
  order: number;
}

/**
 * Compiles application code for a source schema. Throws SqlCompileError (CodeValidationException) with the line
 * and column of the first problem, or SchemaValidationError for a bad source schema.
 */
export function compile(sql: string, input: { schema: SourceSchema; namePrefix?: string }): CompiledApplication {
  const inputStream = `${input.namePrefix ?? 'SOURCE_SQL_STREAM'}_001`;
  const sourceColumns = sourceColumnsOf(input.schema);
  const reader = compileReader(input.schema, sourceColumns);
  const streams = new Map<string, StreamInfo>();
  const source: StreamInfo = {
    name: inputStream,
    columns: sourceColumns,
    index: indexOf(sourceColumns),
    pos: { line: 1, column: 1 },
    source: true,
  };
  streams.set(inputStream, source);

  const statements: Statement[] = parse(sql);
  const pumps = new Map<string, PumpPlan>();
  const subqueries = new Map<string, PumpPlan[]>();
  const created: StreamInfo[] = [];
  let order = 0;
  for (const st of statements) {
    if (st.kind === 'create-stream') {
      const user = [...pumps.values()].find((p) => p.from.name === st.name || p.into.name === st.name);
      if (user)
        throw new SqlCompileError(
          `stream ${st.name} is used by pump ${user.name}; create or replace streams before the pumps that use them`,
          st.pos,
        );
      const info = createStream(st, streams);
      const old = created.findIndex((s) => s.name === info.name);
      if (old >= 0) created.splice(old, 1);
      created.push(info);
      streams.set(info.name, info);
    } else {
      if (pumps.has(st.name) && !st.orReplace)
        throw new SqlCompileError(`pump ${st.name} already exists; use CREATE OR REPLACE PUMP`, st.pos);
      const hiddenPlans: PumpPlan[] = [];
      pumps.set(st.name, compilePump(st, streams, order++, hiddenPlans));
      subqueries.set(st.name, hiddenPlans);
    }
  }
  const plans = [...pumps.values(), ...[...subqueries.values()].flat()];
  const order2 = topologicalOrder(plans, source);
  const targets = new Set(plans.map((p) => p.into.name));
  const outputs = created
    .filter((s) => targets.has(s.name))
    .map((s) => ({ name: s.name, columns: s.columns.map((c) => ({ name: c.name, sqlType: typeText(c.type) })) }));
  for (const s of created) s.external = compileExternal(s);

  return {
    inputStream,
    outputs,
    pumps: order2.map((p) => ({
      name: p.name,
      from: p.from.name,
      into: p.into.name,
      ...(p.agg ? { windowMs: p.agg.sizeMs } : {}),
    })),
    createRunner: () => new ApplicationRunner(reader, source, order2),
  };
}

function sourceColumnsOf(schema: SourceSchema): ColumnDef[] {
  if (!schema || !Array.isArray(schema.RecordColumns) || schema.RecordColumns.length === 0)
    throw new SchemaValidationError('the source schema needs at least one RecordColumn');
  if (!schema.RecordFormat) throw new SchemaValidationError('the source schema needs a RecordFormat');
  if (schema.RecordEncoding !== undefined && !/^utf-?8$/i.test(schema.RecordEncoding))
    throw new SchemaValidationError(`RecordEncoding ${schema.RecordEncoding} is not supported; use UTF-8`);
  const seen = new Set<string>();
  return schema.RecordColumns.map((c) => {
    if (!c.Name) throw new SchemaValidationError('every RecordColumn needs a Name');
    if (seen.has(c.Name)) throw new SchemaValidationError(`duplicate column ${c.Name} in the source schema`);
    if (c.Name.toUpperCase() === 'ROWTIME') throw new SchemaValidationError('ROWTIME is reserved; rename that column');
    seen.add(c.Name);
    const type = parseTypeText(c.SqlType ?? '');
    if (typeof type === 'string') throw new SchemaValidationError(`column ${c.Name}: ${type}`);
    return { name: c.Name, type };
  });
}

function indexOf(columns: ColumnDef[]): Map<string, number> {
  return new Map(columns.map((c, i) => [c.name, i]));
}

function createStream(st: CreateStream, streams: Map<string, StreamInfo>): StreamInfo {
  const existing = streams.get(st.name);
  if (existing?.source)
    throw new SqlCompileError(`${st.name} is the application's input stream; choose another name`, st.pos);
  if (existing && !st.orReplace)
    throw new SqlCompileError(`stream ${st.name} already exists; use CREATE OR REPLACE STREAM`, st.pos);
  const seen = new Set<string>();
  const columns = st.columns.map((c) => {
    if (seen.has(c.name)) throw new SqlCompileError(`duplicate column ${c.name} in stream ${st.name}`, c.pos);
    if (c.name === 'ROWTIME')
      throw new SqlCompileError('ROWTIME is implicit in every stream; do not declare it', c.pos);
    seen.add(c.name);
    const type = resolveType(c.type.name, c.type.args);
    if (typeof type === 'string') throw new SqlCompileError(type, c.type.pos);
    return { name: c.name, type };
  });
  return { name: st.name, columns, index: indexOf(columns), pos: st.pos, source: false };
}

function rowScope(from: StreamInfo, alias: string | undefined): Scope & { isRowtime(e: Expr): boolean } {
  const qualifiers = new Set([from.name, ...(alias ? [alias] : [])]);
  const checkQualifier = (e: Expr & { kind: 'column' }): void => {
    if (e.qualifier !== undefined && !qualifiers.has(e.qualifier))
      throw new SqlCompileError(
        `unknown stream or alias ${e.qualifier}; this pump reads ${from.name}${alias ? ` AS ${alias}` : ''}`,
        e.pos,
      );
  };
  return {
    rowtimeCode: 'rowtime',
    isRowtime(e: Expr): boolean {
      if (e.kind !== 'column' || e.name !== 'ROWTIME') return false;
      checkQualifier(e);
      return true;
    },
    column(e): Code {
      checkQualifier(e);
      if (e.name === 'ROWTIME') return { code: 'rowtime', type: T.TIMESTAMP };
      const i = from.index.get(e.name);
      if (i === undefined) {
        if (from.source && e.name === 'APPROXIMATE_ARRIVAL_TIME') return { code: 'arrival', type: T.TIMESTAMP };
        const other = from.columns.find((c) => c.name.toUpperCase() === e.name.toUpperCase());
        const hint = other
          ? `; did you mean "${other.name}" (quoted names keep their case)?`
          : `; columns: ${from.columns.map((c) => c.name).join(', ')}`;
        throw new SqlCompileError(`column ${e.name} not found in stream ${from.name}${hint}`, e.pos);
      }
      return { code: `r[${i}]`, type: from.columns[i]!.type };
    },
  };
}

/** Whether a value of type `from` may be stored in a column of type `to` (the assignment rule of INSERT). */
function assignable(from: Code['type'], to: Code['type']): boolean {
  if (from.kind === 'NULL' || sameType(from, to)) return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (isString(from) && isString(to)) return true;
  if (isDatetime(from) && isDatetime(to)) return true;
  return from.kind === to.kind;
}

function compilePump(st: CreatePump, streams: Map<string, StreamInfo>, order: number, hidden: PumpPlan[]): PumpPlan {
  const into = streams.get(st.target);
  if (!into)
    throw new SqlCompileError(
      `stream ${st.target} does not exist; create it with CREATE STREAM before the pump`,
      st.targetPos,
    );
  if (into.source) throw new SqlCompileError(`cannot insert into the input stream ${st.target}`, st.targetPos);
  // target columns the select list fills, in order
  let targetIdx: number[];
  if (st.targetColumns) {
    targetIdx = st.targetColumns.map((c) => {
      const i = into.index.get(c.name);
      if (i === undefined) throw new SqlCompileError(`column ${c.name} not found in stream ${into.name}`, c.pos);
      return i;
    });
  } else targetIdx = into.columns.map((_, i) => i);
  const target = { stream: into, targetIdx, listed: st.targetColumns !== undefined };
  return compileSelect(st.name, st.select, target, streams, order, hidden);
}

/** Where a select's rows go: a declared stream (through a column list), or a subquery's stream, typed by the select. */
type Target = { stream: StreamInfo; targetIdx: number[]; listed: boolean } | { derive: StreamInfo };

/**
 * Compiles one SELECT STREAM into a pump plan. A subquery in FROM becomes a hidden pump writing a hidden stream whose
 * columns take the names and types of the subquery's select list.
 */
function compileSelect(
  name: string,
  sel: Select,
  target: Target,
  streams: Map<string, StreamInfo>,
  order: number,
  hidden: PumpPlan[],
): PumpPlan {
  const into = 'derive' in target ? target.derive : target.stream;
  let from: StreamInfo | undefined;
  if (sel.from.subquery) {
    const sub: StreamInfo = {
      name: `subquery at line ${sel.from.pos.line}, column ${sel.from.pos.column} of pump ${name}`,
      columns: [],
      index: new Map(),
      pos: sel.from.pos,
      source: false,
      hidden: true,
    };
    hidden.push(compileSelect(name, sel.from.subquery, { derive: sub }, streams, order, hidden));
    from = sub;
  } else from = streams.get(sel.from.name);
  if (!from)
    throw new SqlCompileError(
      `stream ${sel.from.name} does not exist (the input stream is ${[...streams.values()].find((s) => s.source)!.name})`,
      sel.from.pos,
    );
  if (from === into)
    throw new SqlCompileError(`pump ${name} reads and writes the same stream ${into.name}`, sel.from.pos);

  const scope = rowScope(from, sel.from.alias);
  const module = new Module();
  const items: { expr: Expr; pos: Pos }[] = [];
  for (const item of sel.items) {
    if (item.kind === 'star') {
      if (item.qualifier !== undefined && item.qualifier !== from.name && item.qualifier !== sel.from.alias)
        throw new SqlCompileError(`unknown stream or alias ${item.qualifier}`, item.pos);
      for (const c of from.columns)
        items.push({ expr: { kind: 'column', name: c.name, pos: item.pos }, pos: item.pos });
    } else items.push({ expr: item.expr, pos: item.pos });
  }
  if ('derive' in target) {
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      const source = sel.items[i];
      const n =
        source?.kind === 'expr' && source.alias !== undefined
          ? source.alias
          : item.expr.kind === 'column'
            ? item.expr.name
            : `EXPR$${i}`;
      if (seen.has(n))
        throw new SqlCompileError(`the subquery has two columns named ${n}; give one an alias`, item.pos);
      seen.add(n);
      into.index.set(n, i);
      // the types are known once the items compile, in project()
      into.columns.push({ name: n, type: T.NULL });
    }
  }
  const targetIdx = 'derive' in target ? items.map((_, i) => i) : target.targetIdx;
  if (items.length !== targetIdx.length)
    throw new SqlCompileError(
      `the select list has ${items.length} column${items.length === 1 ? '' : 's'} but ${into.name}${'listed' in target && target.listed ? ' (as listed)' : ''} takes ${targetIdx.length}`,
      sel.pos,
    );

  const project = (c: ExprCompiler): string => {
    const cells = new Array<string>(into.columns.length).fill('null');
    if ('derive' in target) {
      items.forEach((item, k) => {
        const code = c.expr(item.expr);
        into.columns[k] = { name: into.columns[k]!.name, type: code.type.kind === 'NULL' ? T.VARCHAR : code.type };
        cells[k] = code.code;
      });
      return `[${cells.join(', ')}]`;
    }
    items.forEach((item, k) => {
      const target = into.columns[targetIdx[k]!]!;
      const code = c.expr(item.expr);
      if (!assignable(code.type, target.type))
        throw new SqlCompileError(
          `cannot insert ${typeText(code.type)} into column ${target.name} ${typeText(target.type)} of ${into.name}`,
          item.pos,
        );
      cells[targetIdx[k]!] = c.convert(code, target.type, item.pos, true).code;
    });
    return `[${cells.join(', ')}]`;
  };

  const grouped = sel.groupBy !== undefined || hasAggregate(items.map((i) => i.expr)) || sel.having !== undefined;
  const plan: PumpPlan = { name, from, into, order };
  const windows = new Map<string, WindowSpec>();
  for (const w of sel.windows ?? []) {
    if (windows.has(w.name)) throw new SqlCompileError(`window ${w.name} is defined twice`, w.pos);
    windows.set(w.name, w.spec);
  }
  if (!grouped) {
    const sliding = new SlidingScope(module, scope, windows);
    const c = sliding.compiler;
    // WHERE runs first: filtered rows never enter a window
    sliding.inWhere = true;
    const where = sel.where ? c.condition(sel.where, 'WHERE') : undefined;
    sliding.inWhere = false;
    const row = project(c);
    const body = `${where ? `if (${where.code} !== true) return undefined;\n` : ''}${sliding.statements.join('\n')}\nreturn ${row};`;
    plan.map = build(module, `function pump(r, rowtime, arrival, W) {\n${c.declarations()}${body}\n}`);
    if (sliding.factories.length) {
      const factories = sliding.factories;
      plan.newState = () => factories.map((f) => f());
    }
    return plan;
  }
  if (sel.windows)
    throw new SqlCompileError(
      'a WINDOW clause with GROUP BY is not supported; use one or the other',
      sel.windows[0]!.pos,
    );
  if (!sel.groupBy)
    throw new SqlCompileError(
      "aggregates on a stream need GROUP BY with a time window, e.g. GROUP BY STEP(s.ROWTIME BY INTERVAL '60' SECOND)",
      sel.pos,
    );
  const win = findWindow(sel.groupBy, (e) => scope.isRowtime(e), sel.pos);
  const keyCompiler = new ExprCompiler(module, scope);
  const keyCodes = sel.groupBy.map((g) => keyCompiler.expr(g));
  const where = sel.where ? keyCompiler.condition(sel.where, 'WHERE') : undefined;
  const gscope = new GroupScope(
    module,
    scope,
    sel.groupBy,
    keyCodes.map((k) => k.type),
    (e) => scope.isRowtime(e),
  );
  const emitCompiler = new ExprCompiler(module, gscope);
  const having = sel.having ? emitCompiler.condition(sel.having, 'HAVING') : undefined;
  const row = project(emitCompiler);
  const keysFn = `function keys(r, rowtime, arrival) {\n${keyCompiler.declarations()}${where ? `if (${where.code} !== true) return undefined;\n` : ''}return [${keyCodes.map((k) => k.code).join(', ')}];\n}`;
  const accFn = `function accumulate(g, r, rowtime, arrival) {\n${gscope.rowCompiler.declarations()}${gscope.aggregates.map((a) => a.accumulate).join('\n')}\n}`;
  const emitFn = `function emit(g, wend) {\n${emitCompiler.declarations()}${having ? `if (${having.code} !== true) return undefined;\n` : ''}return ${row};\n}`;
  plan.agg = {
    window: win.index,
    sizeMs: win.sizeMs,
    keys: build(module, keysFn),
    init: build(module, `function init() { return ${gscope.initCode()}; }`),
    accumulate: build(module, accFn),
    emit: build(module, emitFn),
  };
  return plan;
}

function hasAggregate(exprs: Expr[]): boolean {
  let found = false;
  const walk = (v: unknown): void => {
    if (found || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    const node = v as { kind?: string; name?: string };
    if (
      node.kind === 'call' &&
      (node as { over?: unknown }).over === undefined &&
      ['COUNT', 'SUM', 'MIN', 'MAX', 'AVG'].includes(node.name ?? '')
    ) {
      found = true;
      return;
    }
    for (const [k, x] of Object.entries(node)) if (k !== 'pos') walk(x);
  };
  walk(exprs);
  return found;
}

function build<F>(module: Module, fnSource: string): F {
  return new Function('rt', 'K', `"use strict";\nreturn ${fnSource};`)(rt, module.constants) as F;
}

/** Orders pumps so that a stream's writers run before its readers; rejects cycles. */
function topologicalOrder(plans: PumpPlan[], source: StreamInfo): PumpPlan[] {
  const depth = new Map<string, number>([[source.name, 0]]);
  for (let round = 0; round <= plans.length; round++) {
    let changed = false;
    for (const p of plans) {
      const d = depth.get(p.from.name);
      if (d === undefined) continue;
      if ((depth.get(p.into.name) ?? -1) < d + 1) {
        if (d + 1 > plans.length)
          throw new SqlCompileError(`pumps form a cycle through stream ${p.into.name}`, p.into.pos);
        depth.set(p.into.name, d + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return [...plans].sort(
    (a, b) => (depth.get(a.from.name) ?? 1e9) - (depth.get(b.from.name) ?? 1e9) || a.order - b.order,
  );
}

function compileExternal(s: StreamInfo): (row: unknown[]) => Record<string, unknown> {
  const module = new Module();
  const cells = s.columns.map((c, i) => {
    const key = JSON.stringify(c.name);
    if (c.type.kind === 'DECIMAL') {
      const t = c.type;
      return `${key}: a[${i}] === null ? null : ${module.constant((v: unknown) => toExternal(v, t))}(a[${i}])`;
    }
    return `${key}: a[${i}]`;
  });
  return build(module, `function external(a) { return { ${cells.join(', ')} }; }`);
}

function hex(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('hex');
}

interface WindowState {
  start: number | null;
  groups: Map<string, { k: unknown[]; a: unknown[] }>;
}

class ApplicationRunner implements Runner {
  private rowtime = Number.NEGATIVE_INFINITY;
  private rows: OutputRow[] = [];
  private errors: ErrorRow[] = [];
  private readonly consumers = new Map<StreamInfo, PumpPlan[]>();
  private readonly windows = new Map<PumpPlan, WindowState>();
  private readonly sliding = new Map<PumpPlan, SlidingAggregate[]>();
  private readonly aggPumps: PumpPlan[];
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
    state.groups.clear();
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
