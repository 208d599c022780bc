/**
 * The records a load test puts, built from the input schema: synthetic values for any column type, or the user's
 * own sample records or generator. Either way the run's token (identity.ts) goes into the text columns that can
 * carry it, and record `seq` is a pure function of (run, seq), so nothing is kept per record.
 */

import type { SourceSchema } from '../streaming-sql';
import { splitCsvLine } from '../streaming-sql/formats';
import { type PathStep, parsePath } from '../streaming-sql/jsonpath';
import { formatDate, formatTime, formatTimestamp, parseTypeText, type SqlType } from '../streaming-sql/types';
import { tokenFor } from './identity';

/** One column of the input schema, as the generator fills it. */
export interface ColumnPlan {
  name: string;
  index: number;
  type: SqlType;
  /** JSON: the steps from the row to the value (the row path not included); a trailing `all` means "an array". */
  steps: PathStep[];
}

/** What a user's generator module is given with each call. */
export interface GeneratorContext {
  runId: string;
  /** When the record is planned to be put, ms since the epoch. */
  plannedMs: number;
}

/** A user's generator: record `seq` as a JSON-able object, a JSON/CSV text or bytes. */
export type RecordGeneratorFn = (seq: number, context: GeneratorContext) => unknown;

/** Where the records of a run come from. */
export type RecordSourceSpec =
  | { kind: 'synthetic' }
  /** The user's records, put in turn (record `seq` is `records[seq % length]` with the run's token). */
  | { kind: 'sample'; records: readonly unknown[]; name?: string }
  | { kind: 'generator'; generate: RecordGeneratorFn; name?: string };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The input schema's columns with their parsed types and JSON steps. */
export function columnPlans(schema: SourceSchema): ColumnPlan[] {
  const rowPath = rowPathOf(schema);
  return schema.RecordColumns.map((c, index) => {
    const type = parseTypeText(c.SqlType);
    if (typeof type === 'string') throw new RangeError(`column ${c.Name}: ${type}`);
    const parsed = parsePath(c.Mapping ?? `$.${c.Name}`);
    let steps = typeof parsed === 'string' ? [{ kind: 'key' as const, key: c.Name }] : parsed;
    if (rowPath.length > 0 && steps.length >= rowPath.length && rowPath.every((s, i) => same(s, steps[i]!)))
      steps = steps.slice(rowPath.length);
    return { name: c.Name, index, type, steps };
  });
}

function same(a: PathStep, b: PathStep): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function rowPathOf(schema: SourceSchema): PathStep[] {
  const text = schema.RecordFormat.MappingParameters?.JSONMappingParameters?.RecordRowPath ?? '$';
  const parsed = parsePath(text);
  return typeof parsed === 'string' ? [] : parsed;
}

/** The characters a text column holds (Infinity for an unbounded VARCHAR); undefined for other types. */
export function textLimit(type: SqlType): number | undefined {
  return type.kind === 'VARCHAR' || type.kind === 'CHAR' ? type.length : undefined;
}

/** 32-bit mixing hash of (seed, n): a stateless PRNG, so record `n` needs no predecessors. */
export function random(seed: number, n: number): number {
  let t = (seed ^ Math.imul(n + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d);
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b);
  t ^= t >>> 16;
  return (t >>> 0) / 4294967296;
}

/** A signed amount in hundredths: `negativeShare` of them below zero, magnitude up to `maxCents`. */
function signedCents(seed: number, seq: number, column: number, negativeShare: number, maxCents: number): number {
  const n = seq * 16 + column;
  const negative = random(seed, n * 2) < negativeShare;
  const magnitude = Math.floor(random(seed, n * 2 + 1) * (maxCents + 1));
  // A zero amount is positive for `x >= 0`; keep negatives strictly below zero.
  return negative ? -Math.max(1, magnitude) : magnitude;
}

