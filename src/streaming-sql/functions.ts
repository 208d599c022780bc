/**
 * The built-in functions of the SQL dialect, as a registry: each has its name, its arity, the types of its
 * arguments (which the call compiles them to, in order) and its compile step. The error for an unknown function
 * lists the registry's names. Beside it: the aggregates (compiled by the window scopes, windows.ts and sliding.ts)
 * and the functions the parser reads as syntax of their own (TRIM, FLOOR/CEIL(ts TO unit), STEP).
 */
import type { Expr } from './ast';
import { charToTimestamp, timestampToChar } from './datetime-format';
import type { Code, ExprCompiler } from './expression-compiler';
import { arithmetic, compare } from './operators';
import { commonType, varcharOf } from './type-rules';
import { isDatetime, isExactNumeric, isString, POW10N, repOf, type SqlType, sqlType, T, typeText } from './types';

type Call = Expr & { kind: 'call' };

/** Aggregate functions, for GROUP BY windows and OVER sliding windows. */
export const AGGREGATES = new Set(['COUNT', 'SUM', 'MIN', 'MAX', 'AVG']);

/**
 * What an argument is compiled to before the function's own step: a character string, any number, a number
 * converted to INTEGER or to DOUBLE, a date-time (compiled as it is; the function checks it and says so in its own
 * words), any type, or a time unit written as a word (`EXTRACT(HOUR FROM ts)`).
 */
export type ArgumentType = 'string' | 'number' | 'integer' | 'double' | 'datetime' | 'any' | 'unit';

/** A built-in function. */
export interface BuiltIn {
  /** The name as SQL writes it, in upper case. */
  readonly name: string;
  /** The least and the most arguments it takes (the most may be Infinity). */
  readonly arity: readonly [number, number];
  /** The type of each argument; the last one stands for the rest of a variadic list. */
  readonly args: readonly ArgumentType[];
  /** Compiles a call whose arity is checked, from its compiled arguments: its code and the inputs it folds over. */
  compile(compiler: ExprCompiler, e: Call, args: Code[]): { code: Code; inputs: Code[] };
}

type Definition = Omit<BuiltIn, 'name'>;

const upperOrLower: Definition = {
  arity: [1, 1],
  args: ['string'],
  compile: (compiler, e, [s]) => ({
    code: compiler.unaryNullSafe(
      s!,
      (r) => `${r}.${e.name === 'UPPER' ? 'toUpperCase' : 'toLowerCase'}()`,
      varcharOf(s!.type),
    ),
    inputs: [s!],
  }),
};

const charLength: Definition = {
  arity: [1, 1],
  args: ['string'],
  compile: (compiler, _e, [s]) => ({ code: compiler.unaryNullSafe(s!, (r) => `${r}.length`, T.INTEGER), inputs: [s!] }),
};

const floorOrCeil: Definition = {
  arity: [1, 1],
  args: ['number'],
  compile: (compiler, e, [n]) => {
    const rep = repOf(n!.type);
    if (rep === 'int' || rep === 'big') return { code: n!, inputs: [n!] };
    if (rep === 'float')
      return {
        code: compiler.unaryNullSafe(n!, (r) => `Math.${e.name === 'FLOOR' ? 'floor' : 'ceil'}(${r})`, n!.type),
        inputs: [n!],
      };
    const t = sqlType('DECIMAL', Math.max(1, n!.type.precision - n!.type.scale + 1), 0);
    const s = n!.type.scale;
    const fn = compiler.module.constant((u: number | bigint): number | bigint => {
      const b = BigInt(u);
      const d = POW10N[s]!;
      let q = b / d;
      if (e.name === 'FLOOR' && b < 0n && q * d !== b) q -= 1n;
      if (e.name === 'CEIL' && b > 0n && q * d !== b) q += 1n;
      return repOf(t) === 'dec' ? Number(q) : q;
    });
    return { code: compiler.call1(fn, n!, t), inputs: [n!] };
  },
};

const MATH = { POWER: 'Math.pow', EXP: 'Math.exp', LN: 'Math.log', LOG10: 'Math.log10', SQRT: 'Math.sqrt' } as const;

