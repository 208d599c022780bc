/**
 * CloudFormation stacks and the IAM twin's roles under --data-dir (issue 11 §3): the data directory as a SIGKILL
 * leaves it (copied while the twin runs, its LOCK aside) opened by a second twin holds the stack — status,
 * outputs, resources with their physical ids, events —, an update that changes nothing is refused as on AWS, one
 * that changes a resource updates only it, and the role's grants are evaluated as before. A stack operation under
 * way at the crash comes back in its FAILED status, naming the restart.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Capability,
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { ManualClock } from '../../../local/clock';
import { RESTART_REASON } from '../../../local/cloudformation/persistence';
import { startTwin, type Twin } from '../../../local/twin';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const ACCOUNT = '000000000000';
const NAMED: Capability[] = ['CAPABILITY_NAMED_IAM'];
const CTX = { region: 'us-east-1', accountId: ACCOUNT, headers: {} };

const template = (shards: number) => ({
  Resources: {
    Input: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'kept-in', ShardCount: shards } },
    Writer: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'kept-writer',
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] },
        Policies: [
          {
            PolicyName: 'put',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 'kinesis:PutRecords', Resource: { 'Fn::GetAtt': ['Input', 'Arn'] } },
              ],
            },
          },
        ],
      },
    },
  },
  Outputs: {
    StreamArn: { Value: { 'Fn::GetAtt': ['Input', 'Arn'] } },
    RoleArn: { Value: { 'Fn::GetAtt': ['Writer', 'Arn'] } },
  },
});

/** The files of a data directory as a SIGKILL leaves them: what was committed, the live owners' LOCKs aside. */
function crashCopy(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('LOCK') });
}

async function settled(cfn: CloudFormationClient, name: string): Promise<string> {
  for (;;) {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const status = Stacks?.[0]?.StackStatus ?? '';
    if (!status.endsWith('_IN_PROGRESS')) return status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

jest.setTimeout(60_000);

describe('Integration: CloudFormation stacks and IAM roles with a data directory', () => {
  let dir: string;
  const twins: Twin[] = [];
  const clients: CloudFormationClient[] = [];
  const start = async (dataDir: string, opts: { clock?: ManualClock } = {}) => {
    const twin = await startTwin({ port: 0, fast: !opts.clock, limits: false, dataDir, ...opts });
    twins.push(twin);
    const cfn = new CloudFormationClient({ endpoint: twin.endpoint, region: 'us-east-1', credentials });
    clients.push(cfn);
    return { twin, cfn };
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cfn-durable-'));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const t of twins.splice(0)) await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a stack and its role across a crash: same outputs and physical ids, no-change update refused, one change updates one resource, IAM denies as before', async () => {
    // Prepare
    const a = await start(join(dir, 'a'));
    await a.cfn.send(
      new CreateStackCommand({ StackName: 'kept', TemplateBody: JSON.stringify(template(1)), Capabilities: NAMED }),
    );
    expect(await settled(a.cfn, 'kept')).toBe('CREATE_COMPLETE');
    const before = (await a.cfn.send(new DescribeStacksCommand({ StackName: 'kept' }))).Stacks![0]!;
    const resourcesBefore = (await a.cfn.send(new ListStackResourcesCommand({ StackName: 'kept' })))
      .StackResourceSummaries;
    const eventsBefore = (await a.cfn.send(new DescribeStackEventsCommand({ StackName: 'kept' }))).StackEvents!;

    // Act
    crashCopy(join(dir, 'a'), join(dir, 'b'));
    const b = await start(join(dir, 'b'));
    const after = (await b.cfn.send(new DescribeStacksCommand({ StackName: 'kept' }))).Stacks![0]!;
    const resourcesAfter = (await b.cfn.send(new ListStackResourcesCommand({ StackName: 'kept' })))
      .StackResourceSummaries;
    const eventsAfter = (await b.cfn.send(new DescribeStackEventsCommand({ StackName: 'kept' }))).StackEvents!;
    const noChange = await b.cfn
      .send(
        new UpdateStackCommand({ StackName: 'kept', TemplateBody: JSON.stringify(template(1)), Capabilities: NAMED }),
      )
      .catch((e: Error) => e);
    const role = b.twin.iam.session(`arn:aws:iam::${ACCOUNT}:role/kept-writer`, 'writer');
    const put = (stream: string) => () =>
      b.twin.iam.authorize(role, 'kinesis', 'PutRecords', { StreamName: stream, Records: [] });
    await b.cfn.send(
      new UpdateStackCommand({ StackName: 'kept', TemplateBody: JSON.stringify(template(2)), Capabilities: NAMED }),
    );
    const updated = await settled(b.cfn, 'kept');
    const summary = await b.twin.kinesis.handle('DescribeStreamSummary', { StreamName: 'kept-in' }, CTX);
    const since = (await b.cfn.send(new DescribeStackEventsCommand({ StackName: 'kept' }))).StackEvents!.slice(
      0,
      -eventsAfter.length,
    );

    // Assess
    expect(after).toMatchObject({ StackId: before.StackId, StackStatus: 'CREATE_COMPLETE' });
    expect(after.Outputs).toEqual(before.Outputs);
    expect(resourcesAfter).toEqual(resourcesBefore);
    expect(eventsAfter).toEqual(eventsBefore);
    expect(noChange).toMatchObject({ name: 'ValidationError', message: 'No updates are to be performed.' });
    expect(role).toBeDefined();
    expect(put('kept-in')).not.toThrow();
    expect(put('other')).toThrow(expect.objectContaining({ name: 'AccessDeniedException' }));
    expect(updated).toBe('UPDATE_COMPLETE');
    expect(summary).toMatchObject({ StreamDescriptionSummary: { OpenShardCount: 2 } });
    const touched = new Set(
      since.filter((e) => e.ResourceType !== 'AWS::CloudFormation::Stack').map((e) => e.LogicalResourceId),
    );
    expect([...touched]).toEqual(['Input']);
  });

  it('brings a stack whose create was under way at the crash back CREATE_FAILED, naming the restart', async () => {
    // Prepare: on a ManualClock the stream stays CREATING, so the create waits in it
    const clock = new ManualClock(Date.UTC(2026, 11, 2));
    const a = await start(join(dir, 'a'), { clock });
    await a.cfn.send(
      new CreateStackCommand({ StackName: 'midway', TemplateBody: JSON.stringify(template(1)), Capabilities: NAMED }),
    );
    await a.twin.cloudFormation.flush();
    const during = (await a.cfn.send(new DescribeStacksCommand({ StackName: 'midway' }))).Stacks![0]!.StackStatus;

    // Act
    crashCopy(join(dir, 'a'), join(dir, 'b'));
    await clock.advance(1_000); // the first twin finishes, so that it closes
    const b = await start(join(dir, 'b'));
    const stack = (await b.cfn.send(new DescribeStacksCommand({ StackName: 'midway' }))).Stacks![0]!;
    const latest = (await b.cfn.send(new DescribeStackEventsCommand({ StackName: 'midway' }))).StackEvents![0];

    // Assess
    expect(during).toBe('CREATE_IN_PROGRESS');
    expect(stack).toMatchObject({ StackStatus: 'CREATE_FAILED', StackStatusReason: RESTART_REASON });
    expect(latest).toMatchObject({
      LogicalResourceId: 'midway',
      ResourceStatus: 'CREATE_FAILED',
      ResourceStatusReason: RESTART_REASON,
    });
  });
});
