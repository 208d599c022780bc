/** Recursive-descent parser for the statements and expressions that Kinesis Analytics applications use. */
import type {
  CreatePump,
  CreateStream,
  Expr,
  Over,
  Pos,
  Select,
  SelectItem,
  Statement,
  TimeUnit,
  TypeName,
  WindowSpec,
} from './ast';
import { SqlCompileError } from './errors';
import { type Token, tokenize } from './lexer';
import { UNIT_MS } from './runtime';

const TIME_UNITS = new Set(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND']);
/** Words that end an expression or a select item, so they cannot be bare aliases. */
const RESERVED = new Set([
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
const SUPPORTED =
  'supported statements: CREATE [OR REPLACE] STREAM name (col TYPE, ...); CREATE [OR REPLACE] PUMP name AS INSERT INTO stream [(cols)] SELECT STREAM ... FROM stream [WHERE ...] [GROUP BY ...] [HAVING ...]';

/** Parses application code into statements; throws SqlCompileError with the line and column of the problem. */
export function parse(sql: string): Statement[] {
  return new Parser(tokenize(sql)).statements();
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    return this.tokens[this.i]!;
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }
  private pos(t: Token = this.tok): Pos {
    return { line: t.line, column: t.column };
  }
  private fail(reason: string, t: Token = this.tok): never {
    throw new SqlCompileError(reason, this.pos(t));
  }
  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of input';
    if (t.kind === 'string') return `'${t.value}'`;
    if (t.kind === 'qident') return `"${t.value}"`;
    return `'${t.value}'`;
  }
  private isKw(word: string, t: Token = this.tok): boolean {
    return t.kind === 'ident' && t.value === word;
  }
  private acceptKw(word: string): boolean {
    if (this.isKw(word)) {
      this.i++;
      return true;
    }
    return false;
  }
  private expectKw(word: string, hint?: string): Token {
    if (!this.isKw(word)) this.fail(`expected ${word} but found ${this.describe(this.tok)}${hint ? `; ${hint}` : ''}`);
    return this.tokens[this.i++]!;
  }
  private isOp(op: string, t: Token = this.tok): boolean {
    return t.kind === 'op' && t.value === op;
  }
  private acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.i++;
      return true;
    }
    return false;
  }
  private expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`expected '${op}' but found ${this.describe(this.tok)}`);
    return this.tokens[this.i++]!;
  }
  /** An identifier: unquoted (folded to upper case) or quoted (as written). */
  private identifier(what: string): string {
    const t = this.tok;
    if (t.kind === 'qident' || (t.kind === 'ident' && !RESERVED.has(t.value))) {
      this.i++;
      return t.value;
    }
    return this.fail(`expected ${what} but found ${this.describe(t)}`);
  }

  private atEnd(): boolean {
    return this.tok.kind === 'eof';
  }

  statements(): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      while (this.acceptOp(';'));
      if (this.atEnd()) break;
      out.push(this.statement());
      if (!this.atEnd() && !this.isOp(';'))
        this.fail(`expected ';' between statements but found ${this.describe(this.tok)}`);
    }
    return out;
  }

  private statement(): Statement {
    const start = this.tok;
    if (!this.isKw('CREATE')) {
      if (this.isKw('SELECT') || this.isKw('INSERT'))
        this.fail(`a bare ${start.value} is not run by an application: wrap it in a pump; ${SUPPORTED}`);
      this.fail(`unexpected ${this.describe(start)}; ${SUPPORTED}`);
    }
    this.i++;
    let orReplace = false;
    if (this.acceptKw('OR')) {
      this.expectKw('REPLACE');
      orReplace = true;
    }
    if (this.acceptKw('STREAM')) return this.createStream(start, orReplace);
    if (this.acceptKw('PUMP')) return this.createPump(start, orReplace);
    return this.fail(`CREATE ${this.describe(this.tok)} is not supported; ${SUPPORTED}`);
  }

  private createStream(start: Token, orReplace: boolean): CreateStream {
    const name = this.identifier('a stream name');
    this.expectOp('(');
    const columns: CreateStream['columns'] = [];
    do {
      const pos = this.pos();
      const col = this.identifier('a column name');
      columns.push({ name: col, type: this.typeName(), pos });
    } while (this.acceptOp(','));
    this.expectOp(')');
    if (this.isKw('WITH') || this.isKw('DESCRIPTION')) this.fail('stream options are not supported');
    return { kind: 'create-stream', name, orReplace, columns, pos: this.pos(start) };
  }

  private typeName(): TypeName {
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

  private createPump(start: Token, orReplace: boolean): CreatePump {
    const name = this.identifier('a pump name');
    this.expectKw('AS');
    this.expectKw('INSERT', 'a pump is CREATE PUMP name AS INSERT INTO stream SELECT STREAM ...');
    this.expectKw('INTO');
    const targetTok = this.tok;
    const target = this.identifier('a stream name');
    let targetColumns: CreatePump['targetColumns'];
    if (this.acceptOp('(')) {
      targetColumns = [];
      do {
        const pos = this.pos();
        targetColumns.push({ name: this.identifier('a column name'), pos });
      } while (this.acceptOp(','));
      this.expectOp(')');
    }
    const select = this.select();
    const pump: CreatePump = {
      kind: 'create-pump',
      name,
      orReplace,
      target,
      targetPos: this.pos(targetTok),
      select,
      pos: this.pos(start),
    };
    if (targetColumns) pump.targetColumns = targetColumns;
    return pump;
  }

  private select(): Select {
    const start = this.tok;
    this.expectKw('SELECT');
    if (!this.acceptKw('STREAM')) this.fail('a pump selects from a stream: write SELECT STREAM ...');
    if (this.isKw('DISTINCT')) this.fail('SELECT STREAM DISTINCT is not supported');
    this.acceptKw('ALL');
    const items: SelectItem[] = [];
    do items.push(this.selectItem());
    while (this.acceptOp(','));
    this.expectKw('FROM');
    const fromTok = this.tok;
    let from: Select['from'];
    if (this.acceptOp('(')) {
      const subquery = this.select();
      this.expectOp(')');
      from = { name: '', subquery, pos: this.pos(fromTok) };
    } else {
      const fromName = this.identifier('a stream name');
      if (this.isKw('OVER')) this.fail('windows with OVER on FROM are not supported');
      from = { name: fromName, pos: this.pos(fromTok) };
    }
    if (this.acceptKw('AS')) from.alias = this.identifier('an alias');
    else if (this.tok.kind === 'qident' || (this.tok.kind === 'ident' && !RESERVED.has(this.tok.value)))
      from.alias = this.identifier('an alias');
    for (const w of ['JOIN', 'LEFT', 'RIGHT', 'INNER', 'FULL', 'CROSS'])
      if (this.isKw(w)) this.fail('stream joins are not supported by this engine; one FROM stream per pump');
    if (this.isOp(',')) this.fail('several FROM sources (joins) are not supported; one FROM stream per pump');
    const select: Select = { items, from, pos: this.pos(start) };
    if (this.acceptKw('WHERE')) select.where = this.expr();
    if (this.isKw('GROUP')) {
      this.i++;
      this.expectKw('BY');
      const groupBy: Expr[] = [];
      do groupBy.push(this.expr());
      while (this.acceptOp(','));
      select.groupBy = groupBy;
    }
    if (this.acceptKw('HAVING')) select.having = this.expr();
    if (this.isKw('WINDOW')) {
      this.i++;
      if (this.isKw('BY'))
        this.fail(
          'stagger windows (WINDOWED BY STAGGER) are not supported; use a sliding WINDOW or GROUP BY STEP(...)',
        );
      const windows: NonNullable<Select['windows']> = [];
      do {
        const t = this.tok;
        const name = this.identifier('a window name');
        this.expectKw('AS');
        windows.push({ name, spec: this.windowSpec(), pos: this.pos(t) });
      } while (this.acceptOp(','));
      select.windows = windows;
    }
    if (this.isKw('WINDOWED'))
      this.fail('stagger windows (WINDOWED BY STAGGER) are not supported; use a sliding WINDOW or GROUP BY STEP(...)');
    if (this.isKw('ORDER')) this.fail('ORDER BY is not supported on a stream');
    if (this.isKw('UNION')) this.fail('UNION is not supported; use one pump per source');
    if (this.isKw('LIMIT')) this.fail('LIMIT is not supported on a stream');
    return select;
  }

  private selectItem(): SelectItem {
    const start = this.tok;
    if (this.isOp('*')) {
      this.i++;
      return { kind: 'star', pos: this.pos(start) };
    }
    if (
      (start.kind === 'ident' || start.kind === 'qident') &&
      this.isOp('.', this.peek()) &&
      this.isOp('*', this.peek(2))
    ) {
      this.i += 3;
      return { kind: 'star', qualifier: start.value, pos: this.pos(start) };
    }
    const expr = this.expr();
    const item: SelectItem = { kind: 'expr', expr, pos: this.pos(start) };
    if (this.acceptKw('AS')) item.alias = this.identifier('an alias');
    else if (this.tok.kind === 'qident' || (this.tok.kind === 'ident' && !RESERVED.has(this.tok.value)))
      item.alias = this.identifier('an alias');
    return item;
  }

  // ---- expressions, lowest precedence first ----

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let left = this.and();
    while (this.isKw('OR')) {
      const t = this.tokens[this.i++]!;
      left = { kind: 'binary', op: 'OR', left, right: this.and(), pos: this.pos(t) };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isKw('AND')) {
      const t = this.tokens[this.i++]!;
      left = { kind: 'binary', op: 'AND', left, right: this.not(), pos: this.pos(t) };
    }
    return left;
  }

  private not(): Expr {
    if (this.isKw('NOT')) {
      const t = this.tokens[this.i++]!;
      return { kind: 'unary', op: 'NOT', operand: this.not(), pos: this.pos(t) };
    }
    return this.predicate();
  }

  private predicate(): Expr {
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

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.tok;
      if (t.kind === 'op' && (t.value === '+' || t.value === '-' || t.value === '||')) {
        this.i++;
        left = { kind: 'binary', op: t.value, left, right: this.multiplicative(), pos: this.pos(t) };
      } else return left;
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.tok;
      if (t.kind === 'op' && (t.value === '*' || t.value === '/' || t.value === '%')) {
        this.i++;
        left = { kind: 'binary', op: t.value, left, right: this.unary(), pos: this.pos(t) };
      } else return left;
    }
  }

  private unary(): Expr {
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

  private timeUnit(): TimeUnit {
    const t = this.tok;
    if (t.kind === 'ident' && TIME_UNITS.has(t.value)) {
      this.i++;
      return t.value as TimeUnit;
    }
    return this.fail(`expected a time unit (SECOND, MINUTE, HOUR, DAY, ...) but found ${this.describe(t)}`);
  }

  private primary(): Expr {
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

  private caseExpr(): Expr {
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

  private columnRef(): Expr {
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

  private call(): Expr {
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

  private over(): Over | undefined {
    const t = this.tok;
    if (!this.acceptKw('OVER')) return undefined;
    if (this.isOp('(')) return { spec: this.windowSpec(), pos: this.pos(t) };
    return { ref: this.identifier('a window name'), pos: this.pos(t) };
  }

  /** `( [PARTITION BY e, ...] RANGE INTERVAL 'n' unit PRECEDING | ROWS n PRECEDING )` */
  private windowSpec(): WindowSpec {
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
