/**
 * The expression grammar, by precedence: OR, AND, NOT, predicates (comparisons, BETWEEN, IN, LIKE, SIMILAR TO, IS),
 * + - ||, * / %, unary signs, and primaries (literals, typed literals, INTERVAL, CAST, CASE, columns, calls).
 */
import type { Expr } from './ast';
import { CallParser } from './call-parser';

/** Reads expressions; the statement parser (parser.ts) reads the statements around them. */
export class ExpressionParser extends CallParser {
  expr(): Expr {
    return this.or();
  }

  protected or(): Expr {
    let left = this.and();
    while (this.isKw('OR')) {
      const t = this.tokens[this.i++]!;
      left = { kind: 'binary', op: 'OR', left, right: this.and(), pos: this.pos(t) };
    }
    return left;
  }

  protected and(): Expr {
    let left = this.not();
    while (this.isKw('AND')) {
      const t = this.tokens[this.i++]!;
      left = { kind: 'binary', op: 'AND', left, right: this.not(), pos: this.pos(t) };
    }
    return left;
  }

  protected not(): Expr {
    if (this.isKw('NOT')) {
      const t = this.tokens[this.i++]!;
      return { kind: 'unary', op: 'NOT', operand: this.not(), pos: this.pos(t) };
    }
    return this.predicate();
  }

  protected predicate(): Expr {
    const left = this.additive();
    const t = this.tok;
    if (t.kind === 'op' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.i++;
      const op = t.value === '!=' ? '<>' : t.value;
      return { kind: 'binary', op, left, right: this.additive(), pos: this.pos(t) };
    }
    if (this.isKw('IS')) {
      this.i++;
      const not = this.acceptKw('NOT');
      for (const test of ['NULL', 'TRUE', 'FALSE', 'UNKNOWN'] as const)
        if (this.acceptKw(test)) return { kind: 'is', expr: left, test, not, pos: this.pos(t) };
      this.fail(`expected NULL, TRUE, FALSE or UNKNOWN after IS but found ${this.describe(this.tok)}`);
    }
    let not = false;
    if (
      this.isKw('NOT') &&
      (this.isKw('BETWEEN', this.peek()) ||
        this.isKw('IN', this.peek()) ||
        this.isKw('LIKE', this.peek()) ||
        this.isKw('SIMILAR', this.peek()))
    ) {
      this.i++;
      not = true;
    }
    if (this.acceptKw('BETWEEN')) {
      this.acceptKw('ASYMMETRIC');
      if (this.isKw('SYMMETRIC')) this.fail('BETWEEN SYMMETRIC is not supported');
      const low = this.additive();
      this.expectKw('AND');
      return { kind: 'between', expr: left, low, high: this.additive(), not, pos: this.pos(t) };
    }
    if (this.acceptKw('IN')) {
      this.expectOp('(');
      if (this.isKw('SELECT')) this.fail('IN (subquery) is not supported; list the values');
      const list: Expr[] = [];
      do list.push(this.expr());
      while (this.acceptOp(','));
      this.expectOp(')');
      return { kind: 'in', expr: left, list, not, pos: this.pos(t) };
    }
    if (this.acceptKw('LIKE')) {
      const pattern = this.additive();
      const like: Expr = { kind: 'like', expr: left, pattern, not, pos: this.pos(t) };
      if (this.acceptKw('ESCAPE')) like.escape = this.additive();
      return like;
    }
    if (this.acceptKw('SIMILAR')) {
      this.expectKw('TO');
      const pattern = this.additive();
      const similar: Expr = { kind: 'like', expr: left, pattern, not, similar: true, pos: this.pos(t) };
      if (this.acceptKw('ESCAPE')) similar.escape = this.additive();
      return similar;
    }
    if (not) this.fail('expected BETWEEN, IN, LIKE or SIMILAR TO after NOT');
    return left;
  }

