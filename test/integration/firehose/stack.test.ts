/**
 * A stack with a Firehose delivery stream on the twin's CloudFormation: AWS::KinesisFirehose::DeliveryStream is made
 * in the Firehose twin (ACTIVE before CREATE_COMPLETE), writes into the stack's bucket, and goes with the stack.
 */
import {
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startTwin, type Twin } from '../../../local/twin';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

const TEMPLATE = {
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'stack-hose-bucket' } },
    Hose: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        DeliveryStreamName: 'stack-hose',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: { 'Fn::GetAtt': ['Bucket', 'Arn'] },
          RoleARN: 'arn:aws:iam::000000000000:role/firehose',
          Prefix: 'rows/',
          BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 },
        },
      },
    },
  },
  Outputs: { HoseArn: { Value: { 'Fn::GetAtt': ['Hose', 'Arn'] } }, HoseName: { Value: { Ref: 'Hose' } } },
};

async function settled(cfn: CloudFormationClient, name: string): Promise<string> {
  for (;;) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name })).catch(() => ({ Stacks: [] }));
    const status = Stacks?.[0]?.StackStatus ?? 'GONE';
    if (!status.endsWith('_IN_PROGRESS')) return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Integration: a Firehose delivery stream in a stack on the twin', () => {
  // a budget for a loaded machine, not a timing assertion
  jest.setTimeout(60_000);

  let twin: Twin;
  let cfn: CloudFormationClient;

  beforeAll(async () => {
    twin = await startTwin({ port: 0, fast: true });
    cfn = new CloudFormationClient({ endpoint: twin.endpoint, region: 'us-east-1', credentials });
  });

  afterAll(async () => {
    cfn.destroy();
    await twin.close();
  });

  it('creates it in the Firehose twin with the Ref and Arn of AWS, and deletes it with the stack', async () => {
    // Act
    await cfn.send(new CreateStackCommand({ StackName: 'hose', TemplateBody: JSON.stringify(TEMPLATE) }));
    const created = await settled(cfn, 'hose');
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: 'hose' }));
    const described = twin.firehose.describeDeliveryStream({
      DeliveryStreamName: 'stack-hose',
    }).DeliveryStreamDescription;
    await twin.firehose.putRecordBatch({
      DeliveryStreamName: 'stack-hose',
      Records: [{ Data: Buffer.from('{"a":1}') }],
    });
    await new Promise((r) => setTimeout(r, 50));
    const keys = twin.s3.keys('stack-hose-bucket');
    // the bucket must be empty for the stack to go, as on AWS
    const s3 = new S3Client({ endpoint: twin.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
    for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: 'stack-hose-bucket', Key: key }));
    s3.destroy();
    await cfn.send(new DeleteStackCommand({ StackName: 'hose' }));
    const deleted = await settled(cfn, 'hose');

    // Assess
    expect(created).toBe('CREATE_COMPLETE');
    const outputs = Object.fromEntries((Stacks![0]!.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toEqual({
      HoseArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/stack-hose',
      HoseName: 'stack-hose',
    });
    expect(described).toMatchObject({ DeliveryStreamStatus: 'ACTIVE' });
    expect(described.Destinations?.[0]?.ExtendedS3DestinationDescription).toMatchObject({
      BucketARN: 'arn:aws:s3:::stack-hose-bucket',
      Prefix: 'rows/',
    });
    expect(keys).toEqual([expect.stringMatching(/^rows\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/stack-hose-1-/)]);
    expect(['DELETE_COMPLETE', 'GONE']).toContain(deleted);
    expect(twin.firehose.listDeliveryStreams().DeliveryStreamNames).not.toContain('stack-hose');
  });
});
