/**
 * Type-checks SQL expressions and turns each into a JavaScript expression string over the in-memory representation
 * of types.ts, with SQL's NULL semantics and three-valued logic. Constants fold at compile time.
 */
import type { Expr, Pos } from './ast';
import { charToTimestamp, timestampToChar } from './datetime-format';
import { SqlCompileError, SqlRuntimeError } from './errors';
import { rt, UNIT_MS } from './runtime';
import {
  asDecimal,
  isDatetime,
  isExactNumeric,
  isNumeric,
  isString,
  MAX_NUMBER_PRECISION,
  MAX_PRECISION,
  makeCoercer,
  numberToDec,
  numberToDecBig,
  POW10,
  POW10N,
  parseTime,
  parseTimestamp,
  repOf,
  resolveType,
  type SqlType,
  sqlType,
  T,
  toText,
  typeText,
} from './types';

/** A compiled expression: JS code, its SQL type, and its value when constant. */
export interface Code {
  code: string;
  type: SqlType;
  constant?: { value: unknown };
}

/** Resolves names for the compiler: columns of a row, or group keys and aggregates of a window. */
export interface Scope {
  column(e: Expr & { kind: 'column' }): Code;
  /** In a grouped select: the code of a GROUP BY expression this expression equals, if any. */
  groupKey?(e: Expr): Code | undefined;
  /** In a grouped select: the code of an aggregate call. */
  aggregate?(e: Expr & { kind: 'call' }): Code;
  /** CURRENT_ROW_TIMESTAMP and friends. */
  rowtimeCode: string;
}

/** Aggregate functions, for GROUP BY windows and OVER sliding windows. */
export const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);

const INT_LIMITS: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647],
};

/** Shared state of one generated module: its constants (`K[i]`). */
export class Module {
  readonly constants: unknown[] = [];
  constant(value: unknown): string {
    let i = this.constants.indexOf(value);
    if (i < 0) i = this.constants.push(value) - 1;
    return `K[${i}]`;
  }
}

/** Compiles expressions for one generated function; temporaries `tN` are declared by `declarations()`. */
export class ExprCompiler {
  private temps = 0;
  constructor(
    readonly module: Module,
    readonly scope: Scope,
  ) {}

  temp(): string {
    return `t${this.temps++}`;
  }

  declarations(): string {
    if (this.temps === 0) return '';
    return `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};\n`;
  }

  fail(reason: string, pos: Pos): never {
    throw new SqlCompileError(reason, pos);
  }

  // ------------------------------------------------------------------ helpers

  literal(value: unknown, type: SqlType): Code {
    return { code: this.valueCode(value), type, constant: { value } };
  }

  private valueCode(value: unknown): string {
    if (value === null) return 'null';
    switch (typeof value) {
      case 'number':
        if (Object.is(value, -0)) return '0';
        return value < 0 ? `(${value})` : Number.isFinite(value) ? String(value) : this.module.constant(value);
      case 'bigint':
        return value < 0n ? `(${value}n)` : `${value}n`;
      case 'string':
        return JSON.stringify(value);
      case 'boolean':
        return String(value);
      default:
        return this.module.constant(value);
    }
  }

