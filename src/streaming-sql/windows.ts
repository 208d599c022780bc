/**
 * Tumbling windows: GROUP BY with a STEP(ROWTIME BY INTERVAL ...) or FLOOR(ROWTIME TO unit) key. Compiles the
 * accumulation of COUNT/SUM/MIN/MAX/AVG per group and the projection of each group when its window closes.
 */
import type { Expr, Pos } from './ast';
import { SqlCompileError } from './errors';
import { type Code, ExprCompiler, exprKey, type Module, type Scope } from './expression-compiler';
import { UNIT_MS } from './runtime';
import { isNumeric, MAX_PRECISION, repOf, type SqlType, sqlType, T, typeText } from './types';

export interface AggregateSpec {
  fn: 'COUNT' | 'SUM' | 'MIN' | 'MAX' | 'AVG';
  /** Slot of the accumulator in the group's `a` array (AVG uses two: sum, count). */
  slot: number;
  init: string;
  accumulate: string;
}

/**
 * The type a SUM accumulates in: DECIMAL gains 10 integer digits (so long sums stay exact, in bigint when they pass
 * 15 digits); small integers sum as INTEGER.
 */
export function sumType(t: SqlType): SqlType {
  if (t.kind === 'DECIMAL') return sqlType('DECIMAL', Math.min(MAX_PRECISION, t.precision + 10), t.scale);
  if (t.kind === 'TINYINT' || t.kind === 'SMALLINT') return T.INTEGER;
  return t;
}

/** Finds the ROWTIME window among GROUP BY expressions: its index and its size in ms. */
export function findWindow(
  groupBy: Expr[],
  isRowtime: (e: Expr) => boolean,
  pos: Pos,
): { index: number; sizeMs: number } {
  for (const [index, g] of groupBy.entries()) {
    if (g.kind === 'step' && isRowtime(g.expr)) {
      if (g.interval.kind !== 'interval')
        throw new SqlCompileError("STEP over ROWTIME needs BY INTERVAL 'n' unit", g.interval.pos);
      const unit = UNIT_MS[g.interval.unit];
      const n = Number(g.interval.text);
      if (unit === undefined || !(n > 0))
        throw new SqlCompileError(
          'the window interval must be a positive number of SECOND, MINUTE, HOUR or DAY',
          g.interval.pos,
        );
      return { index, sizeMs: Math.round(n * unit) };
    }
    if (g.kind === 'floor-to' && g.fn === 'FLOOR' && isRowtime(g.expr)) {
      const unit = UNIT_MS[g.unit];
      if (unit === undefined)
        throw new SqlCompileError(
          `FLOOR(ROWTIME TO ${g.unit}) windows are not supported; use SECOND, MINUTE, HOUR or DAY`,
          g.pos,
        );
      return { index, sizeMs: unit };
    }
  }
  throw new SqlCompileError(
    "GROUP BY on a stream needs a time window: add STEP(stream.ROWTIME BY INTERVAL 'n' SECOND) or FLOOR(stream.ROWTIME TO MINUTE)",
    groupBy[0]?.pos ?? pos,
  );
}

/**
 * The scope of a grouped select: GROUP BY expressions read from `g.k`, aggregates from `g.a`, ROWTIME is the
 * window's end (`wend`). Aggregate arguments compile in the row scope into `accumulate` code.
 */
export class GroupScope implements Scope {
  readonly aggregates: AggregateSpec[] = [];
  private slots = 0;
  private readonly byKey = new Map<string, Code>();
  readonly rowtimeCode = 'wend';
  readonly rowCompiler: ExprCompiler;

  constructor(
    module: Module,
    rowScope: Scope,
    private readonly groupBy: Expr[],
    private readonly keyTypes: SqlType[],
    private readonly isRowtime: (e: Expr) => boolean,
  ) {
    this.rowCompiler = new ExprCompiler(module, rowScope);
  }

  groupKey(e: Expr): Code | undefined {
    const key = exprKey(e);
    for (const [i, g] of this.groupBy.entries())
      if (exprKey(g) === key) return { code: `g.k[${i}]`, type: this.keyTypes[i]! };
    return undefined;
  }

