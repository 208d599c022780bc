/**
 * AWS-managed policies a template may attach by ARN (`ManagedPolicyArns`), carried as data: the default version's
 * JSON policy document as the AWS Managed Policy Reference Guide publishes it
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html, read 2026-12-01; the version is
 * named at each). A managed ARN the twin does not carry is refused when the role is recorded (NoSuchEntity, as IAM
 * answers an ARN it does not know), so a role never silently holds less, or more, than on AWS.
 */

const allowAll = (actions: readonly string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: [...actions], Resource: '*' }],
});

const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

/** Managed policy ARN (partition `aws`) -> its document. */
export const AWS_MANAGED_POLICIES: Readonly<Record<string, unknown>> = {
  // v1, edited April 09, 2015
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': allowAll(LOGS),
  // v2, edited November 19, 2018
  'arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole': allowAll([
    'kinesis:DescribeStream',
    'kinesis:DescribeStreamSummary',
    'kinesis:GetRecords',
    'kinesis:GetShardIterator',
    'kinesis:ListShards',
    'kinesis:ListStreams',
    'kinesis:SubscribeToShard',
    ...LOGS,
  ]),
  // v1, edited February 06, 2015
  'arn:aws:iam::aws:policy/service-role/AWSLambdaRole': allowAll(['lambda:InvokeFunction']),
  // v1, edited January 14, 2016
  'arn:aws:iam::aws:policy/service-role/CloudWatchEventsInvocationAccess': {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'CloudWatchEventsInvocationAccess', Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: '*' },
    ],
  },
};

/** The document of an AWS-managed policy the twin carries (any partition), undefined otherwise. */
export function awsManagedPolicy(arn: string): unknown {
  return AWS_MANAGED_POLICIES[arn.replace(/^arn:aws[a-z-]*:/, 'arn:aws:')];
}
