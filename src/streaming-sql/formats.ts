/**
 * Input record formats: JSON with a RecordRowPath and per-column JSONPath mappings, or CSV with row and column
 * delimiters. A reader compiles once per schema into a function from record text to rows of in-memory values.
 */

import { type Coercer, makeCoercer } from './coercion';
import { SchemaValidationError, SqlRuntimeError } from './errors';
import { follow, type PathStep, parsePath, pathCode } from './jsonpath';
import { MAX_NUMBER_PRECISION, type SqlType } from './types';

export interface RecordColumn {
  Name: string;
  SqlType: string;
  Mapping?: string;
}
export interface RecordFormat {
  RecordFormatType: 'JSON' | 'CSV';
  MappingParameters?: {
    JSONMappingParameters?: { RecordRowPath: string };
    CSVMappingParameters?: { RecordRowDelimiter: string; RecordColumnDelimiter: string };
  };
}
export interface SourceSchema {
  RecordFormat: RecordFormat;
  RecordEncoding?: string;
  RecordColumns: RecordColumn[];
}

/** A column of an in-application stream. */
export interface ColumnDef {
  name: string;
  type: SqlType;
}

/** Receives each row a record yields (one for most records; several for arrays of rows or CSV with many lines). */
export type RowSink = (row: unknown[]) => void;
/** Reads one record's text; throws SqlRuntimeError when the record cannot be parsed or coerced. */
export type RecordReader = (text: string, sink: RowSink) => void;

/** Builds the reader of a source schema. */
export function compileReader(schema: SourceSchema, columns: ColumnDef[]): RecordReader {
  const format = schema.RecordFormat;
  if (format.RecordFormatType === 'CSV') return csvReader(format, columns);
  if (format.RecordFormatType === 'JSON') return jsonReader(schema, columns);
  throw new SchemaValidationError(`RecordFormatType must be JSON or CSV, not ${String(format.RecordFormatType)}`);
}

function parseError(text: string, cause: unknown): SqlRuntimeError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SqlRuntimeError(
    'Parse_Error',
    `Unable to parse the record as JSON: ${reason}${text.length === 0 ? ' (empty record)' : ''}`,
    { cause },
  );
}

/**
 * JSON.parse turns integers beyond 2^53 into nearby doubles; for schemas with exact wide columns (BIGINT,
 * DECIMAL(p>15)) such number tokens are quoted first, and the coercers read them from text.
 */
