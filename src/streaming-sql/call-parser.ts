/**
 * Function calls as SQL writes them: the calls with syntax of their own (FLOOR/CEIL(ts TO unit), STEP(ts BY ...),
 * SUBSTRING(s FROM n FOR m), POSITION(a IN b), TRIM(... FROM s), EXTRACT(unit FROM ts)), `f(*)`, `f(DISTINCT x)`,
 * and the OVER clause of a windowed aggregate. The expression grammar itself is expression-parser.ts.
 */
import type { Expr, Over, WindowSpec } from './ast';
import { UNIT_MS } from './runtime';
import { TokenCursor } from './token-cursor';

/** The part of the expression grammar that reads calls; ExpressionParser gives it `expr` and `additive`. */
export abstract class CallParser extends TokenCursor {
  abstract expr(): Expr;
  protected abstract additive(): Expr;

  protected call(): Expr {
    const t = this.tokens[this.i++]!;
    const name = t.value;
    const pos = this.pos(t);
    if (t.kind !== 'ident') this.fail(`"${name}" is not a function`, t);
    this.expectOp('(');
    switch (name) {
      case 'FLOOR':
      case 'CEIL':
      case 'CEILING': {
        const expr = this.expr();
        if (this.acceptKw('TO')) {
          const unit = this.timeUnit();
          this.expectOp(')');
          return { kind: 'floor-to', fn: name === 'FLOOR' ? 'FLOOR' : 'CEIL', expr, unit, pos };
        }
        this.expectOp(')');
        return {
          kind: 'call',
          name: name === 'CEILING' ? 'CEIL' : name,
          args: [expr],
          star: false,
          distinct: false,
          pos,
        };
      }
      case 'STEP': {
        const expr = this.expr();
        this.expectKw('BY', "STEP is written STEP(ts BY INTERVAL 'n' unit)");
        const interval = this.expr();
        this.expectOp(')');
        return { kind: 'step', expr, interval, pos };
      }
      case 'SUBSTRING': {
        const str = this.expr();
        const args = [str];
        if (this.acceptKw('FROM')) {
          args.push(this.expr());
          if (this.acceptKw('FOR')) args.push(this.expr());
        } else {
          while (this.acceptOp(',')) args.push(this.expr());
        }
        this.expectOp(')');
        return { kind: 'call', name, args, star: false, distinct: false, pos };
      }
      case 'POSITION': {
        const needle = this.additive();
        this.expectKw('IN', 'POSITION is written POSITION(needle IN haystack)');
        const hay = this.expr();
        this.expectOp(')');
        return { kind: 'call', name, args: [needle, hay], star: false, distinct: false, pos };
      }
      case 'TRIM': {
        let side: 'BOTH' | 'LEADING' | 'TRAILING' = 'BOTH';
        let sideGiven = false;
        for (const s of ['BOTH', 'LEADING', 'TRAILING'] as const)
          if (this.acceptKw(s)) {
            side = s;
            sideGiven = true;
          }
        let chars: Expr | undefined;
        let expr: Expr;
        if (sideGiven && this.acceptKw('FROM')) expr = this.expr();
        else {
          const first = this.expr();
          if (this.acceptKw('FROM')) {
            chars = first;
            expr = this.expr();
          } else expr = first;
        }
        this.expectOp(')');
        const node: Expr = { kind: 'trim', side, expr, pos };
        if (chars) node.chars = chars;
        return node;
      }
      case 'EXTRACT': {
        const unit = this.timeUnit();
        this.expectKw('FROM');
        const expr = this.expr();
        this.expectOp(')');
        return {
          kind: 'call',
          name,
          args: [{ kind: 'literal', type: 'STRING', text: unit, pos }, expr],
          star: false,
          distinct: false,
          pos,
        };
      }
    }
    if (this.acceptOp('*')) {
      this.expectOp(')');
      const call: Expr & { kind: 'call' } = { kind: 'call', name, args: [], star: true, distinct: false, pos };
      const over = this.over();
      if (over) call.over = over;
      return call;
    }
    const distinct = this.acceptKw('DISTINCT');
    this.acceptKw('ALL');
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      do args.push(this.expr());
      while (this.acceptOp(','));
    }
    this.expectOp(')');
    const call: Expr & { kind: 'call' } = { kind: 'call', name, args, star: false, distinct, pos };
    const over = this.over();
    if (over) call.over = over;
    return call;
  }

  protected over(): Over | undefined {
    const t = this.tok;
    if (!this.acceptKw('OVER')) return undefined;
    if (this.isOp('(')) return { spec: this.windowSpec(), pos: this.pos(t) };
    return { ref: this.identifier('a window name'), pos: this.pos(t) };
  }

  /** `( [PARTITION BY e, ...] RANGE INTERVAL 'n' unit PRECEDING | ROWS n PRECEDING )` */
  protected windowSpec(): WindowSpec {
    const start = this.expectOp('(');
    const spec: WindowSpec = { partitionBy: [], pos: this.pos(start) };
    if (this.acceptKw('PARTITION')) {
      this.expectKw('BY');
      do spec.partitionBy.push(this.expr());
      while (this.acceptOp(','));
    }
    if (this.isKw('ORDER')) this.fail('ORDER BY in a window is not supported: stream windows are ordered by ROWTIME');
    if (this.acceptKw('RANGE')) {
      this.expectKw('INTERVAL', "a time window is RANGE INTERVAL 'n' unit PRECEDING");
      const v = this.tok;
      if (v.kind !== 'string' || !/^\s*[0-9]+(?:\.[0-9]+)?\s*$/.test(v.value))
        this.fail("expected a quoted positive number, e.g. INTERVAL '1' MINUTE");
      this.i++;
      const unitTok = this.tok;
      const unit = this.timeUnit();
      const ms = UNIT_MS[unit];
      if (ms === undefined) this.fail('window ranges are in MILLISECOND, SECOND, MINUTE, HOUR or DAY', unitTok);
      spec.rangeMs = Math.round(Number(v.value) * ms!);
    } else if (this.acceptKw('ROWS')) {
      const n = this.tok;
      if (n.kind !== 'number' || !/^[0-9]+$/.test(n.value)) this.fail('expected a row count, e.g. ROWS 10 PRECEDING');
      this.i++;
      spec.rows = Number(n.value);
    } else this.fail("expected RANGE INTERVAL 'n' unit PRECEDING or ROWS n PRECEDING");
    if (this.isKw('BETWEEN')) this.fail('window frames with BETWEEN are not supported; use ... PRECEDING');
    this.expectKw('PRECEDING', 'sliding windows end at the current row');
    this.expectOp(')');
    return spec;
  }
}
