import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { type DeployEvent, type DeployTarget, deploy, type Template } from '../../../../local/deploy';
import { EventsTwin } from '../../../../local/events';
import { KinesisTwin } from '../../../../local/kinesis';
import { LambdaTwin } from '../../../../local/lambda';
import { StepFunctionsTwin } from '../../../../local/stepfunctions';

function target(createDelayMs = 0): DeployTarget & { kinesis: KinesisTwin; close(): Promise<void> } {
  const kinesis = new KinesisTwin({ limits: false, createDelayMs });
  const lambda = new LambdaTwin({ kinesis });
  const stepFunctions = new StepFunctionsTwin({ invoke: (fn, payload) => lambda.invokeText(fn, payload) });
  const events = new EventsTwin();
  return {
    region: 'us-east-1',
    kinesis,
    lambda,
    stepFunctions,
    events,
    close: async () => {
      await events.close();
      await stepFunctions.close();
      await lambda.close();
      await kinesis.close();
    },
  };
}

/* biome-ignore-start lint/suspicious/noTemplateCurlyInString: CloudFormation syntax, not JavaScript */
const template = (): Template => ({
  Parameters: { Stage: { Type: 'String', Default: 'dev' } },
  Resources: {
    Input: { Type: 'AWS::Kinesis::Stream', Properties: { Name: { 'Fn::Sub': 'input-${Stage}' }, ShardCount: 2 } },
    Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'fn-role' } },
    Logs: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/echo' } },
    Bucket: { Type: 'AWS::S3::Bucket' },
    Echo: {
      Type: 'AWS::Lambda::Function',
      DependsOn: ['Logs'],
      Properties: {
        FunctionName: 'echo',
        Handler: 'handlers/echo.handler',
        Runtime: 'nodejs22.x',
        Code: { S3Bucket: { Ref: 'Bucket' }, S3Key: 'serverless/svc/dev/123/echo.zip' },
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        Environment: {
          Variables: {
            STREAM: { 'Fn::GetAtt': 'Input.Arn' },
            JOINED: { 'Fn::Join': ['|', [{ Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, 7]] },
            PICKED: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
            SUBBED: { 'Fn::Sub': ['${Name}@${AWS::Partition}', { Name: { Ref: 'Input' } }] },
          },
        },
      },
    },
    Machine: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: 'echo-machine',
        RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
        DefinitionString: {
          'Fn::Sub': [
            '{"StartAt":"Echo","States":{"Echo":{"Type":"Task","Resource":"${fn}","End":true}}}',
            { fn: { 'Fn::GetAtt': ['Echo', 'Arn'] } },
          ],
        },
      },
    },
    Nightly: {
      Type: 'AWS::Events::Rule',
      Properties: {
        ScheduleExpression: 'cron(0 2 * * ? *)',
        State: 'ENABLED',
        Targets: [{ Id: 'm', Arn: { Ref: 'Machine' }, Input: '{}' }],
      },
    },
  },
  Outputs: {
    MachineArn: { Value: { Ref: 'Machine' } },
    StreamArn: { Value: { 'Fn::GetAtt': ['Input', 'Arn'] } },
  },
});
/* biome-ignore-end lint/suspicious/noTemplateCurlyInString: CloudFormation syntax, not JavaScript */