export function protectBigNumbers(text: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i++;
      while (i < n && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      i++;
      continue;
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      const m = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (m) {
        const digits = m[0]
          .replace(/[eE].*$/, '')
          .replace(/[^0-9]/g, '')
          .replace(/^0+/, '');
        if (digits.length > MAX_NUMBER_PRECISION) {
          out += `${text.slice(last, i)}"${m[0]}"`;
          last = i + m[0].length;
        }
        i += m[0].length;
        continue;
      }
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

function startsWith(path: PathStep[], prefix: PathStep[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => JSON.stringify(s) === JSON.stringify(path[i]));
}

function jsonReader(schema: SourceSchema, columns: ColumnDef[]): RecordReader {
  const rowPathText = schema.RecordFormat.MappingParameters?.JSONMappingParameters?.RecordRowPath ?? '$';
  const rowPath = parsePath(rowPathText);
  if (typeof rowPath === 'string') throw new SchemaValidationError(`RecordRowPath: ${rowPath}`);
  const coercers: Coercer[] = columns.map((c) => makeCoercer(c.type, c.name));
  const paths: PathStep[][] = schema.RecordColumns.map((rc, i) => {
    const p = parsePath(rc.Mapping ?? `$.${rc.Name}`);
    if (typeof p === 'string') throw new SchemaValidationError(`Mapping of column ${columns[i]!.name}: ${p}`);
    // mappings are read from the row the RecordRowPath selects; a mapping written from the record's root through the
    // row path ($.records[0:].ID under $.records[0:]) means the same column
    const rel = rowPath.length > 0 && startsWith(p, rowPath) ? p.slice(rowPath.length) : p;
    // a trailing [0:] means "the whole array, as text"
    return rel.length > 0 && rel[rel.length - 1]!.kind === 'all' ? rel.slice(0, -1) : rel;
  });
  const flattenCols = paths.map((p, i) => (p.some((s) => s.kind === 'all') ? i : -1)).filter((i) => i >= 0);
  const flattenPrefixes = new Set(
    flattenCols.map((i) =>
      JSON.stringify(
        paths[i]!.slice(
          0,
          paths[i]!.findIndex((s) => s.kind === 'all'),
        ),
      ),
    ),
  );
  if (flattenPrefixes.size > 1)
    throw new SchemaValidationError('only one array can be flattened ([0:] followed by a name) in a schema');
  for (const i of flattenCols)
    if (paths[i]!.filter((s) => s.kind === 'all').length > 1)
      throw new SchemaValidationError(`Mapping of column ${columns[i]!.name}: only one level of [0:] is supported`);
  const exact = columns.some(
    (c) => c.type.kind === 'BIGINT' || (c.type.kind === 'DECIMAL' && c.type.precision > MAX_NUMBER_PRECISION),
  );
  const parse = exact
    ? (text: string): unknown => JSON.parse(/\d{16}/.test(text) ? protectBigNumbers(text) : text)
    : (text: string): unknown => JSON.parse(text);

  // rows of one record: the row path may select an array of rows
  const allAt = rowPath.findIndex((s) => s.kind === 'all');
  const rowsOf = (root: unknown, each: (row: unknown) => void): void => {
    if (allAt < 0) {
      each(follow(root, rowPath));
      return;
    }
    const arr = follow(root, rowPath, 0, allAt);
    if (!Array.isArray(arr)) {
      each(undefined);
      return;
    }
    for (const el of arr) each(follow(el, rowPath, allAt + 1));
  };

  let mapRow: (row: unknown, sink: RowSink) => void;
  if (flattenCols.length === 0) {
    // the common case compiles to straight-line code: one property read and one coercion per column
    let temps = 0;
    const temp = (): string => `t${temps++}`;
    const cells = paths.map((p, i) => `C[${i}](${pathCode(p, 'o', temp)})`);
    const body = `${temps ? `let ${Array.from({ length: temps }, (_, i) => `t${i}`).join(', ')};` : ''} sink([${cells.join(', ')}]);`;
    mapRow = new Function('C', `return function mapRow(o, sink) { ${body} };`)(coercers);
  } else {
    const prefix = [...flattenPrefixes][0]!;
    const flatSteps = JSON.parse(prefix) as PathStep[];
    mapRow = (row, sink) => {
      const arr = follow(row, flatSteps);
      const elements = Array.isArray(arr) && arr.length > 0 ? arr : [undefined];
      for (const el of elements) {
        const out = new Array<unknown>(paths.length);
        for (let i = 0; i < paths.length; i++) {
          const p = paths[i]!;
          const at = p.findIndex((s) => s.kind === 'all');
          out[i] = coercers[i]!(at < 0 ? follow(row, p) : follow(el, p, at + 1));
        }
        sink(out);
      }
    };
  }

  const read = (text: string): unknown => {
    try {
      return parse(text);
    } catch (error) {
      throw parseError(text, error);
    }
  };
  if (allAt < 0 && rowPath.length === 0) return (text, sink) => mapRow(read(text), sink);
  return (text, sink) => rowsOf(read(text), (row) => mapRow(row, sink));
}

/** Splits one CSV line on the column delimiter; double-quoted fields may hold the delimiter and "" for a quote. */
export function splitCsvLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      const next = line.indexOf(delimiter, i);
      field += next < 0 ? line.slice(i) : line.slice(i, next);
      out.push(field);
      if (next < 0) return out;
      i = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

function csvReader(format: RecordFormat, columns: ColumnDef[]): RecordReader {
  const params = format.MappingParameters?.CSVMappingParameters;
  const rowDelimiter = params?.RecordRowDelimiter ?? '\n';
  const columnDelimiter = params?.RecordColumnDelimiter ?? ',';
  if (rowDelimiter === '' || columnDelimiter === '')
    throw new SchemaValidationError('CSV delimiters must not be empty');
  const coercers = columns.map((c) => makeCoercer(c.type, c.name, true));
  const n = columns.length;
  return (text, sink) => {
    const lines = text.split(rowDelimiter);
    // a record usually ends with its row delimiter
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) {
      const fields = splitCsvLine(line, columnDelimiter);
      const row = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const f = fields[i];
        row[i] = f === undefined ? null : coercers[i]!(f);
      }
      sink(row);
    }
  };
}