const math = (arity: 1 | 2): Definition => ({
  arity: [arity, arity],
  args: arity === 2 ? ['double', 'double'] : ['double'],
  compile: (compiler, e, args) => {
    const fn = MATH[e.name as keyof typeof MATH];
    if (args.length === 2)
      return {
        code: compiler.binaryNullSafe(args[0]!, args[1]!, (x, y) => `${fn}(${x}, ${y})`, T.DOUBLE),
        inputs: args,
      };
    return { code: compiler.unaryNullSafe(args[0]!, (r) => `${fn}(${r})`, T.DOUBLE), inputs: args };
  },
});

/** The row's time functions: no inputs to fold over (`NULL` stands in, so they never fold). */
const rowTime = (code: (rowtime: string) => string, type: SqlType): Definition => ({
  arity: [0, 0],
  args: [],
  compile: (compiler) => ({
    code: { code: code(compiler.scope.rowtimeCode), type },
    inputs: [{ code: '', type: T.NULL }],
  }),
});
const currentRowTimestamp = rowTime((rowtime) => rowtime, T.TIMESTAMP);

const DEFINITIONS: Record<string, Definition> = {
  UPPER: upperOrLower,
  LOWER: upperOrLower,
  CHAR_LENGTH: charLength,
  CHARACTER_LENGTH: charLength,
  LENGTH: charLength,
  SUBSTRING: {
    arity: [2, 3],
    args: ['string', 'integer', 'integer'],
    compile: (_compiler, _e, [s, ...rest]) => ({
      code: { code: `rt.substring(${s!.code}, ${rest.map((a) => a.code).join(', ')})`, type: varcharOf(s!.type) },
      inputs: [s!, ...rest],
    }),
  },
  POSITION: {
    arity: [2, 2],
    args: ['string', 'string'],
    compile: (_compiler, _e, [a, b]) => ({
      code: { code: `rt.position(${a!.code}, ${b!.code})`, type: T.INTEGER },
      inputs: [a!, b!],
    }),
  },
  ABS: {
    arity: [1, 1],
    args: ['number'],
    compile: (compiler, _e, [n]) => {
      const big = repOf(n!.type) === 'big' || repOf(n!.type) === 'decbig';
      return {
        code: compiler.unaryNullSafe(n!, (r) => (big ? `(${r} < 0n ? -${r} : ${r})` : `Math.abs(${r})`), n!.type),
        inputs: [n!],
      };
    },
  },
  FLOOR: floorOrCeil,
  CEIL: floorOrCeil,
  MOD: {
    arity: [2, 2],
    args: ['number', 'number'],
    compile: (compiler, e, [a, b]) => {
      if (!isExactNumeric(a!.type) || !isExactNumeric(b!.type))
        compiler.fail('MOD needs exact numeric arguments', e.pos);
      return { code: arithmetic(compiler, '%', a!, b!, e.pos), inputs: [a!, b!] };
    },
  },
  POWER: math(2),
  EXP: math(1),
  LN: math(1),
  LOG10: math(1),
  SQRT: math(1),
  CURRENT_ROW_TIMESTAMP: currentRowTimestamp,
  CURRENT_TIMESTAMP: currentRowTimestamp,
  LOCALTIMESTAMP: currentRowTimestamp,
  CURRENT_DATE: rowTime((rowtime) => `(Math.floor(${rowtime} / 86400000) * 86400000)`, T.DATE),
  CURRENT_TIME: rowTime((rowtime) => `(${rowtime} % 86400000)`, T.TIME),
  EXTRACT: {
    arity: [2, 2],
    args: ['unit', 'datetime'],
    compile: (compiler, e, [unit, ts]) => {
      if (!isDatetime(ts!.type)) compiler.fail(`EXTRACT needs a date-time, not ${typeText(ts!.type)}`, e.pos);
      return { code: { code: `rt.extract("${unit!.constant!.value}", ${ts!.code})`, type: T.BIGINT }, inputs: [ts!] };
    },
  },
  TO_TIMESTAMP: {
    arity: [1, 1],
    args: ['double'],
    compile: (_compiler, _e, [n]) => ({ code: { ...n!, type: T.TIMESTAMP }, inputs: [n!] }),
  },
  UNIX_TIMESTAMP: {
    arity: [1, 1],
    args: ['datetime'],
    compile: (compiler, e, [ts]) => {
      if (!isDatetime(ts!.type)) compiler.fail(`UNIX_TIMESTAMP needs a TIMESTAMP, not ${typeText(ts!.type)}`, e.pos);
      return { code: compiler.call1('rt.toBig', ts!, T.BIGINT), inputs: [ts!] };
    },
  },
  TIMESTAMP_TO_CHAR: {
    arity: [2, 2],
    args: ['string', 'datetime'],
    compile: (compiler, e, [f, ts]) => {
      if (!isDatetime(ts!.type) && ts!.type.kind !== 'NULL')
        compiler.fail(`TIMESTAMP_TO_CHAR needs a TIMESTAMP, not ${typeText(ts!.type)}`, e.args[1]!.pos);
      const fn = compiler.module.constant(timestampToChar);
      return { code: compiler.binaryNullSafe(f!, ts!, (x, y) => `${fn}(${x}, ${y})`, T.VARCHAR), inputs: [f!, ts!] };
    },
  },
  CHAR_TO_TIMESTAMP: {
    arity: [2, 2],
    args: ['string', 'string'],
    compile: (compiler, _e, [f, s]) => {
      const fn = compiler.module.constant(charToTimestamp);
      return { code: compiler.binaryNullSafe(f!, s!, (x, y) => `${fn}(${x}, ${y})`, T.TIMESTAMP), inputs: [f!, s!] };
    },
  },
  COALESCE: {
    arity: [1, Number.POSITIVE_INFINITY],
    args: ['any'],
    compile: (compiler, e, args) => {
      let t: SqlType = T.NULL;
      for (const [i, a] of args.entries()) {
        const m = commonType(t, a.type);
        if (!m) compiler.fail(`COALESCE arguments have incompatible types`, e.args[i]!.pos);
        t = m!;
      }
      const conv = args.map((a, i) => (isString(t) ? a : compiler.convert(a, t, e.args[i]!.pos, false)));
      let code = 'null';
      for (let i = conv.length - 1; i >= 0; i--) {
        const tmp = compiler.temp();
        code = `((${tmp} = ${conv[i]!.code}) !== null ? ${tmp} : ${code})`;
      }
      return { code: { code, type: t }, inputs: args };
    },
  },
  NULLIF: {
    arity: [2, 2],
    args: ['any', 'any'],
    compile: (compiler, e, [a, b]) => {
      const eq = compare(compiler, '=', a!, b!, e.pos);
      const tmp = compiler.temp();
      return {
        code: { code: `(${eq.code} === true ? null : (${tmp} = ${a!.code}))`, type: a!.type },
        inputs: [a!, b!],
      };
    },
  },
};

