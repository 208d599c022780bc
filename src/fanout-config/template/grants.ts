/**
 * What a function's role may do, as named grants: each a set of IAM statements scoped to exactly the resources of
 * this fan-out (its streams by ARN, the fan-out function, the stage's applications and consumers). A function's row
 * in `functions.ts` lists the grants its step calls, nothing more; the packaged-template test holds the list of
 * actions each step calls and fails on any difference.
 *
 * `*` appears only where AWS supports no resource-level permission (said at each place).
 */
import {
  AWS_MANAGED_KINESIS_KEY,
  type FanoutDefinition,
  firehoseOutputs,
  functionOutputs,
  kinesisOutputs,
  type StreamSource,
} from '../definition';
import { type Cfn, getAtt, streamArnInSub, sub } from './cfn';
import { bucketArn, deliveryStreamArn } from './destinations';
import { INPUT_ID } from './streams';

export interface Statement {
  readonly Effect: 'Allow';
  readonly Action: string | readonly string[];
  readonly Resource: Cfn;
  readonly Condition?: Cfn;
}

/** What grants are scoped to: the stage's names and the fan-out's streams. */
export interface GrantScope {
  readonly definition: FanoutDefinition;
  /** `${service}-${stage}`: the prefix of every function name. */
  readonly functionPrefix: string;
  /** The prefix of every application (and lambda-engine consumer) name of the stage. */
  readonly applicationPrefix: string;
}

/** A stream with the id its template names derive from. */
interface ScopedStream {
  readonly stream: StreamSource;
  readonly id: string;
}

const READ_ACTIONS = [
  'kinesis:DescribeStream',
  'kinesis:DescribeStreamSummary',
  'kinesis:GetShardIterator',
  'kinesis:GetRecords',
  'kinesis:ListShards',
];

const arn = (path: string): Cfn => sub(`arn:\${AWS::Partition}:${path}`);
const regional = (service: string, resource: string): Cfn =>
  arn(`${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`);

function input(scope: GrantScope): ScopedStream {
  return { stream: scope.definition.input, id: INPUT_ID };
}

function outputs(scope: GrantScope): ScopedStream[] {
  return kinesisOutputs(scope.definition).map((o) => ({ stream: o.stream, id: o.id }));
}

function arnOf({ stream, id }: ScopedStream): Cfn {
  return stream.created ? getAtt(`${id}Stream`) : stream.arn;
}

/** The delivery streams of the Firehose outputs. */
function deliveryStreams(scope: GrantScope): Cfn[] {
  return firehoseOutputs(scope.definition).map(deliveryStreamArn);
}

/** The functions of the Lambda outputs: the service's by name, others by ARN. */
function destinationFunctions(scope: GrantScope): Cfn[] {
  return functionOutputs(scope.definition).map((o) =>
    o.function.ofService ? regional('lambda', `function:${scope.functionPrefix}-${o.function.key}`) : o.function.arn,
  );
}

/** Write the Firehose and Lambda outputs (none for a fan-out of streams only). */
function writeDestinations(scope: GrantScope, firehoseActions: string[], lambdaActions: string[]): Statement[] {
  const hoses = deliveryStreams(scope);
  const functions = destinationFunctions(scope);
  return [
    ...(hoses.length > 0 ? [allow(firehoseActions, hoses)] : []),
    ...(functions.length > 0 ? [allow(lambdaActions, functions)] : []),
  ];
}

/**
 * What the load test reads back of the Firehose and Lambda outputs: where each delivery stream delivers
 * (DescribeDeliveryStream, then its bucket's objects under its prefix; an existing one's bucket only when the file
 * names it) and each function's log group (what it received).
 */
