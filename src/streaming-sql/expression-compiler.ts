/**
 * Type-checks SQL expressions and turns each into a JavaScript expression string over the in-memory representation
 * of types.ts, with SQL's NULL semantics and three-valued logic. Constants fold at compile time. The compiler holds
 * the code-building kit (temporaries, NULL-safe wrappers, folding) and dispatches: literals and CAST here, the
 * operators in operators.ts, the built-in functions in functions.ts, the type rules in type-rules.ts.
 */
import type { Expr, Pos } from './ast';
import { SqlCompileError, SqlRuntimeError } from './errors';
import { compileCall, compileFloorTo, compileStep, compileTrim } from './functions';
import { between, binary, caseExpr, inList, isPredicate, like, unary } from './operators';
import { rt, UNIT_MS } from './runtime';
import { commonType, convert } from './type-rules';
import {
  isNumeric,
  isString,
  MAX_NUMBER_PRECISION,
  MAX_PRECISION,
  parseTime,
  parseTimestamp,
  resolveType,
  type SqlType,
  sqlType,
  T,
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
  once(c: Code): [string, string] {
    if (this.simple(c)) return [c.code, c.code];
    const t = this.temp();
    return [`(${t} = ${c.code})`, t];
  }

  /** `fn(x)` where x may be null: null in, null out. `fn` receives the reference text. */
  unaryNullSafe(c: Code, fn: (ref: string) => string, type: SqlType): Code {
    if (c.constant && c.constant.value === null) return this.literal(null, type);
    const [first, ref] = this.once(c);
    return { code: `(${first} === null ? null : ${fn(ref)})`, type };
  }

  /** `fn(a, b)` with NULL propagation. */
  binaryNullSafe(a: Code, b: Code, fn: (x: string, y: string) => string, type: SqlType): Code {
    if ((a.constant && a.constant.value === null) || (b.constant && b.constant.value === null))
      return this.literal(null, type);
    const [fa, ra] = this.once(a);
    const [fb, rb] = this.once(b);
    const tests = [a.constant ? '' : `${fa} === null`, b.constant ? '' : `${fb} === null`].filter(Boolean);
    const body = fn(ra, rb);
    return { code: tests.length ? `(${tests.join(' || ')} ? null : ${body})` : `(${body})`, type };
  }

  call1(fnConst: string, c: Code, type: SqlType, extra = ''): Code {
    return this.unaryNullSafe(c, (r) => `${fnConst}(${r}${extra})`, type);
  }

  /** Folds code whose inputs are all constant by running it. */
  fold(c: Code, inputs: Code[], pos: Pos): Code {
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

  // ------------------------------------------------------------------ type rules (type-rules.ts)

  /**
   * Converts a value to another type. `explicit` (CAST, assignment to a column) also allows text <-> other types;
   * implicit conversion only widens within a family.
   */
  convert(c: Code, to: SqlType, pos: Pos, explicit: boolean): Code {
    return convert(this, c, to, pos, explicit);
  }

  /** The type two operands meet at for comparison or CASE; undefined when they cannot meet. */
  commonType(a: SqlType, b: SqlType): SqlType | undefined {
    return commonType(a, b);
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
        return unary(this, e);
      case 'binary':
        return binary(this, e);
      case 'between':
        return between(this, e);
      case 'in':
        return inList(this, e);
      case 'like':
        return like(this, e);
      case 'is':
        return isPredicate(this, e);
      case 'case':
        return caseExpr(this, e);
      case 'cast': {
        const type = resolveType(e.type.name, e.type.args);
        if (typeof type === 'string') this.fail(type, e.type.pos);
        return this.convert(this.expr(e.expr), type as SqlType, e.pos, true);
      }
      case 'call':
        return compileCall(this, e);
      case 'floor-to':
        return compileFloorTo(this, e);
      case 'step':
        return compileStep(this, e);
      case 'trim':
        return compileTrim(this, e);
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

  /** Compiles an argument that must be a character string (or NULL). */
  stringArg(e: Expr, fn: string): Code {
    const c = this.expr(e);
    if (isString(c.type) || c.type.kind === 'NULL') return c;
    return this.fail(`${fn} needs a character string, not ${typeText(c.type)}`, e.pos);
  }

  /** Compiles an argument that must be a number; NULL becomes an INTEGER NULL. */
  numericArg(e: Expr, fn: string): Code {
    const c = this.expr(e);
    if (isNumeric(c.type) || c.type.kind === 'NULL') return c.type.kind === 'NULL' ? this.literal(null, T.INTEGER) : c;
    return this.fail(`${fn} needs a number, not ${typeText(c.type)}`, e.pos);
  }
}

/**
 * A structural key of an expression, to match select items against GROUP BY items. Positions do not count, nor
 * do stream qualifiers: a pump reads one stream, so `s.ROWTIME` and `ROWTIME` are the same column.
 */
export function exprKey(e: Expr): string {
  return JSON.stringify(e, (k, v) => (k === 'pos' || k === 'qualifier' ? undefined : v));
}
