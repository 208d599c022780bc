/**
 * What each output should hold, decided by the application itself: every planned (or, live, every observed) input
 * record runs through the same SQL compiled by the streaming SQL engine, one at a time, so each expected row is tied
 * to the record it came from. Per output it then decides how arriving rows are recognised:
 *
 * - `token`: a column of every row carries the record's token (`<tag>-<seq>`): stateless, exact;
 * - `content`: no column carries it (the SQL drops or rewrites them all), so rows are matched by their content,
 *   leaving out the columns whose values depend on arrival times (found by running a probe twice, with shifted and
 *   stretched times);
 * - `rows`: the output's rows depend on arrival times as a whole (tumbling windows): they are counted, not matched.
 *
 * It also finds the values truncated to their column size, on the input and on the outputs.
 */
import type { OutputBinding } from '../config';
import { type CompiledApplication, compile, type OutputRow, type SourceSchema } from '../streaming-sql';
import { formatDate, formatTime, formatTimestamp, parseTypeText } from '../streaming-sql/types';
import { contentKey, sameValue } from './content';
import { columnValue, TokenFinder } from './identity';
import { columnPlans, textLimit } from './records';
import { type Truncation, widenSchema, widenSql } from './truncation';

export type MatchBy = 'token' | 'content' | 'rows';

/** What one output should receive. */
export interface OutputExpectation {
  sqlStream: string;
  by: MatchBy;
  /** `token`: the output column whose values carry the token. */
  tokenColumn?: string;
  /** Output columns, in order (to read CSV records). */
  columns: string[];
  /** Columns whose values depend on arrival times, left out of content keys (upper case). */
  excluded: string[];
  /** The record each expected row comes from, in the order the SQL emits them. */
  seqs: number[];
  /** The content key of each expected row. */
  keys: number[];
}

export interface Expectation {
  outputs: OutputExpectation[];
  /** Records the SQL rejected into error_stream, and the first message. */
  rejected: number;
  firstRejection?: string;
  truncated: Truncation[];
}

/** The in-application stream a binding names is not an output of the SQL. */
export class UnknownSqlStreamError extends Error {
  override name = 'UnknownSqlStreamError';
}

/** Compiles the application SQL against the input schema; fails when a binding names no output of it. */
export function compileForLoadTest(
  sql: string,
  schema: SourceSchema,
  outputs: readonly OutputBinding[],
): CompiledApplication {
  const app = compile(sql, { schema });
  for (const binding of outputs) {
    if (!app.outputs.some((o) => o.name.toUpperCase() === binding.sqlStream.toUpperCase()))
      throw new UnknownSqlStreamError(
        `the SQL has no in-application stream ${binding.sqlStream} (it has ${app.outputs.map((o) => o.name).join(', ') || 'none'})`,
      );
  }
  return app;
}

/** One input record as the expectation reads it. */
export interface InputRecordSpec {
  data: Uint8Array;
  partitionKey?: string;
}

export interface ExpectationInput {
  app: CompiledApplication;
  outputs: readonly OutputBinding[];
  total: number;
  record: (seq: number) => InputRecordSpec;
  /** The input arrival time of record `seq` (planned, or observed in live mode). */
  arrivalMs: (seq: number) => number;
  /** The run's tag: outputs whose rows carry it are matched by token. Absent (live mode): by content. */
  tag?: string;
  /** Look for truncated values in the first `records` records, with the SQL and schema the app was built from. */
  truncation?: { sql: string; schema: SourceSchema; records: number };
  /** Records to run twice to find time-dependent columns (default 200). */
  probe?: number;
}

const FLUSH_MS = 24 * 3600 * 1000;
/** Records pushed through the SQL at a time. */
const CHUNK = 1000;
/** The partition key the expectation gives record `seq`: the rows it yields carry it back (SQL cannot read it). */
const MARK = '\u0000lt:';

type Columns = { name: string; sqlType: string }[];
type Values = Record<string, unknown>;

/** Turns a row's values into what a JSON destination holds once read back (times as their text). */
function externalizer(columns: Columns): (values: Values) => Values {
  const formats = columns.map((c) => {
    const type = parseTypeText(c.sqlType);
    const kind = typeof type === 'string' ? 'VARCHAR' : type.kind;
    if (kind === 'TIMESTAMP') return (v: unknown) => formatTimestamp(v as number);
    if (kind === 'DATE') return (v: unknown) => formatDate(v as number);
    if (kind === 'TIME') return (v: unknown) => formatTime(v as number);
    if (kind === 'DOUBLE' || kind === 'REAL') return (v: unknown) => (Number.isFinite(v) ? v : null);
    return undefined;
  });
  if (formats.every((f) => f === undefined)) return (values) => values;
  return (values) => {
    const out: Values = { ...values };
    columns.forEach((c, i) => {
      const f = formats[i];
      const v = out[c.name];
      if (f && v !== null && v !== undefined) out[c.name] = f(v);
    });
    return out;
  };
}

