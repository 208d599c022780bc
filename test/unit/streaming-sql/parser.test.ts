import { compile, SqlCompileError } from '../../../src/streaming-sql';
import { parse } from '../../../src/streaming-sql/parser';
import { transactionsSchema } from './helpers';

function compileError(sql: string): SqlCompileError {
  try {
    compile(sql, { schema: transactionsSchema });
  } catch (error) {
    if (error instanceof SqlCompileError) return error;
    throw error;
  }
  throw new Error('expected a compile error');
}

const pumpOf = (select: string): string =>
  `CREATE STREAM OUT_S (ID INTEGER);\nCREATE PUMP P AS INSERT INTO OUT_S\n${select};`;

describe('Function: parse', () => {
  it('reads statements separated by semicolons, skipping both kinds of comments', () => {
    // Act
    const statements = parse(`-- leading comment
      CREATE OR REPLACE STREAM "Mixed_Case" (a INTEGER, "b" VARCHAR(3)); /* block
      comment */ CREATE PUMP p AS INSERT INTO "Mixed_Case" SELECT STREAM ID, USERNAME FROM SOURCE_SQL_STREAM_001`);

    // Assess
    expect(statements.map((s) => [s.kind, s.name])).toEqual([
      ['create-stream', 'Mixed_Case'],
      ['create-pump', 'P'],
    ]);
    const stream = statements[0]!;
    expect(stream.kind === 'create-stream' && stream.columns.map((c) => c.name)).toEqual(['A', 'b']);
  });
});

describe('Function: compile errors', () => {
  it.each([
    ['CREATE STREAM S (ID INTEGER', 1, 28, "expected ')'"],
    ['SELECT * FROM SOURCE_SQL_STREAM_001', 1, 1, 'wrap it in a pump'],
    ['CREATE TABLE T (A INTEGER)', 1, 8, 'CREATE'],
    [pumpOf('SELECT ID FROM SOURCE_SQL_STREAM_001'), 3, 8, 'SELECT STREAM'],
    [pumpOf('SELECT STREAM ID FROM NOPE'), 3, 23, 'stream NOPE does not exist'],
    [pumpOf('SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 WHERE "id" > 1'), 3, 51, 'did you mean "ID"'],
    [pumpOf('SELECT STREAM x.ID FROM SOURCE_SQL_STREAM_001 AS s'), 3, 15, 'unknown stream or alias X'],
    [pumpOf('SELECT STREAM ID, AMOUNT FROM SOURCE_SQL_STREAM_001'), 3, 1, 'select list has 2 columns'],
    [pumpOf('SELECT STREAM USERNAME FROM SOURCE_SQL_STREAM_001'), 3, 15, 'cannot insert VARCHAR(200) into column ID'],
    [pumpOf('SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 WHERE ID'), 3, 51, 'WHERE must be a condition'],
    [pumpOf('SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 WHERE USERNAME > 5'), 3, 60, 'cannot compare'],
    [pumpOf('SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001'), 3, 1, 'GROUP BY'],
    [pumpOf('SELECT STREAM COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY USERNAME'), 3, 60, 'time window'],
    [
      pumpOf("SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 GROUP BY USERNAME, STEP(ROWTIME BY INTERVAL '1' MINUTE)"),
      3,
      15,
      'must appear in GROUP BY',
    ],
    [pumpOf('SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 JOIN OTHER ON TRUE'), 3, 45, 'joins are not supported'],
    [
      pumpOf(
        "SELECT STREAM COUNT(ID) FROM SOURCE_SQL_STREAM_001 WINDOWED BY STAGGER (PARTITION BY ID RANGE INTERVAL '1' MINUTE)",
      ),
      3,
      52,
      'stagger windows',
    ],
    [
      pumpOf('SELECT STREAM COUNT(*) OVER W2 FROM SOURCE_SQL_STREAM_001 WINDOW W1 AS (ROWS 2 PRECEDING)'),
      3,
      24,
      'window W2 is not defined',
    ],
    [
      pumpOf('SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 WHERE COUNT(*) OVER (ROWS 1 PRECEDING) > 1'),
      3,
      51,
      'not allowed in WHERE',
    ],
    [
      pumpOf("SELECT STREAM COUNT(*) OVER (RANGE INTERVAL '1' MINUTE FOLLOWING) FROM SOURCE_SQL_STREAM_001"),
      3,
      56,
      'expected PRECEDING',
    ],
    [pumpOf('SELECT STREAM NOSUCH(ID) FROM SOURCE_SQL_STREAM_001'), 3, 15, 'unknown or unsupported function NOSUCH'],
    [
      pumpOf("SELECT STREAM ID FROM SOURCE_SQL_STREAM_001 WHERE USERNAME SIMILAR TO '(a'"),
      3,
      71,
      'invalid SIMILAR TO pattern',
    ],
    ['CREATE STREAM S (A INTEGER);\nCREATE STREAM S (B INTEGER);', 2, 1, 'already exists'],
    ['CREATE STREAM S (A WIDGET);', 1, 20, 'unsupported SQL type WIDGET'],
    [pumpOf('SELECT STREAM ID FROM (SELECT STREAM ID, ID FROM SOURCE_SQL_STREAM_001)'), 3, 42, 'two columns named ID'],
    [
      pumpOf('SELECT STREAM AMOUNT FROM (SELECT STREAM ID FROM SOURCE_SQL_STREAM_001) AS q'),
      3,
      15,
      'column AMOUNT not found in stream subquery at line 3',
    ],
    [
      'CREATE STREAM S (ID INTEGER);\nCREATE PUMP P AS INSERT INTO S SELECT STREAM ID FROM SOURCE_SQL_STREAM_001;\nCREATE OR REPLACE STREAM S (ID BIGINT);',
      3,
      1,
      'stream S is used by pump P',
    ],
    [
      "CREATE STREAM S (A INTEGER);\nCREATE PUMP P AS INSERT INTO S SELECT STREAM 'x' || FROM SOURCE_SQL_STREAM_001;",
      2,
      53,
      "expected a column but found 'FROM'",
    ],
    ["SELECT 'unterminated", 1, 8, 'unterminated string'],
  ])('%s -> line %i, column %i', (sql, line, column, message) => {
    // Act
    const error = compileError(sql);

    // Assess
    expect(error.name).toBe('CodeValidationException');
    expect(error.message).toContain(message);
    expect([error.line, error.column]).toEqual([line, column]);
  });
});
