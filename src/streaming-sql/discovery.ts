/**
 * Schema discovery (sch-dis.md, sch-dis-ref.md): infers the record format and the columns (Name, SqlType, Mapping)
 * of sample records, JSON or CSV.
 */
import { UnableToDetectSchemaError } from './errors';
import type { RecordColumn, RecordFormat, SourceSchema } from './formats';
import { splitCsvLine } from './formats';
import { parseTimestamp } from './types';

export interface DiscoveryResult {
  InputSchema: SourceSchema;
  ParsedInputRecords: string[][];
  RawInputRecords: string[];
  ProcessedInputRecords: string[];
}

/** SQL reserved words that discovery must not use as column names (compared case-insensitively). */
const RESERVED = new Set(
  (
    'ALL ALLOCATE ALTER AND ANY ARE ARRAY AS ASYMMETRIC AT AUTHORIZATION AVG BEGIN BETWEEN BIGINT BINARY BLOB BOOLEAN BOTH BY ' +
    'CALL CALLED CASCADED CASE CAST CEIL CEILING CHAR CHARACTER CHECK CLOB CLOSE COLLATE COLUMN COMMIT CONDITION CONNECT ' +
    'CONSTRAINT COUNT CREATE CROSS CUBE CURRENT CURRENT_DATE CURRENT_ROW_TIMESTAMP CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER ' +
    'CURSOR CYCLE DATE DAY DEALLOCATE DEC DECIMAL DECLARE DEFAULT DELETE DESCRIBE DETERMINISTIC DISCONNECT DISTINCT DOUBLE ' +
    'DROP DYNAMIC EACH ELEMENT ELSE END ESCAPE EVERY EXCEPT EXEC EXECUTE EXISTS EXP EXTERNAL EXTRACT FALSE FETCH FILTER FLOAT ' +
    'FLOOR FOR FOREIGN FREE FROM FULL FUNCTION FUSION GET GLOBAL GRANT GROUP GROUPING HAVING HOLD HOUR IDENTITY IN INDICATOR ' +
    'INNER INOUT INSENSITIVE INSERT INT INTEGER INTERSECT INTERSECTION INTERVAL INTO IS JOIN LANGUAGE LARGE LATERAL LEADING ' +
    'LEFT LIKE LIMIT LN LOCAL LOCALTIME LOCALTIMESTAMP LOWER MATCH MAX MEMBER MERGE METHOD MIN MINUTE MOD MODIFIES MODULE ' +
    'MONTH MULTISET NATIONAL NATURAL NCHAR NCLOB NEW NO NONE NORMALIZE NOT NULL NULLIF NUMERIC OF OLD ON ONLY OPEN OR ORDER ' +
    'OUT OUTER OVER OVERLAPS PARAMETER PARTITION POSITION POWER PRECISION PREPARE PRIMARY PROCEDURE PUMP RANGE READS REAL ' +
    'RECURSIVE REF REFERENCES REFERENCING RELEASE RESULT RETURN RETURNS REVOKE RIGHT ROLLBACK ROLLUP ROW ROWS ROWTIME SAVEPOINT ' +
    'SCOPE SCROLL SEARCH SECOND SELECT SENSITIVE SESSION_USER SET SIMILAR SMALLINT SOME SPECIFIC SQL SQLEXCEPTION SQLSTATE ' +
    'SQLWARNING SQRT START STATIC STEP STREAM SUBMULTISET SUBSTRING SUM SYMMETRIC SYSTEM SYSTEM_USER TABLE TABLESAMPLE THEN ' +
    'TIME TIMESTAMP TINYINT TO TRAILING TRANSLATION TREAT TRIGGER TRIM TRUE UNION UNIQUE UNKNOWN UNNEST UPDATE UPPER USER ' +
    'USING VALUE VALUES VARBINARY VARCHAR VARYING WHEN WHENEVER WHERE WINDOW WITH WITHIN WITHOUT YEAR'
  ).split(' '),
);

/**
 * A column name as discovery suggests it: letters, digits and underscores kept in their case; `COL_` in front of
 * reserved words, names that lost characters, names starting with a digit; `COL_<position>` when nothing is left.
 */
export function suggestColumnName(source: string, position: number): string {
  let name = source.replace(/[^A-Za-z0-9_]/g, '');
  let renamed = name !== source;
  if (name.length > 100) {
    name = name.slice(0, 96);
    renamed = true;
  }
  if (name === '') return `COL_${position}`;
  if (RESERVED.has(name.toUpperCase()) || /^[0-9]/.test(name)) renamed = true;
  return renamed ? `COL_${name}` : name;
}