/** The built-in scalar functions by name. */
export const BUILT_INS: ReadonlyMap<string, BuiltIn> = new Map(
  Object.entries(DEFINITIONS).map(([name, d]) => [name, { name, ...d }]),
);

/** The functions the parser reads as syntax of their own, compiled below (CAST is the compiler's). */
const SPECIAL_FORMS = ['CAST(x AS type)', 'TRIM', 'FLOOR/CEIL(ts TO unit)', "STEP(ts BY INTERVAL 'n' unit)"];

/** The text of the error for a function that is not built in: what is, from the registry. */
export function unknownFunction(name: string): string {
  return `unknown or unsupported function ${name}; supported: ${[...BUILT_INS.keys()].join(', ')}, ${SPECIAL_FORMS.join(', ')}, and ${[...AGGREGATES].join(', ')} with GROUP BY or OVER`;
}

function checkArity(compiler: ExprCompiler, e: Call, [min, max]: readonly [number, number]): void {
  if (e.star) compiler.fail(`${e.name}(*) is not valid`, e.pos);
  if (e.args.length < min || e.args.length > max)
    compiler.fail(
      `${e.name} takes ${min === max ? min : max === Number.POSITIVE_INFINITY ? `${min} or more` : `${min} to ${max}`} argument${max === 1 ? '' : 's'}, not ${e.args.length}`,
      e.pos,
    );
}

