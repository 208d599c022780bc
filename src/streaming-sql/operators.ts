/**
 * The operators of the SQL dialect: NOT and unary minus, AND/OR (three-valued, short-circuit), comparisons (CHAR
 * compared without its padding), ||, arithmetic (exact for integers and DECIMAL, date-times with intervals),
 * BETWEEN, IN, LIKE / SIMILAR TO, IS, CASE. Each compiles its operands with the compiler and returns their code.
 */
import type { Expr, Pos } from './ast';
import type { Code, ExprCompiler } from './expression-compiler';
import { rt } from './runtime';
import { commonType } from './type-rules';
import {
  asDecimal,
  isDatetime,
  isNumeric,
  isString,
  MAX_NUMBER_PRECISION,
  MAX_PRECISION,
  repOf,
  type SqlType,
  sqlType,
  T,
  typeText,
} from './types';

export function unary(compiler: ExprCompiler, e: Expr & { kind: 'unary' }): Code {
  const c = compiler.expr(e.operand);
  if (e.op === 'NOT') {
    if (c.type.kind !== 'BOOLEAN' && c.type.kind !== 'NULL')
      compiler.fail(`NOT needs a BOOLEAN, not ${typeText(c.type)}`, e.pos);
    return compiler.fold(
      compiler.unaryNullSafe(c, (r) => `!${r}`, T.BOOLEAN),
      [c],
      e.pos,
    );
  }
  if (!isNumeric(c.type) && c.type.kind !== 'INTERVAL' && c.type.kind !== 'NULL')
    compiler.fail(`unary ${e.op} needs a number, not ${typeText(c.type)}`, e.pos);
  if (e.op === '+') return c;
  return compiler.fold(
    compiler.unaryNullSafe(c, (r) => `-${r}`, c.type),
    [c],
    e.pos,
  );
}

export function logical(compiler: ExprCompiler, op: 'AND' | 'OR', a: Code, b: Code): Code {
  const ta = compiler.temp();
  const tb = compiler.temp();
  const stop = op === 'AND' ? 'false' : 'true';
  const go = op === 'AND' ? 'true' : 'false';
  // short-circuits like SQL engines do, so `x <> 0 AND y / x > 1` never divides by zero
  return {
    code: `((${ta} = ${a.code}) === ${stop} ? ${stop} : (${tb} = ${b.code}) === ${stop} ? ${stop} : ${ta} === null || ${tb} === null ? null : ${go})`,
    type: T.BOOLEAN,
  };
}

export function binary(compiler: ExprCompiler, e: Expr & { kind: 'binary' }): Code {
  if (e.op === 'AND' || e.op === 'OR') {
    const a = compiler.condition(e.left, e.op);
    const b = compiler.condition(e.right, e.op);
    return compiler.fold(logical(compiler, e.op, a, b), [a, b], e.pos);
  }
  const a = compiler.expr(e.left);
  const b = compiler.expr(e.right);
  let out: Code;
  switch (e.op) {
    case '=':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=':
      out = compare(compiler, e.op, a, b, e.pos);
      break;
    case '||': {
      const sa = isString(a.type) || a.type.kind === 'NULL' ? a : compiler.convert(a, T.VARCHAR, e.pos, true);
      const sb = isString(b.type) || b.type.kind === 'NULL' ? b : compiler.convert(b, T.VARCHAR, e.pos, true);
      const len = sa.type.length + sb.type.length;
      out = compiler.binaryNullSafe(sa, sb, (x, y) => `${x} + ${y}`, sqlType('VARCHAR', 0, 0, len));
      break;
    }
    default:
      out = arithmetic(compiler, e.op, a, b, e.pos);
  }
  return compiler.fold(out, [a, b], e.pos);
}

/** Brings two operands to one type; a constant string meets the other side's type (`ts > '2020-01-01'`). */
export function unify(compiler: ExprCompiler, a: Code, b: Code, pos: Pos, what: string): [Code, Code, SqlType] {
  if (a.constant && isString(a.type) && !isString(b.type) && b.type.kind !== 'NULL')
    a = compiler.convert(a, b.type, pos, true);
  if (b.constant && isString(b.type) && !isString(a.type) && a.type.kind !== 'NULL')
    b = compiler.convert(b, a.type, pos, true);
  const t = commonType(a.type, b.type);
  if (!t) return compiler.fail(`cannot ${what} ${typeText(a.type)} and ${typeText(b.type)}`, pos);
  if (isString(t)) return [a, b, t];
  return [compiler.convert(a, t, pos, false), compiler.convert(b, t, pos, false), t];
}