function readDestinations(scope: GrantScope): Statement[] {
  const hoses = firehoseOutputs(scope.definition);
  const statements: Statement[] =
    hoses.length > 0 ? [allow('firehose:DescribeDeliveryStream', hoses.map(deliveryStreamArn))] : [];
  for (const o of hoses) {
    const stream = o.deliveryStream;
    const bucket = stream.created
      ? bucketArn(o)
      : stream.bucket !== undefined
        ? sub(`arn:\${AWS::Partition}:s3:::${stream.bucket}`)
        : undefined;
    if (bucket === undefined) continue;
    const prefix = stream.created ? stream.prefix.split('!{')[0]! : '';
    statements.push(allow('s3:ListBucket', bucket));
    statements.push(allow('s3:GetObject', { 'Fn::Join': ['', [bucket, `/${prefix}*`]] }));
  }
  const groups = functionOutputs(scope.definition).map((o): Cfn => {
    if (o.function.ofService)
      return regional('logs', `log-group:/aws/lambda/${scope.functionPrefix}-${o.function.key}:*`);
    // arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME -> the group in the function's account and region
    const [, partition, , region, account, , name] = o.function.arn.split(':');
    return `arn:${partition}:logs:${region}:${account}:log-group:/aws/lambda/${name}:*`;
  });
  if (groups.length > 0) statements.push(allow('logs:FilterLogEvents', groups));
  return statements;
}

/** Every stream whose name starts with the output prefix, when there is one. */
function prefixStreams(scope: GrantScope): Cfn[] {
  const prefix = scope.definition.outputPrefix?.prefix;
  return prefix === undefined ? [] : [regional('kinesis', `stream/${prefix}*`)];
}

/**
 * KMS use for streams encrypted with a customer key, through Kinesis only. A stream with the AWS-managed key needs
 * none (Kinesis uses that key on the caller's behalf), so the default fan-out has no KMS statement at all.
 */
function kms(streams: readonly ScopedStream[], action: 'kms:Decrypt' | 'kms:GenerateDataKey'): Statement[] {
  const keys = [...new Set(streams.map((s) => s.stream.kmsKey).filter((k): k is string => !!k))].filter(
    (k) => k !== AWS_MANAGED_KINESIS_KEY,
  );
  if (keys.length === 0) return [];
  const viaKinesis = { 'kms:ViaService': sub(`kinesis.\${AWS::Region}.amazonaws.com`) };
  const statements: Statement[] = [];
  const keyArns = keys.filter((k) => !k.startsWith('alias/') && !/^arn:[^:]+:kms:[^:]+:\d+:alias\//.test(k));
  if (keyArns.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: action,
      Resource: keyArns.map((k) => (k.startsWith('arn:') ? k : regional('kms', `key/${k}`))),
      Condition: { StringEquals: viaKinesis },
    });
  }
  // An alias names a key whose ARN is not known here: any key of the account, only when it carries that alias.
  const aliases = keys.filter((k) => !keyArns.includes(k)).map((k) => k.slice(k.indexOf('alias/')));
  if (aliases.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: action,
      Resource: regional('kms', 'key/*'),
      Condition: { StringEquals: viaKinesis, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } },
    });
  }
  return statements;
}

/** Read records of these streams (and decrypt them with a customer key). */
export function readStreams(streams: readonly ScopedStream[], actions = READ_ACTIONS): Statement[] {
  if (streams.length === 0) return [];
  return [{ Effect: 'Allow', Action: actions, Resource: streams.map(arnOf) }, ...kms(streams, 'kms:Decrypt')];
}

/** Put records into these streams (and encrypt them with a customer key). */
export function writeStreams(streams: readonly ScopedStream[], actions = ['kinesis:PutRecords']): Statement[] {
  if (streams.length === 0) return [];
  return [{ Effect: 'Allow', Action: actions, Resource: streams.map(arnOf) }, ...kms(streams, 'kms:GenerateDataKey')];
}

/** The fan-out function (lambda engine): the one function mappings may invoke and the engine may configure. */
function fanoutFunctionArn(scope: GrantScope, qualified = false): Cfn {
  return regional('lambda', `function:${scope.functionPrefix}-fanout${qualified ? ':*' : ''}`);
}

/** Mapping operations only on mappings of the fan-out function (the condition key Lambda supports for them). */
function onFanoutMappings(scope: GrantScope): Cfn {
  return { ArnLike: { 'lambda:FunctionArn': [fanoutFunctionArn(scope), fanoutFunctionArn(scope, true)] } };
}

