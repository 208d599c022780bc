/**
 * Values in and out of the in-memory representation of types.ts: source values (JSON values, CSV text) coerced into
 * a column's type following sch-mapping.md, in-memory values as OutputRow.values carries them, and as display text.
 */
import { SqlRuntimeError } from './errors';
import {
  BIGINT_MAX,
  BIGINT_MIN,
  decimalTextToUnscaled,
  formatDate,
  formatDecimal,
  formatTime,
  formatTimestamp,
  INT_RANGE,
  MAX_NUMBER_PRECISION,
  numberToDec,
  numberToDecBig,
  POW10,
  POW10N,
  parseTime,
  parseTimestamp,
  repOf,
  type SqlType,
  typeText,
  unscaledToDec,
} from './types';

function coercionError(value: unknown, t: SqlType, column: string): never {
  let shown: string;
  try {
    shown =
      typeof value === 'string'
        ? `'${value.length > 64 ? `${value.slice(0, 64)}...` : value}'`
        : (JSON.stringify(value) ?? String(value));
  } catch {
    shown = String(value);
  }
  throw new SqlRuntimeError(
    'Type_Conversion_Error',
    `Unable to convert ${shown} to ${typeText(t)}${column ? ` for column ${column}` : ''}`,
  );
}

const NUMBER_TEXT = /^\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*$/;
const INT_TEXT = /^\s*[+-]?[0-9]+\s*$/;

/** A coercer turns one source value (JSON value, or CSV text) into the column's in-memory value; throws on failure. */
export type Coercer = (value: unknown) => unknown;

/**
 * Builds the coercer from JSON values (strings included, as CSV fields arrive) to a column type, with the rules of
 * sch-mapping.md. `emptyIsNull`: CSV empty fields read as NULL for non-character columns.
 */
export function makeCoercer(t: SqlType, column: string, emptyIsNull = false): Coercer {
  const fail = (v: unknown): never => coercionError(v, t, column);
  const isEmpty = (v: unknown): boolean => emptyIsNull && v === '';
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER': {
      const [min, max] = INT_RANGE[t.kind]!;
      const slow = (v: unknown): number | null => {
        if (v === null || v === undefined || isEmpty(v)) return null;
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string' && NUMBER_TEXT.test(v)) {
          const n = Number(v);
          if (Number.isInteger(n) && n >= min && n <= max) return n;
        }
        return fail(v);
      };
      return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : slow(v));
    }
    case 'BIGINT':
      return (v) => {
        if (typeof v === 'number') {
          if (Number.isSafeInteger(v)) return BigInt(v);
          if (Number.isInteger(v) && v >= -(2 ** 63) && v < 2 ** 63) return BigInt(v);
          return fail(v);
        }
        if (v === null || v === undefined || isEmpty(v)) return null;
        if (typeof v === 'boolean') return v ? 1n : 0n;
        if (typeof v === 'string' && INT_TEXT.test(v)) {
          const b = BigInt(v.trim());
          if (b >= BIGINT_MIN && b <= BIGINT_MAX) return b;
        }
        return fail(v);
      };
    case 'DECIMAL': {
      const small = t.precision <= MAX_NUMBER_PRECISION;
      const fromText = (v: string): number | bigint => {
        const u = decimalTextToUnscaled(v, t.scale);
        if (u === undefined) return fail(v);
        return unscaledToDec(u, t, v);
      };
      if (small)
        return (v) => {
          if (typeof v === 'number') return numberToDec(v, t);
          if (v === null || v === undefined || isEmpty(v)) return null;
          if (typeof v === 'string') return fromText(v);
          if (typeof v === 'boolean') return v ? POW10[t.scale]! : 0;
          return fail(v);
        };
      return (v) => {
        if (typeof v === 'number') return numberToDecBig(v, t);
        if (v === null || v === undefined || isEmpty(v)) return null;
        if (typeof v === 'string') return fromText(v);
        if (typeof v === 'boolean') return v ? POW10N[t.scale]! : 0n;
        return fail(v);
      };
    }
    case 'DOUBLE':
    case 'REAL':
      return (v) => {
        if (typeof v === 'number') return v;
        if (v === null || v === undefined || isEmpty(v)) return null;
        if (typeof v === 'boolean') return v ? 1 : 0;
        if (typeof v === 'string' && NUMBER_TEXT.test(v)) return Number(v);
        return fail(v);
      };
    case 'BOOLEAN':
      return (v) => {
        if (typeof v === 'boolean') return v;
        if (v === null || v === undefined || isEmpty(v)) return null;
        if (typeof v === 'number') return v !== 0;
        if (typeof v === 'string') return v.trim().toLowerCase() === 'true';
        return fail(v);
      };
    case 'VARCHAR':
    case 'CHAR': {
      const len = t.length;
      const pad = t.kind === 'CHAR';
      const fitLength = (s: string): string =>
        s.length > len ? s.slice(0, len) : pad && s.length < len ? s.padEnd(len, ' ') : s;
      return (v) => {
        if (typeof v === 'string') return v.length <= len && !pad ? v : fitLength(v);
        if (v === null || v === undefined) return null;
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return fitLength(String(v));
        return fitLength(JSON.stringify(v));
      };
    }
    case 'TIMESTAMP':
    case 'DATE':
      return (v) => {
        if (v === null || v === undefined || isEmpty(v)) return null;
        if (typeof v !== 'string') return fail(v);
        const ms = parseTimestamp(v);
        if (ms === undefined) return fail(v);
        return t.kind === 'DATE' ? Math.floor(ms / 86400000) * 86400000 : ms;
      };
    case 'TIME':
      return (v) => {
        if (v === null || v === undefined || isEmpty(v)) return null;
        if (typeof v !== 'string') return fail(v);
        const ms = parseTime(v) ?? parseTimestamp(v);
        if (ms === undefined) return fail(v);
        return ((ms % 86400000) + 86400000) % 86400000;
      };
    default:
      return () => null;
  }
}

/** An in-memory value -> the value OutputRow.values carries (DECIMAL becomes its exact text). */
export function toExternal(value: unknown, t: SqlType): unknown {
  if (value === null) return null;
  if (t.kind === 'DECIMAL') return formatDecimal(value as number | bigint, t.scale);
  return value;
}

/** An in-memory value -> display text (CSV output, VARCHAR casts, `||`). */
export function toText(value: unknown, t: SqlType): string {
  switch (repOf(t)) {
    case 'dec':
    case 'decbig':
      return formatDecimal(value as number | bigint, t.scale);
    case 'time':
      if (t.kind === 'DATE') return formatDate(value as number);
      if (t.kind === 'TIME') return formatTime(value as number);
      if (t.kind === 'INTERVAL') return String(value);
      return formatTimestamp(value as number);
    case 'float':
      return formatDouble(value as number);
    default:
      return String(value);
  }
}

/** Doubles print as their shortest round-trip text, as JSON does. */
export function formatDouble(v: number): string {
  return String(v);
}
