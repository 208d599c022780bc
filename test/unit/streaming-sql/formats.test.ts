import { compile, type SourceSchema } from '../../../src/streaming-sql';
import { protectBigNumbers } from '../../../src/streaming-sql/formats';
import { jsonSchema, records } from './helpers';

/** Runs `SELECT STREAM *` into a stream with the schema's columns and returns the rows' values and errors. */
function passThrough(schema: SourceSchema, inputs: string[]) {
  const cols = schema.RecordColumns.map((c) => `"${c.Name}" ${c.SqlType}`).join(', ');
  const sql = `CREATE STREAM OUT_S (${cols}); CREATE PUMP P AS INSERT INTO OUT_S SELECT STREAM * FROM SOURCE_SQL_STREAM_001;`;
  const result = compile(sql, { schema }).createRunner().push(records(inputs));
  return { values: result.rows.map((r) => r.values), errors: result.errors };
}

describe('Function: compileReader (JSON)', () => {
  it('maps nested elements, array indexes and quoted names; missing elements are NULL', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordColumns: [
        { Name: 'CITY', SqlType: 'VARCHAR(16)', Mapping: '$.address.city' },
        { Name: 'FIRST', SqlType: 'INTEGER', Mapping: '$.list[0]' },
        { Name: 'ODD', SqlType: 'VARCHAR(8)', Mapping: "$['odd name']" },
        { Name: 'NONE', SqlType: 'INTEGER', Mapping: '$.nothing.here' },
        { Name: 'ALL_OF', SqlType: 'VARCHAR(64)', Mapping: '$.list[0:]' },
      ],
    };

    // Act
    const { values, errors } = passThrough(schema, ['{"address":{"city":"Anytown"},"list":[4,5],"odd name":"yes"}']);

    // Assess
    expect(errors).toEqual([]);
    expect(values).toEqual([{ CITY: 'Anytown', FIRST: 4, ODD: 'yes', NONE: null, ALL_OF: '[4,5]' }]);
  });

  it('flattens one array into a row per element, repeating the other columns', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordColumns: [
        { Name: 'customerName', SqlType: 'VARCHAR(16)', Mapping: '$.customerName' },
        { Name: 'orderId', SqlType: 'VARCHAR(8)', Mapping: '$.orders[0:].orderId' },
      ],
    };
    const record = JSON.stringify({
      customerName: 'John Doe',
      orders: [{ orderId: '23284' }, { orderId: '63122' }, { orderId: '77284' }],
    });

    // Act
    const { values } = passThrough(schema, [record, '{"customerName":"Jane","orders":[]}']);

    // Assess
    expect(values).toEqual([
      { customerName: 'John Doe', orderId: '23284' },
      { customerName: 'John Doe', orderId: '63122' },
      { customerName: 'John Doe', orderId: '77284' },
      { customerName: 'Jane', orderId: null },
    ]);
  });

  it('reads arrays of rows through the RecordRowPath', () => {
    // Prepare
    const schema = jsonSchema([['ID', 'INTEGER']], '$.records[0:]');

    // Act
    const { values } = passThrough(schema, ['{"records":[{"ID":1},{"ID":2}]}']);

    // Assess
    expect(values).toEqual([{ ID: 1 }, { ID: 2 }]);
  });

  it('accepts mappings written from the root through the RecordRowPath', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordFormat: {
        RecordFormatType: 'JSON',
        MappingParameters: { JSONMappingParameters: { RecordRowPath: '$.data' } },
      },
      RecordColumns: [
        { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.data.ID' },
        { Name: 'NAME', SqlType: 'VARCHAR(8)', Mapping: '$.NAME' },
      ],
    };

    // Act
    const { values } = passThrough(schema, ['{"data":{"ID":7,"NAME":"x"}}']);

    // Assess
    expect(values).toEqual([{ ID: 7, NAME: 'x' }]);
  });

  it('applies the sch-mapping.md coercions', () => {
    // Prepare
    const schema = jsonSchema([
      ['I', 'INTEGER'],
      ['B', 'BOOLEAN'],
      ['C', 'CHAR(4)'],
      ['V', 'VARCHAR(3)'],
      ['T', 'TIMESTAMP'],
      ['D', 'DATE'],
      ['O', 'VARCHAR(32)'],
    ]);

    // Act
    const { values, errors } = passThrough(schema, [
      '{"I":true,"B":0,"C":"ab","V":"truncated","T":"1992-02-14 18:35:44.0","D":"1992-02-14","O":{"a":[1]}}',
      '{"I":"12","B":"TRUE","C":12,"V":true,"T":"2018-06-13T14:11:05.766191","O":3.5}',
      '{"I":null,"B":"yes","C":null}',
    ]);

    // Assess
    expect(errors).toEqual([]);
    expect(values).toEqual([
      {
        I: 1,
        B: false,
        C: 'ab  ',
        V: 'tru',
        T: Date.UTC(1992, 1, 14, 18, 35, 44),
        D: Date.UTC(1992, 1, 14),
        O: '{"a":[1]}',
      },
      { I: 12, B: true, C: '12  ', V: 'tru', T: Date.UTC(2018, 5, 13, 14, 11, 5, 766), D: null, O: '3.5' },
      { I: null, B: false, C: null, V: null, T: null, D: null, O: null },
    ]);
  });

  it.each([
    ['{"I":123.4}', 'INTEGER'],
    ['{"I":3000000000}', 'INTEGER'],
    ['{"I":"abc"}', 'INTEGER'],
    ['{"I":[1]}', 'INTEGER'],
    ['{"I":1000}', 'TINYINT'],
    ['{"I":12}', 'TIMESTAMP'],
    ['{"I":"yesterday"}', 'TIMESTAMP'],
    ['{"I":123.456}', 'DECIMAL(4,2)'],
  ])('sends %s as %s to the error stream', (record, type) => {
    // Act
    const { values, errors } = passThrough(jsonSchema([['I', type]]), [record]);

    // Assess
    expect(values).toEqual([]);
    expect(errors).toMatchObject([{ ERROR_NAME: 'Type_Conversion_Error', PUMP_NAME: null }]);
    expect(errors[0]!.MESSAGE).toContain(`to ${type}`);
  });

  it('keeps BIGINT and wide DECIMAL exact beyond 2^53, and rounds DECIMAL half away from zero', () => {
    // Prepare
    const schema = jsonSchema([
      ['B', 'BIGINT'],
      ['W', 'DECIMAL(20,2)'],
      ['D', 'DECIMAL(5,2)'],
    ]);

    // Act
    const { values } = passThrough(schema, [
      '{"B":9223372036854775807,"W":123456789012345678.91,"D":12.345}',
      '{"B":"-42","W":0.1,"D":-12.345}',
    ]);

    // Assess
    expect(values).toEqual([
      { B: 9223372036854775807n, W: '123456789012345678.91', D: '12.35' },
      { B: -42n, W: '0.10', D: '-12.35' },
    ]);
  });
});

