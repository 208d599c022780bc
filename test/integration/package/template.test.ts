/**
 * The packaged template (`osls package --stage dev`, shared with the twin tests through their cached package):
 * the resources AWS gets and the twin deploys, least-privilege IAM (each role exactly what its step calls), one
 * environment per function, valid state machines, and cfn-lint when it is on PATH. Then a 7-output fan-out file,
 * packaged in a copy of the project: its streams, stack Outputs, and no role that can write a stream it is not
 * configured for.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { unzipSync } from 'fflate';
import { loadFanoutFile, parseFanout } from '../../../src/fanout-config/load';
import { generate } from '../../../src/fanout-config/template/resolver';
import { estimateTemplateSize } from '../../../src/fanout-config/template/size';
import { packagedCopy, packagedProject, projectCopy, ROOT } from '../twin/project';
import {
  actionsOf,
  allowedOnAnyResource,
  cfnLint,
  ofType,
  STEP_ACTIONS,
  type Statement,
  statementsOf,
  type Template,
} from './iam';

let template: Template;
let templatePath: string;

beforeAll(async () => {
  templatePath = await packagedProject();
  template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
}, 300_000);

const STEP_FUNCTIONS = [
  'discoverSchema',
  'createApplication',
  'describeApplication',
  'startApplication',
  'stopApplication',
  'deleteApplication',
  'listApplications',
  'loadTest',
];

const functionId = (key: string) => `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`;

describe('Template: packaged stack (the default fanout.yml)', () => {
  it('holds the resources of the worked example', () => {
    // Act
    const counts: Record<string, number> = {};
    for (const resource of Object.values(template.Resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;

    // Assess
    expect(counts).toMatchObject({
      'AWS::Kinesis::Stream': 3,
      'AWS::Lambda::Function': 12,
      'AWS::Lambda::EventSourceMapping': 2,
      'AWS::StepFunctions::StateMachine': 2,
      'AWS::Events::Rule': 1,
    });
    // One role per function, the analytics role, both state machines' and the schedule's.
    expect(counts['AWS::IAM::Role']).toBe(16);
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining([
        'InputStreamArn',
        'PositiveTransactionsStreamArn',
        'NegativeTransactionsStreamArn',
        'AnalyticsRoleArn',
        'LifecycleStateMachineArn',
        'TeardownStateMachineArn',
        'ApplicationPrefix',
      ]),
    );
  });

  it('encrypts every stream with KMS', () => {
    // Assess
    for (const [, stream] of ofType(template, 'AWS::Kinesis::Stream')) {
      expect(stream.Properties['StreamEncryption']).toEqual({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
      expect(stream.Properties['ShardCount']).toBe(1);
    }
  });

  it('gives every step function the runtime, its own role and the settings it reads, as plain CloudFormation', () => {
    // Prepare
    const functions = Object.fromEntries(ofType(template, 'AWS::Lambda::Function'));
    const roles = new Set<string>();

    // Assess
    for (const key of STEP_FUNCTIONS) {
      const properties = functions[functionId(key)]!.Properties;
      expect(properties['Runtime']).toBe('nodejs22.x');
      expect(properties['Architectures']).toEqual(['arm64']);
      expect(properties['Handler']).toMatch(/^handlers\/[a-z-]+\.handler$/);
      expect(properties['Role']).toEqual({
        'Fn::GetAtt': [`${functionId(key).replace('LambdaFunction', '')}Role`, 'Arn'],
      });
      roles.add(JSON.stringify(properties['Role']));
      const variables = (properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        STAGE: 'dev',
        ENGINE: 'kinesis-analytics',
        APPLICATION_PREFIX: 'kinesis-fanout-dev',
        FANOUT_STREAM_ARN_PREFIX: {
          'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/`,
        },
        ANALYTICS_ROLE_ARN: { 'Fn::GetAtt': ['AnalyticsRole', 'Arn'] },
        FANOUT_FUNCTION_NAME: 'kinesis-fanout-dev-fanout',
      });
      // The fan-out itself is in the code, not in the 4 KB of the environment.
      expect(variables).not.toHaveProperty('OUTPUTS');
      expect(JSON.stringify(variables).length).toBeLessThan(1024);
      expect(Object.keys(variables).some((v) => v.startsWith('LOAD_TEST_'))).toBe(key === 'loadTest');
    }
    expect(roles.size).toBe(STEP_FUNCTIONS.length);
    expect(functions['LoadTestLambdaFunction']!.Properties['Handler']).toBe('handlers/load-test.handler');
  });

  it('compiles the validated fan-out file into every function bundle', () => {
    // Prepare
    const { definition } = loadFanoutFile('fanout.yml', { projectDir: ROOT });
    const zip = join(dirname(templatePath), 'describeApplication.zip');
    const bundle = unzipSync(readFileSync(zip), { filter: (f) => f.name === 'handlers/describe-application.js' });
    const code = Buffer.from(bundle['handlers/describe-application.js']!).toString('utf8');

    // Assess: the definition is there as an object literal, the SQL text with it
    expect(code).not.toMatch(/typeof __FANOUT_DEFINITION__/);
    expect(code).toContain(JSON.stringify(definition.outputs[0]!.sqlStream));
    expect(code).toContain('WHERE AMOUNT >= 0');
  });

  /** A function's bundle, as packaged. */
  function bundled(zipName: string, file: string): string {
    const zip = join(dirname(templatePath), zipName);
    return Buffer.from(unzipSync(readFileSync(zip), { filter: (f) => f.name === file })[file]!).toString('utf8');
  }

  /** The SDK clients a bundle holds: esbuild names each module in a comment (minify is off). */
  function clientsIn(code: string): string[] {
    return [...new Set([...code.matchAll(/node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//g)].map((m) => m[1]!))].sort();
  }

  it('bundles into each function the SDK clients it calls, and none that only other functions call', () => {
    // Prepare
    const fanout = bundled('fanout.zip', 'handlers/fanout.js');
    const consumer = bundled('consumePositiveTransactions.zip', 'handlers/consumer.js');
    const step = bundled('describeApplication.zip', 'handlers/describe-application.js');

    // Assess: less to load at each cold start (fanout.js was 5.0 MB with every client, a step 4.6 MB)
    expect(clientsIn(fanout)).toEqual(['client-firehose', 'client-kinesis', 'client-lambda']);
    expect(clientsIn(consumer)).toEqual([]);
    // the Kinesis Analytics client's last release (3.637) brings its own credential chain, with the SSO and STS clients
    expect(clientsIn(step)).toEqual([
      'client-kinesis',
      'client-kinesis-analytics',
      'client-lambda',
      'client-sso',
      'client-sso-oidc',
      'client-sts',
    ]);
    // the engines are the steps' alone (the fan-out function and the consumers took them in with the logger)
    expect(fanout).not.toContain('// src/engines/');
    expect(consumer).not.toContain('// src/engines/');
    expect(step).toContain('// src/engines/');
  });

  it('gives the consumers no stage settings, and the fan-out function only the application of the deployment', () => {
    // Prepare
    const functions = Object.fromEntries(ofType(template, 'AWS::Lambda::Function'));
    const base = { POWERTOOLS_SERVICE_NAME: 'kinesis-fanout', NODE_OPTIONS: '--enable-source-maps' };

    // Assess
    for (const id of ['ConsumePositiveTransactionsLambdaFunction', 'ConsumeNegativeTransactionsLambdaFunction']) {
      expect(functions[id]!.Properties['Environment']).toEqual({ Variables: base });
    }
    // the lambda engine's application comes with the deployment: input, outputs and output prefix in the bundled
    // definition, with what src/config.ts reads with them
    const fanout = (functions['FanoutLambdaFunction']!.Properties['Environment'] as { Variables: object }).Variables;
    expect(Object.keys(fanout).sort()).toEqual(
      [
        ...Object.keys(base),
        'STAGE',
        'APPLICATION_PREFIX',
        'FANOUT_STREAM_ARN_PREFIX',
        'FANOUT_FUNCTION_PREFIX',
        'ANALYTICS_ROLE_ARN',
      ].sort(),
    );
  });

  it('feeds one consumer per output stream in batches of 100 with partial batch responses', () => {
    // Assess
    const mappings = ofType(template, 'AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings.map((m) => m['EventSourceArn'])).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': ['PositiveTransactionsStream', 'Arn'] },
        { 'Fn::GetAtt': ['NegativeTransactionsStream', 'Arn'] },
      ]),
    );
    for (const mapping of mappings) {
      expect(mapping).toMatchObject({
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('gives each role exactly the actions its step calls', () => {
    // Act
    const actual = Object.fromEntries(Object.keys(STEP_ACTIONS).map((role) => [role, actionsOf(template, role)]));

    // Assess
    expect(actual).toEqual(Object.fromEntries(Object.entries(STEP_ACTIONS).map(([role, a]) => [role, [...a].sort()])));
  });

  it('grants no Action "*" and Resource "*" only where AWS requires it', () => {
    // Prepare
    const offending: string[] = [];

    // Act
    for (const [id] of ofType(template, 'AWS::IAM::Role')) {
      for (const statement of statementsOf(template, id)) {
        const actions = ([] as unknown[]).concat(statement.Action).map(String);
        const resources = ([] as unknown[]).concat(statement.Resource);
        if (actions.some((a) => a === '*' || a.endsWith(':*'))) offending.push(`${id}: ${actions.join(',')}`);
        if (resources.includes('*')) {
          for (const action of actions) if (!allowedOnAnyResource.has(action)) offending.push(`${id}: ${action} on *`);
        }
      }
    }

    // Assess
    expect(offending).toEqual([]);
  });

  it('binds every event source mapping action to the fan-out function (lambda:FunctionArn), and grants no GetEventSourceMapping', () => {
    // Prepare
    const fanout = (suffix: string) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:kinesis-fanout-dev-fanout${suffix}`,
    });
    const found: string[] = [];

    // Act
    for (const [id] of ofType(template, 'AWS::IAM::Role')) {
      for (const statement of statementsOf(template, id)) {
        for (const action of ([] as string[]).concat(statement.Action as string)) {
          if (!/^lambda:(Create|Update|Delete|Get)EventSourceMapping$/.test(action)) continue;
          found.push(`${id} ${action}`);
          expect(action).not.toBe('lambda:GetEventSourceMapping');
          expect(statement.Condition).toEqual({ ArnLike: { 'lambda:FunctionArn': [fanout(''), fanout(':*')] } });
        }
      }
    }

    // Assess: create by CreateApplication and StartApplication, update by Create (a roll forward onto a new version),
    // Start and Stop, delete by Start and Delete
    expect(found.sort()).toEqual([
      'CreateApplicationRole lambda:CreateEventSourceMapping',
      'CreateApplicationRole lambda:UpdateEventSourceMapping',
      'DeleteApplicationRole lambda:DeleteEventSourceMapping',
      'StartApplicationRole lambda:CreateEventSourceMapping',
      'StartApplicationRole lambda:DeleteEventSourceMapping',
      'StartApplicationRole lambda:UpdateEventSourceMapping',
      'StopApplicationRole lambda:UpdateEventSourceMapping',
    ]);
  });

  it('scopes stream consumers to the stage and lets no List or Describe role register or deregister one', () => {
    // Assess
    for (const role of ['DescribeApplicationRole', 'ListApplicationsRole']) {
      const actions = actionsOf(template, role);
      expect(actions).not.toContain('kinesis:RegisterStreamConsumer');
      expect(actions).not.toContain('kinesis:DeregisterStreamConsumer');
    }
    const describe = statementsOf(template, 'DescribeApplicationRole').find(
      (s) => s.Action === 'kinesis:DescribeStreamConsumer',
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub reference, not JavaScript
    expect(describe?.Resource).toEqual({ 'Fn::Sub': '${InputStream.Arn}/consumer/kinesis-fanout-dev-*' });
  });

  it('has no KMS statement: every stream uses the AWS-managed key, which needs none', () => {
    // Assess
    for (const [id] of ofType(template, 'AWS::IAM::Role')) {
      expect(actionsOf(template, id).filter((a) => a.startsWith('kms:'))).toEqual([]);
    }
  });

  it('lets Kinesis Analytics read the input and write the outputs, nothing more', () => {
    // Prepare
    const role = template.Resources['AnalyticsRole']!.Properties;
    const statements = statementsOf(template, 'AnalyticsRole');

    // Assess
    expect(JSON.stringify(role['AssumeRolePolicyDocument'])).toContain('kinesisanalytics.amazonaws.com');
    const writes = statements.find((s) => ([] as unknown[]).concat(s.Action).includes('kinesis:PutRecords'));
    expect(writes?.Resource).toEqual([
      { 'Fn::GetAtt': ['PositiveTransactionsStream', 'Arn'] },
      { 'Fn::GetAtt': ['NegativeTransactionsStream', 'Arn'] },
    ]);
    const reads = statements.find((s) => ([] as unknown[]).concat(s.Action).includes('kinesis:GetRecords'));
    expect(reads?.Resource).toEqual([{ 'Fn::GetAtt': ['InputStream', 'Arn'] }]);
  });

  it('defines valid state machines with logging ALL and tracing, and a teardown schedule', () => {
    // Prepare
    const machines = Object.fromEntries(ofType(template, 'AWS::StepFunctions::StateMachine'));

    // Assess
    for (const id of ['LifecycleStateMachine', 'TeardownStateMachine']) {
      const properties = machines[id]!.Properties;
      expect(properties['LoggingConfiguration']).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
      expect(properties['TracingConfiguration']).toEqual({ Enabled: true });
      const [text, variables] = (properties['DefinitionString'] as { 'Fn::Sub': [string, Record<string, unknown>] })[
        'Fn::Sub'
      ];
      expect(Object.values(variables).every((v) => JSON.stringify(v).includes('Fn::GetAtt'))).toBe(true);
      const definition = JSON.parse(
        text.replace(/\$\{(\w+)\}/g, (_, name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`),
      );
      expect(() => new StateMachine(definition)).not.toThrow();
    }
    const [, rule] = ofType(template, 'AWS::Events::Rule')[0]!;
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'cron(0 2 * * ? *)', State: 'ENABLED' });
    expect(JSON.stringify(rule.Properties['Targets'])).toContain('TeardownStateMachine');
  });

  const lint = cfnLint();
  (lint.available ? it : it.skip)(
    `passes cfn-lint with no errors or warnings of ours${lint.available ? '' : ' (skipped: cfn-lint is not on PATH)'}`,
    () => {
      // Act
      const result = lint.run(templatePath);

      // Assess
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    },
    60_000,
  );
});

