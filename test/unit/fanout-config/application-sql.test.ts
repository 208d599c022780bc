import { resolve } from 'node:path';
import { applicationSqlOf, copyApplicationSql } from '../../../src/fanout-config/application-sql';
import { parseFanout } from '../../../src/fanout-config/load';
import { compile, discoverSchema, serializeRow } from '../../../src/streaming-sql';
import { records } from '../streaming-sql/helpers';

const ROOT = resolve(__dirname, '..', '..', '..');
const LOGS = ['{"log": "Record 0"}', '{"log": "Record 1"}', '{"log": "Record 10"}'];

describe('Function: copyApplicationSql', () => {
  it('copies every column of every record into each in-application stream, keeping the names', () => {
    // Prepare: the copy application of the original question, over its own records
    const { InputSchema: schema } = discoverSchema(LOGS.map((t) => Buffer.from(t)));
    const sql = copyApplicationSql(schema.RecordColumns, ['COPY_1', 'COPY_2']);

    // Act
    const app = compile(sql, { schema });
    const { rows, errors } = app.createRunner().push(records(LOGS));

    // Assess
    expect(errors).toEqual([]);
    expect(app.pumps.map((p) => p.into)).toEqual(['COPY_1', 'COPY_2']);
    for (const stream of ['COPY_1', 'COPY_2']) {
      const columns = app.outputs.find((o) => o.name === stream)!.columns;
      const out = rows
        .filter((r) => r.stream === stream)
        .map((r) => serializeRow(r, { RecordFormatType: 'JSON' }, columns));
      expect(out.map((b) => JSON.parse(Buffer.from(b).toString('utf8')))).toEqual(LOGS.map((t) => JSON.parse(t)));
    }
  });

  it('quotes names that need it', () => {
    // Act
    const sql = copyApplicationSql([{ Name: 'say "hi"', SqlType: 'VARCHAR(8)' }], ['COPY_1']);

    // Assess
    expect(sql).toContain('CREATE OR REPLACE STREAM "COPY_1" ("say ""hi""" VARCHAR(8));');
  });
});

describe('Function: applicationSqlOf', () => {
  it('is the SQL file of a fan-out that names one, whatever the columns', () => {
    // Prepare
    const { definition } = parseFanout(
      'input: {stream: In}\nsql: sql/fanout.sql\noutputs: [{stream: A, sqlStream: POSITIVE_TRANSACTIONS}]\n',
      'fanout.yml',
      { projectDir: ROOT },
    );

    // Act & Assess
    expect(applicationSqlOf(definition, [])).toContain('CREATE OR REPLACE PUMP "STREAM_PUMP1"');
  });

  it('is the copy application of a fan-out without sql: one pump, whose stream every output and the prefix receive', () => {
    // Prepare
    const { definition } = parseFanout(
      'input: {stream: In}\noutputs: [{stream: A}, {stream: B}]\noutputPrefix: app-\n',
      'fanout.yml',
      {
        projectDir: ROOT,
        engine: 'lambda',
      },
    );
    const columns = [{ Name: 'log', SqlType: 'VARCHAR(16)' }];

    // Act
    const all = applicationSqlOf(definition, columns);
    const one = applicationSqlOf(definition, columns, ['COPY', 'COPY']);

    // Assess
    expect(
      compile(all, {
        schema: { RecordFormat: { RecordFormatType: 'JSON' }, RecordColumns: [{ ...columns[0]!, Mapping: '$.log' }] },
      }).pumps.map((p) => p.into),
    ).toEqual(['COPY']);
    expect(definition.outputs.map((o) => o.sqlStream)).toEqual(['COPY', 'COPY']);
    expect(definition.outputPrefix?.sqlStream).toBe('COPY');
    expect(one).toBe(
      '-- Generated: every output copies every column of every record (fanout.yml has no sql).\n' +
        'CREATE OR REPLACE STREAM "COPY" ("log" VARCHAR(16));\n' +
        'CREATE OR REPLACE PUMP "COPY_PUMP_1" AS INSERT INTO "COPY"\n' +
        '    SELECT STREAM "log" FROM "SOURCE_SQL_STREAM_001";\n',
    );
  });
});