type Kind = 'null' | 'boolean' | 'integer' | 'bigint' | 'double' | 'timestamp' | 'string';

function kindOfJson(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return 'double';
    return v >= -2147483648 && v <= 2147483647 ? 'integer' : 'bigint';
  }
  if (typeof v === 'string') return kindOfText(v, false);
  return 'string';
}

function kindOfText(s: string, numbers: boolean): Kind {
  if (numbers) {
    if (s === '') return 'null';
    if (/^[+-]?[0-9]+$/.test(s)) {
      const n = Number(s);
      return n >= -2147483648 && n <= 2147483647 ? 'integer' : 'bigint';
    }
    if (/^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return 'double';
    if (/^(true|false)$/i.test(s)) return 'boolean';
  }
  if (/^\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}/.test(s) && parseTimestamp(s) !== undefined) return 'timestamp';
  return 'string';
}

const RANK: Record<Kind, number> = { null: 0, boolean: 1, integer: 2, bigint: 3, double: 4, timestamp: 5, string: 6 };

function merge(a: Kind, b: Kind): Kind {
  if (a === 'null') return b;
  if (b === 'null' || a === b) return a;
  const numeric = (k: Kind): boolean => k === 'integer' || k === 'bigint' || k === 'double';
  if (numeric(a) && numeric(b)) return RANK[a] > RANK[b] ? a : b;
  return 'string';
}

function varcharLength(max: number): number {
  let n = 4;
  while (n < max) n *= 2;
  return n;
}

function sqlTypeOf(kind: Kind, maxLength: number): string {
  switch (kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'integer':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'double':
      return 'DOUBLE';
    case 'timestamp':
      return 'TIMESTAMP';
    default:
      return `VARCHAR(${varcharLength(maxLength)})`;
  }
}

function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

interface Field {
  path: string;
  leaf: string;
  kind: Kind;
  maxLength: number;
}