describe('Function: protectBigNumbers', () => {
  it('quotes only number tokens longer than 15 digits, outside strings', () => {
    // Act
    const text = protectBigNumbers(
      '{"a":12345678901234567,"b":"12345678901234567","c":1.5,"d":[-98765432109876543.21]}',
    );

    // Assess
    expect(text).toBe('{"a":"12345678901234567","b":"12345678901234567","c":1.5,"d":["-98765432109876543.21"]}');
  });
});

describe('Function: compileReader (CSV)', () => {
  it('splits rows and columns on the delimiters, reads quoted fields, and maps empty fields to NULL', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordFormat: {
        RecordFormatType: 'CSV',
        MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\n', RecordColumnDelimiter: ',' } },
      },
      RecordColumns: [
        { Name: 'LastName', SqlType: 'VARCHAR(16)' },
        { Name: 'FirstName', SqlType: 'VARCHAR(16)' },
        { Name: 'CustomerId', SqlType: 'INTEGER' },
      ],
    };

    // Act
    const { values, errors } = passThrough(schema, ['Doe,John,67321\n"Smith, Jr",Ann,\n', 'Short', 'Bad,Row,x']);

    // Assess
    expect(values).toEqual([
      { LastName: 'Doe', FirstName: 'John', CustomerId: 67321 },
      { LastName: 'Smith, Jr', FirstName: 'Ann', CustomerId: null },
      { LastName: 'Short', FirstName: null, CustomerId: null },
    ]);
    expect(errors).toHaveLength(1);
  });
});
