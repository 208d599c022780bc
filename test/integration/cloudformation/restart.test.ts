/**
 * A user's `osls deploy` on a twin with a data directory, the twin stopped and started again on it, and a second
 * `osls deploy` (issue 11 §3): the stack is still there (before, the kept functions and streams met no stack, and
 * the second deploy failed with CreateFunction -> ResourceConflictException), the deploy finds nothing to change,
 * `aws cloudformation describe-stacks` shows the stack with its outputs, and IAM still denies what a role of the
 * template does not allow. The function code the twin unpacked into the project's code cache is deleted while it is
 * down: a kept stack's functions are unpacked again from the artifacts S3 kept, and `osls invoke` runs one. On the
 * package the other integration tests share (./osls.ts).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTwin, type Twin } from '../../../local/twin';
import { tool } from '../../tools';
import { frameworkProject, osls, SHARED_PACKAGE } from './osls';

const run = promisify(execFile);
const awsCli = tool('aws');
const STACK = 'kinesis-fanout-dev';

describe('Integration: osls deploy again after the twin restarts on its data directory', () => {
  let dir: string;
  let twin: Twin | undefined;

  beforeAll(async () => {
    dir = await frameworkProject();
  }, 900_000);

  afterAll(async () => {
    await twin?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = () => startTwin({ port: 0, fast: true, dataDir: join(dir, 'data'), codeDir: join(dir, '.fanout') });

  awsCli.it(
    awsCli.title(
      'finds the stack after the restart: the second deploy changes nothing, describe-stacks shows it, IAM denies as before',
    ),
    async () => {
      // Prepare
      twin = await start();
      const first = await osls(dir, twin.endpoint, 'deploy', '--package', SHARED_PACKAGE);
      const rolesBefore = [...twin.iam.store.roles.keys()].sort();
      await twin.close();
      // the unpacked function code lies in the project's code cache, outside the data directory: a user may delete it
      rmSync(join(dir, '.fanout', 'lambda'), { recursive: true, force: true });

      // Act
      twin = await start();
      const second = await osls(dir, twin.endpoint, 'deploy', '--package', SHARED_PACKAGE);
      const invoked = await osls(
        dir,
        twin.endpoint,
        'invoke',
        '-f',
        'validateInput',
        '--data',
        '{"machine":"teardown","input":{"engine":"lambda"}}',
      );
      const described = await run(
        'aws',
        [
          'cloudformation',
          'describe-stacks',
          '--stack-name',
          STACK,
          '--endpoint-url',
          twin.endpoint,
          '--region',
          'us-east-1',
          '--output',
          'json',
        ],
        { env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' } },
      );
      const stack = (
        JSON.parse(described.stdout) as { Stacks: { StackStatus: string; Outputs: { OutputKey: string }[] }[] }
      ).Stacks[0]!;
      const roles = [...twin.iam.store.roles.values()];
      const fanoutRole = roles.find((r) => r.name.includes('CreateApplication')) ?? roles[0]!;
      const session = twin.iam.session(fanoutRole.arn, 'after-restart');
      const deleteInput = () => twin!.iam.authorize(session, 'kinesis', 'DeleteStream', { StreamName: 'Transactions' });

      // Assess
      expect(first).toContain(`Service deployed to stack ${STACK}`);
      expect(second).not.toContain('ResourceConflictException');
      expect(second).toContain('No changes to deploy. Deployment skipped.');
      // the kept stack's function code was unpacked again from the artifacts the S3 twin kept
      expect(JSON.parse(invoked.slice(invoked.indexOf('{'), invoked.lastIndexOf('}') + 1))).toEqual({
        options: { engines: ['lambda'] },
      });
      expect(stack.StackStatus).toMatch(/^(CREATE|UPDATE)_COMPLETE$/);
      expect(stack.Outputs.map((o) => o.OutputKey)).toContain('LifecycleStateMachineArn');
      expect([...twin.iam.store.roles.keys()].sort()).toEqual(rolesBefore);
      expect(rolesBefore.length).toBeGreaterThan(0);
      expect(session).toBeDefined();
      expect(deleteInput).toThrow(expect.objectContaining({ name: 'AccessDeniedException' }));
    },
    1_500_000,
  );
});
