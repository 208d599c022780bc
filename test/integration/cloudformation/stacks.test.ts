/**
 * CloudFormation on the twin through the SDK and the AWS CLI (issue 13, item 6): a template that fails half-way
 * rolls back (create: ROLLBACK_COMPLETE; update: UPDATE_ROLLBACK_COMPLETE) with the reason in the events, and leaves
 * nothing half made; an update changes in place what changed.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { startTwin, type Twin } from '../../../local/twin';
import { tool } from '../../tools';

const run = promisify(execFile);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const ctx = { region: 'us-east-1', accountId: '000000000000', headers: {} };

const stream = (name: string, shards = 1) => ({
  Type: 'AWS::Kinesis::Stream',
  Properties: { Name: name, ShardCount: shards },
});
const base = { Resources: { Input: stream('in') }, Outputs: { Arn: { Value: { 'Fn::GetAtt': ['Input', 'Arn'] } } } };

async function settled(cfn: CloudFormationClient, name: string): Promise<string> {
  for (;;) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const status = Stacks?.[0]?.StackStatus ?? '';
    if (!status.endsWith('_IN_PROGRESS')) return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

// the AWS CLI takes a few seconds to start; without it the two tests that read through it are skipped, saying so
jest.setTimeout(60_000);
const awsCli = tool('aws');

describe('Integration: CloudFormation stacks on the twin', () => {
  let twin: Twin;
  let cfn: CloudFormationClient;

  beforeAll(async () => {
    twin = await startTwin({ port: 0, fast: true, limits: false });
    cfn = new CloudFormationClient({ endpoint: twin.endpoint, region: 'us-east-1', credentials });
  });

  afterAll(async () => {
    cfn.destroy();
    await twin.close();
  });

  const streams = async () =>
    ((await twin.kinesis.handle('ListStreams', {}, ctx)) as { StreamNames: string[] }).StreamNames.sort();

  awsCli.it(
    awsCli.title('rolls a failed create back to ROLLBACK_COMPLETE, says why, and leaves nothing made'),
    async () => {
      // Prepare
      const template = {
        Resources: {
          Input: stream('half-made'),
          Queue: { Type: 'AWS::SQS::Queue', DependsOn: 'Input', Properties: {} },
        },
      };

      // Act
      await cfn.send(new CreateStackCommand({ StackName: 'broken', TemplateBody: JSON.stringify(template) }));
      const status = await settled(cfn, 'broken');
      const { StackEvents } = await cfn.send(new DescribeStackEventsCommand({ StackName: 'broken' }));
      const cli = await run(
        'aws',
        [
          'cloudformation',
          'describe-stack-events',
          '--stack-name',
          'broken',
          '--endpoint-url',
          twin.endpoint,
          '--region',
          'us-east-1',
          '--output',
          'json',
        ],
        {
          env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
        },
      );

      // Assess
      expect(status).toBe('ROLLBACK_COMPLETE');
      const failed = StackEvents?.find((e) => e.ResourceStatus === 'CREATE_FAILED');
      expect(failed).toMatchObject({ LogicalResourceId: 'Queue', ResourceType: 'AWS::SQS::Queue' });
      expect(failed?.ResourceStatusReason).toContain('Resource type AWS::SQS::Queue is not served by the twin');
      expect(
        StackEvents?.find((e) => e.LogicalResourceId === 'Input' && e.ResourceStatus === 'DELETE_COMPLETE'),
      ).toBeDefined();
      expect(await streams()).not.toContain('half-made');
      expect(JSON.parse(cli.stdout).StackEvents[0]).toMatchObject({
        LogicalResourceId: 'broken',
        ResourceStatus: 'ROLLBACK_COMPLETE',
      });
    },
  );

  awsCli.it(
    awsCli.title(
      'updates a stream in place, and rolls a failed update back to UPDATE_ROLLBACK_COMPLETE with the old stack intact',
    ),
    async () => {
      // Prepare
      await cfn.send(new CreateStackCommand({ StackName: 'good', TemplateBody: JSON.stringify(base) }));
      await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1 }, { StackName: 'good' });

      // Act: more shards in place, then an update that fails after adding a stream
      await cfn.send(
        new UpdateStackCommand({
          StackName: 'good',
          TemplateBody: JSON.stringify({ ...base, Resources: { Input: stream('in', 2) } }),
        }),
      );
      const updated = await settled(cfn, 'good');
      const shards = twin.kinesis.shardIds({ StreamName: 'in' }).length;
      const broken = {
        ...base,
        Resources: {
          Input: stream('in', 2),
          Extra: stream('extra'),
          Queue: { Type: 'AWS::SQS::Queue', DependsOn: 'Extra' },
        },
      };
      await cfn.send(new UpdateStackCommand({ StackName: 'good', TemplateBody: JSON.stringify(broken) }));
      const rolledBack = await settled(cfn, 'good');
      const noChange = await cfn
        .send(
          new UpdateStackCommand({
            StackName: 'good',
            TemplateBody: JSON.stringify({ ...base, Resources: { Input: stream('in', 2) } }),
          }),
        )
        .catch((e: Error) => e);
      const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: 'good' }));
      const cli = await run(
        'aws',
        [
          'cloudformation',
          'describe-stacks',
          '--stack-name',
          'good',
          '--endpoint-url',
          twin.endpoint,
          '--region',
          'us-east-1',
          '--output',
          'json',
        ],
        {
          env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
        },
      );

      // Assess
      expect(updated).toBe('UPDATE_COMPLETE');
      expect(shards).toBeGreaterThanOrEqual(2);
      expect(rolledBack).toBe('UPDATE_ROLLBACK_COMPLETE');
      expect(await streams()).toEqual(['in']);
      expect(StackResourceSummaries?.map((r) => r.LogicalResourceId)).toEqual(['Input']);
      expect((noChange as Error).message).toBe('No updates are to be performed.');
      expect(JSON.parse(cli.stdout).Stacks[0]).toMatchObject({
        StackStatus: 'UPDATE_ROLLBACK_COMPLETE',
        Outputs: [{ OutputKey: 'Arn', OutputValue: 'arn:aws:kinesis:us-east-1:000000000000:stream/in' }],
      });
    },
    60_000,
  );
});
