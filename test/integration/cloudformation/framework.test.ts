/**
 * The Serverless Framework's own commands against the twin, as a user types them (issue 13, items 1-5): deploy,
 * deploy with no change, deploy after an SQL edit (only what changed is updated), info, invoke stepf (lifecycle and
 * teardown), logs, remove, and the lifecycle's execution events in its CloudWatch log group. One scenario on a copy
 * of the project, so the repository's .serverless is left alone.
 *
 * Packaging is what costs (minutes on a loaded machine), so the scenario packages once itself: the first two
 * deploys take the package the other integration tests share (`osls deploy --package`, the framework's own way to
 * deploy a package made earlier; the framework still compares it with what the bucket holds, so the second one
 * proves "no changes" as the twin answers it), and only the deploy after the SQL edit packages, as `osls deploy`
 * does for a user. The stage is dev, the stage of that shared package (the copy and the runs: ./osls.ts).
 */
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTwin, type Twin } from '../../../local/twin';
import { frameworkProject, osls as runOsls, SHARED_PACKAGE } from './osls';

describe('Integration: the Serverless Framework against the twin', () => {
  let twin: Twin;
  let dir: string;
  const shared = SHARED_PACKAGE;

  beforeAll(async () => {
    dir = await frameworkProject();
    twin = await startTwin({ port: 0, fast: true, codeDir: join(dir, '.fanout') });
  }, 900_000);

  afterAll(async () => {
    await twin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const osls = (...args: string[]): Promise<string> => runOsls(dir, twin.endpoint, ...args);

  it('deploys, skips an unchanged deploy, updates only what an SQL edit changed, informs, invokes, logs and removes', async () => {
    // Act
    const first = await osls('deploy', '--verbose', '--package', shared);
    const second = await osls('deploy', '--package', shared);
    appendFileSync(join(dir, 'sql', 'fanout.sql'), '\n-- an edit: the functions that bundle the SQL change\n');
    const third = await osls('deploy', '--verbose');
    // independent of each other: side by side, to spend less of CI's time
    const [info, lifecycle] = await Promise.all([
      osls('info', '--verbose'),
      osls('invoke', 'stepf', '--name', 'lifecycle', '--data', '{}'),
    ]);
    // what the lifecycle's execution wrote to its log group (serverless.yml's loggingConfig), before remove deletes it
    const executionLog = [
      ...(twin.logs.store.groups.get('/aws/vendedlogs/states/kinesis-fanout-dev-lifecycle')?.streams.values() ?? []),
    ].flatMap((s) => s.events.map((e) => JSON.parse(e.message) as { type: string; execution_arn: string }));
    const [teardown, logs] = await Promise.all([
      osls('invoke', 'stepf', '--name', 'teardown', '--data', '{}'),
      osls('logs', '-f', 'loadTest'),
    ]);
    const bucket = /ServerlessDeploymentBucketName: (\S+)/.exec(info)?.[1] ?? '';
    const removed = await osls('remove');

    // Assess
    expect(first).toContain('Service deployed to stack kinesis-fanout-dev');
    expect(first).toMatch(
      /Stack Outputs:[\s\S]*LifecycleStateMachineArn: arn:aws:states:us-east-1:000000000000:stateMachine:kinesis-fanout-dev-lifecycle/,
    );
    expect(second).toContain('No changes to deploy. Deployment skipped.');
    expect(third).toContain('UPDATE_COMPLETE - AWS::Lambda::Function - LoadTestLambdaFunction');
    // every function bundles the fan-out definition, which holds the SQL, so every function's code changes; the
    // streams, mappings, state machines and schedule the first deploy made are left alone
    for (const type of [
      'Kinesis::Stream',
      'Lambda::EventSourceMapping',
      'StepFunctions::StateMachine',
      'Events::Rule',
    ]) {
      expect(first).toMatch(new RegExp(`CREATE_COMPLETE - AWS::${type} - \\w+`));
      expect(third).not.toContain(`AWS::${type}`);
    }
    expect(third).not.toMatch(/DELETE_\w+ - AWS::Lambda::Function/);
    expect(info).toMatch(/functions:[\s\S]*loadTest: kinesis-fanout-dev-loadTest/);
    expect(info).toContain('InputStreamArn: arn:aws:kinesis:us-east-1:000000000000:stream/Transactions');
    const execution = JSON.parse(lifecycle.slice(lifecycle.indexOf('{'), lifecycle.lastIndexOf('}') + 1)) as {
      executionArn: string;
      status: string;
      output: string;
    };
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output).report).toMatchObject({ verdict: 'pass' });
    expect(executionLog[0]).toMatchObject({ type: 'ExecutionStarted', execution_arn: execution.executionArn });
    expect(executionLog.at(-1)).toMatchObject({ type: 'ExecutionSucceeded', execution_arn: execution.executionArn });
    expect(teardown).toContain('"status": "SUCCEEDED"');
    expect(logs).toContain('"message":"load test planned"');
    expect(logs).toMatch(/"message":"load test done".*"verdict":"pass"/);
    expect(removed).toContain('Service kinesis-fanout has been successfully removed');
    expect(twin.cloudFormation.store.live()).toEqual([]);
    expect(
      await twin.kinesis.handle('ListStreams', {}, { region: 'us-east-1', accountId: '000000000000', headers: {} }),
    ).toMatchObject({ StreamNames: [] });
    expect((await twin.lambda.listFunctions()).Functions).toEqual([]);
    expect((await twin.lambda.listEventSourceMappings()).EventSourceMappings).toEqual([]);
    expect(twin.events.listRules().Rules).toEqual([]);
    expect(twin.stepFunctions.listStateMachines().stateMachines).toEqual([]);
    expect(twin.s3.hasBucket(bucket)).toBe(false);
    // about 20 minutes measured on a machine at a load average of 30 (one packaging, eight osls runs); a few on an
    // idle one
  }, 1_500_000);
});