  /** True when the code is a plain variable, element or literal: cheap to repeat, no side effects. */
  private simple(c: Code): boolean {
    return (
      c.constant !== undefined ||
      /^(?:[A-Za-z_$][\w$]*(?:\[\d+\])?|\([-0-9.n]+\)|[0-9.]+n?|"(?:[^"\\]|\\.)*")$/.test(c.code)
    );
  }

  /** Evaluates `c` once into a temporary unless it is simple; returns [prelude-assignment, reference]. */
  private once(c: Code): [string, string] {
    if (this.simple(c)) return [c.code, c.code];
    const t = this.temp();
    return [`(${t} = ${c.code})`, t];
  }

  /** `fn(x)` where x may be null: null in, null out. `fn` receives the reference text. */
  private unaryNullSafe(c: Code, fn: (ref: string) => string, type: SqlType): Code {
    if (c.constant && c.constant.value === null) return this.literal(null, type);
    const [first, ref] = this.once(c);
    return { code: `(${first} === null ? null : ${fn(ref)})`, type };
  }

  /** `fn(a, b)` with NULL propagation. */
  private binaryNullSafe(a: Code, b: Code, fn: (x: string, y: string) => string, type: SqlType): Code {
    if ((a.constant && a.constant.value === null) || (b.constant && b.constant.value === null))
      return this.literal(null, type);
    const [fa, ra] = this.once(a);
    const [fb, rb] = this.once(b);
    const tests = [a.constant ? '' : `${fa} === null`, b.constant ? '' : `${fb} === null`].filter(Boolean);
    const body = fn(ra, rb);
    return { code: tests.length ? `(${tests.join(' || ')} ? null : ${body})` : `(${body})`, type };
  }

  private call1(fnConst: string, c: Code, type: SqlType, extra = ''): Code {
    return this.unaryNullSafe(c, (r) => `${fnConst}(${r}${extra})`, type);
  }

  /** Folds code whose inputs are all constant by running it. */
  private fold(c: Code, inputs: Code[], pos: Pos): Code {
    if (c.constant || !inputs.every((i) => i.constant)) return c;
    try {
      const value = new Function(
        'rt',
        'K',
        `let ${Array.from({ length: this.temps + 1 }, (_, i) => `t${i}`).join(', ')}; return ${c.code};`,
      )(rt, this.module.constants);
      return this.literal(value, c.type);
    } catch (error) {
      if (error instanceof SqlRuntimeError) this.fail(error.message, pos);
      throw error;
    }
  }

  // ------------------------------------------------------------------ conversions

  /**
   * Converts a value to another type. `explicit` (CAST, assignment to a column) also allows text <-> other types;
   * implicit conversion only widens within a family.
   */
  convert(c: Code, to: SqlType, pos: Pos, explicit: boolean): Code {
    const from = c.type;
    if (from.kind === 'NULL') return this.literal(null, to);
    if (sameType(from, to)) return c;
    const fr = repOf(from);
    const tr = repOf(to);
    const cannot = (): never =>
      this.fail(`cannot convert ${typeText(from)} to ${typeText(to)}${explicit ? '' : '; use CAST'}`, pos);
    let out: Code | undefined;
    if (isNumeric(from) && isNumeric(to)) out = this.convertNumeric(c, to);
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
        const k = this.module.constant((v: unknown) => fitLength(toText(v, f)));
        out = this.call1(k, c, to);
      }
    } else if (isString(from)) {
      if (!explicit && !c.constant) cannot();
      if (to.kind === 'INTERVAL') cannot();
      const coerce = makeCoercer(to, '');
      out = this.call1(this.module.constant(coerce), c, to);
      if (c.constant) {
        try {
          return this.literal(coerce(c.constant.value), to);
        } catch (error) {
          if (error instanceof SqlRuntimeError)
            this.fail(`cannot convert '${String(c.constant.value)}' to ${typeText(to)}`, pos);
          throw error;
        }
      }
    } else if (isDatetime(from) && isDatetime(to)) {
      if (to.kind === 'DATE') out = this.unaryNullSafe(c, (r) => `Math.floor(${r} / 86400000) * 86400000`, to);
      else if (to.kind === 'TIME') out = this.unaryNullSafe(c, (r) => `((${r} % 86400000) + 86400000) % 86400000`, to);
      else if (from.kind === 'DATE') out = { ...c, type: to };
      else cannot();
    } else if (fr === 'bool' && tr === 'bool') out = { ...c, type: to };
    else if (explicit && fr === 'bool' && (tr === 'int' || tr === 'float'))
      out = this.unaryNullSafe(c, (r) => `(${r} ? 1 : 0)`, to);
    else if (explicit && isNumeric(from) && tr === 'bool') out = this.unaryNullSafe(c, (r) => `(${r} != 0)`, to);
    else cannot();
    return this.fold(out!, [c], pos);
  }

  private convertNumeric(c: Code, to: SqlType): Code {
    const from = c.type;
    const fr = repOf(from);
    const tr = repOf(to);
    const K = (v: unknown): string => this.module.constant(v);
    if (tr === 'float') {
      if (fr === 'int' || fr === 'float') return { ...c, type: to };
      if (fr === 'big') return this.call1('rt.toNum', c, to);
      return this.call1('rt.decToFloat', c, to, `, ${from.scale}`);
    }
    if (tr === 'int') {
      const [min, max] = INT_LIMITS[to.kind]!;
      if (fr === 'int') {
        const [fmin, fmax] = INT_LIMITS[from.kind]!;
        if (fmin >= min && fmax <= max) return { ...c, type: to };
        return this.call1('rt.checkInt', c, to, `, ${min}, ${max}`);
      }
      if (fr === 'float') return this.call1('rt.floatToInt', c, to, `, ${min}, ${max}`);
      if (fr === 'big') return this.call1('rt.bigToInt', c, to, `, ${min}, ${max}`);
      return this.call1('rt.decToInt', c, to, `, ${from.scale}, ${min}, ${max}`);
    }
    if (tr === 'big') {
      if (fr === 'int' || fr === 'float') return this.call1('rt.toBig', c, to);
      return this.call1('rt.decToBig', c, to, `, ${from.scale}`);
    }
    // to DECIMAL
    const big = tr === 'decbig';
    if (fr === 'float') {
      const t = to;
      return this.call1(K(big ? (v: number) => numberToDecBig(v, t) : (v: number) => numberToDec(v, t)), c, to);
    }
    const fd = asDecimal(from);
    const fromBig = fr === 'big' || fr === 'decbig';
    const intDigitsFit = fd.precision - fd.scale <= to.precision - to.scale;
    if (!fromBig && !big && intDigitsFit && to.scale >= fd.scale) {
      // widening within doubles: exact while the result stays below 10^15
      const f = POW10[to.scale - fd.scale]!;
      return f === 1 ? { ...c, type: to } : this.unaryNullSafe(c, (r) => `${r} * ${f}`, to);
    }
    if (big && intDigitsFit && to.scale >= fd.scale) {
      const f = POW10N[to.scale - fd.scale]!;
      const asBig = fromBig ? c : this.call1('BigInt', c, to);
      return f === 1n ? { ...asBig, type: to } : this.unaryNullSafe(asBig, (r) => `${r} * ${f}n`, to);
    }
    return this.call1('rt.decConv', c, to, `, ${fd.scale}, ${to.scale}, ${to.precision}, ${big}`);
  }

  // ------------------------------------------------------------------ expressions

  /** Compiles an expression whose value must be BOOLEAN (WHERE, HAVING, CASE WHEN). */
  condition(e: Expr, what: string): Code {
    const c = this.expr(e);
    if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL')
      this.fail(`${what} must be a condition (BOOLEAN), not ${typeText(c.type)}`, e.pos);
    return c;
  }

  expr(e: Expr): Code {
    const key = this.scope.groupKey?.(e);
    if (key) return key;
    switch (e.kind) {
      case 'literal':
        return this.literalExpr(e);
      case 'typed-literal': {
        const ms = e.type === 'TIME' ? parseTime(e.text) : parseTimestamp(e.text);
        if (ms === undefined) this.fail(`invalid ${e.type} literal '${e.text}'`, e.pos);
        return this.literal(e.type === 'DATE' ? Math.floor(ms! / 86400000) * 86400000 : ms!, sqlType(e.type));
      }
      case 'interval': {
        if (!/^\s*-?[0-9]+(?:\.[0-9]+)?\s*$/.test(e.text)) this.fail(`invalid INTERVAL value '${e.text}'`, e.pos);
        const unit = UNIT_MS[e.unit];
        if (unit === undefined)
          this.fail(`INTERVAL ... ${e.unit} is not supported; use SECOND, MINUTE, HOUR or DAY`, e.pos);
        return this.literal(Math.round(Number(e.text) * unit!), T.INTERVAL);
      }
      case 'column':
        return this.scope.column(e);
      case 'unary':
        return this.unary(e);
      case 'binary':
        return this.binary(e);
      case 'between':
        return this.between(e);
      case 'in':
        return this.inList(e);
      case 'like':
        return this.like(e);
      case 'is':
        return this.is(e);
      case 'case':
        return this.caseExpr(e);
      case 'cast': {
        const type = resolveType(e.type.name, e.type.args);
        if (typeof type === 'string') this.fail(type, e.type.pos);
        return this.convert(this.expr(e.expr), type as SqlType, e.pos, true);
      }
      case 'call':
        return this.call(e);
      case 'floor-to': {
        const c = this.expr(e.expr);
        if (!isDatetime(c.type))
          this.fail(`${e.fn}(... TO ${e.unit}) needs a TIMESTAMP, not ${typeText(c.type)}`, e.pos);
        return this.fold(
          this.call1(
            'rt.floorTo',
            c,
            c.type.kind === 'TIME' ? c.type : T.TIMESTAMP,
            `, "${e.unit}", ${e.fn === 'CEIL'}`,
          ),
          [c],
          e.pos,
        );
      }
      case 'step': {
        const c = this.expr(e.expr);
        const size = this.expr(e.interval);
        if (isDatetime(c.type)) {
          if (size.type.kind !== 'INTERVAL') this.fail(`STEP over a time needs BY INTERVAL 'n' unit`, e.interval.pos);
          return this.binaryNullSafe(c, size, (a, b) => `rt.step(${a}, ${b})`, c.type);
        }
        if (repOf(c.type) === 'int' && repOf(size.type) === 'int')
          return this.binaryNullSafe(c, size, (a, b) => `rt.step(${a}, ${b})`, c.type);
        return this.fail(`STEP needs a TIMESTAMP (or INTEGER) and BY INTERVAL 'n' unit`, e.pos);
      }
      case 'trim': {
        const s = this.stringArg(e.expr, 'TRIM');
        const chars = e.chars ? this.stringArg(e.chars, 'TRIM') : this.literal(' ', T.VARCHAR);
        const side = e.side === 'BOTH' ? 0 : e.side === 'LEADING' ? 1 : 2;
        return this.fold(
          { code: `rt.trim(${s.code}, ${chars.code}, ${side})`, type: varcharOf(s.type) },
          [s, chars],
          e.pos,
        );
      }
    }
  }

  private literalExpr(e: Expr & { kind: 'literal' }): Code {
    switch (e.type) {
      case 'NULL':
        return this.literal(null, T.NULL);
      case 'BOOLEAN':
        return this.literal(e.text === 'TRUE', T.BOOLEAN);
      case 'STRING':
        return this.literal(e.text, sqlType('CHAR', 0, 0, Math.max(1, e.text.length)));
      case 'DOUBLE':
        return this.literal(Number(e.text), T.DOUBLE);
      case 'INTEGER': {
        const n = Number(e.text);
        if (Number.isSafeInteger(n) && n >= -2147483648 && n <= 2147483647) return this.literal(n, T.INTEGER);
        const b = BigInt(e.text);
        if (b >= -(2n ** 63n) && b < 2n ** 63n) return this.literal(b, T.BIGINT);
        return this.decimalLiteral(e.text, e.pos);
      }
      case 'DECIMAL':
        return this.decimalLiteral(e.text, e.pos);
    }
  }

  private decimalLiteral(text: string, pos: Pos): Code {
    const neg = text.startsWith('-');
    const body = neg ? text.slice(1) : text;
    const [intPart = '', frac = ''] = body.split('.');
    const digits = (intPart + frac).replace(/^0+(?=\d)/, '');
    const scale = frac.length;
    const precision = Math.max(digits.length, scale, 1);
    if (precision > MAX_PRECISION) this.fail(`numeric literal ${text} has more than ${MAX_PRECISION} digits`, pos);
    const u = BigInt((neg ? '-' : '') + (digits || '0'));
    const type = sqlType('DECIMAL', precision, scale);
    return this.literal(precision <= MAX_NUMBER_PRECISION ? Number(u) : u, type);
  }

  private unary(e: Expr & { kind: 'unary' }): Code {
    const c = this.expr(e.operand);
    if (e.op === 'NOT') {
      if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL')
        this.fail(`NOT needs a BOOLEAN, not ${typeText(c.type)}`, e.pos);
      return this.fold(
        this.unaryNullSafe(c, (r) => `!${r}`, T.BOOLEAN),
        [c],
        e.pos,
      );
    }
    if (!isNumeric(c.type) && c.type.kind !== 'INTERVAL' && c.type.kind !== 'NULL')
      this.fail(`unary ${e.op} needs a number, not ${typeText(c.type)}`, e.pos);
    if (e.op === '+') return c;
    return this.fold(
      this.unaryNullSafe(c, (r) => `-${r}`, c.type),
      [c],
      e.pos,
    );
  }

  private logical(op: 'AND' | 'OR', a: Code, b: Code): Code {
    const ta = this.temp();
    const tb = this.temp();
    const stop = op === 'AND' ? 'false' : 'true';
    const go = op === 'AND' ? 'true' : 'false';
    // short-circuits like SQL engines do, so `x <> 0 AND y / x > 1` never divides by zero
    return {
      code: `((${ta} = ${a.code}) === ${stop} ? ${stop} : (${tb} = ${b.code}) === ${stop} ? ${stop} : ${ta} === null || ${tb} === null ? null : ${go})`,
      type: T.BOOLEAN,
    };
  }

  private binary(e: Expr & { kind: 'binary' }): Code {
    if (e.op === 'AND' || e.op === 'OR') {
      const a = this.condition(e.left, e.op);
      const b = this.condition(e.right, e.op);
      return this.fold(this.logical(e.op, a, b), [a, b], e.pos);
    }
    const a = this.expr(e.left);
    const b = this.expr(e.right);
    let out: Code;
    switch (e.op) {
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
        out = this.compare(e.op, a, b, e.pos);
        break;
      case '||': {
        const sa = isString(a.type) || a.type.kind === 'NULL' ? a : this.convert(a, T.VARCHAR, e.pos, true);
        const sb = isString(b.type) || b.type.kind === 'NULL' ? b : this.convert(b, T.VARCHAR, e.pos, true);
        const len = sa.type.length + sb.type.length;
        out = this.binaryNullSafe(sa, sb, (x, y) => `${x} + ${y}`, sqlType('VARCHAR', 0, 0, len));
        break;
      }
      default:
        out = this.arithmetic(e.op, a, b, e.pos);
    }
    return this.fold(out, [a, b], e.pos);
  }

  /** The type two operands meet at for comparison or CASE; undefined when they cannot meet. */
  commonType(a: SqlType, b: SqlType): SqlType | undefined {
    if (a.kind === 'NULL') return b;
    if (b.kind === 'NULL') return a;
    if (isNumeric(a) && isNumeric(b)) {
      const ra = repOf(a);
      const rb = repOf(b);
      if (ra === 'float' || rb === 'float') return T.DOUBLE;
      if (ra === 'int' && rb === 'int') return INT_LIMITS[a.kind]![1] >= INT_LIMITS[b.kind]![1] ? a : b;
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

  /** Brings two operands to one type; a constant string meets the other side's type (`ts > '2020-01-01'`). */
  private unify(a: Code, b: Code, pos: Pos, what: string): [Code, Code, SqlType] {
    if (a.constant && isString(a.type) && !isString(b.type) && b.type.kind !== 'NULL')
      a = this.convert(a, b.type, pos, true);
    if (b.constant && isString(b.type) && !isString(a.type) && a.type.kind !== 'NULL')
      b = this.convert(b, a.type, pos, true);
    const t = this.commonType(a.type, b.type);
    if (!t) return this.fail(`cannot ${what} ${typeText(a.type)} and ${typeText(b.type)}`, pos);
    if (isString(t)) return [a, b, t];
    return [this.convert(a, t, pos, false), this.convert(b, t, pos, false), t];
  }

  private compare(op: string, a: Code, b: Code, pos: Pos): Code {
    let [ca, cb] = this.unify(a, b, pos, 'compare');
    // CHAR columns hold blank-padded values; SQL compares them as if trailing blanks were absent
    const padded = (c: Code): boolean => c.type.kind === 'CHAR' && !c.constant;
    if (isString(ca.type) && isString(cb.type) && (padded(ca) || padded(cb))) {
      const trim = (c: Code): Code =>
        c.constant
          ? this.literal(typeof c.constant.value === 'string' ? c.constant.value.replace(/ +$/, '') : null, c.type)
          : this.unaryNullSafe(c, (r) => `${r}.replace(/ +$/, '')`, c.type);
      ca = trim(ca);
      cb = trim(cb);
    }
    const js = op === '=' ? '===' : op === '<>' ? '!==' : op;
    return this.binaryNullSafe(ca, cb, (x, y) => `${x} ${js} ${y}`, T.BOOLEAN);
  }

  private arithmetic(op: string, a: Code, b: Code, pos: Pos): Code {
    const ta = a.type;
    const tb = b.type;
    // date-time arithmetic with intervals, in ms
    if (ta.kind === 'INTERVAL' || tb.kind === 'INTERVAL' || isDatetime(ta) || isDatetime(tb)) {
      if (isDatetime(ta) && tb.kind === 'INTERVAL' && (op === '+' || op === '-'))
        return this.binaryNullSafe(a, b, (x, y) => `${x} ${op} ${y}`, ta.kind === 'DATE' ? T.TIMESTAMP : ta);
      if (ta.kind === 'INTERVAL' && isDatetime(tb) && op === '+')
        return this.binaryNullSafe(a, b, (x, y) => `${x} + ${y}`, tb);
      if (isDatetime(ta) && isDatetime(tb) && op === '-') {
        const [ca, cb] = this.unify(a, b, pos, 'subtract');
        return this.binaryNullSafe(ca, cb, (x, y) => `${x} - ${y}`, T.INTERVAL);
      }
      if (ta.kind === 'INTERVAL' && tb.kind === 'INTERVAL' && (op === '+' || op === '-'))
        return this.binaryNullSafe(a, b, (x, y) => `${x} ${op} ${y}`, T.INTERVAL);
      if (ta.kind === 'INTERVAL' && isNumeric(tb) && (op === '*' || op === '/')) {
        const nb = this.convert(b, T.DOUBLE, pos, false);
        return this.binaryNullSafe(
          a,
          nb,
          (x, y) => (op === '*' ? `Math.round(${x} * ${y})` : `Math.round(rt.divFloat(${x}, ${y}))`),
          T.INTERVAL,
        );
      }
      return this.fail(`cannot apply ${op} to ${typeText(ta)} and ${typeText(tb)}`, pos);
    }
    if (!(isNumeric(ta) || ta.kind === 'NULL') || !(isNumeric(tb) || tb.kind === 'NULL'))
      return this.fail(`cannot apply ${op} to ${typeText(ta)} and ${typeText(tb)}`, pos);
    const common = this.commonType(ta, tb)!;
    if (common.kind === 'NULL') return this.literal(null, T.INTEGER);
    const rep = repOf(common);
    if (rep === 'float' || rep === 'int' || rep === 'big') {
      const t = rep === 'int' ? T.INTEGER : common;
      const ca = this.convert(a, t, pos, false);
      const cb = this.convert(b, t, pos, false);
      if (op === '/')
        return this.binaryNullSafe(
          ca,
          cb,
          (x, y) => `rt.${rep === 'float' ? 'divFloat' : rep === 'int' ? 'divInt' : 'divBig'}(${x}, ${y})`,
          t,
        );
      if (op === '%')
        return this.binaryNullSafe(
          ca,
          cb,
          (x, y) => (rep === 'float' ? `${x} % ${y}` : `rt.${rep === 'int' ? 'modInt' : 'modBig'}(${x}, ${y})`),
          t,
        );
      return this.binaryNullSafe(ca, cb, (x, y) => `${x} ${op} ${y}`, t);
    }
    // exact decimal arithmetic
    const da = asDecimal(ta.kind === 'NULL' ? tb : ta);
    const db = asDecimal(tb.kind === 'NULL' ? ta : tb);
    if (op === '+' || op === '-') {
      const s = Math.max(da.scale, db.scale);
      const p = Math.min(MAX_PRECISION, Math.max(da.precision - da.scale, db.precision - db.scale) + s + 1);
      const t = sqlType('DECIMAL', p, s);
      return this.binaryNullSafe(
        this.convert(a, t, pos, false),
        this.convert(b, t, pos, false),
        (x, y) => `${x} ${op} ${y}`,
        t,
      );
    }
    if (op === '*') {
      const s = Math.min(MAX_PRECISION, da.scale + db.scale);
      const p = Math.min(MAX_PRECISION, da.precision + db.precision);
      const t = sqlType('DECIMAL', p, s);
      // operands keep their scale; only their representation follows the product's
      const ca = this.convert(
        a,
        sqlType(
          'DECIMAL',
          repOf(t) === 'dec' ? Math.min(da.precision, MAX_NUMBER_PRECISION) : Math.max(da.precision, 16),
          da.scale,
        ),
        pos,
        false,
      );
      const cb = this.convert(
        b,
        sqlType(
          'DECIMAL',
          repOf(t) === 'dec' ? Math.min(db.precision, MAX_NUMBER_PRECISION) : Math.max(db.precision, 16),
          db.scale,
        ),
        pos,
        false,
      );
      return this.binaryNullSafe(ca, cb, (x, y) => `${x} * ${y}`, t);
    }
    const ca = this.convert(a, da, pos, false);
    const cb = this.convert(b, db, pos, false);
    if (op === '%') {
      const s = Math.max(da.scale, db.scale);
      const t = sqlType('DECIMAL', MAX_PRECISION, s);
      const xa = this.convert(ca, t, pos, false);
      const xb = this.convert(cb, t, pos, false);
      return this.binaryNullSafe(xa, xb, (x, y) => `rt.modBig(${x}, ${y})`, t);
    }
    const s = Math.min(MAX_PRECISION, Math.max(6, da.scale, db.scale));
    return this.binaryNullSafe(
      ca,
      cb,
      (x, y) => `rt.divDec(${x}, ${da.scale}, ${y}, ${db.scale}, ${s})`,
      sqlType('DECIMAL', MAX_PRECISION, s),
    );
  }

  private between(e: Expr & { kind: 'between' }): Code {
    const v = this.expr(e.expr);
    const lo = this.expr(e.low);
    const hi = this.expr(e.high);
    const [first, ref] = this.once(v);
    const ge = this.compare('>=', { code: first, type: v.type }, lo, e.pos);
    const le = this.compare('<=', { code: ref, type: v.type }, hi, e.pos);
    let out = this.logical('AND', ge, le);
    if (e.not) out = this.unaryNullSafe(out, (r) => `!${r}`, T.BOOLEAN);
    return this.fold(out, [v, lo, hi], e.pos);
  }

  private inList(e: Expr & { kind: 'in' }): Code {
    const v = this.expr(e.expr);
    const items = e.list.map((x) => this.expr(x));
    let t = v.type;
    for (const [i, item] of items.entries()) {
      const c =
        item.constant && isString(item.type) && !isString(t) ? this.convert(item, t, e.list[i]!.pos, true) : item;
      const m = this.commonType(t, c.type);
      if (!m) this.fail(`cannot compare ${typeText(v.type)} with ${typeText(item.type)} in IN`, e.list[i]!.pos);
      t = m!;
    }
    const cv = isString(t) ? v : this.convert(v, t, e.pos, false);
    const ci = items.map((x, i) => {
      const c = x.constant && isString(x.type) && !isString(t) ? this.convert(x, t, e.list[i]!.pos, true) : x;
      return isString(t) ? c : this.convert(c, t, e.list[i]!.pos, false);
    });
    const tv = this.temp();
    const tn = this.temp();
    // true if any item equals; else NULL if the value or any item is NULL; else false
    const parts = ci.map((c) => {
      if (c.constant) return c.constant.value === null ? `((${tn} = true), false)` : `${tv} === ${c.code}`;
      const ti = this.temp();
      return `((${ti} = ${c.code}) === null ? ((${tn} = true), false) : ${tv} === ${ti})`;
    });
    let code = `((${tn} = false), (${tv} = ${cv.code}) === null ? null : (${parts.join(' || ')}) ? true : ${tn} ? null : false)`;
    if (e.not) code = `((${tv} = ${code}) === null ? null : !${tv})`;
    return this.fold({ code, type: T.BOOLEAN }, [v, ...items], e.pos);
  }

  private like(e: Expr & { kind: 'like' }): Code {
    const what = e.similar ? 'SIMILAR TO' : 'LIKE';
    const s = this.stringArg(e.expr, what);
    const p = this.stringArg(e.pattern, what);
    const esc = e.escape ? this.stringArg(e.escape, 'ESCAPE') : this.literal(null, T.VARCHAR);
    let out: Code;
    if (p.constant && esc.constant && p.constant.value !== null) {
      let re: RegExp;
      try {
        re = rt.likeToRegExp(p.constant.value as string, esc.constant.value as string | null, e.similar === true);
      } catch (error) {
        return this.fail(error instanceof Error ? error.message : String(error), e.pattern.pos);
      }
      out = this.unaryNullSafe(s, (r) => `${this.module.constant(re)}.test(${r})`, T.BOOLEAN);
    } else out = { code: `rt.like(${s.code}, ${p.code}, ${esc.code}, ${e.similar === true})`, type: T.BOOLEAN };
    if (e.not) out = this.unaryNullSafe(out, (r) => `!${r}`, T.BOOLEAN);
    return this.fold(out, [s, p, esc], e.pos);
  }

  private is(e: Expr & { kind: 'is' }): Code {
    const v = e.test === 'NULL' ? this.expr(e.expr) : this.condition(e.expr, 'IS');
    const target = e.test === 'NULL' || e.test === 'UNKNOWN' ? 'null' : e.test === 'TRUE' ? 'true' : 'false';
    return this.fold({ code: `(${v.code} ${e.not ? '!==' : '==='} ${target})`, type: T.BOOLEAN }, [v], e.pos);
  }

  private caseExpr(e: Expr & { kind: 'case' }): Code {
    const operand = e.operand ? this.expr(e.operand) : undefined;
    let opRef: Code | undefined;
    let prelude = '';
    if (operand) {
      const [first, ref] = this.once(operand);
      prelude = first === ref ? '' : `${first}, `;
      opRef = { code: ref, type: operand.type };
    }
    const conds = e.whens.map((w) =>
      opRef ? this.compare('=', opRef, this.expr(w.when), w.when.pos) : this.condition(w.when, 'WHEN'),
    );
    const results = e.whens.map((w) => this.expr(w.result));
    const otherwise = e.else ? this.expr(e.else) : this.literal(null, T.NULL);
    let t: SqlType = T.NULL;
    for (const [i, r] of [...results, otherwise].entries()) {
      const m = this.commonType(t, r.type);
      if (!m)
        this.fail(
          `CASE branches have incompatible types ${typeText(t)} and ${typeText(r.type)}`,
          (e.whens[i]?.result ?? e.else ?? e).pos,
        );
      t = m!;
    }
    const conv = (c: Code, pos: Pos): Code => (isString(t) ? c : this.convert(c, t, pos, false));
    let code = conv(otherwise, (e.else ?? e).pos).code;
    for (let i = e.whens.length - 1; i >= 0; i--)
      code = `(${conds[i]!.code}) === true ? ${conv(results[i]!, e.whens[i]!.result.pos).code} : ${code}`;
    return { code: `(${prelude}${code})`, type: t };
  }

  private stringArg(e: Expr, fn: string): Code {
    const c = this.expr(e);
    if (isString(c.type) || c.type.kind === 'NULL') return c;
    return this.fail(`${fn} needs a character string, not ${typeText(c.type)}`, e.pos);
  }

  private numericArg(e: Expr, fn: string): Code {
    const c = this.expr(e);
    if (isNumeric(c.type) || c.type.kind === 'NULL') return c.type.kind === 'NULL' ? this.literal(null, T.INTEGER) : c;
    return this.fail(`${fn} needs a number, not ${typeText(c.type)}`, e.pos);
  }

  private arity(e: Expr & { kind: 'call' }, min: number, max = min): void {
    if (e.star) this.fail(`${e.name}(*) is not valid`, e.pos);
    if (e.args.length < min || e.args.length > max)
      this.fail(
        `${e.name} takes ${min === max ? min : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${e.args.length}`,
        e.pos,
      );
  }

  private call(e: Expr & { kind: 'call' }): Code {
    if (AGGREGATES.has(e.name)) {
      if (!this.scope.aggregate)
        this.fail(
          `aggregate ${e.name} needs a window: add GROUP BY STEP(stream.ROWTIME BY INTERVAL 'n' SECOND) (or FLOOR(stream.ROWTIME TO MINUTE))`,
          e.pos,
        );
      return this.scope.aggregate!(e);
    }
    if (e.distinct) this.fail(`DISTINCT is only valid in aggregates`, e.pos);
    const out = this.scalarCall(e);
    return this.fold(out.code, out.inputs, e.pos);
  }

  private scalarCall(e: Expr & { kind: 'call' }): { code: Code; inputs: Code[] } {
    switch (e.name) {
      case 'UPPER':
      case 'LOWER': {
        this.arity(e, 1);
        const s = this.stringArg(e.args[0]!, e.name);
        return {
          code: this.unaryNullSafe(
            s,
            (r) => `${r}.${e.name === 'UPPER' ? 'toUpperCase' : 'toLowerCase'}()`,
            varcharOf(s.type),
          ),
          inputs: [s],
        };
      }
      case 'CHAR_LENGTH':
      case 'CHARACTER_LENGTH':
      case 'LENGTH': {
        this.arity(e, 1);
        const s = this.stringArg(e.args[0]!, e.name);
        return { code: this.unaryNullSafe(s, (r) => `${r}.length`, T.INTEGER), inputs: [s] };
      }
      case 'SUBSTRING': {
        this.arity(e, 2, 3);
        const s = this.stringArg(e.args[0]!, 'SUBSTRING');
        const args = e.args.slice(1).map((a) => this.convert(this.numericArg(a, 'SUBSTRING'), T.INTEGER, a.pos, false));
        return {
          code: { code: `rt.substring(${s.code}, ${args.map((a) => a.code).join(', ')})`, type: varcharOf(s.type) },
          inputs: [s, ...args],
        };
      }
      case 'POSITION': {
        this.arity(e, 2);
        const a = this.stringArg(e.args[0]!, 'POSITION');
        const b = this.stringArg(e.args[1]!, 'POSITION');
        return { code: { code: `rt.position(${a.code}, ${b.code})`, type: T.INTEGER }, inputs: [a, b] };
      }
      case 'ABS': {
        this.arity(e, 1);
        const n = this.numericArg(e.args[0]!, 'ABS');
        const big = repOf(n.type) === 'big' || repOf(n.type) === 'decbig';
        return {
          code: this.unaryNullSafe(n, (r) => (big ? `(${r} < 0n ? -${r} : ${r})` : `Math.abs(${r})`), n.type),
          inputs: [n],
        };
      }
      case 'FLOOR':
      case 'CEIL': {
        this.arity(e, 1);
        const n = this.numericArg(e.args[0]!, e.name);
        const rep = repOf(n.type);
        if (rep === 'int' || rep === 'big') return { code: n, inputs: [n] };
        if (rep === 'float')
          return {
            code: this.unaryNullSafe(n, (r) => `Math.${e.name === 'FLOOR' ? 'floor' : 'ceil'}(${r})`, n.type),
            inputs: [n],
          };
        const t = sqlType('DECIMAL', Math.max(1, n.type.precision - n.type.scale + 1), 0);
        const s = n.type.scale;
        const fn = this.module.constant((u: number | bigint): number | bigint => {
          const b = BigInt(u);
          const d = POW10N[s]!;
          let q = b / d;
          if (e.name === 'FLOOR' && b < 0n && q * d !== b) q -= 1n;
          if (e.name === 'CEIL' && b > 0n && q * d !== b) q += 1n;
          return repOf(t) === 'dec' ? Number(q) : q;
        });
        return { code: this.call1(fn, n, t), inputs: [n] };
      }
      case 'MOD': {
        this.arity(e, 2);
        const a = this.numericArg(e.args[0]!, 'MOD');
        const b = this.numericArg(e.args[1]!, 'MOD');
        if (!isExactNumeric(a.type) || !isExactNumeric(b.type)) this.fail('MOD needs exact numeric arguments', e.pos);
        return { code: this.arithmetic('%', a, b, e.pos), inputs: [a, b] };
      }
      case 'POWER':
      case 'EXP':
      case 'LN':
      case 'LOG10':
      case 'SQRT': {
        this.arity(e, e.name === 'POWER' ? 2 : 1);
        const args = e.args.map((a) => this.convert(this.numericArg(a, e.name), T.DOUBLE, a.pos, false));
        const fn = { POWER: 'Math.pow', EXP: 'Math.exp', LN: 'Math.log', LOG10: 'Math.log10', SQRT: 'Math.sqrt' }[
          e.name
        ];
        if (args.length === 2)
          return {
            code: this.binaryNullSafe(args[0]!, args[1]!, (x, y) => `${fn}(${x}, ${y})`, T.DOUBLE),
            inputs: args,
          };
        return { code: this.unaryNullSafe(args[0]!, (r) => `${fn}(${r})`, T.DOUBLE), inputs: args };
      }
      case 'CURRENT_ROW_TIMESTAMP':
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
        this.arity(e, 0);
        return { code: { code: this.scope.rowtimeCode, type: T.TIMESTAMP }, inputs: [{ code: '', type: T.NULL }] };
      case 'CURRENT_DATE':
        this.arity(e, 0);
        return {
          code: { code: `(Math.floor(${this.scope.rowtimeCode} / 86400000) * 86400000)`, type: T.DATE },
          inputs: [{ code: '', type: T.NULL }],
        };
      case 'CURRENT_TIME':
        this.arity(e, 0);
        return {
          code: { code: `(${this.scope.rowtimeCode} % 86400000)`, type: T.TIME },
          inputs: [{ code: '', type: T.NULL }],
        };
      case 'EXTRACT': {
        const unit = (e.args[0] as Expr & { kind: 'literal' }).text;
        const ts = this.expr(e.args[1]!);
        if (!isDatetime(ts.type)) this.fail(`EXTRACT needs a date-time, not ${typeText(ts.type)}`, e.pos);
        return { code: { code: `rt.extract("${unit}", ${ts.code})`, type: T.BIGINT }, inputs: [ts] };
      }
      case 'TO_TIMESTAMP': {
        this.arity(e, 1);
        const n = this.convert(this.numericArg(e.args[0]!, 'TO_TIMESTAMP'), T.DOUBLE, e.pos, false);
        return { code: { ...n, type: T.TIMESTAMP }, inputs: [n] };
      }
      case 'UNIX_TIMESTAMP': {
        this.arity(e, 1);
        const ts = this.expr(e.args[0]!);
        if (!isDatetime(ts.type)) this.fail(`UNIX_TIMESTAMP needs a TIMESTAMP, not ${typeText(ts.type)}`, e.pos);
        return { code: this.call1('rt.toBig', ts, T.BIGINT), inputs: [ts] };
      }
      case 'TIMESTAMP_TO_CHAR': {
        this.arity(e, 2);
        const f = this.stringArg(e.args[0]!, 'TIMESTAMP_TO_CHAR');
        const ts = this.expr(e.args[1]!);
        if (!isDatetime(ts.type) && ts.type.kind !== 'NULL')
          this.fail(`TIMESTAMP_TO_CHAR needs a TIMESTAMP, not ${typeText(ts.type)}`, e.args[1]!.pos);
        const fn = this.module.constant(timestampToChar);
        return { code: this.binaryNullSafe(f, ts, (x, y) => `${fn}(${x}, ${y})`, T.VARCHAR), inputs: [f, ts] };
      }
      case 'CHAR_TO_TIMESTAMP': {
        this.arity(e, 2);
        const f = this.stringArg(e.args[0]!, 'CHAR_TO_TIMESTAMP');
        const s = this.stringArg(e.args[1]!, 'CHAR_TO_TIMESTAMP');
        const fn = this.module.constant(charToTimestamp);
        return { code: this.binaryNullSafe(f, s, (x, y) => `${fn}(${x}, ${y})`, T.TIMESTAMP), inputs: [f, s] };
      }
      case 'COALESCE': {
        if (e.args.length < 1) this.arity(e, 1, 99);
        const args = e.args.map((a) => this.expr(a));
        let t: SqlType = T.NULL;
        for (const [i, a] of args.entries()) {
          const m = this.commonType(t, a.type);
          if (!m) this.fail(`COALESCE arguments have incompatible types`, e.args[i]!.pos);
          t = m!;
        }
        const conv = args.map((a, i) => (isString(t) ? a : this.convert(a, t, e.args[i]!.pos, false)));
        let code = 'null';
        for (let i = conv.length - 1; i >= 0; i--) {
          const tmp = this.temp();
          code = `((${tmp} = ${conv[i]!.code}) !== null ? ${tmp} : ${code})`;
        }
        return { code: { code, type: t }, inputs: args };
      }
      case 'NULLIF': {
        this.arity(e, 2);
        const a = this.expr(e.args[0]!);
        const b = this.expr(e.args[1]!);
        const eq = this.compare('=', a, b, e.pos);
        const tmp = this.temp();
        return { code: { code: `(${eq.code} === true ? null : (${tmp} = ${a.code}))`, type: a.type }, inputs: [a, b] };
      }
    }
    return this.fail(
      `unknown or unsupported function ${e.name}; supported: UPPER, LOWER, SUBSTRING, TRIM, CHAR_LENGTH, POSITION, ABS, FLOOR, CEIL, MOD, POWER, EXP, LN, LOG10, SQRT, COALESCE, NULLIF, CAST, CURRENT_ROW_TIMESTAMP, FLOOR/CEIL(ts TO unit), STEP(ts BY INTERVAL ...), EXTRACT, TO_TIMESTAMP, UNIX_TIMESTAMP, TIMESTAMP_TO_CHAR, CHAR_TO_TIMESTAMP, and COUNT, SUM, MIN, MAX, AVG with GROUP BY`,
      e.pos,
    );
  }
}

function varcharOf(t: SqlType): SqlType {
  return t.kind === 'NULL' ? T.VARCHAR : sqlType('VARCHAR', 0, 0, t.length);
}

/** Whether two types are the same, parameters included. */
export function sameType(a: SqlType, b: SqlType): boolean {
  return a.kind === b.kind && a.precision === b.precision && a.scale === b.scale && a.length === b.length;
}

/**
 * A structural key of an expression, to match select items against GROUP BY items. Positions do not count, nor
 * do stream qualifiers: a pump reads one stream, so `s.ROWTIME` and `ROWTIME` are the same column.
 */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => (k === 'pos' || k === 'qualifier' ? undefined : v));
}