export function compare(compiler: ExprCompiler, op: string, a: Code, b: Code, pos: Pos): Code {
  let [ca, cb] = unify(compiler, a, b, pos, 'compare');
  // CHAR columns hold blank-padded values; SQL compares them as if trailing blanks were absent
  const padded = (c: Code): boolean => c.type.kind === 'CHAR' && !c.constant;
  if (isString(ca.type) && isString(cb.type) && (padded(ca) || padded(cb))) {
    const trim = (c: Code): Code =>
      c.constant
        ? compiler.literal(typeof c.constant.value === 'string' ? c.constant.value.replace(/ +$/, '') : null, c.type)
        : compiler.unaryNullSafe(c, (r) => `${r}.replace(/ +$/, '')`, c.type);
    ca = trim(ca);
    cb = trim(cb);
  }
  const js = op === '=' ? '===' : op === '<>' ? '!==' : op;
  return compiler.binaryNullSafe(ca, cb, (x, y) => `${x} ${js} ${y}`, T.BOOLEAN);
}

export function arithmetic(compiler: ExprCompiler, op: string, a: Code, b: Code, pos: Pos): Code {
  const ta = a.type;
  const tb = b.type;
  // date-time arithmetic with intervals, in ms
  if (ta.kind === 'INTERVAL' || tb.kind === 'INTERVAL' || isDatetime(ta) || isDatetime(tb)) {
    if (isDatetime(ta) && tb.kind === 'INTERVAL' && (op === '+' || op === '-'))
      return compiler.binaryNullSafe(a, b, (x, y) => `${x} ${op} ${y}`, ta.kind === 'DATE' ? T.TIMESTAMP : ta);
    if (ta.kind === 'INTERVAL' && isDatetime(tb) && op === '+')
      return compiler.binaryNullSafe(a, b, (x, y) => `${x} + ${y}`, tb);
    if (isDatetime(ta) && isDatetime(tb) && op === '-') {
      const [ca, cb] = unify(compiler, a, b, pos, 'subtract');
      return compiler.binaryNullSafe(ca, cb, (x, y) => `${x} - ${y}`, T.INTERVAL);
    }
    if (ta.kind === 'INTERVAL' && tb.kind === 'INTERVAL' && (op === '+' || op === '-'))
      return compiler.binaryNullSafe(a, b, (x, y) => `${x} ${op} ${y}`, T.INTERVAL);
    if (ta.kind === 'INTERVAL' && isNumeric(tb) && (op === '*' || op === '/')) {
      const nb = compiler.convert(b, T.DOUBLE, pos, false);
      return compiler.binaryNullSafe(
        a,
        nb,
        (x, y) => (op === '*' ? `Math.round(${x} * ${y})` : `Math.round(rt.divFloat(${x}, ${y}))`),
        T.INTERVAL,
      );
    }
    return compiler.fail(`cannot apply ${op} to ${typeText(ta)} and ${typeText(tb)}`, pos);
  }
  if (!(isNumeric(ta) || ta.kind === 'NULL') || !(isNumeric(tb) || tb.kind === 'NULL'))
    return compiler.fail(`cannot apply ${op} to ${typeText(ta)} and ${typeText(tb)}`, pos);
  const common = commonType(ta, tb)!;
  if (common.kind === 'NULL') return compiler.literal(null, T.INTEGER);
  const rep = repOf(common);
  if (rep === 'float' || rep === 'int' || rep === 'big') {
    const t = rep === 'int' ? T.INTEGER : common;
    const ca = compiler.convert(a, t, pos, false);
    const cb = compiler.convert(b, t, pos, false);
    if (op === '/')
      return compiler.binaryNullSafe(
        ca,
        cb,
        (x, y) => `rt.${rep === 'float' ? 'divFloat' : rep === 'int' ? 'divInt' : 'divBig'}(${x}, ${y})`,
        t,
      );
    if (op === '%')
      return compiler.binaryNullSafe(
        ca,
        cb,
        (x, y) => (rep === 'float' ? `${x} % ${y}` : `rt.${rep === 'int' ? 'modInt' : 'modBig'}(${x}, ${y})`),
        t,
      );
    return compiler.binaryNullSafe(ca, cb, (x, y) => `${x} ${op} ${y}`, t);
  }
  // exact decimal arithmetic
  const da = asDecimal(ta.kind === 'NULL' ? tb : ta);
  const db = asDecimal(tb.kind === 'NULL' ? ta : tb);
  if (op === '+' || op === '-') {
    const s = Math.max(da.scale, db.scale);
    const p = Math.min(MAX_PRECISION, Math.max(da.precision - da.scale, db.precision - db.scale) + s + 1);
    const t = sqlType('DECIMAL', p, s);
    return compiler.binaryNullSafe(
      compiler.convert(a, t, pos, false),
      compiler.convert(b, t, pos, false),
      (x, y) => `${x} ${op} ${y}`,
      t,
    );
  }
  if (op === '*') {
    const s = Math.min(MAX_PRECISION, da.scale + db.scale);
    const p = Math.min(MAX_PRECISION, da.precision + db.precision);
    const t = sqlType('DECIMAL', p, s);
    // operands keep their scale; only their representation follows the product's
    const operand = (x: Code, d: SqlType): Code =>
      compiler.convert(
        x,
        sqlType(
          'DECIMAL',
          repOf(t) === 'dec' ? Math.min(d.precision, MAX_NUMBER_PRECISION) : Math.max(d.precision, 16),
          d.scale,
        ),
        pos,
        false,
      );
    const ca = operand(a, da);
    const cb = operand(b, db);
    return compiler.binaryNullSafe(ca, cb, (x, y) => `${x} * ${y}`, t);
  }
  const ca = compiler.convert(a, da, pos, false);
  const cb = compiler.convert(b, db, pos, false);
  if (op === '%') {
    const s = Math.max(da.scale, db.scale);
    const t = sqlType('DECIMAL', MAX_PRECISION, s);
    const xa = compiler.convert(ca, t, pos, false);
    const xb = compiler.convert(cb, t, pos, false);
    return compiler.binaryNullSafe(xa, xb, (x, y) => `rt.modBig(${x}, ${y})`, t);
  }
  const s = Math.min(MAX_PRECISION, Math.max(6, da.scale, db.scale));
  return compiler.binaryNullSafe(
    ca,
    cb,
    (x, y) => `rt.divDec(${x}, ${da.scale}, ${y}, ${db.scale}, ${s})`,
    sqlType('DECIMAL', MAX_PRECISION, s),
  );
}

