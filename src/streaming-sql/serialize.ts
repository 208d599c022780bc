/**
 * Output records (DestinationSchema): JSON objects keyed by the in-application stream's column names, or CSV lines.
 * DECIMAL prints exactly with its scale (12.50), TIMESTAMP as "2016-07-19 17:05:00.0", BIGINT exactly.
 */
import { formatDate, formatTime, formatTimestamp, parseTypeText, type SqlType } from './types';

export interface DestinationSchema {
  RecordFormatType: 'JSON' | 'CSV';
}

/** A row an application wrote to one of its in-application streams. */
export interface OutputRow {
  stream: string;
  /**
   * Column name -> value: numbers (TINYINT..INTEGER, DOUBLE, REAL), bigint (BIGINT), exact text (DECIMAL, e.g.
   * "12.50"), string (CHAR, VARCHAR), boolean, ms since the epoch (TIMESTAMP, DATE; TIME: ms since midnight), or null.
   */
  values: Record<string, unknown>;
  /** ROWTIME, ms since the epoch. */
  rowtime: number;
  /** The source record's partition key, when the row came 1:1 from it. */
  partitionKey?: string;
}

type Column = { name: string; sqlType: string };
type Formatter = (v: unknown) => string;

function jsonFormatter(t: SqlType): Formatter {
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'DECIMAL':
      return (v) => String(v);
    case 'DOUBLE':
    case 'REAL':
      return (v) => (Number.isFinite(v) ? String(v) : 'null');
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'TIMESTAMP':
      return (v) => `"${formatTimestamp(v as number)}"`;
    case 'DATE':
      return (v) => `"${formatDate(v as number)}"`;
    case 'TIME':
      return (v) => `"${formatTime(v as number)}"`;
    default:
      return (v) => JSON.stringify(v);
  }
}

function csvField(s: string, delimiter: string): string {
  return s.includes(delimiter) || s.includes('"') || s.includes('\n') || s.includes('\r')
    ? `"${s.replace(/"/g, '""')}"`
    : s;
}

function csvFormatter(t: SqlType): Formatter {
  switch (t.kind) {
    case 'TIMESTAMP':
      return (v) => formatTimestamp(v as number);
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTime(v as number);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => csvField(v as string, ',');
    default:
      return (v) => String(v);
  }
}

type Serializer = (values: Record<string, unknown>) => string;

function typeOf(c: Column): SqlType {
  const t = parseTypeText(c.sqlType);
  if (typeof t === 'string') throw new TypeError(`column ${c.name}: ${t}`);
  return t;
}

/** Builds the serializer of a column list: straight-line code, one formatter per column. */
export function compileSerializer(format: DestinationSchema, columns: Column[]): Serializer {
  const types = columns.map(typeOf);
  const props = columns.map((c) => `v[${JSON.stringify(c.name)}]`);
  if (format.RecordFormatType === 'CSV') {
    const F = types.map(csvFormatter);
    const parts = props.map((p, i) => `((x = ${p}) === null || x === undefined ? '' : F[${i}](x))`);
    return new Function('F', `return function csv(v) { let x; return ${parts.join(" + ',' + ")} + '\\n'; };`)(F);
  }
  if (format.RecordFormatType !== 'JSON')
    throw new TypeError(`RecordFormatType must be JSON or CSV, not ${String(format.RecordFormatType)}`);
  const F = types.map(jsonFormatter);
  // integers and decimals are already exact text or safe numbers: concatenate without a formatter call
  const parts = props.map((p, i) => {
    const key = JSON.stringify(`${i === 0 ? '{' : ','}${JSON.stringify(columns[i]!.name)}:`);
    const k = types[i]!.kind;
    const direct = k === 'TINYINT' || k === 'SMALLINT' || k === 'INTEGER' || k === 'BIGINT' || k === 'DECIMAL';
    return `${key} + ((x = ${p}) === null || x === undefined ? 'null' : ${direct ? 'x' : `F[${i}](x)`})`;
  });
  if (parts.length === 0) return () => '{}';
  return new Function('F', `return function json(v) { let x; return ${parts.join(' + ')} + '}'; };`)(F);
}

const cache = new WeakMap<object, { JSON?: Serializer; CSV?: Serializer }>();

/**
 * Serializes one output row as its destination expects: JSON (keys = column names, in column order) or a CSV line.
 * `columns` is the stream's entry of CompiledApplication.outputs; the compiled serializer is cached per that array.
 */
export function serializeRow(
  row: OutputRow,
  format: DestinationSchema,
  columns: { name: string; sqlType: string }[],
): Buffer {
  let entry = cache.get(columns);
  if (!entry) {
    entry = {};
    cache.set(columns, entry);
  }
  const kind = format.RecordFormatType;
  let s = entry[kind];
  if (!s) {
    s = compileSerializer(format, columns);
    entry[kind] = s;
  }
  return Buffer.from(s(row.values), 'utf8');
}