function centsText(cents: number, decimals: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 100);
  if (decimals === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** Largest magnitude in hundredths a DECIMAL(p,s) holds with the two decimals the generator uses (at most 999.99). */
function maxCentsOf(type: SqlType): number {
  if (type.kind !== 'DECIMAL') return 99_999;
  const whole = type.precision - type.scale;
  return Math.min(99_999, 10 ** Math.max(0, whole) * 100 - 1);
}

export interface SyntheticOptions {
  seed: number;
  tag: string;
  negativeShare: number;
}

/**
 * The synthetic value of one column for record `seq`, as JSON would carry it (text for CSV is `String(value)`):
 * text columns the token, the first INTEGER/BIGINT the sequence, other numbers signed amounts (`negativeShare` below
 * zero), booleans at random, times the planned put time.
 */
export function syntheticValue(
  column: ColumnPlan,
  seq: number,
  plannedMs: number,
  options: SyntheticOptions,
  sequenceColumn: number,
): unknown {
  const { type } = column;
  switch (type.kind) {
    case 'VARCHAR':
    case 'CHAR':
      return tokenFor(options.tag, seq, type.length) ?? String(seq % 10 ** Math.min(15, type.length));
    case 'INTEGER':
    case 'BIGINT':
      if (column.index === sequenceColumn) return seq;
      return Math.round(signedCents(options.seed, seq, column.index, options.negativeShare, 99_999) / 100);
    case 'TINYINT':
    case 'SMALLINT':
      return Math.round(signedCents(options.seed, seq, column.index, options.negativeShare, 9_999) / 100);
    case 'DECIMAL': {
      const cents = signedCents(options.seed, seq, column.index, options.negativeShare, maxCentsOf(type));
      return Number(centsText(cents, Math.min(2, type.scale)));
    }
    case 'DOUBLE':
    case 'REAL':
      return Number(centsText(signedCents(options.seed, seq, column.index, options.negativeShare, 99_999), 2));
    case 'BOOLEAN':
      return random(options.seed, seq * 16 + column.index) < 0.5;
    case 'TIMESTAMP':
      return formatTimestamp(plannedMs);
    case 'DATE':
      return formatDate(plannedMs);
    case 'TIME':
      return formatTime(plannedMs % 86_400_000);
    default:
      return null;
  }
}

/** Sets `value` at `steps` inside `root`, creating objects and one-element arrays on the way. */
function setAt(root: Record<string, unknown>, steps: PathStep[], value: unknown): void {
  let node: unknown = root;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const last = i === steps.length - 1;
    const next = steps[i + 1];
    const fresh = (): unknown => (next?.kind === 'index' || next?.kind === 'all' ? [] : {});
    if (step.kind === 'key') {
      const obj = node as Record<string, unknown>;
      if (last) obj[step.key] = value;
      else {
        obj[step.key] ??= fresh();
        node = obj[step.key];
      }
    } else if (step.kind === 'index') {
      const arr = node as unknown[];
      while (arr.length < step.index) arr.push(null);
      if (last) arr[step.index] = value;
      else {
        arr[step.index] ??= fresh();
        node = arr[step.index];
      }
    } else {
      const arr = node as unknown[];
      // a trailing [0:] is "the array, as text": one element; [0:] then more steps: one row of the flattened array
      if (last) arr[0] = value;
      else {
        arr[0] ??= next?.kind === 'index' || next?.kind === 'all' ? [] : {};
        node = arr[0];
      }
    }
  }
}

/** Wraps a row in the record the row path reads it from (`$.rows[0:]` -> `{"rows":[row]}`). */
function wrapRow(row: Record<string, unknown>, rowPath: PathStep[]): unknown {
  if (rowPath.length === 0) return row;
  const root: unknown = rowPath[0]!.kind === 'key' ? {} : [];
  setAt(root as Record<string, unknown>, rowPath, row);
  return root;
}

/** The key that pads a JSON record to its size, unless a column already uses it. */
function padKey(columns: ColumnPlan[]): string {
  const used = new Set(columns.map((c) => (c.steps[0]?.kind === 'key' ? c.steps[0].key.toUpperCase() : '')));
  let key = 'PAD';
  while (used.has(key.toUpperCase())) key = `_${key}`;
  return key;
}

/** Encodes a row of column values in the schema's format, padded to `recordSize` bytes when asked. */
export class RecordEncoder {
  readonly columns: ColumnPlan[];
  private readonly rowPath: PathStep[];
  private readonly pad: string;
  /** JSON keys (quoted) when every column is a top-level key of the record. */
  private readonly flatKeys: string[] | undefined;

  constructor(
    readonly schema: SourceSchema,
    private readonly recordSize = 0,
  ) {
    this.columns = columnPlans(schema);
    this.rowPath = rowPathOf(schema);
    this.pad = padKey(this.columns);
    const keys = this.columns.map((c) =>
      c.steps.length === 1 && c.steps[0]!.kind === 'key' ? c.steps[0]!.key : undefined,
    );
    this.flatKeys =
      this.rowPath.length === 0 && keys.every((k) => k !== undefined) && new Set(keys).size === keys.length
        ? keys.map((k) => JSON.stringify(k))
        : undefined;
  }

