import { applicationSql, schemaSample } from '../../../src/application';
import { ConfigError, engineNameOf, loadConfig, streamNameOf } from '../../../src/config';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const validEnv = () => ({
  STAGE: 'dev',
  AWS_REGION: 'us-east-1',
  ENGINE: 'kinesis-analytics',
  APPLICATION_PREFIX: 'kinesis-fanout-dev',
  INPUT_STREAM_ARN: arn('Transactions'),
  OUTPUTS: JSON.stringify([
    { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('PositiveTransactions') },
    { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('NegativeTransactions') },
  ]),
  ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/kinesis-fanout-dev-AnalyticsRole-ABC',
});

describe('Function: loadConfig', () => {
  it('returns the typed configuration with load-test defaults', () => {
    // Act
    const config = loadConfig(validEnv());

    // Assess
    expect(config).toEqual({
      stage: 'dev',
      region: 'us-east-1',
      engine: 'kinesis-analytics',
      applicationPrefix: 'kinesis-fanout-dev',
      inputStreamArn: arn('Transactions'),
      outputs: [
        { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('PositiveTransactions') },
        { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('NegativeTransactions') },
      ],
      analyticsRoleArn: 'arn:aws:iam::000000000000:role/kinesis-fanout-dev-AnalyticsRole-ABC',
      loadTest: { records: 500, rate: 1000, timeoutSeconds: 60 },
    });
  });

  it('reads the load-test numbers', () => {
    // Prepare
    const env = { ...validEnv(), LOAD_TEST_RECORDS: '20', LOAD_TEST_RATE: '50', LOAD_TEST_TIMEOUT_SECONDS: '5' };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.loadTest).toEqual({ records: 20, rate: 50, timeoutSeconds: 5 });
  });

  it.each([
    ['STAGE', undefined, /STAGE is not set/],
    ['AWS_REGION', undefined, /AWS_REGION is not set/],
    ['ENGINE', 'flink', /ENGINE must be one of kinesis-analytics, lambda/],
    ['INPUT_STREAM_ARN', 'Transactions', /INPUT_STREAM_ARN must be a Kinesis stream ARN/],
    ['OUTPUTS', 'nope', /OUTPUTS must be JSON/],
    ['OUTPUTS', '[]', /non-empty JSON array/],
    ['OUTPUTS', '[{"sqlStream":"A","streamArn":"x"}]', /OUTPUTS\[0\]\.streamArn/],
    ['OUTPUTS', '[{"sqlStream":"bad name","streamArn":"x"}]', /OUTPUTS\[0\]\.sqlStream/],
    ['ANALYTICS_ROLE_ARN', 'role', /ANALYTICS_ROLE_ARN must be an IAM role ARN/],
    ['APPLICATION_PREFIX', 'has space', /APPLICATION_PREFIX/],
    ['LOAD_TEST_RATE', '-1', /LOAD_TEST_RATE must be a positive integer/],
  ])('rejects %s=%s', (name, value, message) => {
    // Prepare
    const env: Record<string, string | undefined> = { ...validEnv(), [name]: value };

    // Act & Assess
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('rejects an in-application stream named twice', () => {
    // Prepare
    const env = {
      ...validEnv(),
      OUTPUTS: JSON.stringify([
        { sqlStream: 'A', streamArn: arn('One') },
        { sqlStream: 'a', streamArn: arn('Two') },
      ]),
    };

    // Act & Assess
    expect(() => loadConfig(env)).toThrow(/twice/);
  });
});

describe('Function: engineNameOf', () => {
  it('falls back to the configured engine and rejects unknown names', () => {
    // Act & Assess
    expect(engineNameOf(undefined, 'kinesis-analytics')).toBe('kinesis-analytics');
    expect(engineNameOf('lambda', 'kinesis-analytics')).toBe('lambda');
    expect(() => engineNameOf('flink', 'kinesis-analytics')).toThrow(ConfigError);
  });
});

describe('Function: streamNameOf', () => {
  it('returns the name part of a stream ARN', () => {
    // Act & Assess
    expect(streamNameOf(arn('PositiveTransactions'))).toBe('PositiveTransactions');
  });
});

describe('Module: application', () => {
  it('bundles sql/fanout.sql as text and a labelled sample', () => {
    // Assess
    expect(applicationSql).toContain('CREATE OR REPLACE PUMP "STREAM_PUMP1"');
    expect(schemaSample.length).toBeGreaterThan(0);
    expect(schemaSample.every((r) => String(r['USERNAME']).startsWith('fanout-schema-sample'))).toBe(true);
  });
});
