import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IamTwin } from '../../../../local/iam';

const ACCOUNT = '000000000000';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/FanoutRole`;
const GONE = `arn:aws:iam::${ACCOUNT}:role/GoneRole`;
const MANAGED = `arn:aws:iam::${ACCOUNT}:policy/ReadOut`;
const stream = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;
const allow = (action: string, resource: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource }],
});

/** The files of a data directory as a SIGKILL leaves them: what was committed, the live owner's LOCK aside. */
function crashCopy(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('LOCK') });
}

describe('IAM twin with a data directory', () => {
  let dir: string;
  const open: IamTwin[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'iam-durable-'));
  });
  afterEach(async () => {
    for (const iam of open.splice(0)) await iam.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps roles, managed and attached policies across a crash, and denies after it what the role does not allow', async () => {
    // Prepare: a role with an inline grant, a customer-managed policy it lists, a policy attached by name, and a
    // second role deleted again
    const first = new IamTwin({ dataDir: join(dir, 'a') });
    open.push(first);
    first.store.putManagedPolicy(MANAGED, allow('kinesis:DescribeStreamSummary', stream('out-2')));
    first.putRole({
      arn: ROLE,
      name: 'FanoutRole',
      policies: [{ PolicyName: 'write', PolicyDocument: allow('kinesis:PutRecords', stream('out-1')) }],
      managedPolicyArns: [MANAGED],
    });
    first.store.attach('attached-1', 'list', allow('kinesis:ListShards', stream('out-3')), ['FanoutRole']);
    first.putRole({ arn: GONE, name: 'GoneRole' });
    first.deleteRole(GONE);
    await first.flush();

    // Act
    crashCopy(join(dir, 'a'), join(dir, 'b'));
    const second = new IamTwin({ dataDir: join(dir, 'b') });
    open.push(second);
    const who = second.session(ROLE, 'svc-dev-fanout');
    const may = (operation: string, input: Record<string, unknown>) => () =>
      second.authorize(who, 'kinesis', operation, input);

    // Assess
    expect(who?.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/FanoutRole/svc-dev-fanout`);
    expect(second.session(GONE, 's')).toBeUndefined();
    expect(may('PutRecords', { StreamName: 'out-1', Records: [] })).not.toThrow();
    expect(may('DescribeStreamSummary', { StreamName: 'out-2' })).not.toThrow();
    expect(may('ListShards', { StreamName: 'out-3' })).not.toThrow();
    expect(may('PutRecords', { StreamName: 'out-2', Records: [] })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    );
    expect(second.store.role(ROLE)?.documents).toEqual(first.store.role(ROLE)?.documents);
    expect(second.stats).toEqual({ checked: 4, denied: 1 });
  });

  it('forgets a detached policy and a deleted managed policy', async () => {
    // Prepare
    const first = new IamTwin({ dataDir: join(dir, 'a') });
    open.push(first);
    first.putRole({ arn: ROLE, name: 'FanoutRole' });
    first.store.attach('attached-1', 'list', allow('kinesis:ListShards', '*'), ['FanoutRole']);
    first.store.putManagedPolicy(MANAGED, allow('kinesis:ListShards', '*'));
    first.store.detach('attached-1');
    first.store.deleteManagedPolicy(MANAGED);
    await first.close();
    open.splice(0);

    // Act: a clean close, then a restart on the same directory
    const second = new IamTwin({ dataDir: join(dir, 'a') });
    open.push(second);

    // Assess
    expect(() => second.authorize(second.session(ROLE, 's'), 'kinesis', 'ListShards', { StreamName: 'x' })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    );
    expect(second.store.managed.size).toBe(0);
    expect(second.store.attachments.size).toBe(0);
  });
});
