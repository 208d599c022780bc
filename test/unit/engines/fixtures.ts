import type { FanoutConfig } from '../../../src/config';
import type { SourceSchema } from '../../../src/engines';
import { definitionEnv, definitionFor } from '../fanout-config/fixtures';

export const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

export const roleArn = 'arn:aws:iam::000000000000:role/kinesis-fanout-dev-AnalyticsRole';

/** The input the stack creates (the default fanout.yml's), as the definition has it. */
const createdInput = {
  created: true as const,
  name: 'Transactions',
  capacity: { mode: 'PROVISIONED' as const, shards: 1 },
  kmsKey: 'alias/aws/kinesis',
};

/**
 * The stage's configuration: the stack's input stream `Transactions` (or, with `existingInput`, a stream the user
 * brings, given by ARN) and `outputCount` outputs of the worked example's SQL.
 */
export function makeConfig(outputCount = 2, options: { existingInput?: boolean } = {}): FanoutConfig {
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
    fanout: {
      ...definitionFor(arn('Transactions'), outputs),
      ...(options.existingInput ? {} : { input: createdInput }),
    },
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
export function makeEnv(options: { existingInput?: boolean } = {}): Record<string, string> {
  const config = makeConfig(2, options);
  return {
    STAGE: config.stage,
    AWS_REGION: config.region,
    ENGINE: config.engine,
    APPLICATION_PREFIX: config.applicationPrefix,
    ...definitionEnv(config.fanout),
    // the ARNs of the streams the stack creates start with it
    FANOUT_STREAM_ARN_PREFIX: arn(''),
    ANALYTICS_ROLE_ARN: config.analyticsRoleArn,
  };
}
