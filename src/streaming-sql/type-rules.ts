/**
 * The type rules of the SQL dialect: which types meet (comparison, CASE, arithmetic), which may be stored in which
 * column, and the code that converts a value from one type to another (CAST, assignment, implicit widening).
 */
import type { Pos } from './ast';
import { makeCoercer, toText } from './coercion';
import { SqlRuntimeError } from './errors';
import type { Code, ExprCompiler } from './expression-compiler';
import {
  asDecimal,
  INT_RANGE,
  isDatetime,
  isNumeric,
  isString,
  MAX_PRECISION,
  numberToDec,
  numberToDecBig,
  POW10,
  POW10N,
  repOf,
  type SqlType,
  sqlType,
  T,
  typeText,
} from './types';

/** Whether two types are the same, parameters included. */
export function sameType(a: SqlType, b: SqlType): boolean {
  return a.kind === b.kind && a.precision === b.precision && a.scale === b.scale && a.length === b.length;
}

/** The VARCHAR a string function returns for an argument of type `t` (its length kept). */
export function varcharOf(t: SqlType): SqlType {
  return t.kind === 'NULL' ? T.VARCHAR : sqlType('VARCHAR', 0, 0, t.length);
}

/** The type two operands meet at for comparison or CASE; undefined when they cannot meet. */
export function commonType(a: SqlType, b: SqlType): SqlType | undefined {
  if (a.kind === 'NULL') return b;
  if (b.kind === 'NULL') return a;
  if (isNumeric(a) && isNumeric(b)) {
    const ra = repOf(a);
    const rb = repOf(b);
    if (ra === 'float' || rb === 'float') return T.DOUBLE;
    if (ra === 'int' && rb === 'int') return INT_RANGE[a.kind]![1] >= INT_RANGE[b.kind]![1] ? a : b;
    if ((ra === 'int' || ra === 'big') && (rb === 'int' || rb === 'big')) return T.BIGINT;
    const da = asDecimal(a);
    const db = asDecimal(b);
    const s = Math.max(da.scale, db.scale);
    const p = Math.min(MAX_PRECISION, Math.max(da.precision - da.scale, db.precision - db.scale) + s);
    return sqlType('DECIMAL', p, s);
  }
  if (isString(a) && isString(b)) return sqlType('VARCHAR', 0, 0, Math.max(a.length, b.length));
  if (isDatetime(a) && isDatetime(b)) {
    if (a.kind === b.kind) return a;
    if (a.kind !== 'TIME' && b.kind !== 'TIME') return T.TIMESTAMP;
    return undefined;
  }
  if (a.kind === b.kind) return a;
  return undefined;
}

/** Whether a value of type `from` may be stored in a column of type `to` (the assignment rule of INSERT). */
export function assignable(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL' || sameType(from, to)) return true;
  if (isNumeric(from) && isNumeric(to)) return true;
  if (isString(from) && isString(to)) return true;
  if (isDatetime(from) && isDatetime(to)) return true;
  return from.kind === to.kind;
}

/**
 * Converts a value to another type. `explicit` (CAST, assignment to a column) also allows text <-> other types;
 * implicit conversion only widens within a family.
 */
