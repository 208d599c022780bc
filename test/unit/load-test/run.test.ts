import { GetRecordsCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { LoadTestInputError, runLoadTest } from '../../../src/load-test/run';
import { applicationSql } from '../../example-sql';
import { arn, fakeKinesis, kinesisMock, outputs, schema, virtualTimer } from './fakes';

/** The example application's options over the fakes' streams, with what a test changes. */
const options = (over: Partial<Parameters<typeof runLoadTest>[1]> = {}): Parameters<typeof runLoadTest>[1] => ({
  sql: applicationSql,
  schema,
  inputStreamArn: arn('Input'),
  outputs,
  records: 300,
  rate: 1000,
  timeoutSeconds: 5,
  ...over,
});

describe('Function: runLoadTest', () => {
  beforeEach(() => kinesisMock.reset());

  it('puts every record, reads them back from each output and passes, counting throttles', async () => {
    // Prepare
    const timer = virtualTimer();
    fakeKinesis(timer.now, { throttleFirstPut: true });

    // Act
    const report = await runLoadTest(new KinesisClient({}), options({ runId: 'lt-run' }), { timer });

    // Assess
    expect(report.reasons).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(report.sent).toBe(300);
    const positive = report.outputs['Positive']!;
    const negative = report.outputs['Negative']!;
    expect(positive.expected + negative.expected).toBe(300);
    expect(positive.received).toBe(positive.expected);
    expect(negative.received).toBe(negative.expected);
    expect(report.latencyMs.max).toBe(7);
    expect(report.throttledBy!.put).toBeGreaterThan(0);
  });

  it('reads the input for arrival times once every row is in, while the outputs still drain', async () => {
    // Prepare
    const timer = virtualTimer();
    fakeKinesis(timer.now);

    // Act
    const report = await runLoadTest(new KinesisClient({}), options({ runId: 'lt-input' }), { timer });

    // Assess: the outputs' last reads (their drain) come after the input's first
    expect(report.verdict).toBe('pass');
    expect(report.latencyMs.max).toBe(7);
    const streams = kinesisMock
      .commandCalls(GetRecordsCommand)
      .map((c) => c.args[0].input.ShardIterator!.split('|')[0]);
    const firstInput = streams.indexOf('Input');
    expect(firstInput).toBeGreaterThan(0);
    expect(streams.lastIndexOf('Positive')).toBeGreaterThan(firstInput);
    expect(streams.lastIndexOf('Negative')).toBeGreaterThan(firstInput);
  });

  it('fails naming the stream that lost records', async () => {
    // Prepare
    const timer = virtualTimer();
    fakeKinesis(timer.now, { lose: (n) => n % 50 === 10 });

    // Act
    const report = await runLoadTest(
      new KinesisClient({}),
      options({ records: 200, rate: 500, timeoutSeconds: 2, runId: 'lt-run' }),
      { timer },
    );

    // Assess
    expect(report.verdict).toBe('fail');
    const missing = report.outputs['Positive']!.missing + report.outputs['Negative']!.missing;
    expect(missing).toBe(4);
    expect(report.reasons.some((r) => /^(Positive|Negative): \d of \d+ records? missing$/.test(r))).toBe(true);
  });

  it('returns a report cut short before a deadline it cannot make, saying so', async () => {
    // Prepare: 30,000 records at 1,000/s cannot be sent in the 30 s left
    const timer = virtualTimer();
    fakeKinesis(timer.now);
    const deadline = timer.now() + 30_000;

    // Act
    const report = await runLoadTest(new KinesisClient({}), options({ records: 30_000, timeoutSeconds: 60 }), {
      timer,
      deadline,
    });

    // Assess
    expect(timer.now()).toBeLessThanOrEqual(deadline);
    expect(report.verdict).toBe('fail');
    expect(report.reasons[0]).toMatch(/^the run was cut short/);
    expect(report.sent).toBeGreaterThan(0);
    expect(report.sent).toBeLessThan(30_000);
    // the outputs are not blamed for what never left
    expect(report.outputs['Positive']!.expected + report.outputs['Negative']!.expected).toBe(report.sent);
    expect(report.outputs['Positive']!.received + report.outputs['Negative']!.received).toBe(report.sent);
    expect(report.reasons.some((r) => r.includes('missing'))).toBe(false);
  }, 30_000);

  it('refuses out-of-range options before putting anything', async () => {
    // Act
    const running = runLoadTest(new KinesisClient({}), {
      sql: applicationSql,
      schema,
      inputStreamArn: arn('Input'),
      outputs,
      records: 0.5,
      rate: 10,
      timeoutSeconds: 1,
    });

    // Assess
    await expect(running).rejects.toThrow(LoadTestInputError);
    for (const keysPerShard of [0, 2.5, 10_001]) {
      const keys = runLoadTest(new KinesisClient({}), {
        sql: applicationSql,
        schema,
        inputStreamArn: arn('Input'),
        outputs,
        records: 10,
        rate: 10,
        timeoutSeconds: 1,
        keysPerShard,
      });
      await expect(keys).rejects.toThrow(`keysPerShard must be an integer from 1 to 10000, got ${keysPerShard}`);
    }
    expect(kinesisMock.commandCalls(PutRecordsCommand)).toHaveLength(0);
  });
});
