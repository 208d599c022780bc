/**
 * The LoadTest handler with the fan-out file's `loadTest:` section (one definition per file: the handler keeps its
 * configuration for the container's life, as on Lambda).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handler } from '../../../handlers/load-test';
import { definitionEnv, definitionFor } from '../fanout-config/fixtures';
import { arn, fakeKinesis, kinesisMock, schema } from './fakes';

const dir = mkdtempSync(join(tmpdir(), 'fanout-handler-'));
const sample = join(dir, 'transactions.jsonl');
writeFileSync(sample, '{"ID": 1, "USERNAME": "alice", "AMOUNT": 5}\n{"ID": 2, "USERNAME": "bob", "AMOUNT": -3}\n');

const env = {
  STAGE: 'test',
  AWS_REGION: 'us-east-1',
  APPLICATION_PREFIX: 'fanout-test',
  ...definitionEnv({
    ...definitionFor(arn('Input'), [
      { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
      { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
    ]),
    loadTest: {
      off: false,
      records: 30,
      rate: 2000,
      timeoutSeconds: 1,
      mode: 'synthetic',
      liveSeconds: 30,
      keysPerShard: 100,
      sample: { kind: 'sample', file: sample, records: 2 },
    },
  }),
  ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/analytics',
};

describe('Function: handler, with a loadTest section', () => {
  const saved = { ...process.env };
  beforeAll(() => Object.assign(process.env, env));
  afterAll(() => {
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => kinesisMock.reset());

  it("puts the sample's records, the run's token in the column that carries it", async () => {
    // Prepare
    fakeKinesis(Date.now);

    // Act
    const report = await handler({ runId: 'exec-s', records: 30, rate: 2000, timeoutSeconds: 60, schema });

    // Assess
    expect(report).toMatchObject({
      verdict: 'pass',
      sent: 30,
      records: { source: 'sample', name: sample, carriers: ['USERNAME'] },
    });
  });
});
