/**
 * Sliding windows (sliding-window-concepts.md): for every row, an aggregate over the rows of its partition in the
 * preceding RANGE (rows with ROWTIME > now - range) or the preceding ROWS n (and the row itself). One output per
 * input row, so rows keep their source record's partition key.
 */
import type { Expr, WindowSpec } from './ast';
import { SqlCompileError } from './errors';
import { type Code, ExprCompiler, exprKey, type Module, type Scope } from './expression-compiler';
import { rt } from './runtime';
import { isNumeric, type Rep, repOf, T, typeText } from './types';
import { sumType } from './windows';

type Fn = 'COUNT' | 'SUM' | 'MIN' | 'MAX' | 'AVG';

interface Partition {
  times: number[];
  values: unknown[];
  head: number;
  /** Non-null values in the window. */
  count: number;
  /** Running sum of the non-null values (SUM, AVG). */
  sum: unknown;
  /** MIN/MAX: indexes of a monotonic deque, front at `dqHead`. */
  deque: number[];
  dqHead: number;
}

/**
 * The state of one windowed aggregate in one runner. Each row costs amortised O(1): COUNT and SUM/AVG keep running
 * totals (exact for integers and DECIMAL), MIN/MAX a monotonic deque.
 */
/** A partition as a transaction found it: its arrays are only appended to, so their lengths say enough. */
interface PartitionUndo {
  length: number;
  head: number;
  count: number;
  sum: unknown;
  deque: number[];
  dqHead: number;
}

export class SlidingAggregate {
  private readonly partitions = new Map<unknown, Partition>();
  /** Partition key -> how it was when the open transaction first touched it; null for one it created. */
  private undo: Map<unknown, PartitionUndo | null> | undefined;

  constructor(
    private readonly fn: Fn,
    private readonly star: boolean,
    private readonly spec: WindowSpec,
    private readonly rep: Rep,
  ) {}

  /** Adds the current row's value and returns the aggregate over its window. */
  add(key: unknown, rowtime: number, value: unknown): unknown {
    let p = this.partitions.get(key);
    if (this.undo && !this.undo.has(key)) {
      // compact before saving, so that nothing moves the arrays while the transaction is open
      if (p && p.head > 1024 && p.head * 2 > p.times.length) this.compact(p);
      this.undo.set(
        key,
        p
          ? {
              length: p.times.length,
              head: p.head,
              count: p.count,
              sum: p.sum,
              deque: p.deque.slice(),
              dqHead: p.dqHead,
            }
          : null,
      );
    }
    if (!p) {
      p = { times: [], values: [], head: 0, count: 0, sum: null, deque: [], dqHead: 0 };
      this.partitions.set(key, p);
    }
    const v = this.star ? 1 : value;
    p.times.push(rowtime);
    p.values.push(v);
    if (v !== null) this.enter(p, v, p.values.length - 1);
    const { rangeMs, rows } = this.spec;
    if (rangeMs !== undefined) while (p.times[p.head]! <= rowtime - rangeMs) this.leave(p);
    else while (p.times.length - p.head > rows! + 1) this.leave(p);
    if (!this.undo && p.head > 1024 && p.head * 2 > p.times.length) this.compact(p);
    return this.result(p);
  }

  /** Starts a transaction (see Runner.begin). */
  begin(): void {
    this.undo = new Map();
  }

  commit(): void {
    this.undo = undefined;
  }

  rollback(): void {
    if (!this.undo) return;
    for (const [key, saved] of this.undo) {
      if (saved === null) {
        this.partitions.delete(key);
        continue;
      }
      const p = this.partitions.get(key)!;
      p.times.length = saved.length;
      p.values.length = saved.length;
      p.head = saved.head;
      p.count = saved.count;
      p.sum = saved.sum;
      p.deque = saved.deque;
      p.dqHead = saved.dqHead;
    }
    this.undo = undefined;
  }

  private enter(p: Partition, v: unknown, index: number): void {
    p.count++;
    if (this.fn === 'SUM' || this.fn === 'AVG') p.sum = p.sum === null ? v : (p.sum as number) + (v as number);
    else if (this.fn === 'MIN' || this.fn === 'MAX') {
      const min = this.fn === 'MIN';
      const d = p.deque;
      while (d.length > p.dqHead) {
        const back = p.values[d[d.length - 1]!] as number;
        if (min ? back >= (v as number) : back <= (v as number)) d.pop();
        else break;
      }
      d.push(index);
    }
  }

  private leave(p: Partition): void {
    const i = p.head++;
    const v = p.values[i];
    if (v === null) return;
    p.count--;
    if (this.fn === 'SUM' || this.fn === 'AVG') p.sum = p.count === 0 ? null : (p.sum as number) - (v as number);
    else if (p.deque[p.dqHead] === i) p.dqHead++;
  }

