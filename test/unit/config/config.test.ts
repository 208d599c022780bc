import { resolve } from 'node:path';
import { ConfigError, deployedDefinition, engineNameOf, loadConfig, streamNameOf } from '../../../src/config';
import { loadFanoutFile } from '../../../src/fanout-config/load';
import { schemaSample } from '../../../src/schema-sample';
import { applicationSql } from '../../example-sql';
import { definitionEnv } from '../fanout-config/fixtures';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
// The default fanout.yml, as the packager bundles it: every stream created by the stack.
const { definition } = loadFanoutFile('fanout.yml', { projectDir: resolve(__dirname, '..', '..', '..') });
const validEnv = (): Record<string, string | undefined> => ({
  STAGE: 'dev',
  AWS_REGION: 'us-east-1',
  ENGINE: 'kinesis-analytics',
  APPLICATION_PREFIX: 'kinesis-fanout-dev',
  FANOUT_STREAM_ARN_PREFIX: 'arn:aws:kinesis:us-east-1:000000000000:stream/',
  ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/kinesis-fanout-dev-AnalyticsRole-ABC',
  ...definitionEnv(definition),
});

describe('Function: loadConfig', () => {
  it('returns the typed configuration: the ARNs of the streams the stack creates from their names', () => {
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
      fanout: definition,
    });
  });

  it('keeps the ARNs of existing streams, and needs no ARN prefix when the stack creates none', () => {
    // Prepare
    const existing = {
      ...definition,
      input: { created: false as const, name: 'Clicks', arn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/Clicks' },
      outputs: [],
    };
    const { FANOUT_STREAM_ARN_PREFIX: _, ...env } = validEnv();

    // Act
    const config = loadConfig(env, existing);

    // Assess
    expect(config.inputStreamArn).toBe('arn:aws:kinesis:eu-west-1:123456789012:stream/Clicks');
    expect(config.outputs).toEqual([]);
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
    ['FANOUT_STREAM_ARN_PREFIX', undefined, /FANOUT_STREAM_ARN_PREFIX is not set/],
    ['FANOUT_STREAM_ARN_PREFIX', 'arn:aws:kinesis:us-east-1:1:stream/', /FANOUT_STREAM_ARN_PREFIX must be arn:/],
    ['FANOUT_DEFINITION', undefined, /No fan-out definition/],
    ['FANOUT_DEFINITION', 'nope', /FANOUT_DEFINITION must be JSON/],
    ['FANOUT_DEFINITION', '{"outputs": []}', /FANOUT_DEFINITION is not a fan-out definition/],
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
});

describe('Function: deployedDefinition', () => {
  it('reads the definition unbundled code is given', () => {
    // Act & Assess
    expect(deployedDefinition(definitionEnv(definition))).toEqual(definition);
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
