import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { runLiveTest } from '../../../src/load-test/live';
import { applicationSql } from '../../example-sql';
import { arn, fakeKinesis, kinesisMock, outputs, schema, virtualTimer } from './fakes';

/**
 * A producer writing one record every 50 ms of virtual time until `until`, every record of the same content (as
 * values cut to their column size make many records alike): the rows of one record cannot be told from another's.
 */
function producingTimer(client: KinesisClient, until: number) {
  const timer = virtualTimer();
  const start = timer.now();
  let next = start;
  let n = 0;
  return {
    start,
    now: timer.now,
    sleep: async (ms: number) => {
      await timer.sleep(ms);
      for (; next <= Math.min(timer.now(), until); next += 50)
        await client.send(
          new PutRecordsCommand({
            StreamARN: arn('Input'),
            Records: [
              { Data: Buffer.from(JSON.stringify({ ID: 1, USERNAME: 'same', AMOUNT: 5 })), PartitionKey: `k${n++}` },
            ],
          }),
        );
    },
  };
}

describe('Function: runLiveTest', () => {
  beforeEach(() => kinesisMock.reset());

  it('verifies the window whole when the input is read past it, taking later rows of the same content for foreign', async () => {
    // Prepare: the producer writes on for 8 s after the 2 s window
    const client = new KinesisClient({});
    const timer = producingTimer(client, virtualTimer().now() + 10_000);
    fakeKinesis(timer.now);

    // Act
    const report = await runLiveTest(
      client,
      { sql: applicationSql, schema, inputStreamArn: arn('Input'), outputs, liveSeconds: 2, timeoutSeconds: 5 },
      { timer },
    );

    // Assess
    expect(report.reasons).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(report.warnings ?? []).not.toContainEqual(expect.stringMatching(/could be read only/));
    expect(report.sent).toBeGreaterThanOrEqual(30);
    expect(report.outputs['Positive']).toMatchObject({ expected: report.sent, received: report.sent, duplicates: 0 });
  });

  it('says how far a throttled input was read and verifies only that far, not taking the rest for duplicates', async () => {
    // Prepare: another consumer takes the input's reads from 1 s into the window on
    const client = new KinesisClient({});
    const timer = producingTimer(client, virtualTimer().now() + 10_000);
    fakeKinesis(timer.now, { throttleReads: (stream) => stream === 'Input' && timer.now() >= timer.start + 1000 });
    const logged: string[] = [];

    // Act
    const report = await runLiveTest(
      client,
      { sql: applicationSql, schema, inputStreamArn: arn('Input'), outputs, liveSeconds: 2, timeoutSeconds: 5 },
      { timer, log: (message) => logged.push(message) },
    );

    // Assess: the rows of the records never read are neither duplicates nor missing, and the reader is told
    expect(report.reasons).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(report.warnings).toContainEqual(
      expect.stringMatching(
        /^the input Input could be read only to 0\.\d s of the 2 s window \(GetRecords throttled \d+ times: .*not verified$/,
      ),
    );
    expect(report.sent).toBeGreaterThan(0);
    expect(report.sent).toBeLessThan(21);
    expect(report.outputs['Positive']).toMatchObject({ expected: report.sent, received: report.sent, duplicates: 0 });
    expect(logged).toContain('live mode: input read');
  });

  it('fails saying the input could not be read, not that nothing arrived, when every read of it is throttled', async () => {
    // Prepare: another consumer takes every read of the input
    const client = new KinesisClient({});
    const timer = producingTimer(client, virtualTimer().now() + 10_000);
    fakeKinesis(timer.now, { throttleReads: (stream) => stream === 'Input' });

    // Act
    const report = await runLiveTest(
      client,
      { sql: applicationSql, schema, inputStreamArn: arn('Input'), outputs, liveSeconds: 2, timeoutSeconds: 5 },
      { timer },
    );

    // Assess
    expect(report.verdict).toBe('fail');
    expect(report.reasons[0]).toMatch(
      /^no record of the 2 s window could be read from the input stream Input \(GetRecords throttled \d+ times: /,
    );
  });
});