  private compact(p: Partition): void {
    const h = p.head;
    p.times = p.times.slice(h);
    p.values = p.values.slice(h);
    p.deque = p.deque.slice(p.dqHead).map((i) => i - h);
    p.dqHead = 0;
    p.head = 0;
  }

  private result(p: Partition): unknown {
    switch (this.fn) {
      case 'COUNT':
        return BigInt(p.count);
      case 'MIN':
      case 'MAX':
        return p.deque.length > p.dqHead ? p.values[p.deque[p.dqHead]!]! : null;
      case 'SUM':
        return p.sum;
      default: {
        if (p.sum === null) return null;
        switch (this.rep) {
          case 'float':
            return (p.sum as number) / p.count;
          case 'int':
            return Math.trunc((p.sum as number) / p.count);
          case 'dec':
            return Math.round((p.sum as number) / p.count);
          default:
            return rt.divDec(p.sum as bigint, 0, BigInt(p.count), 0, 0);
        }
      }
    }
  }
}

/**
 * The scope of a select with sliding windows: columns as in the row scope; `AGG(x) OVER w` computed once per row
 * into `wN`, by `W[N].add(partition, rowtime, x)`.
 */
export class SlidingScope implements Scope {
  readonly rowtimeCode: string;
  /** Statements that compute each windowed aggregate, run after WHERE. */
  readonly statements: string[] = [];
  /** Factories of the per-runner state of each windowed aggregate. */
  readonly factories: (() => SlidingAggregate)[] = [];
  private readonly byKey = new Map<string, Code>();
  compiler!: ExprCompiler;
  /** Set while WHERE compiles: windows see only the rows WHERE keeps, so WHERE cannot use them. */
  inWhere = false;

  constructor(
    module: Module,
    private readonly rows: Scope,
    private readonly windows: Map<string, WindowSpec>,
  ) {
    this.rowtimeCode = rows.rowtimeCode;
    this.compiler = new ExprCompiler(module, this);
  }

  column(e: Expr & { kind: 'column' }): Code {
    return this.rows.column(e);
  }

  aggregate(e: Expr & { kind: 'call' }): Code {
    if (!e.over)
      throw new SqlCompileError(
        `${e.name} here needs OVER a window (or GROUP BY STEP(ROWTIME BY INTERVAL ...) for tumbling windows)`,
        e.pos,
      );
    if (this.inWhere) throw new SqlCompileError('windowed aggregates (OVER ...) are not allowed in WHERE', e.pos);
    const key = exprKey(e);
    const existing = this.byKey.get(key);
    if (existing) return existing;
    let spec = e.over.spec;
    if (e.over.ref !== undefined) {
      spec = this.windows.get(e.over.ref);
      if (!spec)
        throw new SqlCompileError(`window ${e.over.ref} is not defined; add WINDOW ${e.over.ref} AS (...)`, e.over.pos);
    }
    const fn = e.name as Fn;
    if (e.distinct) throw new SqlCompileError(`${fn}(DISTINCT ...) is not supported`, e.pos);
    if (e.star && fn !== 'COUNT') throw new SqlCompileError(`${fn}(*) is not valid; only COUNT(*)`, e.pos);
    if (!e.star && e.args.length !== 1) throw new SqlCompileError(`${fn} takes one argument`, e.pos);
    const c = this.compiler;
    const arg = e.star ? c.literal(1, T.INTEGER) : c.expr(e.args[0]!);
    if ((fn === 'SUM' || fn === 'AVG') && !isNumeric(arg.type))
      throw new SqlCompileError(`${fn} needs a number, not ${typeText(arg.type)}`, e.args[0]!.pos);
    const sum = fn === 'SUM' || fn === 'AVG' ? c.convert(arg, sumType(arg.type), e.args[0]!.pos, false) : arg;
    const parts = spec!.partitionBy.map((p) => c.expr(p));
    const partCode =
      parts.length === 0
        ? "''"
        : parts.length === 1
          ? parts[0]!.code
          : parts.map((p) => `typeof (${p.code}) + ':' + String(${p.code})`).join(" + '\\u0001' + ");
    const i = this.factories.length;
    const s = spec!;
    const rep = repOf(sum.type);
    this.factories.push(() => new SlidingAggregate(fn, e.star, s, rep));
    const name = `w${i}`;
    this.statements.push(`const ${name} = W[${i}].add(${partCode}, rowtime, ${sum.code});`);
    const type = fn === 'COUNT' ? T.BIGINT : fn === 'SUM' ? sum.type : arg.type;
    // AVG of a DECIMAL summed in bigint comes back to the argument's representation
    const back = fn === 'AVG' && repOf(arg.type) === 'dec' && rep === 'decbig';
    const code: Code = { code: back ? `(${name} === null ? null : Number(${name}))` : name, type };
    this.byKey.set(key, code);
    return code;
  }
}
