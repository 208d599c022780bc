import type { InputRecord, SourceSchema } from '../../../src/streaming-sql';

/** The worked example's source schema: JSON, RecordRowPath $, mappings $.ID, $.USERNAME, $.AMOUNT. */
export const transactionsSchema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(200)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)', Mapping: '$.AMOUNT' },
  ],
};

/** A JSON schema over the given columns, each mapped from `$.<name>`. */
export function jsonSchema(columns: [string, string][], rowPath = '$'): SourceSchema {
  return {
    RecordFormat: {
      RecordFormatType: 'JSON',
      MappingParameters: { JSONMappingParameters: { RecordRowPath: rowPath } },
    },
    RecordColumns: columns.map(([Name, SqlType]) => ({ Name, SqlType, Mapping: `$.${Name}` })),
  };
}

/** Records from texts, one per second from `start`. */
export function records(texts: string[], start = 1_700_000_000_000, stepMs = 1000): InputRecord[] {
  return texts.map((t, i) => ({ data: Buffer.from(t), arrivalTime: start + i * stepMs, partitionKey: `pk-${i}` }));
}
