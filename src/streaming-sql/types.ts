/**
 * SQL types of the dialect, how each is held in memory while a pump runs, exact decimals, and date-time text.
 * Coercion of source values into them, and of values out to rows and text: coercion.ts.
 *
 * In-memory representation, chosen per static type so compiled pumps need no type tests per row:
 * - TINYINT, SMALLINT, INTEGER, DOUBLE, REAL: number; BIGINT: bigint (exact beyond 2^53);
 * - DECIMAL(p,s): the unscaled integer (value * 10^s), a number when p <= 15 (exact in a double), a bigint above;
 * - CHAR, VARCHAR: string; BOOLEAN: boolean; TIMESTAMP: ms since the epoch (UTC); DATE: ms at midnight UTC;
 *   TIME: ms since midnight; INTERVAL: ms; NULL: null.
 */
import Decimal from 'decimal.js';
import { SqlRuntimeError } from './errors';

export type SqlTypeKind =
  | 'TINYINT'
  | 'SMALLINT'
  | 'INTEGER'
  | 'BIGINT'
  | 'DECIMAL'
  | 'DOUBLE'
  | 'REAL'
  | 'BOOLEAN'
  | 'CHAR'
  | 'VARCHAR'
  | 'TIMESTAMP'
  | 'DATE'
  | 'TIME'
  | 'INTERVAL'
  | 'NULL';

export interface SqlType {
  readonly kind: SqlTypeKind;
  /** DECIMAL precision. */
  readonly precision: number;
  /** DECIMAL scale. */
  readonly scale: number;
  /** CHAR/VARCHAR length; Infinity when unbounded. */
  readonly length: number;
}

/** The largest DECIMAL precision held in a double without loss. */
export const MAX_NUMBER_PRECISION = 15;
/** The largest DECIMAL precision. */
export const MAX_PRECISION = 38;

export type Rep = 'int' | 'big' | 'dec' | 'decbig' | 'float' | 'bool' | 'str' | 'time' | 'null';

/** The range of each integer type held as a JavaScript number. */
export const INT_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647],
};
export const BIGINT_MIN = -(2n ** 63n);
export const BIGINT_MAX = 2n ** 63n - 1n;

/** Powers of ten, as numbers and as bigints. */
export const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
export const POW10N: bigint[] = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));

/** Builds a type descriptor. */
export function sqlType(kind: SqlTypeKind, precision = 0, scale = 0, length = Number.POSITIVE_INFINITY): SqlType {
  return { kind, precision, scale, length };
}

/** Common types without parameters. */
export const T = {
  INTEGER: sqlType('INTEGER'),
  BIGINT: sqlType('BIGINT'),
  DOUBLE: sqlType('DOUBLE'),
  BOOLEAN: sqlType('BOOLEAN'),
  VARCHAR: sqlType('VARCHAR'),
  TIMESTAMP: sqlType('TIMESTAMP'),
  DATE: sqlType('DATE'),
  TIME: sqlType('TIME'),
  INTERVAL: sqlType('INTERVAL'),
  NULL: sqlType('NULL'),
} as const;

/** The in-memory representation of a type (see the module comment). */
export function repOf(t: SqlType): Rep {
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
      return 'int';
    case 'BIGINT':
      return 'big';
    case 'DECIMAL':
      return t.precision <= MAX_NUMBER_PRECISION ? 'dec' : 'decbig';
    case 'DOUBLE':
    case 'REAL':
      return 'float';
    case 'BOOLEAN':
      return 'bool';
    case 'CHAR':
    case 'VARCHAR':
      return 'str';
    case 'NULL':
      return 'null';
    default:
      return 'time';
  }
}

/** Numeric types: integers, DECIMAL, DOUBLE, REAL. */
export function isNumeric(t: SqlType): boolean {
  const r = repOf(t);
  return r === 'int' || r === 'big' || r === 'dec' || r === 'decbig' || r === 'float';
}
/** Integers and DECIMAL. */
export function isExactNumeric(t: SqlType): boolean {
  const r = repOf(t);
  return r === 'int' || r === 'big' || r === 'dec' || r === 'decbig';
}
/** CHAR and VARCHAR. */
export function isString(t: SqlType): boolean {
  return t.kind === 'CHAR' || t.kind === 'VARCHAR';
}
/** TIMESTAMP, DATE and TIME. */
export function isDatetime(t: SqlType): boolean {
  return t.kind === 'TIMESTAMP' || t.kind === 'DATE' || t.kind === 'TIME';
}

