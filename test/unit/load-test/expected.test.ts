import { compileForLoadTest, computeExpectation, UnknownSqlStreamError } from '../../../src/load-test/expected';
import { tagOf } from '../../../src/load-test/identity';
import { RecordSource } from '../../../src/load-test/source';
import { widenSql } from '../../../src/load-test/truncation';
import type { SourceSchema } from '../../../src/streaming-sql';
import { applicationSql } from '../../example-sql';

const json = (columns: [string, string][]): SourceSchema => ({
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: columns.map(([Name, SqlType]) => ({ Name, SqlType, Mapping: `$.${Name}` })),
});
/** What schema discovery makes of sql/fanout.sample.json. */
const transactions = json([
  ['ID', 'INTEGER'],
  ['USERNAME', 'VARCHAR(32)'],
  ['AMOUNT', 'DOUBLE'],
]);
const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const T0 = Date.UTC(2026, 0, 1);
/** The copy application of the background document (kinesis-fan-out-question-and-answer.txt). */
const COPY_SQL = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (log VARCHAR(16));
CREATE OR REPLACE PUMP "COPY_PUMP1" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "log" FROM "SOURCE_SQL_STREAM_001";`;

function expectation(
  sql: string,
  schema: SourceSchema,
  sqlStreams: string[],
  total: number,
  spec: ConstructorParameters<typeof RecordSource>[0] = { kind: 'synthetic' },
) {
  const outputs = sqlStreams.map((s, i) => ({ sqlStream: s, streamArn: arn(`Out${i}`) }));
  const app = compileForLoadTest(sql, schema, outputs);
  const source = new RecordSource(spec, {
    runId: 'lt-unit',
    tag: tagOf('lt-unit'),
    schema,
    partitionKeys: ['a', 'b'],
    plannedMs: (seq) => T0 + seq * 10,
  });
  return computeExpectation({
    app,
    outputs,
    total,
    record: (seq) => source.record(seq),
    arrivalMs: (seq) => T0 + seq * 10,
    tag: source.tag,
    truncation: { sql, schema, records: total },
  });
}

describe('Function: computeExpectation', () => {
  it('sends each record where sql/fanout.sql sends it, and follows it by the token in USERNAME', () => {
    // Act
    const e = expectation(applicationSql, transactions, ['POSITIVE_TRANSACTIONS', 'NEGATIVE_TRANSACTIONS'], 500);

    // Assess
    expect(e.rejected).toBe(0);
    expect(e.outputs.map((o) => [o.by, o.tokenColumn])).toEqual([
      ['token', 'USERNAME'],
      ['token', 'USERNAME'],
    ]);
    const [positive, negative] = e.outputs;
    expect(positive!.seqs.length + negative!.seqs.length).toBe(500);
    expect(new Set([...positive!.seqs, ...negative!.seqs]).size).toBe(500);
    expect(e.truncated).toEqual([]);
  });

  it('follows the copy SQL of the background document over {"log": ...} records by the token in LOG', () => {
    // Act
    const e = expectation(COPY_SQL, json([['log', 'VARCHAR(32)']]), ['DESTINATION_SQL_STREAM'], 300);

    // Assess
    expect(e.outputs[0]).toMatchObject({ by: 'token', tokenColumn: 'LOG' });
    expect(e.outputs[0]!.seqs).toEqual([...Array(300).keys()]);
  });

  it('expects every row of an in-application stream in each output it feeds (one copy pump, three outputs)', () => {
    // Act
    const e = expectation(
      COPY_SQL,
      json([['log', 'VARCHAR(32)']]),
      ['DESTINATION_SQL_STREAM', 'DESTINATION_SQL_STREAM', 'DESTINATION_SQL_STREAM'],
      200,
    );

    // Assess
    expect(e.outputs.map((o) => o.seqs)).toEqual([0, 1, 2].map(() => [...Array(200).keys()]));
  });

  it('matches by content when the SQL keeps no text column, leaving out the columns of arrival time', () => {
    // Prepare
    const sql = `CREATE OR REPLACE STREAM "AMOUNTS" (ID INTEGER, AMOUNT DOUBLE, SEEN TIMESTAMP);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "AMOUNTS"
        SELECT STREAM ID, AMOUNT * 2, ROWTIME FROM "SOURCE_SQL_STREAM_001";`;

    // Act
    const e = expectation(sql, transactions, ['AMOUNTS'], 100);

    // Assess
    expect(e.outputs[0]).toMatchObject({ by: 'content', excluded: ['SEEN'] });
    expect(new Set(e.outputs[0]!.keys).size).toBe(100);
  });

  it('only counts the rows of a windowed pump, whose rows depend on arrival times', () => {
    // Prepare
    const sql = `CREATE OR REPLACE STREAM "TOTALS" (N INTEGER);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "TOTALS"
        SELECT STREAM COUNT(*) AS N FROM "SOURCE_SQL_STREAM_001"
        GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);`;

    // Act
    const e = expectation(sql, transactions, ['TOTALS'], 50);

    // Assess
    expect(e.outputs[0]!.by).toBe('rows');
  });

  it('finds values cut to a VARCHAR of the input and of an output stream', () => {
    // Prepare: "Record 10" does not fit the VARCHAR(8) of the input; "Record 100000000" not the stream's VARCHAR(12)
    const sql = COPY_SQL.replace('VARCHAR(16)', 'VARCHAR(12)');
    const records = ['Record 1', 'Record 10', 'Record 100000000'].map((log) => ({ log }));

    // Act
    const narrow = expectation(sql, json([['log', 'VARCHAR(8)']]), ['DESTINATION_SQL_STREAM'], 3, {
      kind: 'sample',
      records,
    });
    const wide = expectation(sql, json([['log', 'VARCHAR(32)']]), ['DESTINATION_SQL_STREAM'], 3, {
      kind: 'sample',
      records,
    });

    // Assess
    expect(narrow.truncated).toContainEqual({ where: 'input', column: 'log', sqlType: 'VARCHAR(8)', values: 2 });
    expect(wide.truncated).toEqual([
      { where: 'output', stream: 'DESTINATION_SQL_STREAM', column: 'LOG', sqlType: 'VARCHAR(12)', values: 1 },
    ]);
  });

  it('refuses a binding to an in-application stream the SQL does not have', () => {
    const bindings = [{ sqlStream: 'NOPE', streamArn: arn('Out') }];
    expect(() => compileForLoadTest(applicationSql, transactions, bindings)).toThrow(UnknownSqlStreamError);
  });
});

describe('Function: widenSql', () => {
  it("widens the VARCHAR columns of CREATE STREAM and leaves the pumps' CASTs alone", () => {
    // Act
    const sql = widenSql(`CREATE OR REPLACE STREAM "S" (a VARCHAR(4), b CHARACTER VARYING (8), c INTEGER);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "S" SELECT STREAM CAST(x AS VARCHAR(2)), y, z FROM "I";`);

    // Assess
    expect(sql).toContain('a VARCHAR(1048576), b CHARACTER VARYING (1048576), c INTEGER');
    expect(sql).toContain('CAST(x AS VARCHAR(2))');
  });
});
