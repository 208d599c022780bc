/**
 * Recursive-descent parser for the statements and expressions that Kinesis Analytics applications use: the statements
 * here (CREATE STREAM, CREATE PUMP ... INSERT INTO ... SELECT STREAM), expressions in expression-parser.ts and
 * call-parser.ts, the token helpers in token-cursor.ts.
 */
import type { CreatePump, CreateStream, Expr, Select, SelectItem, Statement } from './ast';
import { ExpressionParser } from './expression-parser';
import { type Token, tokenize } from './lexer';
import { RESERVED } from './token-cursor';

const SUPPORTED =
  'supported statements: CREATE [OR REPLACE] STREAM name (col TYPE, ...); CREATE [OR REPLACE] PUMP name AS INSERT INTO stream [(cols)] SELECT STREAM ... FROM stream [WHERE ...] [GROUP BY ...] [HAVING ...]';

/** Parses application code into statements; throws SqlCompileError with the line and column of the problem. */
export function parse(sql: string): Statement[] {
  return new Parser(tokenize(sql)).statements();
}

class Parser extends ExpressionParser {
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

  protected statement(): Statement {
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

  protected createStream(start: Token, orReplace: boolean): CreateStream {
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

  protected createPump(start: Token, orReplace: boolean): CreatePump {
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

  protected select(): Select {
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

  protected selectItem(): SelectItem {
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
}
