import { TokenFinder, tagOf, tokenFor } from '../../../src/load-test/identity';
import { RecordSource } from '../../../src/load-test/source';
import { compile, type SourceSchema } from '../../../src/streaming-sql';

const json = (columns: [string, string, string?][], rowPath = '$'): SourceSchema => ({
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: rowPath } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: columns.map(([Name, SqlType, Mapping]) => ({ Name, SqlType, Mapping: Mapping ?? `$.${Name}` })),
});

function source(schema: SourceSchema, spec: ConstructorParameters<typeof RecordSource>[0] = { kind: 'synthetic' }) {
  return new RecordSource(spec, {
    runId: 'run-1',
    tag: tagOf('run-1'),
    schema,
    partitionKeys: ['a', 'b'],
    plannedMs: (seq) => Date.UTC(2026, 0, 1) + seq * 10,
  });
}

/** What the SQL engine reads from a record: the values of SELECT STREAM * over the schema. */
function read(schema: SourceSchema, data: Uint8Array): Record<string, unknown> {
  const names = schema.RecordColumns.map((c) => `"${c.Name}"`).join(', ');
  const columns = schema.RecordColumns.map((c) => `"${c.Name}" ${c.SqlType}`).join(', ');
  const app = compile(
    `CREATE OR REPLACE STREAM "OUT" (${columns});
     CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM ${names} FROM "SOURCE_SQL_STREAM_001";`,
    { schema },
  );
  const { rows, errors } = app.createRunner().push([{ data, arrivalTime: Date.UTC(2026, 0, 1) }]);
  expect(errors).toEqual([]);
  return rows[0]!.values;
}

describe('Function: tokenFor / Class: TokenFinder', () => {
  it('fits the token to the column and finds it again, also inside longer text and upper-cased', () => {
    // Prepare
    const tag = tagOf('an-execution-name-0b8c');
    const finder = new TokenFinder(tag);

    // Act
    const wide = tokenFor(tag, 42)!;
    const narrow = tokenFor(tag, 42, 8)!;

    // Assess
    expect(tag).toMatch(/^t[a-z0-9]{7}$/);
    expect(wide).toBe(`${tag}-42`);
    expect(narrow).toHaveLength(8);
    expect(tokenFor(tag, 42, 6)).toBeUndefined();
    expect(finder.seqIn(wide)).toBe(42);
    expect(finder.seqIn(narrow)).toBe(42);
    expect(finder.seqIn(`Record ${wide.toUpperCase()} seen`)).toBe(42);
    expect(finder.seqIn(`${tagOf('another-run')}-42`)).toBeUndefined();
    expect(finder.seqIn(`x${wide}`)).toBeUndefined();
  });
});

describe('Class: RecordSource', () => {
  it('fills every column type of the schema, the token in text columns, the same for the same sequence', () => {
    // Prepare
    const schema = json([
      ['log', 'VARCHAR(16)'],
      ['n', 'INTEGER'],
      ['big', 'BIGINT'],
      ['small', 'SMALLINT'],
      ['price', 'DECIMAL(5,2)'],
      ['ratio', 'DOUBLE'],
      ['ok', 'BOOLEAN'],
      ['at', 'TIMESTAMP'],
      ['day', 'DATE'],
      ['code', 'CHAR(2)'],
      ['city', 'VARCHAR(32)', '$.address.city'],
      ['tags', 'VARCHAR(64)', '$.tags[0:]'],
    ]);
    const s = source(schema);

    // Act
    const values = read(schema, s.record(7).data);

    // Assess
    const finder = new TokenFinder(s.tag);
    expect(finder.seqIn(values['log'])).toBe(7);
    expect(finder.seqIn(values['city'])).toBe(7);
    expect(finder.seqIn(values['tags'])).toBe(7);
    expect(values['n']).toBe(7);
    expect(typeof values['big']).toBe('bigint');
    expect(typeof values['price']).toBe('string');
    expect(typeof values['ok']).toBe('boolean');
    expect(values['at']).toBe(Date.UTC(2026, 0, 1) + 70);
    expect(values['code']).toHaveLength(2);
    expect(Buffer.from(s.record(7).data).toString()).toBe(Buffer.from(source(schema).record(7).data).toString());
    expect(s.carriers.map((i) => s.columns[i]!.name)).toEqual(['log', 'city', 'tags']);
  });

  it('draws signed amounts with the asked share below zero, within the DECIMAL column', () => {
    // Prepare
    const schema = json([['AMOUNT', 'DECIMAL(4,2)']]);
    const s = source(schema);

    // Act
    const amounts = Array.from({ length: 2000 }, (_, seq) => Number(read(schema, s.record(seq).data)['AMOUNT']));

    // Assess
    const negative = amounts.filter((a) => a < 0).length / amounts.length;
    expect(negative).toBeGreaterThan(0.45);
    expect(negative).toBeLessThan(0.55);
    expect(amounts.every((a) => Math.abs(a) < 100)).toBe(true);
  });

  it('writes CSV rows in the schema column order, padded to the record size with a trailing cell', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordFormat: {
        RecordFormatType: 'CSV',
        MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\n', RecordColumnDelimiter: '|' } },
      },
      RecordColumns: [
        { Name: 'ID', SqlType: 'INTEGER' },
        { Name: 'NAME', SqlType: 'VARCHAR(20)' },
      ],
    };
    const s = new RecordSource(
      { kind: 'synthetic' },
      { runId: 'r', tag: 'tabcdefg', schema, partitionKeys: ['k'], plannedMs: () => 0, recordSize: 100 },
    );

    // Act
    const text = Buffer.from(s.record(3).data).toString();

    // Assess
    expect(text.startsWith('3|tabcdefg-3|x')).toBe(true);
    expect(Buffer.byteLength(text)).toBe(100);
    expect(read(schema, s.record(3).data)).toEqual({ ID: 3, NAME: 'tabcdefg-3' });
  });

  it('puts the user sample records in turn, with the token only in the columns it is given', () => {
    // Prepare
    const schema = json([
      ['log', 'VARCHAR(32)'],
      ['level', 'VARCHAR(8)'],
    ]);
    const s = source(schema, {
      kind: 'sample',
      records: [{ log: 'Record 0', level: 'INFO' }, '{"log":"Record 1","level":"WARN"}'],
    });

    // Act
    const plain = read(schema, s.record(3).data);
    s.setCarriers([0]);
    const carried = read(schema, s.record(3).data);

    // Assess
    expect(plain).toEqual({ log: 'Record 1', level: 'WARN' });
    expect(carried).toEqual({ log: `${s.tag}-3`, level: 'WARN' });
  });
});
