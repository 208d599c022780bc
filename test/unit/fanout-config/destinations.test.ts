/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation syntax, not JavaScript */
/**
 * Firehose and Lambda outputs in fanout.yml: the kinds as the file gives them, the definition, the template (delivery
 * stream, bucket, roles) and the grants, scoped to exactly those resources, and the ARNs the functions write to.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../../src/config';
import { FanoutConfigError } from '../../../src/fanout-config/errors';
import { parseFanout } from '../../../src/fanout-config/load';
import { piecesOf } from '../../../src/fanout-config/template/resolver';
import { definitionEnv } from './fixtures';

const ROOT = resolve(__dirname, '..', '..', '..');
const NAMES = { service: 'kinesis-fanout', stage: 'dev', applicationPrefix: 'kinesis-fanout-dev' };
const HOSE_ARN = 'arn:aws:firehose:us-east-1:123456789012:deliverystream/existing-hose';
const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:their-function';

const THREE = `input: {stream: In}
outputs:
  - stream: Copy
  - firehose: archive
    prefix: rows/
    bufferSeconds: 60
    compression: GZIP
  - function: audit
`;

const definitionOf = (text: string) =>
  parseFanout(text, 'fanout.yml', { projectDir: ROOT, engine: 'lambda' }).definition;

type Statement = { Action: string | string[]; Resource: unknown };
const statementsOf = (role: unknown): Statement[] =>
  (role as { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }).Properties.Policies.flatMap(
    (p) => p.PolicyDocument.Statement,
  );
const actionsOn = (statements: Statement[], service: string) =>
  statements.flatMap((s) =>
    (Array.isArray(s.Action) ? s.Action : [s.Action])
      .filter((a) => a.startsWith(`${service}:`))
      .map((a): [string, unknown] => [a, s.Resource]),
  );

describe('Firehose and Lambda outputs in fanout.yml', () => {
  it('reads one output of each kind, with the defaults of a delivery stream the stack creates', () => {
    // Act
    const definition = definitionOf(THREE);

    // Assess
    expect(definition.outputs.map((o) => o.kind)).toEqual(['kinesis', 'firehose', 'function']);
    expect(definition.outputs[1]).toMatchObject({
      id: 'ArchiveFirehose',
      deliveryStream: {
        created: true,
        name: 'archive',
        bucket: { created: true },
        prefix: 'rows/',
        bufferSeconds: 60,
        bufferMiB: 5,
        compression: 'GZIP',
      },
    });
    expect(definition.outputs[2]).toMatchObject({
      id: 'AuditFunction',
      function: { ofService: true, key: 'audit', handler: 'handlers/destination.handler' },
    });
  });

  it('makes the delivery stream, its retained bucket and delivery role, and the destination function', () => {
    // Act
    const { functions, resources } = piecesOf(definitionOf(THREE), NAMES);

    // Assess
    const r = resources.Resources;
    expect(r['ArchiveFirehoseBucket']).toMatchObject({ Type: 'AWS::S3::Bucket', DeletionPolicy: 'Retain' });
    expect(r['ArchiveFirehoseDeliveryStream']).toMatchObject({
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        DeliveryStreamName: 'archive',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: { 'Fn::GetAtt': ['ArchiveFirehoseBucket', 'Arn'] },
          Prefix: 'rows/',
          ErrorOutputPrefix: 'rows/errors/',
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 5 },
          CompressionFormat: 'GZIP',
        },
      },
    });
    const trust = JSON.stringify(r['ArchiveFirehoseDeliveryRole']);
    expect(trust).toContain('firehose.amazonaws.com');
    expect(trust).toContain('sts:ExternalId');
    expect((resources.Outputs['ArchiveFirehoseDeliveryStreamArn'] as { Value?: unknown } | undefined)?.Value).toEqual({
      'Fn::GetAtt': ['ArchiveFirehoseDeliveryStream', 'Arn'],
    });
    expect(functions['audit']).toMatchObject({ handler: 'handlers/destination.handler', role: 'AuditRole' });
    // the destination's own role writes its logs and nothing else
    expect(JSON.stringify(r['AuditRole'])).not.toMatch(/"(kinesis|lambda|firehose|s3):/);
  });

  it('lets the fan-out function put records into that delivery stream and invoke that function, and nothing more', () => {
    // Act
    const { functions, resources } = piecesOf(definitionOf(THREE), NAMES);

    // Assess
    const fanout = statementsOf(resources.Resources[functions['fanout']!['role'] as string]);
    expect(actionsOn(fanout, 'firehose')).toEqual([
      ['firehose:PutRecordBatch', [{ 'Fn::GetAtt': ['ArchiveFirehoseDeliveryStream', 'Arn'] }]],
    ]);
    expect(actionsOn(fanout, 'lambda')).toEqual([
      [
        'lambda:InvokeFunction',
        [
          {
            'Fn::Sub':
              'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:kinesis-fanout-dev-audit',
          },
        ],
      ],
    ]);
    // Kinesis Analytics' role: what its developer guide lists for Firehose and Lambda outputs, on the same two
    const analytics = statementsOf(resources.Resources['AnalyticsRole']);
    expect(actionsOn(analytics, 'firehose').map(([a]) => a)).toEqual([
      'firehose:DescribeDeliveryStream',
      'firehose:PutRecord',
      'firehose:PutRecordBatch',
    ]);
    expect(JSON.stringify(actionsOn(analytics, 'firehose'))).not.toContain('*');
    // no role of the stack may write a delivery stream or invoke a function by wildcard
    const roles = Object.values(resources.Resources).filter((x) => x.Type === 'AWS::IAM::Role');
    for (const role of roles) {
      const writes = [...actionsOn(statementsOf(role), 'firehose'), ...actionsOn(statementsOf(role), 'lambda')].filter(
        ([action]) => action === 'lambda:InvokeFunction' || action.startsWith('firehose:'),
      );
      expect(JSON.stringify(writes)).not.toContain('*');
    }
  });

  it('lets the load test read back the bucket and prefix, and the function log group', () => {
    // Act
    const { functions, resources } = piecesOf(definitionOf(THREE), NAMES);

    // Assess
    const loadTest = statementsOf(resources.Resources[functions['loadTest']!['role'] as string]);
    expect(actionsOn(loadTest, 'firehose').map(([a]) => a)).toEqual(['firehose:DescribeDeliveryStream']);
    expect(actionsOn(loadTest, 's3')).toEqual([
      ['s3:ListBucket', { 'Fn::GetAtt': ['ArchiveFirehoseBucket', 'Arn'] }],
      ['s3:GetObject', { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ArchiveFirehoseBucket', 'Arn'] }, '/rows/*']] }],
    ]);
    expect(JSON.stringify(actionsOn(loadTest, 'logs'))).toContain('log-group:/aws/lambda/kinesis-fanout-dev-audit:*');
  });

  it('writes existing ones by ARN, creating nothing for them', () => {
    // Prepare
    const text = `input: {stream: In}\noutputs:\n  - firehose: ${HOSE_ARN}\n    bucket: their-bucket\n  - function: ${FN_ARN}\n`;

    // Act
    const definition = definitionOf(text);
    const { functions, resources } = piecesOf(definition, NAMES);

    // Assess
    expect(Object.keys(resources.Resources).filter((id) => /Firehose|Bucket/.test(id))).toEqual([]);
    expect(functions).not.toHaveProperty('their-function');
    const fanout = statementsOf(resources.Resources[functions['fanout']!['role'] as string]);
    expect(actionsOn(fanout, 'firehose')).toEqual([['firehose:PutRecordBatch', [HOSE_ARN]]]);
    expect(actionsOn(fanout, 'lambda')).toEqual([['lambda:InvokeFunction', [FN_ARN]]]);
    const loadTest = JSON.stringify(resources.Resources[functions['loadTest']!['role'] as string]);
    expect(loadTest).toContain('s3:::their-bucket');
    expect(loadTest).toContain('arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/their-function:*');
  });

  it('gives the functions the ARN of every kind of output', () => {
    // Prepare
    const definition = definitionOf(`${THREE}  - firehose: ${HOSE_ARN}\n  - function: ${FN_ARN}\n`);

    // Act
    const config = loadConfig({
      ...definitionEnv(definition),
      FANOUT_STREAM_ARN_PREFIX: 'arn:aws:kinesis:us-east-1:123456789012:stream/',
      FANOUT_FUNCTION_PREFIX: 'kinesis-fanout-dev',
      STAGE: 'dev',
      APPLICATION_PREFIX: 'kinesis-fanout-dev',
      ANALYTICS_ROLE_ARN: 'arn:aws:iam::123456789012:role/analytics',
      AWS_REGION: 'us-east-1',
    });

    // Assess
    expect(config.outputs.map((o) => o.streamArn)).toEqual([
      'arn:aws:kinesis:us-east-1:123456789012:stream/Copy',
      'arn:aws:firehose:us-east-1:123456789012:deliverystream/archive',
      'arn:aws:lambda:us-east-1:123456789012:function:kinesis-fanout-dev-audit',
      HOSE_ARN,
      FN_ARN,
    ]);
  });

  it.each([
    [
      'a delivery stream twice',
      'outputs:\n  - firehose: a\n  - firehose: a\n',
      'outputs[1].firehose: delivery stream a is already outputs[0]',
    ],
    [
      'a function twice',
      `outputs:\n  - function: ${FN_ARN}\n  - function: ${FN_ARN}\n`,
      'outputs[1].function: function',
    ],
    [
      'a bad delivery stream name',
      'outputs:\n  - firehose: "no spaces"\n',
      'outputs[0].firehose: a delivery stream name',
    ],
    [
      'buffering of an existing one',
      `outputs:\n  - firehose: ${HOSE_ARN}\n    bufferSeconds: 0\n`,
      'outputs[0].bufferSeconds: only for a delivery stream the stack creates',
    ],
    [
      'a handler with an ARN',
      `outputs:\n  - function: ${FN_ARN}\n    handler: handlers/x.handler\n`,
      'outputs[0].handler: only for a function the stack creates',
    ],
    [
      'a bucket name S3 refuses',
      'outputs:\n  - firehose: a\n    bucket: Not_A_Bucket\n',
      'outputs[0].bucket: an S3 bucket name',
    ],
    [
      'a stream and a firehose in one entry',
      'outputs:\n  - stream: A\n    firehose: a\n',
      'outputs[0].firehose: unknown key',
    ],
  ])('refuses %s, naming the field', (_, outputs, message) => {
    // Act
    let error: unknown;
    try {
      definitionOf(`input: {stream: In}\n${outputs}`);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(FanoutConfigError);
    expect((error as Error).message).toContain(message);
  });

  it("refuses a destination function named like one of the service's own", () => {
    // Act & Assess
    expect(() => piecesOf(definitionOf('input: {stream: In}\noutputs:\n  - function: loadTest\n'), NAMES)).toThrow(
      /outputs\[0\]\.function: function loadTest is one of the service's own/,
    );
  });
});