/** Seven outputs: created ones (one ON_DEMAND, one with a customer key, two with consumers), an existing input. */
const SEVEN = `input:
  arn: arn:aws:kinesis:us-east-1:123456789012:stream/existing-clicks
outputs:
  - stream: copy-1
    consumer: true
  - stream: copy-2
  - stream: copy-3
    mode: ON_DEMAND
  - stream: copy-4
    kmsKey: alias/fanout-outputs
  - stream: copy-5
  - stream: copy-6
  - stream: copy-7
    consumer: true
outputPrefix: app-output-
loadTest:
  records: 200
  liveSeconds: 12
`;

describe('Template: a 7-output fan-out file', () => {
  let seven: Template;
  let sevenPath: string;
  let remove: () => void = () => {};

  beforeAll(async () => {
    const copy = await packagedCopy({ 'fanout.yml': SEVEN });
    remove = copy.remove;
    sevenPath = copy.templatePath;
    seven = JSON.parse(readFileSync(sevenPath, 'utf8')) as Template;
  }, 300_000);
  afterAll(() => remove());

  const outputIds = Array.from({ length: 7 }, (_, i) => `Copy${i + 1}Stream`);

  it('creates 7 streams (not the existing input) and one stack Output per stream', () => {
    // Assess
    expect(
      ofType(seven, 'AWS::Kinesis::Stream')
        .map(([id]) => id)
        .sort(),
    ).toEqual(outputIds);
    expect(seven.Resources['Copy3Stream']!.Properties['StreamModeDetails']).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(seven.Resources['Copy3Stream']!.Properties['ShardCount']).toBeUndefined();
    for (const id of outputIds) {
      expect(seven.Outputs[`${id}Arn`]).toEqual(expect.objectContaining({ Value: { 'Fn::GetAtt': [id, 'Arn'] } }));
    }
    expect(seven.Outputs['InputStreamArn']!.Value).toBe(
      'arn:aws:kinesis:us-east-1:123456789012:stream/existing-clicks',
    );
    expect(Object.keys(seven.Outputs).filter((k) => /^Copy\dStreamArn$/.test(k))).toHaveLength(7);
  });

  it("gives the lifecycle the file's load-test defaults: live mode for the input the user brings", () => {
    // Prepare: the state that hands the stack's defaults to the execution
    const [, machine] = ofType(seven, 'AWS::StepFunctions::StateMachine').find(
      ([id]) => id === 'LifecycleStateMachine',
    )!;
    const [text] = (machine.Properties['DefinitionString'] as { 'Fn::Sub': [string, unknown] })['Fn::Sub'];
    const states = (JSON.parse(text) as { States: Record<string, { Parameters?: { defaults?: unknown } }> }).States;
    const defaults = Object.values(states).find((state) => state.Parameters?.defaults)?.Parameters?.defaults;

    // Assess
    expect(defaults).toMatchObject({ records: 200, rate: 1000, timeoutSeconds: 60, mode: 'live', liveSeconds: 12 });
    expect(seven.Resources['LoadTestLambdaFunction']!.Properties['Environment']).toMatchObject({
      Variables: { LOAD_TEST_RECORDS: '200', LOAD_TEST_RATE: '1000', LOAD_TEST_TIMEOUT_SECONDS: '60' },
    });
  });

  it('has the size the resolver estimates before packaging (the limits check counts right)', () => {
    // Prepare
    const { definition } = parseFanout(SEVEN, 'fanout.yml', { projectDir: ROOT });
    const { generated } = generate(definition, {
      service: 'kinesis-fanout',
      stage: 'dev',
      applicationPrefix: 'kinesis-fanout-dev',
    });

    // Assess
    expect(estimateTemplateSize(generated)).toEqual({
      resources: Object.keys(seven.Resources).length,
      outputs: Object.keys(seven.Outputs).length,
    });
  });

  it('deploys the consumers asked for, each with a role that reads only its own stream', () => {
    // Assess
    const consumers = ofType(seven, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('Consume'));
    expect(consumers.map(([id]) => id).sort()).toEqual(['ConsumeCopy1LambdaFunction', 'ConsumeCopy7LambdaFunction']);
    const reads = statementsOf(seven, 'ConsumeCopy7Role').find((s) =>
      ([] as unknown[]).concat(s.Action).includes('kinesis:GetRecords'),
    );
    expect(reads?.Resource).toEqual([{ 'Fn::GetAtt': ['Copy7Stream', 'Arn'] }]);
  });

  it('has no role that can write a stream it is not configured for', () => {
    // Prepare: what each role may write, by design
    const outputs = outputIds.map((id) => JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
    const prefix = JSON.stringify({
      'Fn::Sub': `arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/app-output-*`,
    });
    const allowed: Record<string, string[]> = { FanoutRole: [...outputs, prefix], AnalyticsRole: outputs };
    const writes: string[] = [];

    // Act
    for (const [id] of ofType(seven, 'AWS::IAM::Role')) {
      for (const statement of statementsOf(seven, id)) {
        const actions = ([] as string[]).concat(statement.Action as string);
        if (!actions.some((a) => a === 'kinesis:PutRecord' || a === 'kinesis:PutRecords')) continue;
        for (const resource of ([] as unknown[]).concat(statement.Resource)) {
          const text = JSON.stringify(resource);
          if (!(allowed[id] ?? []).includes(text)) writes.push(`${id} may write ${text}`);
        }
      }
    }

    // Assess: the load test writes the input (an existing stream it is configured for); nothing else writes
    expect(writes).toEqual(['LoadTestRole may write "arn:aws:kinesis:us-east-1:123456789012:stream/existing-clicks"']);
    // DiscoverSchema puts its labelled sample only into an input the stack created: not into this one.
    expect(actionsOf(seven, 'DiscoverSchemaRole')).not.toContain('kinesis:PutRecords');
  });

  it('uses the customer key only for the stream it encrypts, only through Kinesis', () => {
    // Prepare
    const kmsStatements = (role: string): Statement[] =>
      statementsOf(seven, role).filter((s) => String(s.Action).startsWith('kms:'));

    // Assess
    for (const role of ['FanoutRole', 'AnalyticsRole']) {
      expect(kmsStatements(role)).toEqual([
        {
          Effect: 'Allow',
          Action: 'kms:GenerateDataKey',
          Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:kms:\${AWS::Region}:\${AWS::AccountId}:key/*` },
          Condition: {
            StringEquals: { 'kms:ViaService': { 'Fn::Sub': `kinesis.\${AWS::Region}.amazonaws.com` } },
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/fanout-outputs'] },
          },
        },
      ]);
    }
    expect(kmsStatements('LoadTestRole').map((s) => s.Action)).toEqual(['kms:Decrypt']);
    expect(kmsStatements('ConsumeCopy1Role')).toEqual([]);
    expect(kmsStatements('DescribeApplicationRole')).toEqual([]);
  });

  const lint = cfnLint();
  (lint.available ? it : it.skip)(
    `passes cfn-lint${lint.available ? '' : ' (skipped: cfn-lint is not on PATH)'}`,
    () => {
      // Act
      const result = lint.run(sevenPath);

      // Assess
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    },
    60_000,
  );
});

describe('Packaging a bad fan-out file', () => {
  it('stops before anything is packaged, with the file, line and field on one line', () => {
    // Prepare: a copy of the project, so the repository's package is not touched
    const copy = projectCopy({
      'bad.yml':
        'input: {stream: In}\noutputs:\n  - stream: A\n  - stream: B\n    arn: arn:aws:kinesis:us-east-1:123456789012:stream/B\n',
    });
    try {
      // Act
      const result = spawnSync(process.execPath, [join(copy.dir, 'node_modules/osls/bin/serverless.js'), 'package'], {
        cwd: copy.dir,
        env: { ...process.env, FANOUT_CONFIG: 'bad.yml', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
        encoding: 'utf8',
      });

      // Assess
      const output = `${result.stdout}${result.stderr}`;
      expect(result.status).not.toBe(0);
      expect(output).toMatch(
        /bad\.yml:5:5: outputs\[1\]\.arn: give stream \(created by the stack\) or arn \(an existing stream\), not both/,
      );
      expect(output).not.toMatch(/Packaging|packaged/);
      expect(existsSync(join(copy.dir, '.serverless'))).toBe(false);
    } finally {
      copy.remove();
    }
  }, 120_000);
});
