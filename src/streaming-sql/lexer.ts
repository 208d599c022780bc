/** Tokens of the Kinesis Analytics SQL dialect, with their positions for error messages. */
import { SqlCompileError } from './errors';

export type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifiers: unquoted ones folded to upper case, quoted ones as written. Strings: unescaped text. */
  value: string;
  line: number;
  column: number;
}

const OPERATORS = ['<>', '!=', '<=', '>=', '||', '(', ')', ',', ';', '.', '*', '+', '-', '/', '=', '<', '>', '%'];

/** Splits application code into tokens; `--` and `/* *\/` comments are skipped. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = sql.length;
  const fail = (reason: string, at: number): never => {
    throw new SqlCompileError(reason, { line, column: at - lineStart + 1 });
  };
  while (i < n) {
    const ch = sql[i]!;
    if (ch === '\n') {
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f') {
      i++;
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const start = i;
      i += 2;
      while (i < n && !(sql[i] === '*' && sql[i + 1] === '/')) {
        if (sql[i] === '\n') {
          line++;
          lineStart = i + 1;
        }
        i++;
      }
      if (i >= n) fail('unterminated /* comment', start);
      i += 2;
      continue;
    }
    const column = i - lineStart + 1;
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$#]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'ident', value: sql.slice(i, j).toUpperCase(), line, column });
      i = j;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const startLine = line;
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= n) fail(ch === '"' ? 'unterminated quoted identifier' : 'unterminated string literal', i);
        const c = sql[j]!;
        if (c === ch) {
          if (sql[j + 1] === ch) {
            text += ch;
            j += 2;
            continue;
          }
          break;
        }
        if (c === '\n') {
          line++;
          lineStart = j + 1;
        }
        text += c;
        j++;
      }
      if (ch === '"' && text === '') fail('empty quoted identifier', i);
      tokens.push({ kind: ch === '"' ? 'qident' : 'string', value: text, line: startLine, column });
      i = j + 1;
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i, i + 400))!;
      tokens.push({ kind: 'number', value: m[0], line, column });
      i += m[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (!op) fail(`unexpected character '${ch}'`, i);
    tokens.push({ kind: 'op', value: op!, line, column });
    i += op!.length;
  }
  tokens.push({ kind: 'eof', value: '', line, column: i - lineStart + 1 });
  return tokens;
}
