/**
 * The packaged template (`osls package --stage dev`, shared with the twin tests through their cached package):
 * the resources AWS gets and the twin deploys, least-privilege IAM, plain CloudFormation values in the
 * functions' environment, valid state machines, and cfn-lint when it is on PATH.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';
import { packagedProject } from '../twin/project';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}

let template: Template;
let templatePath: string;

beforeAll(async () => {
  templatePath = await packagedProject();
  template = JSON.parse(readFileSync(templatePath, 'utf8')) as Template;
}, 300_000);

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);

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

describe('Template: packaged stack', () => {
  it('holds the expected resources', () => {
    // Act
    const counts: Record<string, number> = {};
    for (const resource of Object.values(template.Resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;

    // Assess
    expect(counts).toMatchObject({
      'AWS::Kinesis::Stream': 3,
      'AWS::Lambda::Function': 11,
      'AWS::Lambda::EventSourceMapping': 2,
      'AWS::StepFunctions::StateMachine': 2,
      'AWS::Events::Rule': 1,
    });
    // One role per function group, the analytics role, both state machines' and the schedule's.
    expect(counts['AWS::IAM::Role']).toBe(14);
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
    for (const [, stream] of ofType('AWS::Kinesis::Stream')) {
      expect(stream.Properties['StreamEncryption']).toEqual({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
      expect(stream.Properties['ShardCount']).toBe(1);
    }
  });

  it('gives every function the runtime, its own role and an environment of plain CloudFormation values', () => {
    // Prepare
    const functions = Object.fromEntries(ofType('AWS::Lambda::Function'));

    // Assess
    for (const key of STEP_FUNCTIONS) {
      const logicalId = `${key[0]!.toUpperCase()}${key.slice(1)}LambdaFunction`;
      const fn = functions[logicalId];
      expect(fn).toBeDefined();
      const properties = fn!.Properties;
      expect(properties['Runtime']).toBe('nodejs22.x');
      expect(properties['Architectures']).toEqual(['arm64']);
      expect(properties['Handler']).toMatch(/^handlers\/[a-z-]+\.handler$/);
      expect(properties['Role']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Role$/), 'Arn'] });
      const variables = (properties['Environment'] as { Variables: Record<string, unknown> }).Variables;
      expect(variables).toMatchObject({
        STAGE: 'dev',
        ENGINE: 'kinesis-analytics',
        APPLICATION_PREFIX: 'kinesis-fanout-dev',
        INPUT_STREAM_ARN: { 'Fn::GetAtt': ['InputStream', 'Arn'] },
        ANALYTICS_ROLE_ARN: { 'Fn::GetAtt': ['AnalyticsRole', 'Arn'] },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub reference, not JavaScript
        OUTPUTS: { 'Fn::Sub': expect.stringContaining('${PositiveTransactionsStream.Arn}') },
        LOAD_TEST_RECORDS: '500',
        LOAD_TEST_RATE: '1000',
        LOAD_TEST_TIMEOUT_SECONDS: '60',
      });
    }
    expect(functions['LoadTestLambdaFunction']!.Properties['Handler']).toBe('handlers/load-test.handler');
  });

  it('feeds one consumer per output stream in batches of 100 with partial batch responses', () => {
    // Assess
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
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

  it('grants no Action "*" and Resource "*" only where AWS requires it', () => {
    // Prepare
    const allowedOnAnyResource = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'kinesisanalytics:DiscoverInputSchema',
      'kinesisanalytics:ListApplications',
      'kinesis:ListStreams',
      // The lambda engine: neither supports resource-level permissions (creation is bound to the fan-out function by
      // the lambda:FunctionArn condition).
      'lambda:CreateEventSourceMapping',
      'lambda:ListEventSourceMappings',
      // Generated by serverless-step-functions for state machine logging: log delivery has no resource-level permission.
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);
    const offending: string[] = [];

    // Act
    for (const [id, role] of ofType('AWS::IAM::Role')) {
      const policies = (role.Properties['Policies'] ?? []) as {
        PolicyDocument: { Statement: Record<string, unknown>[] };
      }[];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        const actions = ([] as unknown[]).concat(statement['Action']).map(String);
        const resources = ([] as unknown[]).concat(statement['Resource']);
        if (actions.some((a) => a === '*' || a.endsWith(':*'))) offending.push(`${id}: ${actions.join(',')}`);
        if (resources.includes('*')) {
          for (const action of actions) if (!allowedOnAnyResource.has(action)) offending.push(`${id}: ${action} on *`);
        }
      }
    }

    // Assess
    expect(offending).toEqual([]);
  });

  it('lets Kinesis Analytics read the input and write the outputs, nothing more', () => {
    // Prepare
    const role = template.Resources['AnalyticsRole']!.Properties;
    const statements = (role['Policies'] as { PolicyDocument: { Statement: Record<string, unknown>[] } }[])[0]!
      .PolicyDocument.Statement;

    // Assess
    expect(JSON.stringify(role['AssumeRolePolicyDocument'])).toContain('kinesisanalytics.amazonaws.com');
    const writes = statements.find((s) => ([] as unknown[]).concat(s['Action']).includes('kinesis:PutRecords'));
    expect(writes?.['Resource']).toEqual([
      { 'Fn::GetAtt': ['PositiveTransactionsStream', 'Arn'] },
      { 'Fn::GetAtt': ['NegativeTransactionsStream', 'Arn'] },
    ]);
    const reads = statements.find((s) => ([] as unknown[]).concat(s['Action']).includes('kinesis:GetRecords'));
    expect(reads?.['Resource']).toEqual([{ 'Fn::GetAtt': ['InputStream', 'Arn'] }]);
  });

  it('defines valid state machines with logging ALL and tracing, and a teardown schedule', () => {
    // Prepare
    const machines = Object.fromEntries(ofType('AWS::StepFunctions::StateMachine'));

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
    const [, rule] = ofType('AWS::Events::Rule')[0]!;
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'cron(0 2 * * ? *)', State: 'ENABLED' });
    expect(JSON.stringify(rule.Properties['Targets'])).toContain('TeardownStateMachine');
  });

  it('passes cfn-lint (when it is on PATH) with no errors or warnings of ours', () => {
    // Prepare
    const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      console.warn('cfn-lint is not on PATH: template lint skipped');
      return;
    }

    // Act
    // W3005 (DependsOn already enforced by GetAtt) is written by the framework itself for functions and state
    // machines with their own roles, not by serverless.yml.
    const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', templatePath], { encoding: 'utf8' });

    // Assess
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  }, 60_000);
});