/**
 * Runs records through the SQL, a chunk at a time; hands over each record's rows per output (as a destination
 * would hold them), then returns the rows a final flush emits. A row is tied to its record by the partition key
 * it carries; rows of windows (no single record) go to the last record of their chunk.
 */
function runEach(
  app: CompiledApplication,
  input: ExpectationInput,
  count: number,
  arrivalMs: (seq: number) => number,
  onRows: (seq: number, rows: Map<number, Values[]>) => void,
  onErrors: (messages: string[]) => void = () => {},
): Map<number, Values[]> {
  // One in-application stream may feed several outputs: each of them gets its rows.
  const index = new Map<string, number[]>();
  input.outputs.forEach((o, i) => {
    const key = o.sqlStream.toUpperCase();
    index.set(key, [...(index.get(key) ?? []), i]);
  });
  const externals = input.outputs.map((o) =>
    externalizer(app.outputs.find((a) => a.name.toUpperCase() === o.sqlStream.toUpperCase())?.columns ?? []),
  );
  const group = (rows: OutputRow[], fallback: number, each: (seq: number, rows: Map<number, Values[]>) => void) => {
    let seq = -1;
    let current = new Map<number, Values[]>();
    for (const row of rows) {
      const receivers = index.get(row.stream.toUpperCase());
      if (receivers === undefined) continue;
      const of = row.partitionKey?.startsWith(MARK) ? Number(row.partitionKey.slice(MARK.length)) : fallback;
      if (of !== seq) {
        if (seq >= 0 && current.size > 0) each(seq, current);
        seq = of;
        current = new Map();
      }
      for (const o of receivers) {
        const list = current.get(o);
        const values = externals[o]!(row.values);
        if (list) list.push(values);
        else current.set(o, [values]);
      }
    }
    if (seq >= 0 && current.size > 0) each(seq, current);
  };
  const runner = app.createRunner();
  let last = 0;
  for (let start = 0; start < count; start += CHUNK) {
    const end = Math.min(count, start + CHUNK);
    const batch = [];
    for (let seq = start; seq < end; seq++) {
      last = arrivalMs(seq);
      batch.push({ data: input.record(seq).data, arrivalTime: last, partitionKey: `${MARK}${seq}` });
    }
    const result = runner.push(batch);
    group(result.rows, end - 1, onRows);
    if (result.errors.length) onErrors(result.errors.map((e) => e.MESSAGE));
  }
  // Close any window still open, so windowed pumps say what they would emit eventually.
  const flushed = runner.advance(last + FLUSH_MS);
  if (flushed.errors.length) onErrors(flushed.errors.map((e) => e.MESSAGE));
  const tail = new Map<number, Values[]>();
  group(flushed.rows, Math.max(0, count - 1), (_seq, rows) => {
    for (const [o, list] of rows) tail.set(o, [...(tail.get(o) ?? []), ...list]);
  });
  return tail;
}

/** Per output: does it depend on arrival times as a whole, and which of its columns do. */
function timeDependence(input: ExpectationInput): { windowed: boolean[]; excluded: Set<string>[] } {
  const n = Math.min(input.total, input.probe ?? 200);
  const windowed = input.outputs.map(() => false);
  const excluded = input.outputs.map(() => new Set<string>());
  const a = new Map<number, Map<number, Values[]>>();
  const flushA = runEach(input.app, input, n, input.arrivalMs, (seq, rows) => a.set(seq, rows));
  // Shifted by an odd amount and stretched: tumbling windows cut elsewhere, sliding windows hold other rows.
  const shifted = (seq: number) => input.arrivalMs(seq) + 3_723_457 + 17 * seq;
  const b = new Map<number, Map<number, Values[]>>();
  const flushB = runEach(input.app, input, n, shifted, (seq, rows) => b.set(seq, rows));
  for (const seq of new Set([...a.keys(), ...b.keys()])) {
    const rowsA = a.get(seq) ?? new Map<number, Values[]>();
    const rows = b.get(seq) ?? new Map<number, Values[]>();
    input.outputs.forEach((_o, o) => {
      const x = rowsA.get(o) ?? [];
      const y = rows.get(o) ?? [];
      if (x.length !== y.length) {
        windowed[o] = true;
        return;
      }
      x.forEach((row, r) => {
        for (const [key, value] of Object.entries(row))
          if (!sameValue(value, columnValue(y[r]!, key))) excluded[o]!.add(key.toUpperCase());
      });
    });
  }
  for (const flush of [flushA, flushB]) for (const o of flush.keys()) windowed[o] = true;
  return { windowed, excluded };
}

/**
 * Runs the records through the SQL and says, per output, which rows it should receive from which record and how
 * to recognise them.
 */