/** Leaves of a JSON object as JSONPath mappings; arrays are kept whole (`$.a[0:]`, read as text). */
function leaves(obj: Record<string, unknown>, prefix: string, out: [string, string, unknown][]): void {
  for (const [k, v] of Object.entries(obj)) {
    const path = /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${prefix}.${k}` : `${prefix}['${k}']`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (Object.keys(v).length === 0) out.push([path, k, null]);
      else leaves(v as Record<string, unknown>, path, out);
    } else if (Array.isArray(v)) out.push([`${path}[0:]`, k, v]);
    else out.push([path, k, v]);
  }
}

function discoverJson(texts: string[]): { columns: RecordColumn[]; parsed: string[][] } | undefined {
  const objects: Record<string, unknown>[] = [];
  for (const t of texts) {
    try {
      const v: unknown = JSON.parse(t);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) objects.push(v as Record<string, unknown>);
    } catch {
      // a stray record does not hide the shape of the others; it will reach the error stream at run time
    }
  }
  if (objects.length === 0 || objects.length * 2 < texts.length) return undefined;
  const fields = new Map<string, Field>();
  const perRecord = objects.map((o) => {
    const ls: [string, string, unknown][] = [];
    leaves(o, '$', ls);
    for (const [path, leaf, value] of ls) {
      let f = fields.get(path);
      if (!f) {
        f = { path, leaf, kind: 'null', maxLength: 0 };
        fields.set(path, f);
      }
      f.kind = merge(f.kind, kindOfJson(value));
      f.maxLength = Math.max(f.maxLength, textOf(value).length);
    }
    return new Map(ls.map(([p, , v]) => [p, v]));
  });
  if (fields.size === 0) return undefined;
  const list = [...fields.values()];
  const used = new Set<string>();
  const columns = list.map((f, i) => {
    const leafCount = list.filter((g) => g.leaf === f.leaf).length;
    const base =
      leafCount > 1
        ? f.path
            .replace(/^\$\.?/, '')
            .replace(/\[0:\]/g, '')
            .replace(/[.[\]']+/g, '_')
        : f.leaf;
    let name = suggestColumnName(base, i);
    while (used.has(name.toUpperCase())) name = `${name}_${i}`;
    used.add(name.toUpperCase());
    return { Name: name, SqlType: sqlTypeOf(f.kind, f.maxLength), Mapping: f.path };
  });
  const parsed = perRecord.map((m) => list.map((f) => textOf(m.get(f.path))));
  return { columns, parsed };
}

const DELIMITERS = [',', '\t', '|', ';'];

function discoverCsv(
  texts: string[],
): { columns: RecordColumn[]; parsed: string[][]; format: RecordFormat } | undefined {
  const rowDelimiter = texts.some((t) => t.includes('\r\n')) ? '\r\n' : '\n';
  const lines = texts.flatMap((t) => t.split(rowDelimiter)).filter((l) => l.length > 0);
  if (lines.length === 0) return undefined;
  for (const d of DELIMITERS) {
    const rows = lines.map((l) => splitCsvLine(l, d));
    const n = rows[0]!.length;
    if (n < 2 || !rows.every((r) => r.length === n)) continue;
    const kindsOf = (rs: string[][]): Kind[] =>
      Array.from({ length: n }, (_, i) => rs.reduce<Kind>((k, r) => merge(k, kindOfText(r[i]!.trim(), true)), 'null'));
    // a first line of names over typed data is a header
    const headerKinds = kindsOf(rows.slice(0, 1));
    const bodyKinds = kindsOf(rows.slice(1));
    const header =
      rows.length > 1 &&
      headerKinds.every((k) => k === 'string') &&
      bodyKinds.some((k) => k !== 'string' && k !== 'null');
    const body = header ? rows.slice(1) : rows;
    const kinds = kindsOf(body);
    const used = new Set<string>();
    const columns = kinds.map((k, i) => {
      let name = header ? suggestColumnName(rows[0]![i]!.trim(), i) : `COL_${i}`;
      while (used.has(name.toUpperCase())) name = `${name}_${i}`;
      used.add(name.toUpperCase());
      const maxLength = Math.max(0, ...body.map((r) => r[i]!.length));
      return { Name: name, SqlType: sqlTypeOf(k, maxLength) };
    });
    return {
      columns,
      parsed: body,
      format: {
        RecordFormatType: 'CSV',
        MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: rowDelimiter, RecordColumnDelimiter: d } },
      },
    };
  }
  return undefined;
}

/**
 * Infers a source schema from sample records (UTF-8 JSON objects, or CSV lines with a consistent delimiter).
 * Throws UnableToDetectSchemaError, carrying the raw records, when neither fits.
 */
export function discoverSchema(samples: Uint8Array[]): DiscoveryResult {
  const raw = samples.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('utf8'));
  const texts = raw.filter((t) => t.trim().length > 0);
  if (texts.length === 0) throw new UnableToDetectSchemaError('No data found in the sample records', raw, raw);
  const json = discoverJson(texts);
  if (json)
    return {
      InputSchema: {
        RecordFormat: {
          RecordFormatType: 'JSON',
          MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } },
        },
        RecordEncoding: 'UTF-8',
        RecordColumns: json.columns,
      },
      ParsedInputRecords: json.parsed,
      RawInputRecords: raw,
      ProcessedInputRecords: raw,
    };
  const csv = discoverCsv(texts);
  if (csv)
    return {
      InputSchema: { RecordFormat: csv.format, RecordEncoding: 'UTF-8', RecordColumns: csv.columns },
      ParsedInputRecords: csv.parsed,
      RawInputRecords: raw,
      ProcessedInputRecords: raw,
    };
  throw new UnableToDetectSchemaError(
    'Unable to detect a schema: the records are neither JSON objects nor CSV with a consistent column delimiter',
    raw,
    raw,
  );
}

/** The VARCHAR size `withVarcharHeadroom` gives a discovered VARCHAR(n): four times n, at least 32, at most 65,535. */
export function varcharWithHeadroom(length: number): number {
  return Math.min(65_535, Math.max(32, 4 * length));
}

/**
 * The schema with room to grow in every VARCHAR column. Discovery sizes a column after the longest sample value (the
 * next power of two, as DiscoverInputSchema does), and Kinesis Analytics cuts longer values silently: samples
 * "Record 0".."Record 9" give VARCHAR(8) and "Record 10" would arrive as "Record 1". DiscoverInputSchema itself keeps
 * AWS's sizes; the product applies this to what it discovered, whichever engine discovered it.
 */
export function withVarcharHeadroom(schema: SourceSchema): SourceSchema {
  return {
    ...schema,
    RecordColumns: schema.RecordColumns.map((c) => {
      const m = /^\s*VARCHAR\s*\(\s*(\d+)\s*\)\s*$/i.exec(c.SqlType);
      return m ? { ...c, SqlType: `VARCHAR(${varcharWithHeadroom(Number(m[1]))})` } : c;
    }),
  };
}
