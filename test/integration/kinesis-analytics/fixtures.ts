/**
 * What the Kinesis Analytics twin's integration tests share: the analytics role, the fan-out's SQL, the input schema
 * of its transactions ({ID, USERNAME, AMOUNT} as JSON) and the ARNs of the twin's streams and functions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROLE = 'arn:aws:iam::000000000000:role/analytics';
export const SQL = readFileSync(join(__dirname, '../../../sql/fanout.sql'), 'utf8');
export const SCHEMA = {
  RecordFormat: {
    RecordFormatType: 'JSON' as const,
    MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } },
  },
  RecordEncoding: 'UTF-8',
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(200)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)', Mapping: '$.AMOUNT' },
  ],
};
export const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
export const functionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