export function computeExpectation(input: ExpectationInput): Expectation {
  const { windowed, excluded } = timeDependence(input);
  const finder = input.tag === undefined ? undefined : new TokenFinder(input.tag);
  const columnsOf = input.outputs.map(
    (o) =>
      input.app.outputs.find((a) => a.name.toUpperCase() === o.sqlStream.toUpperCase())?.columns.map((c) => c.name) ??
      [],
  );
  const outputs: OutputExpectation[] = input.outputs.map((o, i) => ({
    sqlStream: o.sqlStream,
    by: 'content',
    columns: columnsOf[i]!,
    excluded: [...excluded[i]!],
    seqs: [],
    keys: [],
  }));
  // Columns that carried the token of every row so far, per output; one row per record at most.
  const candidates = outputs.map((o, i) =>
    finder ? new Set(o.columns.filter((c) => !excluded[i]!.has(c.toUpperCase()))) : new Set<string>(),
  );
  const result: Expectation = { outputs, rejected: 0, truncated: [] };
  const take = (seq: number, rows: Map<number, Values[]>) => {
    for (const [o, list] of rows) {
      const out = outputs[o]!;
      if (list.length > 1 || out.seqs[out.seqs.length - 1] === seq) candidates[o]!.clear();
      for (const values of list) {
        out.seqs.push(seq);
        out.keys.push(contentKey(values, excluded[o]));
        if (finder)
          for (const column of candidates[o]!)
            if (finder.seqIn(columnValue(values, column)) !== seq) candidates[o]!.delete(column);
      }
    }
  };
  const flushed = runEach(input.app, input, input.total, input.arrivalMs, take, (messages) => {
    result.rejected += messages.length;
    result.firstRejection ??= messages[0];
  });
  take(Math.max(0, input.total - 1), flushed);
  outputs.forEach((out, o) => {
    if (windowed[o]) out.by = 'rows';
    else if (finder && out.seqs.length > 0 && candidates[o]!.size > 0) {
      out.by = 'token';
      out.tokenColumn = out.columns.find((c) => candidates[o]!.has(c))!;
    }
  });
  if (input.truncation && input.truncation.records > 0) result.truncated = findTruncation(input);
  return result;
}

/** Values cut to their column size: on the input (read with wide columns) and on each output column. */
function findTruncation(input: ExpectationInput): Truncation[] {
  const { sql, schema, records } = input.truncation!;
  const n = Math.min(input.total, records);
  const found: Truncation[] = [];
  const wideSchema = widenSchema(schema);
  // Input columns: their lengths, read through the same mappings with wide columns.
  const texts = columnPlans(schema).filter((c) => textLimit(c.type) !== undefined && Number.isFinite(c.type.length));
  if (texts.length > 0) {
    const probe = compile(
      `CREATE OR REPLACE STREAM "LT_LENGTHS" (${texts.map((_, i) => `L${i} INTEGER`).join(', ')});
       CREATE OR REPLACE PUMP "LT_LENGTHS_PUMP" AS INSERT INTO "LT_LENGTHS"
         SELECT STREAM ${texts.map((c, i) => `CHAR_LENGTH("${c.name.replace(/"/g, '""')}") AS L${i}`).join(', ')}
         FROM "${input.app.inputStream}";`,
      { schema: wideSchema },
    );
    const counts = texts.map(() => 0);
    const runner = probe.createRunner();
    for (let seq = 0; seq < n; seq++) {
      const { rows } = runner.push([{ data: input.record(seq).data, arrivalTime: input.arrivalMs(seq) }]);
      for (const row of rows)
        texts.forEach((c, i) => {
          const length = Number(row.values[`L${i}`] ?? 0);
          if (length > c.type.length) counts[i]!++;
        });
    }
    texts.forEach((c, i) => {
      if (counts[i]! > 0)
        found.push({ where: 'input', column: c.name, sqlType: `${c.type.kind}(${c.type.length})`, values: counts[i]! });
    });
  }
  // Output columns: the same records through the SQL with wide input columns, with and without wide output columns.
  const wideInput = compile(sql, { schema: wideSchema });
  const wideAll = compile(widenSql(sql), { schema: wideSchema });
  const narrow = new Map<number, Map<number, Values[]>>();
  const bounded = { ...input, total: n };
  runEach(wideInput, bounded, n, input.arrivalMs, (seq, rows) => narrow.set(seq, rows));
  const counts = new Map<string, number>();
  runEach(wideAll, bounded, n, input.arrivalMs, (seq, rows) => {
    const before = narrow.get(seq) ?? new Map<number, Values[]>();
    input.outputs.forEach((binding, o) => {
      const x = before.get(o) ?? [];
      const y = rows.get(o) ?? [];
      x.forEach((row, r) => {
        if (!y[r]) return;
        for (const [key, value] of Object.entries(row))
          if (!sameValue(value, columnValue(y[r]!, key))) {
            const id = `${binding.sqlStream}\u0000${key}`;
            counts.set(id, (counts.get(id) ?? 0) + 1);
          }
      });
    });
  });
  for (const [id, values] of counts) {
    const [stream, column] = id.split('\u0000') as [string, string];
    const sqlType =
      input.app.outputs
        .find((a) => a.name.toUpperCase() === stream.toUpperCase())
        ?.columns.find((c) => c.name.toUpperCase() === column.toUpperCase())?.sqlType ?? 'VARCHAR';
    found.push({ where: 'output', stream, column, sqlType, values });
  }
  return found;
}
