/** Reading roles out of a packaged template, and what each step of the service calls (the least-privilege spec). */
import { spawnSync } from 'node:child_process';

export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
}
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export const ofType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** Every statement of a role's inline policies. */
export function statementsOf(template: Template, roleId: string): Statement[] {
  const policies = (template.Resources[roleId]?.Properties['Policies'] ?? []) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}

/** The actions a role holds, sorted, each once. */
export function actionsOf(template: Template, roleId: string): string[] {
  const actions = statementsOf(template, roleId).flatMap((s) => ([] as string[]).concat(s.Action));
  return [...new Set(actions)].sort();
}

const CONSUMER_READS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetRecords',
  'kinesis:GetShardIterator',
  'kinesis:ListShards',
  'kinesis:ListStreams',
];

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

const CONSUMER = [
  ...CONSUMER_READS,
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
].sort();

/**
 * What each role's step calls, read from the code (src/engines, src/load-test, src/fanout) for both engines, plus
 * what Lambda's event source mapping calls with a function's role. A grant added without a call, or a call added
 * without its grant, fails the test that compares this with the template.
 */
export const STEP_ACTIONS: Record<string, string[]> = {
  // the execution input and the stack defaults, checked: nothing but the logs.
  ValidateInputRole: [...LOGS],
  // kinesis-analytics: DiscoverInputSchema (passing the analytics role); both: the labelled sample into an empty
  // input; lambda: the first records of each shard.
  DiscoverSchemaRole: [
    ...LOGS,
    'iam:PassRole',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
    'kinesis:PutRecords',
    'kinesisanalytics:DiscoverInputSchema',
  ],
  // kinesis-analytics: describe, create or update one version at a time; lambda: register the consumer, publish a
  // version of the function for the application, create the mapping disabled (or move it to the new version) and
  // delete versions older than the one before.
  CreateApplicationRole: [
    ...LOGS,
    'iam:PassRole',
    'kinesis:DescribeStreamConsumer',
    'kinesis:RegisterStreamConsumer',
    'kinesisanalytics:AddApplicationInput',
    'kinesisanalytics:AddApplicationOutput',
    'kinesisanalytics:CreateApplication',
    'kinesisanalytics:DeleteApplicationOutput',
    'kinesisanalytics:DescribeApplication',
    'kinesisanalytics:UpdateApplication',
    'lambda:CreateEventSourceMapping',
    'lambda:DeleteFunction',
    'lambda:GetFunctionConfiguration',
    'lambda:ListEventSourceMappings',
    'lambda:ListVersionsByFunction',
    'lambda:PublishVersion',
    'lambda:UpdateEventSourceMapping',
    'lambda:UpdateFunctionConfiguration',
  ],
  // status only: the stored application, the mapping, the consumer.
  DescribeApplicationRole: [
    ...LOGS,
    'kinesis:DescribeStreamConsumer',
    'kinesisanalytics:DescribeApplication',
    'lambda:GetFunctionConfiguration',
    'lambda:ListEventSourceMappings',
    'lambda:ListVersionsByFunction',
  ],
  // lambda: enable the mapping, or replace it at another starting position (delete, register, create).
  StartApplicationRole: [
    ...LOGS,
    'kinesis:DescribeStreamConsumer',
    'kinesis:RegisterStreamConsumer',
    'kinesisanalytics:DescribeApplication',
    'kinesisanalytics:StartApplication',
    'lambda:CreateEventSourceMapping',
    'lambda:DeleteEventSourceMapping',
    'lambda:GetFunctionConfiguration',
    'lambda:ListEventSourceMappings',
    'lambda:ListVersionsByFunction',
    'lambda:UpdateEventSourceMapping',
  ],
  // lambda: find the mapping (on the application's consumer) and disable it.
  StopApplicationRole: [
    ...LOGS,
    'kinesis:DescribeStreamConsumer',
    'kinesisanalytics:DescribeApplication',
    'kinesisanalytics:StopApplication',
    'lambda:GetFunctionConfiguration',
    'lambda:ListEventSourceMappings',
    'lambda:ListVersionsByFunction',
    'lambda:UpdateEventSourceMapping',
  ],
  // lambda: delete the mapping, deregister the consumer, delete the versions published for the application.
  DeleteApplicationRole: [
    ...LOGS,
    'kinesis:DeregisterStreamConsumer',
    'kinesis:DescribeStreamConsumer',
    'kinesisanalytics:DeleteApplication',
    'kinesisanalytics:DescribeApplication',
    'lambda:DeleteEventSourceMapping',
    'lambda:DeleteFunction',
    'lambda:GetFunctionConfiguration',
    'lambda:ListEventSourceMappings',
    'lambda:ListVersionsByFunction',
  ],
  // kinesis-analytics: ListApplications; lambda: the stage's consumers, mappings and published versions.
  ListApplicationsRole: [
    ...LOGS,
    'kinesis:ListStreamConsumers',
    'kinesisanalytics:ListApplications',
    'lambda:GetFunctionConfiguration',
    'lambda:ListEventSourceMappings',
    'lambda:ListVersionsByFunction',
  ],
  // put into the input, read the input and every output back.
  LoadTestRole: [...LOGS, 'kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:ListShards', 'kinesis:PutRecords'],
  // the mapping reads the input (over the stage's consumer); the function writes the outputs.
  FanoutRole: [
    ...LOGS,
    'kinesis:DescribeStream',
    'kinesis:DescribeStreamConsumer',
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
    'kinesis:ListStreams',
    'kinesis:PutRecords',
    'kinesis:SubscribeToShard',
  ],
  // the mapping reads the consumer's output stream.
  ConsumePositiveTransactionsRole: CONSUMER,
  ConsumeNegativeTransactionsRole: CONSUMER,
  // Kinesis Analytics reads the input and writes the outputs.
  AnalyticsRole: [
    'kinesis:DescribeStream',
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
    'kinesis:PutRecord',
    'kinesis:PutRecords',
  ],
};

/** Actions AWS supports on no narrower resource than "*". */
export const allowedOnAnyResource = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'kinesisanalytics:DiscoverInputSchema',
  'kinesisanalytics:ListApplications',
  'kinesis:ListStreams',
  // The lambda engine: creation is bound to the fan-out function by the lambda:FunctionArn condition.
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

/** cfn-lint, when it is on PATH. W3005 (DependsOn already enforced by GetAtt) is written by the framework. */
export function cfnLint(): { available: boolean; run: (path: string) => { output: string; status: number | null } } {
  const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  return {
    available: !probe.error,
    run: (path) => {
      const lint = spawnSync('cfn-lint', ['--ignore-checks', 'W3005', '--', path], { encoding: 'utf8' });
      return { output: lint.stdout + lint.stderr, status: lint.status };
    },
  };
}