/** The text of a type as Kinesis Analytics writes it (`DECIMAL(5,2)`, `VARCHAR(16)`). */
export function typeText(t: SqlType): string {
  if (t.kind === 'DECIMAL') return `DECIMAL(${t.precision},${t.scale})`;
  if ((t.kind === 'VARCHAR' || t.kind === 'CHAR') && Number.isFinite(t.length)) return `${t.kind}(${t.length})`;
  return t.kind;
}

/** An exact numeric type seen as DECIMAL(p,s), for arithmetic between exact types. */
export function asDecimal(t: SqlType): SqlType {
  switch (t.kind) {
    case 'TINYINT':
      return sqlType('DECIMAL', 3, 0);
    case 'SMALLINT':
      return sqlType('DECIMAL', 5, 0);
    case 'INTEGER':
      return sqlType('DECIMAL', 10, 0);
    case 'BIGINT':
      return sqlType('DECIMAL', 19, 0);
    default:
      return t;
  }
}

/**
 * Parses a type name with its arguments (`DECIMAL(5,2)`); returns an error reason instead of throwing, so callers
 * can attach a position or a column name.
 */
export function resolveType(name: string, args: number[]): SqlType | string {
  const upper = name.toUpperCase();
  const noArgs = (t: SqlType): SqlType | string => (args.length ? `${upper} takes no length or precision` : t);
  switch (upper) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'BOOLEAN':
    case 'TIMESTAMP':
    case 'DATE':
    case 'TIME':
      return noArgs(sqlType(upper));
    case 'INT':
      return noArgs(sqlType('INTEGER'));
    case 'DOUBLE':
    case 'FLOAT':
      return noArgs(sqlType('DOUBLE'));
    case 'REAL':
      return noArgs(sqlType('REAL'));
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC': {
      if (args.length > 2) return 'DECIMAL takes (precision[, scale])';
      const p = args[0] ?? 18;
      const s = args[1] ?? 0;
      if (p < 1 || p > MAX_PRECISION) return `DECIMAL precision must be between 1 and ${MAX_PRECISION}`;
      if (s < 0 || s > p) return 'DECIMAL scale must be between 0 and the precision';
      return sqlType('DECIMAL', p, s);
    }
    case 'VARCHAR':
    case 'CHAR': {
      if (args.length > 1) return `${upper} takes one length`;
      const len = args[0] ?? (upper === 'CHAR' ? 1 : Number.POSITIVE_INFINITY);
      if (len < 1) return `${upper} length must be at least 1`;
      return sqlType(upper, 0, 0, len);
    }
    default:
      return `unsupported SQL type ${name}; supported: TINYINT, SMALLINT, INTEGER, BIGINT, DECIMAL(p,s), NUMERIC(p,s), DOUBLE, REAL, FLOAT, BOOLEAN, CHAR(n), VARCHAR(n), TIMESTAMP, DATE, TIME`;
  }
}

/** Parses a SqlType string of a schema (`DECIMAL(5,2)`, `VARCHAR(16)`, `DOUBLE PRECISION`, `CHARACTER VARYING(8)`). */
export function parseTypeText(text: string): SqlType | string {
  const m = /^\s*([A-Za-z]+(?:\s+(?:PRECISION|VARYING))?)\s*(?:\(\s*([0-9]+)\s*(?:,\s*([0-9]+)\s*)?\))?\s*$/i.exec(
    text,
  );
  if (!m) return `cannot read SQL type '${text}'`;
  let name = m[1]!.toUpperCase().replace(/\s+/g, ' ');
  if (name === 'DOUBLE PRECISION') name = 'DOUBLE';
  if (name === 'CHARACTER VARYING') name = 'VARCHAR';
  if (name === 'CHARACTER') name = 'CHAR';
  const args = [m[2], m[3]].filter((x): x is string => x !== undefined).map(Number);
  return resolveType(name, args);
}

// ---------------------------------------------------------------- decimals

