import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { findLifecycle, runSmoke, SmokeError } from '../../../bin/commands/smoke';
import { findReport, reportFromHistory } from '../../../src/load-test/report-source';
import type { LoadTestReport } from '../../../src/load-test/types';

const sfnMock = mockClient(SFNClient);
const cfnMock = mockClient(CloudFormationClient);
const clients = () => ({ sfn: new SFNClient({}), cloudFormation: new CloudFormationClient({}) });
const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine:kinesis-fanout-ci-lifecycle';
const EXEC = 'arn:aws:states:us-east-1:000000000000:execution:kinesis-fanout-ci-lifecycle:smoke-1';

function report(verdict: 'pass' | 'fail'): LoadTestReport {
  return {
    verdict,
    reasons: verdict === 'pass' ? [] : ['PositiveTransactions: 1 of 5 records missing'],
    runId: 'smoke-1',
    sent: 10,
    durationMs: 1000,
    startedAt: '2026-01-01T00:00:00.000Z',
    outputs: {
      PositiveTransactions: {
        expected: 5,
        received: verdict === 'pass' ? 5 : 4,
        missing: verdict === 'pass' ? 0 : 1,
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

describe('Function: findLifecycle', () => {
  beforeEach(() => {
    sfnMock.reset();
    cfnMock.reset();
  });

  it('reads the state machine from the stack outputs of the stage', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'kinesis-fanout-ci',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'LifecycleStateMachineArn', OutputValue: SM }],
        },
      ],
    });

    // Act
    const arn = await findLifecycle(clients(), { stage: 'ci' });

    // Assess
    expect(arn).toBe(SM);
    expect(cfnMock).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'kinesis-fanout-ci' });
  });

  it('says what to do when the stack is not there', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).rejects(new Error('Stack with id kinesis-fanout-ci does not exist'));

    // Act
    const finding = findLifecycle(clients(), { stage: 'ci' });

    // Assess
    await expect(finding).rejects.toThrow(SmokeError);
    await expect(finding).rejects.toThrow(/npx osls deploy --stage ci/);
  });

  it('finds the state machine by name on a twin', async () => {
    // Prepare
    sfnMock
      .on(ListStateMachinesCommand)
      .resolvesOnce({ stateMachines: [], nextToken: 't' })
      .resolvesOnce({
        stateMachines: [
          { name: 'kinesis-fanout-ci-lifecycle', stateMachineArn: SM, type: 'STANDARD', creationDate: new Date() },
        ],
      });

    // Act
    const arn = await findLifecycle(clients(), { stage: 'ci', endpoint: 'http://127.0.0.1:4566' });

    // Assess
    expect(arn).toBe(SM);
    expect(cfnMock).not.toHaveReceivedCommand(DescribeStacksCommand);
  });
});

describe('Function: runSmoke', () => {
  let dir: string;
  beforeEach(async () => {
    sfnMock.reset();
    cfnMock.reset();
    dir = await mkdtemp(join(tmpdir(), 'fanout-smoke-'));
    sfnMock.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        { name: 'kinesis-fanout-ci-lifecycle', stateMachineArn: SM, type: 'STANDARD', creationDate: new Date() },
      ],
    });
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXEC, startDate: new Date() });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes the report of a failed verdict from the history, writes it and does not pass', async () => {
    // Prepare
    sfnMock.on(DescribeExecutionCommand).resolves({
      executionArn: EXEC,
      stateMachineArn: SM,
      status: 'FAILED',
      error: 'LoadTestFailed',
      startDate: new Date(),
    });
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 1, type: 'TaskStateEntered', timestamp: new Date(), stateEnteredEventDetails: { name: 'LoadTest' } },
        {
          id: 2,
          type: 'TaskStateExited',
          timestamp: new Date(),
          stateExitedEventDetails: {
            name: 'LoadTest',
            output: JSON.stringify({ options: {}, report: report('fail') }),
          },
        },
        { id: 3, type: 'ExecutionFailed', timestamp: new Date() },
      ],
    });
    const out: string[] = [];

    // Act
    const result = await runSmoke(
      clients(),
      {
        stage: 'ci',
        region: 'us-east-1',
        records: 10,
        keysPerShard: 50,
        endpoint: 'http://127.0.0.1:4566',
        out: dir,
        maxWaitSeconds: 5,
        pollMs: 1,
      },
      (text) => out.push(text),
    );

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', passed: false, report: { verdict: 'fail' } });
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: SM,
      input: '{"records":10,"keysPerShard":50}',
    });
    expect(out.join('')).toContain('✔ LoadTest');
    expect(out.join('')).toContain('PositiveTransactions: 1 of 5 records missing');
    expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toEqual(report('fail'));
  });

  it('follows a running execution to its end and passes on a passing report', async () => {
    // Prepare
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ executionArn: EXEC, stateMachineArn: SM, status: 'RUNNING', startDate: new Date() })
      .resolves({
        executionArn: EXEC,
        stateMachineArn: SM,
        status: 'SUCCEEDED',
        startDate: new Date(),
        output: JSON.stringify({ report: report('pass') }),
      });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [] });

    // Act
    const result = await runSmoke(
      clients(),
      { stage: 'ci', region: 'us-east-1', endpoint: 'http://127.0.0.1:4566', out: dir, maxWaitSeconds: 5, pollMs: 1 },
      () => {},
    );

    // Assess
    expect(result).toMatchObject({ status: 'SUCCEEDED', passed: true });
    expect(sfnMock).toHaveReceivedCommandTimes(DescribeExecutionCommand, 2);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, { input: '{}' });
  });
});

describe('Function: findReport / reportFromHistory', () => {
  it('finds the report itself, in a report field, or in JSON text, and nothing else', () => {
    expect(findReport(report('pass'))).toEqual(report('pass'));
    expect(findReport(JSON.stringify({ report: report('fail') }))?.verdict).toBe('fail');
    expect(findReport({ verdict: 'maybe' })).toBeUndefined();
    expect(findReport('not json')).toBeUndefined();
    expect(
      reportFromHistory([{ taskSucceededEventDetails: { output: JSON.stringify(report('pass')) } }])?.verdict,
    ).toBe('pass');
  });
});