  get csv(): boolean {
    return this.schema.RecordFormat.RecordFormatType === 'CSV';
  }

  private csvParams(): { column: string; row: string } {
    const p = this.schema.RecordFormat.MappingParameters?.CSVMappingParameters;
    return { column: p?.RecordColumnDelimiter ?? ',', row: p?.RecordRowDelimiter ?? '\n' };
  }

  /** Encodes one value per column (in schema order). */
  encode(values: readonly unknown[]): Uint8Array {
    if (this.csv) return this.encodeCsv(values.map((v) => (v === null || v === undefined ? '' : String(v))));
    if (this.flatKeys) {
      // the common case (top-level keys, row path `$`): one string, no objects
      let text = '{';
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        text += `${i === 0 ? '' : ','}${this.flatKeys[i]}:${v === undefined ? 'null' : JSON.stringify(v)}`;
      }
      return this.recordSize <= 0 ? encoder.encode(`${text}}`) : this.padText(`${text}}`);
    }
    const row: Record<string, unknown> = {};
    this.columns.forEach((c, i) => {
      setAt(row, c.steps.length > 0 ? c.steps : [{ kind: 'key', key: c.name }], values[i]);
    });
    return this.padJson(row);
  }

  private padJson(row: Record<string, unknown>): Uint8Array {
    return this.padText(JSON.stringify(wrapRow(row, this.rowPath)));
  }

  private padText(base: string): Uint8Array {
    const missing = this.recordSize - Buffer.byteLength(base);
    if (missing <= 0) return encoder.encode(base);
    const withEmpty = `${base.slice(0, -1)}${base.length > 2 ? ',' : ''}${JSON.stringify(this.pad)}:""}`;
    const fill = Math.max(0, this.recordSize - Buffer.byteLength(withEmpty));
    return encoder.encode(`${withEmpty.slice(0, -2)}${'x'.repeat(fill)}"}`);
  }

  private encodeCsv(cells: string[]): Uint8Array {
    const { column, row } = this.csvParams();
    const quote = (s: string): string =>
      s.includes(column) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s;
    const base = cells.map(quote).join(column) + row;
    const missing = this.recordSize - Buffer.byteLength(base);
    // Padding goes into an extra trailing cell, which the mapping ignores.
    if (missing <= Buffer.byteLength(column)) return encoder.encode(base);
    return encoder.encode(
      cells.map(quote).join(column) + column + 'x'.repeat(missing - Buffer.byteLength(column)) + row,
    );
  }

  /**
   * A user record with `token` written into each of `carriers` (column indexes): JSON records at the column's
   * mapping, CSV records in the column's cell. Records that cannot be read are returned as they are.
   */
  inject(record: unknown, carriers: readonly number[], token: (column: ColumnPlan) => string | undefined): Uint8Array {
    const text = recordText(record);
    if (carriers.length === 0) return encoder.encode(text);
    if (this.csv) {
      const { column, row } = this.csvParams();
      const line = text.endsWith(row) ? text.slice(0, -row.length) : text;
      const cells = splitCsvLine(line, column);
      for (const i of carriers) {
        const t = token(this.columns[i]!);
        if (t !== undefined && i < cells.length) cells[i] = t;
      }
      return this.encodeCsv(cells);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return encoder.encode(text);
    }
    if (parsed === null || typeof parsed !== 'object') return encoder.encode(text);
    let row = parsed as Record<string, unknown>;
    if (this.rowPath.length > 0) {
      // the row the row path selects (the first, for a path through an array)
      let node: unknown = parsed;
      for (const s of this.rowPath) {
        if (node === null || typeof node !== 'object') break;
        node =
          s.kind === 'key'
            ? (node as Record<string, unknown>)[s.key]
            : (node as unknown[])[s.kind === 'index' ? s.index : 0];
      }
      if (node === null || typeof node !== 'object') return encoder.encode(text);
      row = node as Record<string, unknown>;
    }
    for (const i of carriers) {
      const c = this.columns[i]!;
      const t = token(c);
      if (t !== undefined) setAt(row, c.steps.length > 0 ? c.steps : [{ kind: 'key', key: c.name }], t);
    }
    return encoder.encode(JSON.stringify(parsed));
  }
}

/** A user record (object, text or bytes) as the text put into the stream. */
export function recordText(record: unknown): string {
  if (typeof record === 'string') return record;
  if (record instanceof Uint8Array) return decoder.decode(record);
  return JSON.stringify(record);
}
