import { compile, type SourceSchema } from '../../../src/streaming-sql';
import { jsonSchema, records } from './helpers';

const schema: SourceSchema = jsonSchema([
  ['N', 'INTEGER'],
  ['B', 'BIGINT'],
  ['D', 'DECIMAL(7,3)'],
  ['X', 'DOUBLE'],
  ['S', 'VARCHAR(32)'],
  ['F', 'BOOLEAN'],
  ['T', 'TIMESTAMP'],
]);

/** Evaluates one expression per record through a pump into a VARCHAR column, so every type prints as text. */
function evaluate(expr: string, type: string, inputs: string[]): unknown[] {
  const sql = `CREATE STREAM OUT_S (V ${type});
    CREATE PUMP P AS INSERT INTO OUT_S SELECT STREAM ${expr} FROM SOURCE_SQL_STREAM_001;`;
  const { rows, errors } = compile(sql, { schema }).createRunner().push(records(inputs));
  if (errors.length) throw new Error(errors.map((e) => e.MESSAGE).join('; '));
  return rows.map((r) => r.values['V']);
}

const one = '{"N":7,"B":9007199254740993,"D":"1.5","X":2.5,"S":"Hello World","F":true,"T":"2024-03-01 10:15:30.250"}';
const nulls = '{}';

