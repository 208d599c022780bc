/**
 * `fanout status` on a twin brought up as `fanout up` brings it: a kept lifecycle run (its load test is the
 * producer) leaves the Kinesis Analytics application RUNNING; the screen shows records in and out for both outputs
 * and a lag under a second. Then the application is stopped while records keep arriving: the lag grows, and the
 * screen says so. Everything is read through the SDK, as on AWS.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DescribeApplicationCommand,
  KinesisAnalyticsClient,
  StopApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { collectStatus, type StatusClients, statusClients } from '../../../bin/status/collect';
import { renderStatus } from '../../../bin/status/render';
import { findStateMachine, followExecution, sfnClient, startExecution, type Up, up } from '../../../local/up';
import { packagedProject, ROOT } from '../twin/project';

const run = promisify(execFile);

describe('Integration: fanout status on the twin', () => {
  let session: Up;
  let sfn: SFNClient;
  let clients: StatusClients;

  beforeAll(async () => {
    // the package the other integration tests share (packaged once, cached)
    const templatePath = await packagedProject();
    session = await up({ projectDir: ROOT, templatePath, fast: true });
    sfn = sfnClient(session.twin.endpoint);
    process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';
    clients = statusClients('us-east-1', session.twin.endpoint);
  }, 900_000);

  afterAll(async () => {
    sfn?.destroy();
    await session?.close();
  });

  const status = () =>
    collectStatus(clients, { stage: 'dev', region: 'us-east-1', windowMinutes: 5, projectDir: ROOT });

  it('shows records in and out for both outputs and a lag under a second, then the lag growing once stopped', async () => {
    // Act: a kept run (its load test writes 300 records through the running application)
    const lifecycle = await findStateMachine(sfn, 'lifecycle');
    const arn = await startExecution(sfn, lifecycle, { records: 300, keep: true });
    const done = await followExecution(sfn, arn, () => {});
    expect(done.status).toBe('SUCCEEDED');
    const running = await status();

    // Assess
    expect(running.applications).toEqual([
      {
        name: 'kinesis-fanout-dev-1',
        engine: 'kinesis-analytics',
        status: 'RUNNING',
        outputs: ['PositiveTransactions', 'NegativeTransactions'],
      },
    ]);
    expect(running.input.records).toBeGreaterThanOrEqual(300);
    for (const o of running.outputs) expect(o.records).toBeGreaterThan(0);
    expect(running.outputs.reduce((a, o) => a + o.records, 0)).toBeGreaterThanOrEqual(300);
    expect(running.lag).toMatchObject({ state: 'keeping up' });
    expect(running.lag.ms).toBeLessThan(1000);
    expect(running.executions.lifecycle).toMatchObject({ status: 'SUCCEEDED' });
    expect(running.teardownSchedule).toMatchObject({ expression: 'cron(0 2 * * ? *)', enabled: true });
    expect(running.teardownSchedule?.next).toMatch(/T02:00:00/);
    expect(running.alarms.length).toBeGreaterThan(0);
    expect(running.problems).toEqual([]);

    // Act: stop the application, keep writing
    const ka = new KinesisAnalyticsClient({ endpoint: session.twin.endpoint, region: 'us-east-1' });
    await ka.send(new StopApplicationCommand({ ApplicationName: 'kinesis-fanout-dev-1' }));
    for (let i = 0; i < 100; i++) {
      const d = await ka.send(new DescribeApplicationCommand({ ApplicationName: 'kinesis-fanout-dev-1' }));
      if (d.ApplicationDetail?.ApplicationStatus === 'READY') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    ka.destroy();
    session.twin.kinesis.putRecords({ StreamName: 'Transactions' }, [
      { data: Buffer.from('{"ID":1,"USERNAME":"late","AMOUNT":1.5}'), partitionKey: 'late' },
    ]);
    const stopped = await status();

    // Assess
    expect(stopped.applications[0]?.status).toBe('READY');
    expect(stopped.lag.state).toBe('growing');
    expect(renderStatus(stopped)).toMatch(/Input lag .* growing: no application is RUNNING while records arrive/);

    // and as a user runs it
    const { stdout } = await run('npx', ['tsx', 'bin/fanout.ts', 'status', '--endpoint', session.twin.endpoint], {
      cwd: ROOT,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    });
    expect(stdout).toMatch(
      /kinesis-fanout-dev-1 {2}kinesis-analytics {2}READY {2}-> PositiveTransactions, NegativeTransactions/,
    );
    expect(stdout).toMatch(/out {2}PositiveTransactions/);
    expect(stdout).toMatch(/next teardown {2}\d{4}-\d\d-\d\d 02:00 UTC/);
  }, 240_000);
});
