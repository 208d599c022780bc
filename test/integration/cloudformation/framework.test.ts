/**
 * The Serverless Framework's own commands against the twin, as a user types them (issue 13, items 1-5): deploy,
 * deploy with no change, deploy after an SQL edit (only what changed is updated), info, invoke stepf (lifecycle and
 * teardown), logs, remove. One scenario on a copy of the project, so the repository's .serverless is left alone.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_INPUTS } from '../../../local/package';
import { startTwin, type Twin } from '../../../local/twin';
import { ROOT } from '../twin/project';

const run = promisify(execFile);

describe('Integration: the Serverless Framework against the twin', () => {
  let twin: Twin;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fanout-osls-'));
    for (const input of [...PACKAGE_INPUTS, 'package.json', 'tsconfig.json']) {
      const from = join(ROOT, input);
      if (!existsSync(from)) continue;
      if (input.includes('.')) copyFileSync(from, join(dir, input));
      else cpSync(from, join(dir, input), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    twin = await startTwin({ port: 0, fast: true, codeDir: join(dir, '.fanout') });
  });

  afterAll(async () => {
    await twin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const osls = async (...args: string[]): Promise<string> => {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), ...args, '--stage', 'local'],
      {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          AWS_ENDPOINT_URL: twin.endpoint,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_REGION: 'us-east-1',
          FANOUT_ENGINE: 'kinesis-analytics',
          // the framework polls stack events every 5 s by default
          SLS_AWS_MONITORING_FREQUENCY: '200',
          SLS_TELEMETRY_DISABLED: '1',
          FORCE_COLOR: '0',
        },
      },
    );
    return `${stdout}${stderr}`;
  };

  it('deploys, skips an unchanged deploy, updates only what an SQL edit changed, informs, invokes, logs and removes', async () => {
    // Act
    const first = await osls('deploy', '--verbose');
    const second = await osls('deploy');
    appendFileSync(join(dir, 'sql', 'fanout.sql'), '\n-- an edit: the functions that bundle the SQL change\n');
    const third = await osls('deploy', '--verbose');
    const info = await osls('info', '--verbose');
    const lifecycle = await osls('invoke', 'stepf', '--name', 'lifecycle', '--data', '{}');
    // independent of each other: side by side, to spend less of CI's time
    const [teardown, logs] = await Promise.all([
      osls('invoke', 'stepf', '--name', 'teardown', '--data', '{}'),
      osls('logs', '-f', 'loadTest'),
    ]);
    const bucket = /ServerlessDeploymentBucketName: (\S+)/.exec(info)?.[1] ?? '';
    const removed = await osls('remove');

    // Assess
    expect(first).toContain('Service deployed to stack kinesis-fanout-local');
    expect(first).toMatch(
      /Stack Outputs:[\s\S]*LifecycleStateMachineArn: arn:aws:states:us-east-1:000000000000:stateMachine:kinesis-fanout-local-lifecycle/,
    );
    expect(second).toContain('No changes to deploy. Deployment skipped.');
    expect(third).toContain('UPDATE_COMPLETE - AWS::Lambda::Function - LoadTestLambdaFunction');
    // the consumers and streams the first deploy made are left alone: their bundles hold no SQL
    expect(first).toMatch(/CREATE_COMPLETE - AWS::Lambda::Function - Consume\w+LambdaFunction/);
    expect(first).toMatch(/CREATE_COMPLETE - AWS::Kinesis::Stream - \w+/);
    expect(third).not.toMatch(/AWS::Lambda::Function - Consume\w+LambdaFunction/);
    expect(third).not.toContain('AWS::Kinesis::Stream');
    expect(third).not.toMatch(/DELETE_\w+ - AWS::Lambda::Function/);
    expect(info).toMatch(/functions:[\s\S]*loadTest: kinesis-fanout-local-loadTest/);
    expect(info).toContain('InputStreamArn: arn:aws:kinesis:us-east-1:000000000000:stream/Transactions');
    const execution = JSON.parse(lifecycle.slice(lifecycle.indexOf('{'), lifecycle.lastIndexOf('}') + 1)) as {
      status: string;
      output: string;
    };
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output).report).toMatchObject({ verdict: 'pass' });
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
  }, 600_000);
});
