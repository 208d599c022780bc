import { applicationSql } from '../../../src/application';
import { compileForLoadTest, computeExpectation, UnknownSqlStreamError } from '../../../src/load-test/expected';
import { RecordGenerator, recordTagOf } from '../../../src/load-test/generator';
import type { SourceSchema } from '../../../src/streaming-sql';

/** What schema discovery makes of sql/fanout.sample.json. */
const schema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(32)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DOUBLE', Mapping: '$.AMOUNT' },
  ],
};

const outputs = [
  {
    sqlStream: 'POSITIVE_TRANSACTIONS',
    streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/PositiveTransactions',
  },
  {
    sqlStream: 'NEGATIVE_TRANSACTIONS',
    streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/NegativeTransactions',
  },
];

function generator(runId = 'lt-unit', recordSize = 0) {
  return new RecordGenerator({ runId, negativeShare: 0.4, partitionKeys: ['a', 'b'], schema, recordSize });
}

describe('Function: computeExpectation', () => {
  it('sends each generated record where sql/fanout.sql sends it, by the sign of its amount', () => {
    // Prepare
    const app = compileForLoadTest(applicationSql, schema, outputs);
    const g = generator('lt-unit', 300);

    // Act
    const expectation = computeExpectation(app, g, 500, outputs, (seq) => 1000 + seq);

    // Assess
    expect(expectation.rejected).toBe(0);
    expect(expectation.unidentified).toBe(0);
    expect(expectation.columns).toEqual([
      ['ID', 'USERNAME', 'AMOUNT'],
      ['ID', 'USERNAME', 'AMOUNT'],
    ]);
    for (let seq = 0; seq < 500; seq++) {
      const negative = g.record(seq).fields.cents < 0;
      expect([expectation.destinations[0]![seq], expectation.destinations[1]![seq]]).toEqual(
        negative ? [0, 1] : [1, 0],
      );
    }
  });

  it('counts output rows it cannot trace back to a record, such as aggregates', () => {
    // Prepare
    const sql = `CREATE OR REPLACE STREAM "TOTALS" (N INTEGER);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "TOTALS"
        SELECT STREAM COUNT(*) AS N FROM "SOURCE_SQL_STREAM_001"
        GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);`;
    const bindings = [{ sqlStream: 'TOTALS', streamArn: outputs[0]!.streamArn }];
    const app = compileForLoadTest(sql, schema, bindings);

    // Act
    const expectation = computeExpectation(app, generator(), 50, bindings, (seq) => 1000 + seq * 100);

    // Assess
    expect(expectation.unidentified).toBeGreaterThan(0);
    expect(expectation.destinations[0]!.every((d) => d === 0)).toBe(true);
  });

  it('refuses a binding to an in-application stream the SQL does not have', () => {
    const bindings = [{ sqlStream: 'NOPE', streamArn: outputs[0]!.streamArn }];
    expect(() => compileForLoadTest(applicationSql, schema, bindings)).toThrow(UnknownSqlStreamError);
  });
});

describe('Function: recordTagOf', () => {
  it('keeps a run id that fits the USERNAME column, and shortens one that does not', () => {
    // Act
    const short = recordTagOf('lt-short', schema, 1000);
    const long = recordTagOf('smoke-2026-11-22T03-30-00-000Z-abcdef', schema, 1_000_000);

    // Assess
    expect(short).toBe('lt-short');
    expect(`${long}-999999`.length).toBeLessThanOrEqual(32);
    expect(long).toMatch(/^t[a-z0-9]{5,}$/);
    expect(recordTagOf('smoke-2026-11-22T03-30-00-000Z-abcdef', schema, 1_000_000)).toBe(long);
  });
});