  column(e: Expr & { kind: 'column' }): Code {
    if (this.isRowtime(e)) return { code: 'wend', type: T.TIMESTAMP };
    for (const [i, g] of this.groupBy.entries())
      if (
        g.kind === 'column' &&
        g.name === e.name &&
        (e.qualifier === undefined || g.qualifier === undefined || g.qualifier === e.qualifier)
      )
        return { code: `g.k[${i}]`, type: this.keyTypes[i]! };
    throw new SqlCompileError(
      `column ${e.name} must appear in GROUP BY or inside an aggregate (COUNT, SUM, MIN, MAX, AVG)`,
      e.pos,
    );
  }

  aggregate(e: Expr & { kind: 'call' }): Code {
    const key = exprKey(e);
    const existing = this.byKey.get(key);
    if (existing) return existing;
    const fn = e.name as AggregateSpec['fn'];
    if (e.distinct) throw new SqlCompileError(`${fn}(DISTINCT ...) is not supported`, e.pos);
    if (e.star && fn !== 'COUNT') throw new SqlCompileError(`${fn}(*) is not valid; only COUNT(*)`, e.pos);
    if (!e.star && e.args.length !== 1) throw new SqlCompileError(`${fn} takes one argument`, e.pos);
    const slot = this.slots;
    let code: Code;
    if (e.star) {
      this.slots++;
      this.aggregates.push({ fn, slot, init: '0', accumulate: `g.a[${slot}]++;` });
      code = { code: `BigInt(g.a[${slot}])`, type: T.BIGINT };
    } else {
      const arg = this.rowCompiler.expr(e.args[0]!);
      const v = this.rowCompiler.temp();
      const a = `g.a[${slot}]`;
      const rep = repOf(arg.type);
      if ((fn === 'SUM' || fn === 'AVG') && !isNumeric(arg.type))
        throw new SqlCompileError(`${fn} needs a number, not ${typeText(arg.type)}`, e.args[0]!.pos);
      if ((fn === 'MIN' || fn === 'MAX') && (arg.type.kind === 'NULL' || rep === 'bool'))
        throw new SqlCompileError(
          `${fn} needs a number, string or date-time, not ${typeText(arg.type)}`,
          e.args[0]!.pos,
        );
      const sum =
        fn === 'SUM' || fn === 'AVG' ? this.rowCompiler.convert(arg, sumType(arg.type), e.args[0]!.pos, false) : arg;
      switch (fn) {
        case 'COUNT':
          this.slots++;
          this.aggregates.push({ fn, slot, init: '0', accumulate: `if (${arg.code} !== null) ${a}++;` });
          code = { code: `BigInt(${a})`, type: T.BIGINT };
          break;
        case 'SUM':
          this.slots++;
          this.aggregates.push({
            fn,
            slot,
            init: 'null',
            accumulate: `if ((${v} = ${sum.code}) !== null) ${a} = ${a} === null ? ${v} : ${a} + ${v};`,
          });
          code = { code: a, type: sum.type };
          break;
        case 'MIN':
        case 'MAX':
          this.slots++;
          this.aggregates.push({
            fn,
            slot,
            init: 'null',
            accumulate: `if ((${v} = ${arg.code}) !== null && (${a} === null || ${v} ${fn === 'MIN' ? '<' : '>'} ${a})) ${a} = ${v};`,
          });
          code = { code: a, type: arg.type };
          break;
        default: {
          this.slots += 2;
          const c = `g.a[${slot + 1}]`;
          this.aggregates.push({
            fn,
            slot,
            init: 'null',
            accumulate: `if ((${v} = ${sum.code}) !== null) { ${a} = ${a} === null ? ${v} : ${a} + ${v}; ${c}++; }`,
          });
          this.aggregates.push({ fn, slot: slot + 1, init: '0', accumulate: '' });
          const sumRep = repOf(sum.type);
          const finish =
            sumRep === 'float'
              ? `${a} / ${c}`
              : sumRep === 'int'
                ? `Math.trunc(${a} / ${c})`
                : sumRep === 'dec'
                  ? `Math.round(${a} / ${c})`
                  : rep === 'dec'
                    ? `Number(rt.divDec(${a}, 0, BigInt(${c}), 0, 0))`
                    : `rt.divDec(${a}, 0, BigInt(${c}), 0, 0)`;
          code = { code: `(${a} === null ? null : ${finish})`, type: arg.type };
        }
      }
    }
    this.byKey.set(key, code);
    return code;
  }

  /** Initial accumulator array literal. */
  initCode(): string {
    const init = new Array<string>(this.slots).fill('null');
    for (const a of this.aggregates) init[a.slot] = a.init;
    return `[${init.join(', ')}]`;
  }
}
