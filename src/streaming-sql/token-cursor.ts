/**
 * The parser's cursor over the tokens: looking at, accepting and expecting keywords and operators, identifiers (not
 * reserved words), time units and type names, and errors with the line and column of the token.
 */
import type { Pos, TimeUnit, TypeName } from './ast';
import { SqlCompileError } from './errors';
import type { Token } from './lexer';

export const TIME_UNITS = new Set(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND']);
/** Words that end an expression or a select item, so they cannot be bare aliases. */
export const RESERVED = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'WINDOW',
  'WINDOWED',
  'ORDER',
  'UNION',
  'JOIN',
  'LEFT',
  'RIGHT',
  'INNER',
  'OUTER',
  'FULL',
  'CROSS',
  'ON',
  'AS',
  'AND',
  'OR',
  'NOT',
  'IS',
  'IN',
  'LIKE',
  'BETWEEN',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'BY',
  'OVER',
  'PARTITION',
  'LIMIT',
  'STREAM',
  'INSERT',
  'INTO',
  'CREATE',
  'PUMP',
  'SIMILAR',
]);

/** The token helpers every part of the parser uses. */
export class TokenCursor {
  protected i = 0;
  constructor(protected readonly tokens: Token[]) {}

  protected get tok(): Token {
    return this.tokens[this.i]!;
  }
  protected peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }
  protected pos(t: Token = this.tok): Pos {
    return { line: t.line, column: t.column };
  }
  protected fail(reason: string, t: Token = this.tok): never {
    throw new SqlCompileError(reason, this.pos(t));
  }
  protected describe(t: Token): string {
    if (t.kind === 'eof') return 'end of input';
    if (t.kind === 'string') return `'${t.value}'`;
    if (t.kind === 'qident') return `"${t.value}"`;
    return `'${t.value}'`;
  }
  protected isKw(word: string, t: Token = this.tok): boolean {
    return t.kind === 'ident' && t.value === word;
  }
  protected acceptKw(word: string): boolean {
    if (this.isKw(word)) {
      this.i++;
      return true;
    }
    return false;
  }
  protected expectKw(word: string, hint?: string): Token {
    if (!this.isKw(word)) this.fail(`expected ${word} but found ${this.describe(this.tok)}${hint ? `; ${hint}` : ''}`);
    return this.tokens[this.i++]!;
  }
  protected isOp(op: string, t: Token = this.tok): boolean {
    return t.kind === 'op' && t.value === op;
  }
  protected acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.i++;
      return true;
    }
    return false;
  }
  protected expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`expected '${op}' but found ${this.describe(this.tok)}`);
    return this.tokens[this.i++]!;
  }
  /** An identifier: unquoted (folded to upper case) or quoted (as written). */
  protected identifier(what: string): string {
    const t = this.tok;
    if (t.kind === 'qident' || (t.kind === 'ident' && !RESERVED.has(t.value))) {
      this.i++;
      return t.value;
    }
    return this.fail(`expected ${what} but found ${this.describe(t)}`);
  }

  protected atEnd(): boolean {
    return this.tok.kind === 'eof';
  }

  protected timeUnit(): TimeUnit {
    const t = this.tok;
    if (t.kind === 'ident' && TIME_UNITS.has(t.value)) {
      this.i++;
      return t.value as TimeUnit;
    }
    return this.fail(`expected a time unit (SECOND, MINUTE, HOUR, DAY, ...) but found ${this.describe(t)}`);
  }

  protected typeName(): TypeName {
    const t = this.tok;
    if (t.kind !== 'ident') this.fail(`expected a SQL type but found ${this.describe(t)}`);
    this.i++;
    let name = t.value;
    if (name === 'DOUBLE') this.acceptKw('PRECISION');
    if (name === 'CHARACTER') {
      name = this.acceptKw('VARYING') ? 'VARCHAR' : 'CHAR';
    }
    if (name === 'TIMESTAMP' || name === 'TIME') {
      // TIMESTAMP(p) and WITH/WITHOUT TIME ZONE are not part of the dialect
    }
    const args: number[] = [];
    if (this.acceptOp('(')) {
      do {
        const n = this.tok;
        if (n.kind !== 'number' || !/^[0-9]+$/.test(n.value)) this.fail(`expected an integer in ${name}(...)`);
        args.push(Number(n.value));
        this.i++;
      } while (this.acceptOp(','));
      this.expectOp(')');
    }
    return { name, args, pos: this.pos(t) };
  }
}
