/**
 * Finding values cut to their column size, which Kinesis Analytics does silently (a VARCHAR(8) input column turns
 * "Record 10" into "Record 1"): the same SQL is compiled again with wide text columns, on the input (the schema)
 * and on the in-application streams (the CREATE STREAM column types), and the results are compared.
 */
import type { SourceSchema } from '../streaming-sql';
import { tokenize } from '../streaming-sql/lexer';
import { parseTypeText } from '../streaming-sql/types';

/** Text columns become this wide for the comparison. */
const WIDE = 1_048_576;

/** Values of one column that were cut to its size. */
export interface Truncation {
  where: 'input' | 'output';
  /** The in-application stream of an output column. */
  stream?: string;
  column: string;
  sqlType: string;
  /** How many values were cut. */
  values: number;
}

/** The schema with every VARCHAR column as wide as `WIDE`. */
export function widenSchema(schema: SourceSchema): SourceSchema {
  return {
    ...schema,
    RecordColumns: schema.RecordColumns.map((c) => {
      const type = parseTypeText(c.SqlType);
      return typeof type !== 'string' && type.kind === 'VARCHAR' ? { ...c, SqlType: `VARCHAR(${WIDE})` } : c;
    }),
  };
}

/** The SQL with the VARCHAR lengths of its CREATE STREAM columns as wide as `WIDE` (pumps' CASTs are left alone). */
export function widenSql(sql: string): string {
  const tokens = tokenize(sql);
  const lineStarts = [0];
  for (let i = 0; i < sql.length; i++) if (sql[i] === '\n') lineStarts.push(i + 1);
  const offsets: { at: number; length: number }[] = [];
  let inCreateStream = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'op' && t.value === ';') inCreateStream = false;
    else if (t.kind === 'ident' && t.value === 'CREATE') {
      const next = tokens[i + 1]?.value === 'OR' ? tokens[i + 3] : tokens[i + 1];
      inCreateStream = next?.kind === 'ident' && next.value === 'STREAM';
    } else if (
      inCreateStream &&
      t.kind === 'ident' &&
      (t.value === 'VARCHAR' || (t.value === 'VARYING' && tokens[i - 1]?.value === 'CHARACTER')) &&
      tokens[i + 1]?.value === '(' &&
      tokens[i + 2]?.kind === 'number' &&
      tokens[i + 3]?.value === ')'
    ) {
      const n = tokens[i + 2]!;
      offsets.push({ at: lineStarts[n.line - 1]! + n.column - 1, length: n.value.length });
    }
  }
  let out = sql;
  for (const { at, length } of offsets.reverse()) out = `${out.slice(0, at)}${WIDE}${out.slice(at + length)}`;
  return out;
}

/** The warning a truncation gives, in words. */
export function describeTruncation(t: Truncation): string {
  const where = t.where === 'input' ? `input column ${t.column}` : `column ${t.column} of ${t.stream}`;
  const values = `${t.values.toLocaleString('en-US')} value${t.values === 1 ? '' : 's'}`;
  return `${values} cut to the ${t.sqlType} of the ${where}: widen it${t.where === 'input' ? ' in the input schema' : ' in the SQL'}`;
}
