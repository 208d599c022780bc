/**
 * `fanout smoke --endpoint` against the twin's Step Functions: it finds the stage's lifecycle by name, follows the
 * execution through the wire API and takes the report from the history, whether the verdict passed or failed.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { runSmoke } from '../../../bin/commands/smoke';
import { startTwin, type Twin } from '../../../local/twin';
import type { LoadTestReport } from '../../../src/load-test';

let twin: Twin;
let sfn: SFNClient;
let cloudFormation: CloudFormationClient;
let dir: string;

function report(verdict: 'pass' | 'fail'): LoadTestReport {
  const missing = verdict === 'pass' ? 0 : 2;
  return {
    verdict,
    reasons: verdict === 'pass' ? [] : ['PositiveTransactions: 2 of 5 records missing'],
    runId: 'it-smoke',
    sent: 10,
    durationMs: 1000,
    startedAt: '2026-01-01T00:00:00.000Z',
    outputs: {
      PositiveTransactions: {
        expected: 5,
        received: 5 - missing,
        missing,
        duplicates: 0,
        misrouted: 0,
        outOfOrder: 0,
        late: 0,
      },
    },
    latencyMs: { p50: 1, p90: 2, p99: 3, max: 4 },
    throttled: 0,
  };
}

/** A stand-in lifecycle with the real one's ending: LoadTest's report, then a Choice on its verdict. */
function lifecycle(verdict: 'pass' | 'fail') {
  return JSON.stringify({
    StartAt: 'LoadTest',
    States: {
      LoadTest: { Type: 'Pass', Result: report(verdict), ResultPath: '$.report', Next: 'Verdict' },
      Verdict: {
        Type: 'Choice',
        Choices: [{ Variable: '$.report.verdict', StringEquals: 'pass', Next: 'Succeeded' }],
        Default: 'LoadTestFailed',
      },
      LoadTestFailed: { Type: 'Fail', Error: 'LoadTestFailed', Cause: 'see the report' },
      Succeeded: { Type: 'Succeed' },
    },
  });
}

beforeAll(async () => {
  twin = await startTwin({ port: 0, fast: true });
  const config = {
    endpoint: twin.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  sfn = new SFNClient(config);
  cloudFormation = new CloudFormationClient(config);
  for (const [stage, verdict] of [
    ['good', 'pass'],
    ['bad', 'fail'],
  ] as const)
    await sfn.send(
      new CreateStateMachineCommand({
        name: `kinesis-fanout-${stage}-lifecycle`,
        definition: lifecycle(verdict),
        roleArn: 'arn:aws:iam::000000000000:role/states',
      }),
    );
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fanout-smoke-it-'));
});

afterEach(() => rm(dir, { recursive: true, force: true }));

afterAll(async () => {
  sfn.destroy();
  cloudFormation.destroy();
  await twin.close();
});

describe('Function: runSmoke (on the twin)', () => {
  it('passes a stage whose lifecycle succeeds with a passing report', async () => {
    // Act
    const result = await runSmoke(
      { sfn, cloudFormation },
      { stage: 'good', region: 'us-east-1', endpoint: twin.endpoint, out: dir, maxWaitSeconds: 30, pollMs: 20 },
      () => {},
    );

    // Assess
    expect(result).toMatchObject({ status: 'SUCCEEDED', passed: true, report: { verdict: 'pass' } });
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toEqual(report('pass'));
  });

  it('fails a stage whose load test fails, with the report still written', async () => {
    // Prepare
    const out: string[] = [];

    // Act
    const result = await runSmoke(
      { sfn, cloudFormation },
      { stage: 'bad', region: 'us-east-1', endpoint: twin.endpoint, out: dir, maxWaitSeconds: 30, pollMs: 20 },
      (text) => out.push(text),
    );

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', passed: false, report: { verdict: 'fail' } });
    expect(out.join('')).toContain('✖ execution FAILED');
    expect(out.join('')).toContain('error: LoadTestFailed');
    expect(out.join('')).toContain('PositiveTransactions: 2 of 5 records missing');
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toContain('<div class="badge">FAIL</div>');
  });

  it('says so when the stage has no lifecycle on the twin', async () => {
    await expect(
      runSmoke(
        { sfn, cloudFormation },
        { stage: 'none', region: 'us-east-1', endpoint: twin.endpoint, out: dir, maxWaitSeconds: 5, pollMs: 20 },
        () => {},
      ),
    ).rejects.toThrow(/no state machine kinesis-fanout-none-lifecycle/);
  });
});