export function between(compiler: ExprCompiler, e: Expr & { kind: 'between' }): Code {
  const v = compiler.expr(e.expr);
  const lo = compiler.expr(e.low);
  const hi = compiler.expr(e.high);
  const [first, ref] = compiler.once(v);
  const ge = compare(compiler, '>=', { code: first, type: v.type }, lo, e.pos);
  const le = compare(compiler, '<=', { code: ref, type: v.type }, hi, e.pos);
  let out = logical(compiler, 'AND', ge, le);
  if (e.not) out = compiler.unaryNullSafe(out, (r) => `!${r}`, T.BOOLEAN);
  return compiler.fold(out, [v, lo, hi], e.pos);
}

export function inList(compiler: ExprCompiler, e: Expr & { kind: 'in' }): Code {
  const v = compiler.expr(e.expr);
  const items = e.list.map((x) => compiler.expr(x));
  let t = v.type;
  for (const [i, item] of items.entries()) {
    const c =
      item.constant && isString(item.type) && !isString(t) ? compiler.convert(item, t, e.list[i]!.pos, true) : item;
    const m = commonType(t, c.type);
    if (!m) compiler.fail(`cannot compare ${typeText(v.type)} with ${typeText(item.type)} in IN`, e.list[i]!.pos);
    t = m!;
  }
  const cv = isString(t) ? v : compiler.convert(v, t, e.pos, false);
  const ci = items.map((x, i) => {
    const c = x.constant && isString(x.type) && !isString(t) ? compiler.convert(x, t, e.list[i]!.pos, true) : x;
    return isString(t) ? c : compiler.convert(c, t, e.list[i]!.pos, false);
  });
  const tv = compiler.temp();
  const tn = compiler.temp();
  // true if any item equals; else NULL if the value or any item is NULL; else false
  const parts = ci.map((c) => {
    if (c.constant) return c.constant.value === null ? `((${tn} = true), false)` : `${tv} === ${c.code}`;
    const ti = compiler.temp();
    return `((${ti} = ${c.code}) === null ? ((${tn} = true), false) : ${tv} === ${ti})`;
  });
  let code = `((${tn} = false), (${tv} = ${cv.code}) === null ? null : (${parts.join(' || ')}) ? true : ${tn} ? null : false)`;
  if (e.not) code = `((${tv} = ${code}) === null ? null : !${tv})`;
  return compiler.fold({ code, type: T.BOOLEAN }, [v, ...items], e.pos);
}

