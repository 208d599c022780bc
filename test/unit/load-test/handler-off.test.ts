/** The LoadTest handler when the fan-out file says `loadTest: off` (the stack's default records is then 0). */
import { handler } from '../../../handlers/load-test';
import { definitionEnv, definitionFor } from '../fanout-config/fixtures';
import { arn, kinesisMock, schema } from './fakes';

const env = {
  STAGE: 'test',
  AWS_REGION: 'us-east-1',
  APPLICATION_PREFIX: 'fanout-test',
  ...definitionEnv({
    ...definitionFor(arn('Input'), [{ sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') }]),
    loadTest: {
      off: true,
      records: 0,
      rate: 1000,
      timeoutSeconds: 60,
      mode: 'live',
      liveSeconds: 30,
      keysPerShard: 100,
    },
  }),
  ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/analytics',
};

describe('Function: handler, with loadTest: off', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, env));
  afterAll(() => {
    process.env = saved;
  });

  it('skips, naming the file that turned it off, and touches no stream', async () => {
    // Act
    const report = await handler({ records: 0, schema });

    // Assess
    expect(report).toMatchObject({
      verdict: 'skipped',
      warnings: ['the load test is off in fanout.yml (loadTest: off): nothing was verified'],
    });
    expect(kinesisMock.send.getCalls()).toHaveLength(0);
  });
});