/** The input's enhanced fan-out consumers of this stage (the lambda engine names them after the application). */
function stageConsumers(scope: GrantScope): Cfn {
  return sub(`${streamArnInSub(scope.definition.input, INPUT_ID)}/consumer/${scope.applicationPrefix}-*`);
}

function applications(scope: GrantScope): Cfn {
  return regional('kinesisanalytics', `application/${scope.applicationPrefix}-*`);
}

const allow = (Action: string | string[], Resource: Cfn, Condition?: Cfn): Statement =>
  Condition === undefined ? { Effect: 'Allow', Action, Resource } : { Effect: 'Allow', Action, Resource, Condition };

/** Every grant a function row may name. */
export const GRANTS = {
  // ---- kinesis-analytics engine ----------------------------------------------------------------------------
  /** DiscoverInputSchema acts on no application: AWS supports no resource-level permission for it. */
  discoverInputSchema: () => [allow('kinesisanalytics:DiscoverInputSchema', '*')],
  /** Hand the analytics role to Kinesis Analytics, and to nothing else. */
  passAnalyticsRole: () => [
    allow('iam:PassRole', getAtt('AnalyticsRole'), {
      StringEquals: { 'iam:PassedToService': 'kinesisanalytics.amazonaws.com' },
    }),
  ],
  createApplications: (scope: GrantScope) => [
    allow(
      [
        'kinesisanalytics:CreateApplication',
        'kinesisanalytics:DescribeApplication',
        'kinesisanalytics:UpdateApplication',
        'kinesisanalytics:AddApplicationInput',
        'kinesisanalytics:AddApplicationOutput',
        'kinesisanalytics:DeleteApplicationOutput',
      ],
      applications(scope),
    ),
  ],
  describeApplications: (scope: GrantScope) => [allow('kinesisanalytics:DescribeApplication', applications(scope))],
  startApplications: (scope: GrantScope) => [
    allow(['kinesisanalytics:DescribeApplication', 'kinesisanalytics:StartApplication'], applications(scope)),
  ],
  stopApplications: (scope: GrantScope) => [
    allow(['kinesisanalytics:DescribeApplication', 'kinesisanalytics:StopApplication'], applications(scope)),
  ],
  deleteApplications: (scope: GrantScope) => [
    allow(['kinesisanalytics:DescribeApplication', 'kinesisanalytics:DeleteApplication'], applications(scope)),
  ],
  /** ListApplications is account-wide: AWS supports no resource-level permission for it. */
  listApplications: () => [allow('kinesisanalytics:ListApplications', '*')],

  // ---- lambda engine ---------------------------------------------------------------------------------------
  /** An application runs on a version of the fan-out function the engine published: read the function and them. */
  readFanoutFunction: (scope: GrantScope) => [
    allow('lambda:GetFunctionConfiguration', [fanoutFunctionArn(scope), fanoutFunctionArn(scope, true)]),
    allow('lambda:ListVersionsByFunction', fanoutFunctionArn(scope)),
  ],
  /** Publish a version for an application (its name and schema set on $LATEST first). */
  publishFanoutVersion: (scope: GrantScope) => [
    allow(['lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion'], fanoutFunctionArn(scope)),
  ],
  /** Delete an application's versions: qualified ARNs only, never the function itself. */
  deleteFanoutVersions: (scope: GrantScope) => [allow('lambda:DeleteFunction', fanoutFunctionArn(scope, true))],
  /** ListEventSourceMappings supports no resource-level permission: AWS requires "*". */
  listMappings: () => [allow('lambda:ListEventSourceMappings', '*')],
  /** CreateEventSourceMapping supports no resource: bound to the fan-out function by lambda:FunctionArn. */
  createMapping: (scope: GrantScope) => [allow('lambda:CreateEventSourceMapping', '*', onFanoutMappings(scope))],
  updateMapping: (scope: GrantScope) => [
    allow('lambda:UpdateEventSourceMapping', regional('lambda', 'event-source-mapping:*'), onFanoutMappings(scope)),
  ],
  deleteMapping: (scope: GrantScope) => [
    allow('lambda:DeleteEventSourceMapping', regional('lambda', 'event-source-mapping:*'), onFanoutMappings(scope)),
  ],
  registerConsumer: (scope: GrantScope) => [allow('kinesis:RegisterStreamConsumer', arnOf(input(scope)))],
  describeConsumer: (scope: GrantScope) => [allow('kinesis:DescribeStreamConsumer', stageConsumers(scope))],
  deregisterConsumer: (scope: GrantScope) => [allow('kinesis:DeregisterStreamConsumer', stageConsumers(scope))],
  listConsumers: (scope: GrantScope) => [allow('kinesis:ListStreamConsumers', arnOf(input(scope)))],

  // ---- streams ---------------------------------------------------------------------------------------------
  /** Discovery reads the first records of each shard of the input (lambda engine). */
  sampleInputRecords: (scope: GrantScope) =>
    readStreams([input(scope)], ['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords']),
  /**
   * The labelled schema sample goes into an empty input only when the stack created it: a stream the user brings
   * is never written by discovery.
   */
  putSchemaSample: (scope: GrantScope) => (scope.definition.input.created ? writeStreams([input(scope)]) : []),
  /** The load test puts its records into the input and reads them back from the input and every output. */
  loadTestStreams: (scope: GrantScope) => [
    ...writeStreams([input(scope)]),
    ...readDestinations(scope),
    ...readStreams(
      [input(scope), ...outputs(scope)],
      ['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'],
    ),
    ...(prefixStreams(scope).length > 0
      ? [
          allow(['kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'], prefixStreams(scope)),
          allow('kinesis:ListStreams', '*'),
        ]
      : []),
  ],
  /**
   * The fan-out function reads the input through its mapping (the mapping calls Kinesis with the function's role:
   * over an enhanced fan-out consumer of the stage, or the shared read budget) and writes every output.
   */
  fanoutStreams: (scope: GrantScope) => [
    ...readStreams([input(scope)]),
    allow(['kinesis:SubscribeToShard', 'kinesis:DescribeStreamConsumer'], stageConsumers(scope)),
    ...writeStreams(outputs(scope)),
    ...(prefixStreams(scope).length > 0 ? [allow('kinesis:PutRecords', prefixStreams(scope))] : []),
    ...writeDestinations(scope, ['firehose:PutRecordBatch'], ['lambda:InvokeFunction']),
    // Lambda's mapping lists the account's streams (AWSLambdaKinesisExecutionRole), and the function finds the
    // streams of the output prefix at each cold start; ListStreams supports no resource-level permission.
    allow('kinesis:ListStreams', '*'),
  ],
} as const;

