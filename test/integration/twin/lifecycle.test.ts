import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KinesisAnalyticsClient, ListApplicationsCommand } from '@aws-sdk/client-kinesis-analytics';
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ManualClock } from '../../../local/clock';
import { findStateMachine, followExecution, sfnClient, startExecution, type Up, up } from '../../../local/up';
import { tool } from '../../tools';
import { packagedProject, ROOT } from './project';
import { runLifecycle } from './run';

const run = promisify(execFile);
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

async function applications(endpoint: string): Promise<{ name: string; status: string }[]> {
  const client = new KinesisAnalyticsClient({ endpoint, region: 'us-east-1', credentials });
  const out = await client.send(new ListApplicationsCommand({}));
  client.destroy();
  return (out.ApplicationSummaries ?? []).map((a) => ({
    name: a.ApplicationName ?? '',
    status: a.ApplicationStatus ?? '',
  }));
}

async function running(client: SFNClient, stateMachineArn: string): Promise<number> {
  const out = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
  return out.executions?.length ?? 0;
}

// the CLI is optional: without it this test is skipped (and says so), everything else of this file still runs
const awsCli = tool('aws');

describe('Integration: the lifecycle on the twin', () => {
  let templatePath: string;

  beforeAll(async () => {
    templatePath = await packagedProject();
  }, 180_000);

  describe('Method: StartExecution of the lifecycle', () => {
    let session: Up;
    let client: SFNClient;

    beforeAll(async () => {
      session = await up({ projectDir: ROOT, templatePath, fast: true });
      client = sfnClient(session.twin.endpoint);
    }, 60_000);

    afterAll(async () => {
      client?.destroy();
      await session?.close();
    });

    it('runs discover, create, start, load test and teardown to a passing report, leaving nothing running', async () => {
      // Prepare
      const lifecycle = await findStateMachine(client, 'lifecycle');

      // Act
      const { execution: described, events, report } = await runLifecycle(client, { records: 300 });

      // Assess
      expect({ status: described.status, error: described.error, cause: described.cause }).toEqual({
        status: 'SUCCEEDED',
        error: undefined,
        cause: undefined,
      });
      expect(report?.verdict).toBe('pass');
      expect(report?.sent).toBe(300);
      const outputs = Object.values(report?.outputs ?? {});
      expect(outputs.reduce((n, o) => n + o.received, 0)).toBe(300);
      expect(outputs.every((o) => o.missing === 0)).toBe(true);
      const entered = events.flatMap((e) =>
        e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
      );
      expect(entered).toEqual(
        expect.arrayContaining(['DiscoverSchema', 'CreateApplication', 'StartApplication', 'LoadTest']),
      );
      expect(await applications(session.twin.endpoint)).toEqual([]);
      expect(await running(client, lifecycle)).toBe(0);
    }, 120_000);

    awsCli.it(
      awsCli.title('answers the AWS CLI: kinesis, kinesisanalytics, stepfunctions and lambda'),
      async () => {
        // Prepare
        const env = {
          ...process.env,
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_DEFAULT_REGION: 'us-east-1',
        };
        const aws = async (...args: string[]): Promise<Record<string, unknown>> => {
          const { stdout } = await run('aws', ['--endpoint-url', session.twin.endpoint, '--output', 'json', ...args], {
            env,
          });
          return stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : {};
        };
        const lifecycle = await findStateMachine(client, 'lifecycle');
        const dir = mkdtempSync(join(tmpdir(), 'aws-cli-'));

        // Act
        const streams = await aws('kinesis', 'list-streams');
        const started = await aws(
          'stepfunctions',
          'start-execution',
          '--state-machine-arn',
          lifecycle,
          '--input',
          '{"records": 50, "keep": true}',
        );
        let described: Record<string, unknown> = {};
        for (let i = 0; i < 200; i++) {
          described = await aws(
            'stepfunctions',
            'describe-execution',
            '--execution-arn',
            String(started['executionArn']),
          );
          if (described['status'] !== 'RUNNING') break;
          await new Promise((r) => setTimeout(r, 200));
        }
        const application = await aws(
          'kinesisanalytics',
          'describe-application',
          '--application-name',
          'kinesis-fanout-dev-1',
        );
        const invoked = await aws(
          'lambda',
          'invoke',
          '--function-name',
          'kinesis-fanout-dev-listApplications',
          join(dir, 'out.json'),
        );
        const payload = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
        rmSync(dir, { recursive: true, force: true });

        // Assess
        expect(streams['StreamNames']).toEqual(
          expect.arrayContaining(['Transactions', 'PositiveTransactions', 'NegativeTransactions']),
        );
        expect(described['status']).toBe('SUCCEEDED');
        expect(application).toMatchObject({ ApplicationDetail: { ApplicationStatus: 'RUNNING' } });
        expect(invoked).toMatchObject({ StatusCode: 200 });
        expect(JSON.stringify(payload)).toContain('kinesis-fanout-dev-1');
      },
      120_000,
    );
  });

  describe('Method: the scheduled teardown', () => {
    it('fires at 02:00 on the clock and stops and deletes the application a kept run left behind', async () => {
      // Prepare
      // the functions run on real time and stamp their records with Date.now(), the twin stamps arrivals with its
      // clock: the clock starts at real time (ahead, every record would arrive that much late to the load test; 20
      // minutes ahead failed it between 01:50 and 02:00), far enough from 02:00 that the kept run cannot cross it.
      // Within a minute and a half of 02:00, the test waits until it has passed: the next one is a day away.
      const nextTwoAm = (t: number): number => {
        const d = new Date(t);
        const two = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 2, 0);
        return two > t ? two : two + 86_400_000;
      };
      const untilTwo = nextTwoAm(Date.now()) - Date.now();
      if (untilTwo < 90_000) await new Promise((r) => setTimeout(r, untilTwo + 1000));
      const clock = new ManualClock(Date.now());
      const session = await up({ projectDir: ROOT, templatePath, fast: true, clock });
      // the twin's delays and limits read this clock: keep it moving (slowly, far from 02:00) while executions run,
      // never behind real time however slow the machine (the functions stamp their records with Date.now())
      let pumping = true;
      const pump = (async () => {
        while (pumping) {
          await clock.advance(Math.max(20, Date.now() - clock.now()));
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const client = sfnClient(session.twin.endpoint);
      try {
        const lifecycle = await findStateMachine(client, 'lifecycle');
        const teardown = await findStateMachine(client, 'teardown');
        const kept = await startExecution(client, lifecycle, { records: 20, keep: true });
        const keptRun = await followExecution(client, kept, () => {});
        const left = await applications(session.twin.endpoint);
        const before = await client.send(new ListExecutionsCommand({ stateMachineArn: teardown }));

        // Act
        pumping = false;
        await pump;
        await clock.advance(nextTwoAm(clock.now()) - clock.now() + 1000);
        pumping = true;
        const pump2 = (async () => {
          while (pumping) {
            await clock.advance(Math.max(20, Date.now() - clock.now()));
            await new Promise((r) => setTimeout(r, 5));
          }
        })();
        const after = await client.send(new ListExecutionsCommand({ stateMachineArn: teardown }));
        const scheduled = after.executions?.[0]?.executionArn ?? '';
        const teardownRun = await followExecution(client, scheduled, () => {});
        const remaining = await applications(session.twin.endpoint);
        pumping = false;
        await pump2;

        // Assess
        expect({ status: keptRun.status, error: keptRun.error, cause: keptRun.cause }).toEqual({ status: 'SUCCEEDED' });
        expect(left).toEqual([{ name: 'kinesis-fanout-dev-1', status: 'RUNNING' }]);
        expect(before.executions).toEqual([]);
        expect(after.executions).toHaveLength(1);
        expect(teardownRun.input).toBe('{}');
        expect(teardownRun.status).toBe('SUCCEEDED');
        expect(remaining).toEqual([]);
      } finally {
        pumping = false;
        client.destroy();
        await session.close();
      }
    }, 240_000);
  });
});
