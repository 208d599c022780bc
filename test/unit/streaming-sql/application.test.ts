import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, SqlCompileError, serializeRow } from '../../../src/streaming-sql';
import { records, transactionsSchema } from './helpers';

const fanoutSql = readFileSync(join(__dirname, '../../../sql/fanout.sql'), 'utf8');

describe('Function: compile', () => {
  it('lists the input stream and the streams the pumps write to, with their columns', () => {
    // Act
    const app = compile(fanoutSql, { schema: transactionsSchema });

    // Assess
    expect(app.inputStream).toBe('SOURCE_SQL_STREAM_001');
    expect(app.outputs.map((o) => o.name)).toEqual(['POSITIVE_TRANSACTIONS', 'NEGATIVE_TRANSACTIONS']);
    expect(app.outputs[0]!.columns).toEqual([
      { name: 'ID', sqlType: 'INTEGER' },
      { name: 'USERNAME', sqlType: 'VARCHAR(200)' },
      { name: 'AMOUNT', sqlType: 'DECIMAL(5,2)' },
    ]);
  });

  it('names the input stream after namePrefix', () => {
    // Act
    const app = compile(fanoutSql.replaceAll('SOURCE_SQL_STREAM_001', 'IN_001'), {
      schema: transactionsSchema,
      namePrefix: 'IN',
    });

    // Assess
    expect(app.inputStream).toBe('IN_001');
  });

  it('rejects an unknown column with its line and column', () => {
    // Prepare
    const sql = fanoutSql.replace('WHERE AMOUNT >= 0', 'WHERE AMT >= 0');

    // Act
    const act = (): unknown => compile(sql, { schema: transactionsSchema });

    // Assess
    expect(act).toThrow(SqlCompileError);
    try {
      act();
    } catch (error) {
      const e = error as SqlCompileError;
      expect(e.name).toBe('CodeValidationException');
      expect([e.line, e.column]).toEqual([18, 15]);
      expect(e.message).toContain('column AMT not found in stream SOURCE_SQL_STREAM_001');
    }
  });
});

describe('Class: Runner', () => {
  describe('Method: push', () => {
    it('routes each record of the worked example to the positive or the negative stream', () => {
      // Prepare
      const app = compile(fanoutSql, { schema: transactionsSchema });
      const runner = app.createRunner();

      // Act
      const { rows, errors } = runner.push(
        records([
          '{"ID":1,"USERNAME":"alice","AMOUNT":12.34}',
          '{"ID":2,"USERNAME":"bob","AMOUNT":-0.5}',
          '{"ID":3,"USERNAME":"carol","AMOUNT":0}',
        ]),
      );

      // Assess
      expect(errors).toEqual([]);
      expect(rows.map((r) => [r.stream, r.values, r.partitionKey])).toEqual([
        ['POSITIVE_TRANSACTIONS', { ID: 1, USERNAME: 'alice', AMOUNT: '12.34' }, 'pk-0'],
        ['NEGATIVE_TRANSACTIONS', { ID: 2, USERNAME: 'bob', AMOUNT: '-0.50' }, 'pk-1'],
        ['POSITIVE_TRANSACTIONS', { ID: 3, USERNAME: 'carol', AMOUNT: '0.00' }, 'pk-2'],
      ]);
      expect(serializeRow(rows[1]!, { RecordFormatType: 'JSON' }, app.outputs[1]!.columns).toString()).toBe(
        '{"ID":2,"USERNAME":"bob","AMOUNT":-0.50}',
      );
    });

    it('sends records that cannot be parsed or coerced to the error stream and keeps going', () => {
      // Prepare
      const runner = compile(fanoutSql, { schema: transactionsSchema }).createRunner();

      // Act
      const { rows, errors } = runner.push(
        records([
          'not json',
          '{"ID":"x","USERNAME":"a","AMOUNT":1}',
          '{"ID":3,"USERNAME":"c","AMOUNT":1000}',
          '{"ID":4,"USERNAME":"d","AMOUNT":1}',
        ]),
      );

      // Assess
      expect(rows.map((r) => r.values['ID'])).toEqual([4]);
      expect(errors.map((e) => [e.ERROR_NAME, e.PUMP_NAME])).toEqual([
        ['Parse_Error', null],
        ['Type_Conversion_Error', null],
        ['Type_Conversion_Error', null],
      ]);
      expect(Buffer.from(errors[0]!.DATA_ROW, 'hex').toString()).toBe('not json');
      expect(errors[2]!.MESSAGE).toContain('DECIMAL(5,2)');
    });
  });
});
