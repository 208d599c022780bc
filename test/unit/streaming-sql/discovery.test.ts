import { compile, discoverSchema, UnableToDetectSchemaError, withVarcharHeadroom } from '../../../src/streaming-sql';
import { suggestColumnName } from '../../../src/streaming-sql/discovery';

const samples = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t));

describe('Function: discoverSchema', () => {
  it('infers JSON columns, types and mappings from the worked example records', () => {
    // Act
    const result = discoverSchema(
      samples(
        '{"ID": 1, "USERNAME": "fanout-1", "AMOUNT": 12.5}',
        '{"ID": 2, "USERNAME": "fanout-2", "AMOUNT": -3.25}',
      ),
    );

    // Assess
    expect(result.InputSchema).toEqual({
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordEncoding: 'UTF-8',
      RecordColumns: [
        { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
        { Name: 'USERNAME', SqlType: 'VARCHAR(8)', Mapping: '$.USERNAME' },
        { Name: 'AMOUNT', SqlType: 'DOUBLE', Mapping: '$.AMOUNT' },
      ],
    });
    expect(result.ParsedInputRecords).toEqual([
      ['1', 'fanout-1', '12.5'],
      ['2', 'fanout-2', '-3.25'],
    ]);
    expect(result.RawInputRecords).toHaveLength(2);
  });

  it('flattens nested objects, keeps arrays whole, detects timestamps, booleans and BIGINT', () => {
    // Act
    const { InputSchema } = discoverSchema(
      samples(
        '{"EVENT_TIME": "2018-06-13T14:11:05.766191", "user": {"name": "a", "year": 1990}, "tags": ["x"], "ok": true, "n": 9007199254740993}',
      ),
    );

    // Assess
    expect(InputSchema.RecordColumns).toEqual([
      { Name: 'EVENT_TIME', SqlType: 'TIMESTAMP', Mapping: '$.EVENT_TIME' },
      { Name: 'name', SqlType: 'VARCHAR(4)', Mapping: '$.user.name' },
      { Name: 'COL_year', SqlType: 'INTEGER', Mapping: '$.user.year' },
      { Name: 'tags', SqlType: 'VARCHAR(8)', Mapping: '$.tags[0:]' },
      { Name: 'ok', SqlType: 'BOOLEAN', Mapping: '$.ok' },
      { Name: 'n', SqlType: 'BIGINT', Mapping: '$.n' },
    ]);
  });

  it('infers CSV with a header line as the guide shows (sch-dis-ref.md)', () => {
    // Act
    const { InputSchema, ParsedInputRecords } = discoverSchema(
      samples(
        'year,month,state,producer_type,energy_source,units,consumption\r\n2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535',
      ),
    );

    // Assess
    expect(InputSchema.RecordColumns).toEqual([
      { SqlType: 'INTEGER', Name: 'COL_year' },
      { SqlType: 'INTEGER', Name: 'COL_month' },
      { SqlType: 'VARCHAR(4)', Name: 'state' },
      { SqlType: 'VARCHAR(64)', Name: 'producer_type' },
      { SqlType: 'VARCHAR(4)', Name: 'energy_source' },
      { SqlType: 'VARCHAR(16)', Name: 'units' },
      { SqlType: 'INTEGER', Name: 'consumption' },
    ]);
    expect(InputSchema.RecordFormat).toEqual({
      RecordFormatType: 'CSV',
      MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\r\n', RecordColumnDelimiter: ',' } },
    });
    expect(ParsedInputRecords).toHaveLength(2);
  });

  it('names headerless CSV columns by position', () => {
    // Act
    const { InputSchema } = discoverSchema(samples('a|1|2.5', 'b|2|3'));

    // Assess
    expect(InputSchema.RecordColumns.map((c) => `${c.Name} ${c.SqlType}`)).toEqual([
      'COL_0 VARCHAR(4)',
      'COL_1 INTEGER',
      'COL_2 DOUBLE',
    ]);
  });

  it('throws UnableToDetectSchema with the raw records when nothing fits', () => {
    // Act
    const act = (): unknown => discoverSchema(samples('just some words', 'and more'));

    // Assess
    expect(act).toThrow(UnableToDetectSchemaError);
    try {
      act();
    } catch (error) {
      expect((error as UnableToDetectSchemaError).name).toBe('UnableToDetectSchemaException');
      expect((error as UnableToDetectSchemaError).rawInputRecords).toEqual(['just some words', 'and more']);
    }
  });
});

describe('Function: suggestColumnName', () => {
  it.each([
    ['USER', 'COL_USER'],
    ['USER@DOMAIN', 'COL_USERDOMAIN'],
    ['@@', 'COL_0'],
    ['1st', 'COL_1st'],
    ['TICKER_SYMBOL', 'TICKER_SYMBOL'],
  ])('%s -> %s', (source, expected) => {
    // Act / Assess
    expect(suggestColumnName(source, 0)).toBe(expected);
  });
});

describe('Function: withVarcharHeadroom', () => {
  it('leaves room in discovered VARCHAR columns so "Record 10" is not cut to "Record 1"', () => {
    // Prepare: DiscoverInputSchema sizes `log` after "Record 0".."Record 9", as AWS does
    const discovered = discoverSchema(
      samples(...Array.from({ length: 10 }, (_, i) => `{"log":"Record ${i}","n":${i}}`)),
    );
    const copy = `CREATE OR REPLACE STREAM "OUT" (log VARCHAR(64));
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "log" FROM "SOURCE_SQL_STREAM_001";`;
    const read = (schema: typeof discovered.InputSchema) =>
      compile(copy, { schema })
        .createRunner()
        .push([{ data: Buffer.from('{"log":"Record 10"}'), arrivalTime: 0 }]).rows[0]!.values['LOG'];

    // Act
    const roomy = withVarcharHeadroom(discovered.InputSchema);

    // Assess
    expect(discovered.InputSchema.RecordColumns.map((c) => c.SqlType)).toEqual(['VARCHAR(8)', 'INTEGER']);
    expect(roomy.RecordColumns.map((c) => c.SqlType)).toEqual(['VARCHAR(32)', 'INTEGER']);
    expect(read(discovered.InputSchema)).toBe('Record 1');
    expect(read(roomy)).toBe('Record 10');
    expect(
      withVarcharHeadroom({ ...roomy, RecordColumns: [{ Name: 'x', SqlType: 'VARCHAR(64)' }] }).RecordColumns,
    ).toEqual([{ Name: 'x', SqlType: 'VARCHAR(256)' }]);
  });
});