describe('Function: deploy', () => {
  // a deploy starts functions and validates definitions: seconds on a loaded machine, over jest's default 5 s
  jest.setTimeout(60_000);
  let dir: string;
  let twin: ReturnType<typeof target>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    mkdirSync(join(dir, '.serverless'));
    const code =
      'exports.handler = async (e) => ({ e, env: { STREAM: process.env.STREAM, JOINED: process.env.JOINED, PICKED: process.env.PICKED, SUBBED: process.env.SUBBED } });';
    writeFileSync(join(dir, '.serverless', 'echo.zip'), zipSync({ 'handlers/echo.js': strToU8(code) }));
    twin = target();
  });

  afterEach(async () => {
    await twin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates what the twin serves, records the rest, resolves intrinsics and the Outputs', async () => {
    // Prepare
    const events: DeployEvent[] = [];

    // Act
    const stack = await deploy(twin, template(), { projectDir: dir, onEvent: (e) => events.push(e) });
    const { executionArn } = twin.stepFunctions.startExecution({
      stateMachineArn: stack.outputs['MachineArn']!,
      input: '{"x":1}',
    });
    await twin.stepFunctions.execution(executionArn).done;
    const output = JSON.parse(String(twin.stepFunctions.describeExecution({ executionArn })['output']));

    // Assess
    expect(stack.outputs).toEqual({
      MachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:echo-machine',
      StreamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/input-dev',
    });
    expect(output).toEqual({
      e: { x: 1 },
      env: {
        STREAM: 'arn:aws:kinesis:us-east-1:000000000000:stream/input-dev',
        JOINED: 'us-east-1|000000000000|7',
        PICKED: 'b',
        SUBBED: 'input-dev@aws',
      },
    });
    expect(twin.kinesis.shardIds({ StreamName: 'input-dev' })).toHaveLength(2);
    expect(twin.events.schedules()).toMatchObject([{ scheduleExpression: 'cron(0 2 * * ? *)', enabled: true }]);
    expect(stack.resources.get('Role')).toMatchObject({
      live: false,
      physicalId: 'fn-role',
      attributes: { Arn: 'arn:aws:iam::000000000000:role/fn-role' },
    });
    const order = events.flatMap((e) => (e.type === 'resource' ? [e.logicalId] : []));
    expect(order.indexOf('Logs')).toBeLessThan(order.indexOf('Echo'));
    expect(order.indexOf('Echo')).toBeLessThan(order.indexOf('Machine'));
    expect(order.indexOf('Machine')).toBeLessThan(order.indexOf('Nightly'));
  });

  it('names an unknown resource type and creates nothing', async () => {
    // Prepare
    const t = template();
    t.Resources['Queue'] = { Type: 'AWS::SQS::Queue', Properties: {} };

    // Act
    const error = await deploy(twin, t, { projectDir: dir }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'DeployError',
      message: expect.stringContaining('Queue has type AWS::SQS::Queue'),
    });
    expect(twin.lambda.runtimes()).toHaveLength(0);
  });

  it('refuses a reference to something the template does not define, as CloudFormation does', async () => {
    // Prepare
    const t = template();
    t.Outputs!['Missing'] = { Value: { Ref: 'LifecycleStepFunctionsStateMachine' } };

    // Act
    const error = await deploy(twin, t, { projectDir: dir }).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe(
      'Template format error: Unresolved resource dependencies [LifecycleStepFunctionsStateMachine] in the Outputs block of the template (Missing)',
    );
  });

  it('unpacks a function code while the stream it waits for becomes ACTIVE', async () => {
    // Prepare: streams that take 300 ms to become ACTIVE; the function's environment names one
    await twin.close();
    twin = target(300);
    const unpacked: boolean[] = [];
    const codeRoot = join(dir, '.fanout', 'lambda');
    const isUnpacked = () =>
      existsSync(codeRoot) && readdirSync(codeRoot).some((d) => existsSync(join(codeRoot, d, '.complete')));

    // Act
    await deploy(twin, template(), {
      projectDir: dir,
      onEvent: (e) => {
        if (e.type === 'resource' && e.logicalId === 'Input') unpacked.push(isUnpacked());
      },
    });

    // Assess: the code was there by the time the stream was, before its function could be made
    expect(unpacked).toEqual([true]);
  });

  it('reports a broken zip at its function, after what was made before it', async () => {
    // Prepare
    writeFileSync(join(dir, '.serverless', 'echo.zip'), 'not a zip');

    // Act
    const error = await deploy(twin, template(), { projectDir: dir }).catch((e: unknown) => e);

    // Assess: the unpack ahead of time failed quietly; the function's own turn says why
    expect((error as Error).message).toMatch(
      /Echo \(AWS::Lambda::Function\) failed: Cannot unzip the function artifact/,
    );
  });

  it('says which artifact is missing', async () => {
    // Prepare
    rmSync(join(dir, '.serverless', 'echo.zip'));

    // Act
    const error = await deploy(twin, template(), { projectDir: dir }).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toMatch(
      /Echo \(AWS::Lambda::Function\) failed: the artifact .*echo\.zip .* is missing/,
    );
  });
});