  protected additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.tok;
      if (t.kind === 'op' && (t.value === '+' || t.value === '-' || t.value === '||')) {
        this.i++;
        left = { kind: 'binary', op: t.value, left, right: this.multiplicative(), pos: this.pos(t) };
      } else return left;
    }
  }

  protected multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      if (t.kind === 'op' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.i++;
        left = { kind: 'binary', op: t.value, left, right: this.unary(), pos: this.pos(t) };
      } else return left;
    }
  }

  protected unary(): Expr {
    const t = this.tok;
    if (t.kind === 'op' && (t.value === '-' || t.value === '+')) {
      this.i++;
      const operand = this.unary();
      if (
        t.value === '-' &&
        operand.kind === 'literal' &&
        (operand.type === 'INTEGER' || operand.type === 'DECIMAL' || operand.type === 'DOUBLE')
      )
        return {
          ...operand,
          text: operand.text.startsWith('-') ? operand.text.slice(1) : `-${operand.text}`,
          pos: this.pos(t),
        };
      return { kind: 'unary', op: t.value, operand, pos: this.pos(t) };
    }
    return this.primary();
  }

  protected primary(): Expr {
    const t = this.tok;
    const pos = this.pos(t);
    switch (t.kind) {
      case 'number': {
        this.i++;
        const type = /[eE]/.test(t.value) ? 'DOUBLE' : t.value.includes('.') ? 'DECIMAL' : 'INTEGER';
        return { kind: 'literal', type, text: t.value, pos };
      }
      case 'string':
        this.i++;
        return { kind: 'literal', type: 'STRING', text: t.value, pos };
      case 'op':
        if (t.value === '(') {
          this.i++;
          if (this.isKw('SELECT')) this.fail('subqueries are not supported');
          const e = this.expr();
          this.expectOp(')');
          return e;
        }
        return this.fail(`unexpected ${this.describe(t)} in an expression`);
      case 'eof':
        return this.fail('unexpected end of input in an expression');
      case 'qident':
        return this.columnRef();
    }
    // unquoted identifier: keyword-led syntax, function call or column
    const word = t.value;
    switch (word) {
      case 'NULL':
        this.i++;
        return { kind: 'literal', type: 'NULL', text: 'NULL', pos };
      case 'TRUE':
      case 'FALSE':
        this.i++;
        return { kind: 'literal', type: 'BOOLEAN', text: word, pos };
      case 'TIMESTAMP':
      case 'DATE':
      case 'TIME':
        if (this.peek().kind === 'string') {
          this.i++;
          const text = this.tokens[this.i++]!.value;
          return { kind: 'typed-literal', type: word, text, pos };
        }
        break;
      case 'INTERVAL': {
        this.i++;
        let sign = '';
        if (this.acceptOp('-')) sign = '-';
        const s = this.tok;
        if (s.kind !== 'string') this.fail(`expected a quoted value after INTERVAL, e.g. INTERVAL '10' SECOND`);
        this.i++;
        const unit = this.timeUnit();
        if (this.isKw('TO')) this.fail('compound intervals (INTERVAL ... TO ...) are not supported; use a single unit');
        if (this.isKw('PRECEDING')) this.fail('sliding windows (RANGE INTERVAL ... PRECEDING) are not supported');
        return { kind: 'interval', text: sign + s.value, unit, pos };
      }
      case 'CASE':
        return this.caseExpr();
      case 'CAST': {
        this.i++;
        this.expectOp('(');
        const expr = this.expr();
        this.expectKw('AS');
        const type = this.typeName();
        this.expectOp(')');
        return { kind: 'cast', expr, type, pos };
      }
      case 'CURRENT_ROW_TIMESTAMP':
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
      case 'CURRENT_DATE':
      case 'CURRENT_TIME':
      case 'ROWTIME':
        if (!this.isOp('(', this.peek())) {
          this.i++;
          if (word === 'ROWTIME') return { kind: 'column', name: 'ROWTIME', pos };
          return { kind: 'call', name: word, args: [], star: false, distinct: false, pos };
        }
        break;
      case 'EXISTS':
        this.fail('EXISTS (subquery) is not supported');
    }
    if (this.isOp('(', this.peek())) return this.call();
    return this.columnRef();
  }

  protected caseExpr(): Expr {
    const start = this.tokens[this.i++]!;
    const node: Expr & { kind: 'case' } = { kind: 'case', whens: [], pos: this.pos(start) };
    if (!this.isKw('WHEN')) node.operand = this.expr();
    while (this.acceptKw('WHEN')) {
      const when = this.expr();
      this.expectKw('THEN');
      node.whens.push({ when, result: this.expr() });
    }
    if (node.whens.length === 0) this.fail('CASE needs at least one WHEN ... THEN ...');
    if (this.acceptKw('ELSE')) node.else = this.expr();
    this.expectKw('END', 'close CASE with END');
    return node;
  }

  protected columnRef(): Expr {
    const t = this.tok;
    const first = this.identifier('a column');
    if (this.acceptOp('.')) {
      const nameTok = this.tok;
      if (this.isKw('ROWTIME')) {
        this.i++;
        return { kind: 'column', qualifier: first, name: 'ROWTIME', pos: this.pos(t) };
      }
      const name = this.identifier('a column name');
      if (this.isOp('.')) this.fail('only stream.column references are supported', nameTok);
      return { kind: 'column', qualifier: first, name, pos: this.pos(t) };
    }
    return { kind: 'column', name: first, pos: this.pos(t) };
  }
}
