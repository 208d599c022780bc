import { serializeRow } from '../../../src/streaming-sql';

const columns = [
  { name: 'ID', sqlType: 'INTEGER' },
  { name: 'BIG', sqlType: 'BIGINT' },
  { name: 'AMOUNT', sqlType: 'DECIMAL(5,2)' },
  { name: 'PRICE', sqlType: 'DOUBLE' },
  { name: 'name', sqlType: 'VARCHAR(16)' },
  { name: 'OK', sqlType: 'BOOLEAN' },
  { name: 'AT', sqlType: 'TIMESTAMP' },
  { name: 'ON_DAY', sqlType: 'DATE' },
];
const row = {
  stream: 'S',
  rowtime: 0,
  values: {
    ID: 7,
    BIG: 9223372036854775807n,
    AMOUNT: '-0.50',
    PRICE: 33.11,
    name: 'a "quoted", name',
    OK: true,
    AT: Date.UTC(2016, 6, 19, 17, 5, 0, 120),
    ON_DAY: Date.UTC(2016, 6, 19),
  },
};

describe('Function: serializeRow', () => {
  it('writes JSON keyed by column names in column order, with exact numbers and the guide timestamp format', () => {
    // Act
    const text = serializeRow(row, { RecordFormatType: 'JSON' }, columns).toString();

    // Assess
    expect(text).toBe(
      '{"ID":7,"BIG":9223372036854775807,"AMOUNT":-0.50,"PRICE":33.11,"name":"a \\"quoted\\", name","OK":true,"AT":"2016-07-19 17:05:00.12","ON_DAY":"2016-07-19"}',
    );
    expect(JSON.parse(text)).toMatchObject({ ID: 7, AMOUNT: -0.5, name: 'a "quoted", name' });
  });

  it('writes NULL as null in JSON and as an empty field in CSV', () => {
    // Prepare
    const empty = { stream: 'S', rowtime: 0, values: { ID: null, AT: null } };
    const two = [columns[0]!, columns[6]!];

    // Act
    const json = serializeRow(empty, { RecordFormatType: 'JSON' }, two).toString();
    const csv = serializeRow(empty, { RecordFormatType: 'CSV' }, two).toString();

    // Assess
    expect(json).toBe('{"ID":null,"AT":null}');
    expect(csv).toBe(',\n');
  });

  it('writes one CSV line, quoting fields that hold the delimiter or quotes', () => {
    // Act
    const text = serializeRow(row, { RecordFormatType: 'CSV' }, columns).toString();

    // Assess
    expect(text).toBe(
      '7,9223372036854775807,-0.50,33.11,"a ""quoted"", name",true,2016-07-19 17:05:00.12,2016-07-19\n',
    );
  });
});