describe('Class: ExprCompiler', () => {
  it.each([
    ['N + 3', 'INTEGER', 10],
    ['N / 2', 'INTEGER', 3],
    ['N - 10', 'INTEGER', -3],
    ['MOD(N, 4)', 'INTEGER', 3],
    ['B + 1', 'BIGINT', 9007199254740994n],
    ['D * 2', 'DECIMAL(9,3)', '3.000'],
    ['D + 0.25', 'DECIMAL(9,3)', '1.750'],
    ['D / 4', 'DECIMAL(12,6)', '0.375000'],
    ['X * 2', 'DOUBLE', 5],
    ['N + X', 'DOUBLE', 9.5],
    ['CAST(X AS DECIMAL(5,2))', 'DECIMAL(5,2)', '2.50'],
    ['CAST(D AS INTEGER)', 'INTEGER', 1],
    ['CAST(N AS VARCHAR(8))', 'VARCHAR(8)', '7'],
    ["CAST('42' AS INTEGER) + 1", 'INTEGER', 43],
    ['UPPER(S)', 'VARCHAR(32)', 'HELLO WORLD'],
    ['LOWER(S)', 'VARCHAR(32)', 'hello world'],
    ['SUBSTRING(S, 7, 5)', 'VARCHAR(32)', 'World'],
    ['SUBSTRING(S FROM 7)', 'VARCHAR(32)', 'World'],
    ["POSITION('World' IN S)", 'INTEGER', 7],
    ['CHAR_LENGTH(S)', 'INTEGER', 11],
    ["TRIM(BOTH 'H' FROM S)", 'VARCHAR(32)', 'ello World'],
    ["TRIM('  x  ')", 'VARCHAR(32)', 'x'],
    ["S || '!'", 'VARCHAR(40)', 'Hello World!'],
    ['ABS(N - 10)', 'INTEGER', 3],
    ['FLOOR(X)', 'DOUBLE', 2],
    ['CEIL(D)', 'INTEGER', 2],
    ["CASE WHEN N > 5 THEN 'big' ELSE 'small' END", 'VARCHAR(8)', 'big'],
    ["CASE N WHEN 1 THEN 'one' WHEN 7 THEN 'seven' END", 'VARCHAR(8)', 'seven'],
    ['FLOOR(T TO MINUTE)', 'TIMESTAMP', Date.UTC(2024, 2, 1, 10, 15)],
    ["STEP(T BY INTERVAL '10' SECOND)", 'TIMESTAMP', Date.UTC(2024, 2, 1, 10, 15, 30)],
    ["T + INTERVAL '1' HOUR", 'TIMESTAMP', Date.UTC(2024, 2, 1, 11, 15, 30, 250)],
    ['EXTRACT(HOUR FROM T)', 'INTEGER', 10],
    ["COALESCE(S, 'none')", 'VARCHAR(32)', 'Hello World'],
    ["TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', T)", 'VARCHAR(32)', '2024-03-01 10:15:30'],
    ["TIMESTAMP_TO_CHAR('dd MMM yy HH:mm:ss.SSS a', T)", 'VARCHAR(32)', '01 Mar 24 10:15:30.250 AM'],
    ["CHAR_TO_TIMESTAMP('yyyy-MM-dd hh:mm:ss', '2009-09-16 03:15:24')", 'TIMESTAMP', Date.UTC(2009, 8, 16, 3, 15, 24)],
    ['UNIX_TIMESTAMP(T)', 'BIGINT', BigInt(Date.UTC(2024, 2, 1, 10, 15, 30, 250))],
  ])('computes %s', (expr, type, expected) => {
    // Act
    const [value] = evaluate(expr, type, [one]);

    // Assess
    expect(value).toEqual(expected);
  });

  it.each([
    ['N BETWEEN 5 AND 10', true],
    ['N NOT BETWEEN 5 AND 10', false],
    ['N IN (1, 2, 7)', true],
    ['N NOT IN (1, 2)', true],
    ["S LIKE 'Hello%'", true],
    ["S LIKE '_ello W%d'", true],
    ["S NOT LIKE '%x%'", true],
    ["S SIMILAR TO '%(World|Moon)'", true],
    ["S SIMILAR TO 'H[a-e]llo%'", true],
    ["S NOT SIMILAR TO '%AMZN%'", true],
    ["S LIKE 'Hello.World'", false],
    ['F AND N > 1', true],
    ['NOT F OR N < 1', false],
    ['S IS NOT NULL', true],
    ["T > TIMESTAMP '2024-01-01 00:00:00'", true],
    ["T > '2025-01-01 00:00:00'", false],
    ['D = 1.5', true],
    ['B > 9007199254740992', true],
    ["CAST(S AS CHAR(16)) = 'Hello World'", true],
  ])('decides %s', (expr, expected) => {
    // Act
    const [value] = evaluate(expr, 'BOOLEAN', [one]);

    // Assess
    expect(value).toBe(expected);
  });

  it.each([
    ['N > 1', null],
    ['N > 1 AND FALSE', false],
    ['N > 1 OR TRUE', true],
    ['N > 1 OR FALSE', null],
    ['NOT (N > 1)', null],
    ['N IN (1, 2)', null],
    ['7 IN (1, N)', null],
    ['7 IN (7, N)', true],
    ['N IS NULL', true],
    ["S LIKE 'a%'", null],
  ])('follows three-valued logic: %s on NULLs is %s', (expr, expected) => {
    // Act
    const [value] = evaluate(expr, 'BOOLEAN', [nulls]);

    // Assess
    expect(value).toBe(expected);
  });

  it('keeps NULL through arithmetic and functions', () => {
    // Act
    const values = evaluate('N + 1', 'INTEGER', [nulls]).concat(evaluate('UPPER(S)', 'VARCHAR(8)', [nulls]));

    // Assess
    expect(values).toEqual([null, null]);
  });

  it('sends a division by zero to the error stream with the pump name, and keeps other rows', () => {
    // Prepare
    const sql = `CREATE STREAM OUT_S (V INTEGER);
      CREATE PUMP "P1" AS INSERT INTO OUT_S SELECT STREAM 10 / N FROM SOURCE_SQL_STREAM_001;`;

    // Act
    const { rows, errors } = compile(sql, { schema })
      .createRunner()
      .push(records(['{"N":0}', '{"N":5}']));

    // Assess
    expect(rows.map((r) => r.values['V'])).toEqual([2]);
    expect(errors).toMatchObject([{ ERROR_NAME: 'Division_By_Zero', PUMP_NAME: 'P1', ERROR_LEVEL: 'ERROR' }]);
  });

  it('does not evaluate the right side of AND when the left is false', () => {
    // Prepare
    const sql = `CREATE STREAM OUT_S (V INTEGER);
      CREATE PUMP P AS INSERT INTO OUT_S SELECT STREAM N FROM SOURCE_SQL_STREAM_001 WHERE N <> 0 AND 10 / N > 1;`;

    // Act
    const { rows, errors } = compile(sql, { schema })
      .createRunner()
      .push(records(['{"N":0}', '{"N":5}']));

    // Assess
    expect(errors).toEqual([]);
    expect(rows.map((r) => r.values['V'])).toEqual([5]);
  });
});
