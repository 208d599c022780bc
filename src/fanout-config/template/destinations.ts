/**
 * The Firehose outputs of the fan-out in the template: for each delivery stream the stack creates, the delivery
 * stream (Direct PUT into S3), the role Firehose assumes to write its bucket, and the bucket itself unless the file
 * names an existing one (kept at teardown with the delivered data: DeletionPolicy Retain); a stack Output per
 * delivery stream. What may write to them is in grants.ts (`firehose:PutRecord*` on exactly these ARNs).
 */
import type { FanoutDefinition, FirehoseOutput } from '../definition';
import { firehoseOutputs } from '../definition';
import { type Cfn, getAtt, type Resource, type StackOutput, sub } from './cfn';

export const deliveryStreamId = (output: FirehoseOutput): string => `${output.id}DeliveryStream`;
export const bucketId = (output: FirehoseOutput): string => `${output.id}Bucket`;
const roleId = (output: FirehoseOutput): string => `${output.id}DeliveryRole`;

/** The ARN of a Firehose output's delivery stream in the template. */
export function deliveryStreamArn(output: FirehoseOutput): Cfn {
  return output.deliveryStream.created ? getAtt(deliveryStreamId(output)) : output.deliveryStream.arn;
}

/** The bucket a delivery stream the stack creates writes to, as an ARN in the template. */
export function bucketArn(output: FirehoseOutput): Cfn {
  const stream = output.deliveryStream;
  if (!stream.created) throw new Error(`${stream.name} exists: its bucket is not the stack's to know`);
  return stream.bucket.created ? getAtt(bucketId(output)) : sub(`arn:\${AWS::Partition}:s3:::${stream.bucket.name}`);
}

function deliveryRole(output: FirehoseOutput): Resource {
  const bucket = bucketArn(output);
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'firehose.amazonaws.com' },
            Action: 'sts:AssumeRole',
            // only Firehose acting for this account (the confused-deputy guard the Firehose guide gives)
            Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      Policies: [
        {
          PolicyName: 'deliver-to-s3',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: [
                  's3:AbortMultipartUpload',
                  's3:GetBucketLocation',
                  's3:ListBucket',
                  's3:ListBucketMultipartUploads',
                ],
                Resource: bucket,
              },
              {
                Effect: 'Allow',
                Action: ['s3:GetObject', 's3:PutObject'],
                Resource: { 'Fn::Join': ['', [bucket, '/*']] },
              },
            ],
          },
        },
      ],
    },
  };
}

/** Resources (created delivery streams, their roles and buckets) and one stack Output per delivery stream. */
export function destinationsOfTemplate(definition: FanoutDefinition): {
  resources: Record<string, Resource>;
  outputs: Record<string, StackOutput>;
} {
  const resources: Record<string, Resource> = {};
  const outputs: Record<string, StackOutput> = {};
  for (const output of firehoseOutputs(definition)) {
    const stream = output.deliveryStream;
    outputs[`${deliveryStreamId(output)}Arn`] = {
      Description: stream.created
        ? `Delivery stream of ${output.sqlStream}`
        : `Delivery stream of ${output.sqlStream} (an existing one)`,
      Value: deliveryStreamArn(output),
    };
    if (!stream.created) continue;
    if (stream.bucket.created) {
      resources[bucketId(output)] = {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
          },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
        },
      };
      outputs[`${bucketId(output)}Name`] = {
        Description: `Bucket of ${stream.name}`,
        Value: { Ref: bucketId(output) },
      };
    }
    resources[roleId(output)] = deliveryRole(output);
    resources[deliveryStreamId(output)] = {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        DeliveryStreamName: stream.name,
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          BucketARN: bucketArn(output),
          RoleARN: getAtt(roleId(output)),
          Prefix: stream.prefix,
          ErrorOutputPrefix: `${stream.prefix}errors/`,
          BufferingHints: { IntervalInSeconds: stream.bufferSeconds, SizeInMBs: stream.bufferMiB },
          CompressionFormat: stream.compression,
        },
      },
    };
  }
  return { resources, outputs };
}