export function like(compiler: ExprCompiler, e: Expr & { kind: 'like' }): Code {
  const what = e.similar ? 'SIMILAR TO' : 'LIKE';
  const s = compiler.stringArg(e.expr, what);
  const p = compiler.stringArg(e.pattern, what);
  const esc = e.escape ? compiler.stringArg(e.escape, 'ESCAPE') : compiler.literal(null, T.VARCHAR);
  let out: Code;
  if (p.constant && esc.constant && p.constant.value !== null) {
    let re: RegExp;
    try {
      re = rt.likeToRegExp(p.constant.value as string, esc.constant.value as string | null, e.similar === true);
    } catch (error) {
      return compiler.fail(error instanceof Error ? error.message : String(error), e.pattern.pos);
    }
    out = compiler.unaryNullSafe(s, (r) => `${compiler.module.constant(re)}.test(${r})`, T.BOOLEAN);
  } else out = { code: `rt.like(${s.code}, ${p.code}, ${esc.code}, ${e.similar === true})`, type: T.BOOLEAN };
  if (e.not) out = compiler.unaryNullSafe(out, (r) => `!${r}`, T.BOOLEAN);
  return compiler.fold(out, [s, p, esc], e.pos);
}

export function isPredicate(compiler: ExprCompiler, e: Expr & { kind: 'is' }): Code {
  const v = e.test === 'NULL' ? compiler.expr(e.expr) : compiler.condition(e.expr, 'IS');
  const target = e.test === 'NULL' || e.test === 'UNKNOWN' ? 'null' : e.test === 'TRUE' ? 'true' : 'false';
  return compiler.fold({ code: `(${v.code} ${e.not ? '!==' : '==='} ${target})`, type: T.BOOLEAN }, [v], e.pos);
}

export function caseExpr(compiler: ExprCompiler, e: Expr & { kind: 'case' }): Code {
  const operand = e.operand ? compiler.expr(e.operand) : undefined;
  let opRef: Code | undefined;
  let prelude = '';
  if (operand) {
    const [first, ref] = compiler.once(operand);
    prelude = first === ref ? '' : `${first}, `;
    opRef = { code: ref, type: operand.type };
  }
  const conds = e.whens.map((w) =>
    opRef ? compare(compiler, '=', opRef, compiler.expr(w.when), w.when.pos) : compiler.condition(w.when, 'WHEN'),
  );
  const results = e.whens.map((w) => compiler.expr(w.result));
  const otherwise = e.else ? compiler.expr(e.else) : compiler.literal(null, T.NULL);
  let t: SqlType = T.NULL;
  for (const [i, r] of [...results, otherwise].entries()) {
    const m = commonType(t, r.type);
    if (!m)
      compiler.fail(
        `CASE branches have incompatible types ${typeText(t)} and ${typeText(r.type)}`,
        (e.whens[i]?.result ?? e.else ?? e).pos,
      );
    t = m!;
  }
  const conv = (c: Code, pos: Pos): Code => (isString(t) ? c : compiler.convert(c, t, pos, false));
  let code = conv(otherwise, (e.else ?? e).pos).code;
  for (let i = e.whens.length - 1; i >= 0; i--)
    code = `(${conds[i]!.code}) === true ? ${conv(results[i]!, e.whens[i]!.result.pos).code} : ${code}`;
  return { code: `(${prelude}${code})`, type: t };
}
