import type { FanoutConfig } from '../../../src/config';
import type { SourceSchema } from '../../../src/engines';
import { definitionEnv, definitionFor } from '../fanout-config/fixtures';

export const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

export const roleArn = 'arn:aws:iam::000000000000:role/kinesis-fanout-dev-AnalyticsRole';

export function makeConfig(outputCount = 2): FanoutConfig {
  const names = ['POSITIVE_TRANSACTIONS', 'NEGATIVE_TRANSACTIONS'];
  const outputs = Array.from({ length: outputCount }, (_, i) => ({
    sqlStream: names[i] ?? `OUT_${i}`,
    streamArn: arn(`Out${i}`),
  }));
  return {
    stage: 'dev',
    region: 'us-east-1',
    engine: 'kinesis-analytics',
    applicationPrefix: 'kinesis-fanout-dev',
    inputStreamArn: arn('Transactions'),
    outputs,
    analyticsRoleArn: roleArn,
    loadTest: { records: 500, rate: 1000, timeoutSeconds: 60 },
    fanout: definitionFor(arn('Transactions'), outputs),
  };
}

export const schema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(32)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DOUBLE', Mapping: '$.AMOUNT' },
  ],
};

/** The environment a step function has (its fan-out definition as unbundled code reads it), for handler tests. */
export function makeEnv(): Record<string, string> {
  const config = makeConfig();
  return {
    STAGE: config.stage,
    AWS_REGION: config.region,
    ENGINE: config.engine,
    APPLICATION_PREFIX: config.applicationPrefix,
    ...definitionEnv(config.fanout),
    ANALYTICS_ROLE_ARN: config.analyticsRoleArn,
  };
}