function compileArgument(compiler: ExprCompiler, e: Call, a: Expr, type: ArgumentType): Code {
  switch (type) {
    case 'string':
      return compiler.stringArg(a, e.name);
    case 'number':
      return compiler.numericArg(a, e.name);
    case 'integer':
      return compiler.convert(compiler.numericArg(a, e.name), T.INTEGER, a.pos, false);
    case 'double':
      return compiler.convert(compiler.numericArg(a, e.name), T.DOUBLE, a.pos, false);
    case 'unit':
      return compiler.literal((a as Expr & { kind: 'literal' }).text, T.VARCHAR);
    case 'datetime':
    case 'any':
      return compiler.expr(a);
  }
}

/** Compiles a function call: an aggregate (through the scope's window), or a built-in, folded when constant. */
export function compileCall(compiler: ExprCompiler, e: Call): Code {
  if (AGGREGATES.has(e.name)) {
    if (!compiler.scope.aggregate)
      compiler.fail(
        `aggregate ${e.name} needs a window: add GROUP BY STEP(stream.ROWTIME BY INTERVAL 'n' SECOND) (or FLOOR(stream.ROWTIME TO MINUTE))`,
        e.pos,
      );
    return compiler.scope.aggregate!(e);
  }
  if (e.distinct) compiler.fail(`DISTINCT is only valid in aggregates`, e.pos);
  const fn = BUILT_INS.get(e.name);
  if (!fn) return compiler.fail(unknownFunction(e.name), e.pos);
  checkArity(compiler, e, fn.arity);
  const args = e.args.map((a, i) => compileArgument(compiler, e, a, fn.args[Math.min(i, fn.args.length - 1)]!));
  const out = fn.compile(compiler, e, args);
  return compiler.fold(out.code, out.inputs, e.pos);
}

/** `FLOOR(ts TO unit)`, `CEIL(ts TO unit)`. */
export function compileFloorTo(compiler: ExprCompiler, e: Expr & { kind: 'floor-to' }): Code {
  const c = compiler.expr(e.expr);
  if (!isDatetime(c.type)) compiler.fail(`${e.fn}(... TO ${e.unit}) needs a TIMESTAMP, not ${typeText(c.type)}`, e.pos);
  return compiler.fold(
    compiler.call1('rt.floorTo', c, c.type.kind === 'TIME' ? c.type : T.TIMESTAMP, `, "${e.unit}", ${e.fn === 'CEIL'}`),
    [c],
    e.pos,
  );
}

/** `STEP(ts BY INTERVAL 'n' unit)`, or STEP of an integer by an integer. */
export function compileStep(compiler: ExprCompiler, e: Expr & { kind: 'step' }): Code {
  const c = compiler.expr(e.expr);
  const size = compiler.expr(e.interval);
  if (isDatetime(c.type)) {
    if (size.type.kind !== 'INTERVAL') compiler.fail(`STEP over a time needs BY INTERVAL 'n' unit`, e.interval.pos);
    return compiler.binaryNullSafe(c, size, (a, b) => `rt.step(${a}, ${b})`, c.type);
  }
  if (repOf(c.type) === 'int' && repOf(size.type) === 'int')
    return compiler.binaryNullSafe(c, size, (a, b) => `rt.step(${a}, ${b})`, c.type);
  return compiler.fail(`STEP needs a TIMESTAMP (or INTEGER) and BY INTERVAL 'n' unit`, e.pos);
}

/** `TRIM([BOTH | LEADING | TRAILING] [chars FROM] s)`. */
export function compileTrim(compiler: ExprCompiler, e: Expr & { kind: 'trim' }): Code {
  const s = compiler.stringArg(e.expr, 'TRIM');
  const chars = e.chars ? compiler.stringArg(e.chars, 'TRIM') : compiler.literal(' ', T.VARCHAR);
  const side = e.side === 'BOTH' ? 0 : e.side === 'LEADING' ? 1 : 2;
  return compiler.fold(
    { code: `rt.trim(${s.code}, ${chars.code}, ${side})`, type: varcharOf(s.type) },
    [s, chars],
    e.pos,
  );
}