export function convert(compiler: ExprCompiler, c: Code, to: SqlType, pos: Pos, explicit: boolean): Code {
  const from = c.type;
  if (from.kind === 'NULL') return compiler.literal(null, to);
  if (sameType(from, to)) return c;
  const fr = repOf(from);
  const tr = repOf(to);
  const cannot = (): never =>
    compiler.fail(`cannot convert ${typeText(from)} to ${typeText(to)}${explicit ? '' : '; use CAST'}`, pos);
  let out: Code | undefined;
  if (isNumeric(from) && isNumeric(to)) out = convertNumeric(compiler, c, to);
  else if (isString(to)) {
    if (!isString(from) && !explicit) cannot();
    const len = to.length;
    const pad = to.kind === 'CHAR';
    const fitLength = (s: string): string =>
      s.length > len ? s.slice(0, len) : pad && s.length < len ? s.padEnd(len, ' ') : s;
    if (isString(from) && !pad && from.length <= len)
      out = { code: c.code, type: to, ...(c.constant ? { constant: c.constant } : {}) };
    else {
      const f = from;
      const k = compiler.module.constant((v: unknown) => fitLength(toText(v, f)));
      out = compiler.call1(k, c, to);
    }
  } else if (isString(from)) {
    if (!explicit && !c.constant) cannot();
    if (to.kind === 'INTERVAL') cannot();
    const coerce = makeCoercer(to, '');
    out = compiler.call1(compiler.module.constant(coerce), c, to);
    if (c.constant) {
      try {
        return compiler.literal(coerce(c.constant.value), to);
      } catch (error) {
        if (error instanceof SqlRuntimeError)
          compiler.fail(`cannot convert '${String(c.constant.value)}' to ${typeText(to)}`, pos);
        throw error;
      }
    }
  } else if (isDatetime(from) && isDatetime(to)) {
    if (to.kind === 'DATE') out = compiler.unaryNullSafe(c, (r) => `Math.floor(${r} / 86400000) * 86400000`, to);
    else if (to.kind === 'TIME')
      out = compiler.unaryNullSafe(c, (r) => `((${r} % 86400000) + 86400000) % 86400000`, to);
    else if (from.kind === 'DATE') out = { ...c, type: to };
    else cannot();
  } else if (fr === 'bool' && tr === 'bool') out = { ...c, type: to };
  else if (explicit && fr === 'bool' && (tr === 'int' || tr === 'float'))
    out = compiler.unaryNullSafe(c, (r) => `(${r} ? 1 : 0)`, to);
  else if (explicit && isNumeric(from) && tr === 'bool') out = compiler.unaryNullSafe(c, (r) => `(${r} != 0)`, to);
  else cannot();
  return compiler.fold(out!, [c], pos);
}

function convertNumeric(compiler: ExprCompiler, c: Code, to: SqlType): Code {
  const from = c.type;
  const fr = repOf(from);
  const tr = repOf(to);
  const K = (v: unknown): string => compiler.module.constant(v);
  if (tr === 'float') {
    if (fr === 'int' || fr === 'float') return { ...c, type: to };
    if (fr === 'big') return compiler.call1('rt.toNum', c, to);
    return compiler.call1('rt.decToFloat', c, to, `, ${from.scale}`);
  }
  if (tr === 'int') {
    const [min, max] = INT_RANGE[to.kind]!;
    if (fr === 'int') {
      const [fmin, fmax] = INT_RANGE[from.kind]!;
      if (fmin >= min && fmax <= max) return { ...c, type: to };
      return compiler.call1('rt.checkInt', c, to, `, ${min}, ${max}`);
    }
    if (fr === 'float') return compiler.call1('rt.floatToInt', c, to, `, ${min}, ${max}`);
    if (fr === 'big') return compiler.call1('rt.bigToInt', c, to, `, ${min}, ${max}`);
    return compiler.call1('rt.decToInt', c, to, `, ${from.scale}, ${min}, ${max}`);
  }
  if (tr === 'big') {
    if (fr === 'int' || fr === 'float') return compiler.call1('rt.toBig', c, to);
    return compiler.call1('rt.decToBig', c, to, `, ${from.scale}`);
  }
  // to DECIMAL
  const big = tr === 'decbig';
  if (fr === 'float') {
    const t = to;
    return compiler.call1(K(big ? (v: number) => numberToDecBig(v, t) : (v: number) => numberToDec(v, t)), c, to);
  }
  const fd = asDecimal(from);
  const fromBig = fr === 'big' || fr === 'decbig';
  const intDigitsFit = fd.precision - fd.scale <= to.precision - to.scale;
  if (!fromBig && !big && intDigitsFit && to.scale >= fd.scale) {
    // widening within doubles: exact while the result stays below 10^15
    const f = POW10[to.scale - fd.scale]!;
    return f === 1 ? { ...c, type: to } : compiler.unaryNullSafe(c, (r) => `${r} * ${f}`, to);
  }
  if (big && intDigitsFit && to.scale >= fd.scale) {
    const f = POW10N[to.scale - fd.scale]!;
    const asBig = fromBig ? c : compiler.call1('BigInt', c, to);
    return f === 1n ? { ...asBig, type: to } : compiler.unaryNullSafe(asBig, (r) => `${r} * ${f}n`, to);
  }
  return compiler.call1('rt.decConv', c, to, `, ${fd.scale}, ${to.scale}, ${to.precision}, ${big}`);
}