export type GrantName = keyof typeof GRANTS;

/** What a consumer function's role may do: read its own output stream through its mapping. */
export function consumerGrants(output: { stream: StreamSource; id: string }): Statement[] {
  return [
    ...readStreams([output]),
    // The mapping lists the account's streams (AWSLambdaKinesisExecutionRole); no resource-level permission.
    allow('kinesis:ListStreams', '*'),
  ];
}

/** The role Kinesis Analytics assumes: read the input, write the outputs, nothing else. */
export function analyticsGrants(scope: GrantScope): Statement[] {
  return [
    // lambda-preprocessing.md: the application's role invokes its preprocessor (this one function, by ARN).
    ...(scope.definition.kplAggregated
      ? [
          {
            Effect: 'Allow' as const,
            Action: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
            Resource: regional('lambda', `function:${scope.functionPrefix}-kplPreprocessor`),
          },
        ]
      : []),
    ...readStreams([input(scope)]),
    ...writeStreams(outputs(scope), [
      'kinesis:DescribeStream',
      'kinesis:DescribeStreamSummary',
      'kinesis:PutRecord',
      'kinesis:PutRecords',
    ]),
    // what Kinesis Analytics calls for its Firehose and Lambda outputs (its developer guide, "Permissions")
    ...writeDestinations(
      scope,
      ['firehose:DescribeDeliveryStream', 'firehose:PutRecord', 'firehose:PutRecordBatch'],
      ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
    ),
  ];
}