/** Formats an unscaled decimal (number or bigint) with its scale: (1250, 2) -> "12.50". */
export function formatDecimal(unscaled: number | bigint, scale: number): string {
  if (scale === 0) return String(unscaled);
  const neg = unscaled < 0;
  let digits = String(neg ? -unscaled : unscaled);
  if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
  const cut = digits.length - scale;
  return `${neg ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

function overflow(value: string, t: SqlType): never {
  throw new SqlRuntimeError(
    'Type_Conversion_Error',
    `Unable to convert ${value} to ${typeText(t)}: it has more integer digits than the type allows`,
  );
}

/** Decimal text -> unscaled bigint at `scale`, rounding half away from zero. Returns undefined for non-numbers. */
export function decimalTextToUnscaled(text: string, scale: number): bigint | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(trimmed)) return undefined;
  const d = new Decimal(trimmed).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP);
  return BigInt(d.times(new Decimal(10).pow(scale)).toFixed(0));
}

/** A JS number -> unscaled decimal of type t (number rep), exactly as its shortest decimal text reads. */
export function numberToDec(v: number, t: SqlType): number {
  const f = POW10[t.scale]!;
  const r = Math.round(v * f);
  // r / f === v holds exactly when the s-place decimal r*10^-s is the literal that v was read from
  if (r / f === v && Math.abs(r) < POW10[t.precision]!) return r === 0 ? 0 : r;
  if (!Number.isFinite(v)) overflow(String(v), t);
  const u = decimalTextToUnscaled(String(v), t.scale)!;
  if ((u < 0n ? -u : u) >= POW10N[t.precision]!) overflow(String(v), t);
  return Number(u);
}

/** A JS number -> unscaled decimal of type t (bigint rep). */
export function numberToDecBig(v: number, t: SqlType): bigint {
  if (!Number.isFinite(v)) overflow(String(v), t);
  const u = Number.isSafeInteger(v) ? BigInt(v) * POW10N[t.scale]! : decimalTextToUnscaled(String(v), t.scale)!;
  if ((u < 0n ? -u : u) >= POW10N[t.precision]!) overflow(String(v), t);
  return u;
}

/** Unscaled bigint -> unscaled of type t in its rep, checking the precision. */
export function unscaledToDec(u: bigint, t: SqlType, shownAs: string): number | bigint {
  if ((u < 0n ? -u : u) >= POW10N[t.precision]!) overflow(shownAs, t);
  return t.precision <= MAX_NUMBER_PRECISION ? Number(u) : u;
}

/** Rescales an unscaled bigint from one scale to another, rounding half away from zero. */
export function rescaleBig(u: bigint, from: number, to: number): bigint {
  if (to >= from) return u * POW10N[to - from]!;
  const d = POW10N[from - to]!;
  const q = u / d;
  const rem = u % d;
  const twice = (rem < 0n ? -rem : rem) * 2n;
  if (twice >= d) return u < 0n ? q - 1n : q + 1n;
  return q;
}

// ---------------------------------------------------------------- date-times

const TS_RE =
  /^\s*(-?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$/;
const TIME_RE = /^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*$/;

/** Parses "1992-02-14", "1992-02-14 18:35:44.0" or ISO-8601 text to ms since the epoch (UTC), or undefined. */
export function parseTimestamp(text: string): number | undefined {
  const m = TS_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? 0);
  const minute = Number(mi ?? 0);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = frac ? Math.floor(Number(`0.${frac}`) * 1000 + 1e-9) : 0;
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms);
  if (Number(y) < 100 && Number(y) >= 0) t = new Date(t).setUTCFullYear(Number(y));
  if (new Date(t).getUTCDate() !== day) return undefined;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60000;
  }
  return t;
}

/** Parses "18:35:44[.123]" to ms since midnight, or undefined. */
export function parseTime(text: string): number | undefined {
  const m = TIME_RE.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  const s = Number(m[3] ?? 0);
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return ((h * 60 + mi) * 60 + s) * 1000 + (m[4] ? Math.floor(Number(`0.${m[4]}`) * 1000 + 1e-9) : 0);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function fraction(ms: number): string {
  if (ms === 0) return '0';
  return String(ms).padStart(3, '0').replace(/0+$/, '');
}

/** "2016-07-19 17:05:00.0": the way the guide shows TIMESTAMP values. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return `${y < 1000 ? String(y).padStart(4, '0') : y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${fraction(d.getUTCMilliseconds())}`;
}

/** "2016-07-19". */
export function formatDate(ms: number): string {
  return formatTimestamp(ms).slice(0, 10);
}

/** "17:05:00" (with a fraction when it has milliseconds). */
export function formatTime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const rest = ms - s * 1000;
  const base = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
  return rest ? `${base}.${fraction(rest)}` : base;
}
