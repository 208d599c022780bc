import { handler } from '../../../handlers/load-test';
import { arn, fakeKinesis, kinesisMock, schema } from './fakes';

const env = {
  STAGE: 'test',
  AWS_REGION: 'us-east-1',
  APPLICATION_PREFIX: 'fanout-test',
  INPUT_STREAM_ARN: arn('Input'),
  OUTPUTS: JSON.stringify([
    { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
    { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
  ]),
  ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/analytics',
  LOAD_TEST_RECORDS: '40',
  LOAD_TEST_RATE: '2000',
  LOAD_TEST_TIMEOUT_SECONDS: '1',
};

describe('Function: handler', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, env));
  afterAll(() => {
    process.env = saved;
  });
  beforeEach(() => kinesisMock.reset());

  it('runs with the stack defaults and the schema as DiscoverInputSchema returns it', async () => {
    // Prepare
    fakeKinesis(Date.now);

    // Act
    const report = await handler({ runId: 'exec-1', records: null, schema: { InputSchema: schema } });

    // Assess
    expect(report).toMatchObject({ verdict: 'pass', runId: 'exec-1', sent: 40, targetRate: 2000, timeoutSeconds: 1 });
    expect(kinesisMock.send.getCalls().length).toBeGreaterThan(0);
  });

  it('returns a failing report instead of throwing', async () => {
    // Prepare
    fakeKinesis(Date.now, { lose: (n) => n === 3 });

    // Act
    const report = await handler({ records: '20', rate: 1000, timeoutSeconds: 1, schema });

    // Assess
    expect(report.verdict).toBe('fail');
    expect(report.reasons).toHaveLength(1);
  });

  it('rejects a bad event with a named error', async () => {
    await expect(handler({ records: 'many', schema })).rejects.toMatchObject({ name: 'LoadTestInputError' });
    await expect(handler({ schema: {} as never })).rejects.toThrow(/schema must be a SourceSchema/);
  });
});
