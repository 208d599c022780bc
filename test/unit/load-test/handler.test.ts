import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { handler } from '../../../handlers/load-test';
import { isAggregated } from '../../../src/kpl';
import { definitionEnv, definitionFor } from '../fanout-config/fixtures';
import { arn, fakeKinesis, kinesisMock, schema } from './fakes';

const env = {
  STAGE: 'test',
  AWS_REGION: 'us-east-1',
  APPLICATION_PREFIX: 'fanout-test',
  ...definitionEnv(
    definitionFor(arn('Input'), [
      { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
      { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
    ]),
  ),
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

  it('skips the load test for records: 0 or loadTest: off, saying so, without touching a stream', async () => {
    // Act
    const none = await handler({ runId: 'exec-2', records: 0, schema });
    const off = await handler({ loadTest: 'off', schema });

    // Assess
    expect(none).toMatchObject({
      verdict: 'skipped',
      reasons: [],
      sent: 0,
      warnings: [expect.stringMatching(/records: 0/)],
    });
    expect(off).toMatchObject({ verdict: 'skipped', warnings: [expect.stringMatching(/loadTest: off/)] });
    expect(kinesisMock.send.getCalls()).toHaveLength(0);
  });

  it('carries what ran into the report: engine, stage, execution and each application with its outputs', async () => {
    // Prepare
    fakeKinesis(Date.now);

    // Act
    const report = await handler({
      runId: 'exec-3',
      records: 10,
      schema,
      engine: 'lambda',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:lifecycle:exec-3',
      applications: [
        { name: 'fanout-test-1', outputs: [{ streamArn: arn('Positive') }, { streamArn: arn('Negative') }] },
      ],
    });

    // Assess
    expect(report.run).toEqual({
      engine: 'lambda',
      stage: 'test',
      input: 'Input',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:lifecycle:exec-3',
      applications: [{ name: 'fanout-test-1', outputs: ['Positive', 'Negative'] }],
    });
    expect(report.mode).toBe('synthetic');
  });

  it('puts KPL aggregates of N user records with aggregate: N, and refuses them where no preprocessor reads them', async () => {
    // Prepare
    fakeKinesis(Date.now);

    // Act
    // (an aggregate holds one key's records, src/load-test/encoding.ts: 4 keys give each key 10 records to pack)
    const report = await handler({ records: 40, aggregate: 5, keysPerShard: 4, engine: 'lambda', schema });

    // Assess: 40 records in 8 Kinesis records, every one verified
    expect(report).toMatchObject({ verdict: 'pass', sent: 40, records: { aggregate: 5 } });
    const entries = kinesisMock
      .commandCalls(PutRecordsCommand)
      .flatMap((call) => call.args[0].input.Records ?? [])
      .map((r) => r.Data!);
    expect(entries).toHaveLength(8);
    expect(entries.every(isAggregated)).toBe(true);
    await expect(handler({ records: 40, aggregate: true, schema })).rejects.toThrow(
      /fanout\.yml does not say input\.kplAggregated: true/,
    );
    await expect(handler({ aggregate: 'lots', engine: 'lambda', schema })).rejects.toThrow(/aggregate must be/);
  });

  it('spreads the records over keysPerShard partition keys a shard: 100 unless the event says otherwise', async () => {
    // Prepare
    fakeKinesis(Date.now);
    const keysOfPuts = () =>
      new Set(
        kinesisMock
          .commandCalls(PutRecordsCommand)
          .flatMap((call) => call.args[0].input.Records ?? [])
          .map((r) => r.PartitionKey),
      );

    // Act
    const byDefault = await handler({ records: 300, rate: 100_000, schema });
    const defaultKeys = keysOfPuts();
    kinesisMock.resetHistory();
    const few = await handler({ records: 40, keysPerShard: '4', schema });
    const fewKeys = keysOfPuts();

    // Assess: the one input shard of the fake gets exactly that many keys
    expect(byDefault.verdict).toBe('pass');
    expect(defaultKeys.size).toBe(100);
    expect(few.verdict).toBe('pass');
    expect(fewKeys.size).toBe(4);
    await expect(handler({ records: 10, keysPerShard: 0, schema })).rejects.toThrow(
      /keysPerShard must be an integer from 1 to 10000, got 0/,
    );
  });

  it('rejects a bad event with a named error', async () => {
    await expect(handler({ records: 'many', schema })).rejects.toMatchObject({ name: 'LoadTestInputError' });
    await expect(handler({ schema: {} as never })).rejects.toThrow(/schema must be a SourceSchema/);
    await expect(handler({ mode: 'replay', schema })).rejects.toThrow(/mode must be one of synthetic, live/);
  });
});
