/**
 * A running fan-out killed with SIGKILL (issue 11 §3): the whole twin in a child process with a data directory,
 * the shared package deployed into it, the lifecycle running (its load test in live mode, watching), the
 * kinesis-analytics application delivering, and this test as the producer. The twin is killed while the producer
 * writes, then started again on the same directory. Then:
 * - every record the producer had acknowledged is in the input, once;
 * - every such record reaches the output its amount routes it to, at least once; a record is written twice only in
 *   the round the application had in flight at the kill (per output, the repeated records are consecutive in the
 *   input's order), and no record reaches the other output;
 * - the lifecycle execution that was running is FAILED with the restart's cause (executions do not resume);
 * - the application carries on from its checkpoint (as docs/architecture.md says a running application does), the
 *   consumers' event source mappings keep their UUIDs and are Enabled again, the nightly teardown rule is still
 *   ENABLED — and the teardown (the cost guard the failed lifecycle did not reach) leaves no application and no
 *   execution running.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EventBridgeClient, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsClient, ListApplicationsCommand } from '@aws-sdk/client-kinesis-analytics';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { RESTART_CAUSE } from '../../../local/stepfunctions/persistence';
import { Child } from '../kinesis/crash';
import { packagedProject } from '../twin/project';
import { crashRun } from './harness';

const SCRIPT = join(__dirname, 'fanout-twin.ts');
const INPUT = 'Transactions';
const OUTPUTS = { positive: 'PositiveTransactions', negative: 'NegativeTransactions' } as const;
const FIRST_ID = 900_000_000;
const config = (url: string) => ({
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  maxAttempts: 1,
});

/** The IDs of our records in a stream, in the order its one shard holds them. */
async function idsIn(kinesis: KinesisClient, stream: string): Promise<number[]> {
  const ids: number[] = [];
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  for (const shard of shards) {
    let it = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (it) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
      for (const r of page.Records ?? []) {
        const id = (JSON.parse(Buffer.from(r.Data!).toString()) as { ID?: unknown }).ID;
        if (typeof id === 'number' && id >= FIRST_ID) ids.push(id);
      }
      if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
      it = page.NextShardIterator;
    }
  }
  return ids;
}

const amountOf = (id: number) => (id % 2 === 0 ? 12.5 : -7.25);

jest.setTimeout(900_000);

describe('Integration: a running fan-out killed with SIGKILL and restarted on its data directory', () => {
  const run = crashRun('fanout-crash-');

  const connect = (url: string) => {
    const c = {
      kinesis: new KinesisClient(config(url)),
      sfn: new SFNClient(config(url)),
      analytics: new KinesisAnalyticsClient(config(url)),
      lambda: new LambdaClient(config(url)),
      events: new EventBridgeClient(config(url)),
    };
    run.clients.push(...Object.values(c));
    return c;
  };

  it('keeps every acknowledged record, delivers each at least once (twice only in the round in flight), fails the running execution, and leaves nothing running after the teardown', async () => {
    // Prepare: deploy, start the lifecycle (live mode: it watches the traffic), wait for the application to run
    const templatePath = await packagedProject();
    run.child = await Child.start(run.dataDir, SCRIPT, [run.codeDir, templatePath]);
    let c = connect(run.child.url);
    const machines = (await c.sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? [];
    const lifecycle = machines.find((m) => m.name === 'kinesis-fanout-dev-lifecycle')!.stateMachineArn!;
    const teardown = machines.find((m) => m.name === 'kinesis-fanout-dev-teardown')!.stateMachineArn!;
    const { executionArn } = await c.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: lifecycle,
        input: JSON.stringify({ mode: 'live', liveSeconds: 600, timeoutSeconds: 800 }),
      }),
    );
    const running = async (): Promise<string[]> => {
      const names = (await c.analytics.send(new ListApplicationsCommand({}))).ApplicationSummaries ?? [];
      return names.filter((a) => a.ApplicationStatus === 'RUNNING').map((a) => a.ApplicationName!);
    };
    while ((await running()).length === 0) {
      const { status, cause } = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (status !== 'RUNNING') throw new Error(`the lifecycle ended (${status}) before its application ran: ${cause}`);
      await sleep(200);
    }
    const mappingsBefore = (await c.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];

    // Act: produce; once the fan-out delivers, kill the twin 0.3-1 s later, mid-write
    const acked = new Set<number>();
    const inFlight = new Set<number>();
    let next = FIRST_ID;
    let stop = false;
    const produce = async (): Promise<void> => {
      while (!stop) {
        const ids = Array.from({ length: 25 }, () => next++);
        for (const id of ids) inFlight.add(id);
        try {
          const out = await c.kinesis.send(
            new PutRecordsCommand({
              StreamName: INPUT,
              Records: ids.map((id) => ({
                PartitionKey: `user-${id % 7}`,
                Data: Buffer.from(JSON.stringify({ ID: id, USERNAME: `user-${id % 7}`, AMOUNT: amountOf(id) })),
              })),
            }),
          );
          out.Records!.forEach((r, i) => {
            const id = ids[i]!;
            inFlight.delete(id);
            if (r.SequenceNumber) acked.add(id);
          });
        } catch {
          return; // the kill: this batch stays in flight
        }
        await sleep(20);
      }
    };
    const producers = [produce(), produce()];
    for (let i = 0; (await idsIn(c.kinesis, OUTPUTS.positive)).length === 0; i++) {
      if (i === 600) throw new Error('the fan-out delivered nothing in a minute');
      await sleep(100);
    }
    await sleep(300 + Math.random() * 700);
    await run.child.kill();
    stop = true;
    await Promise.all(producers);
    const delivered = acked.size;

    run.child = await Child.start(run.dataDir, SCRIPT, [run.codeDir]);
    c = connect(run.child.url);
    const input = await idsIn(c.kinesis, INPUT);
    const execution = await c.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const appsAfter = await running();
    const expected = (sign: 'positive' | 'negative') =>
      [...acked].filter((id) => amountOf(id) >= 0 === (sign === 'positive'));
    const outputs = async () => ({
      positive: await idsIn(c.kinesis, OUTPUTS.positive),
      negative: await idsIn(c.kinesis, OUTPUTS.negative),
    });
    let out = await outputs();
    for (let i = 0; i < 600; i++) {
      const complete = (['positive', 'negative'] as const).every((k) => {
        const got = new Set(out[k]);
        return expected(k).every((id) => got.has(id));
      });
      if (complete) break;
      await sleep(100);
      out = await outputs();
    }
    const mappingsAfter = (await c.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? [];
    const rules = (await c.events.send(new ListRulesCommand({}))).Rules ?? [];
    const tornDown = await c.sfn.send(new StartExecutionCommand({ stateMachineArn: teardown, input: '{}' }));
    let teardownStatus = 'RUNNING';
    while (teardownStatus === 'RUNNING') {
      await sleep(200);
      teardownStatus =
        (await c.sfn.send(new DescribeExecutionCommand({ executionArn: tornDown.executionArn }))).status ?? '';
    }
    const appsLeft = (await c.analytics.send(new ListApplicationsCommand({}))).ApplicationSummaries ?? [];
    const executionsRunning = (
      await Promise.all(
        [lifecycle, teardown].map((arn) =>
          c.sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' })),
        ),
      )
    ).flatMap((r) => r.executions ?? []);

    // Assess
    process.stdout.write(
      `fan-out crash: ${delivered} acknowledged, ${inFlight.size} in flight at the kill, ` +
        `input ${input.length}, outputs ${out.positive.length} + ${out.negative.length}\n`,
    );
    expect(acked.size).toBeGreaterThan(0);
    const inInput = new Set(input);
    expect(input.length).toBe(inInput.size);
    expect([...acked].filter((id) => !inInput.has(id))).toEqual([]);
    expect(input.filter((id) => !acked.has(id) && !inFlight.has(id))).toEqual([]);
    for (const k of ['positive', 'negative'] as const) {
      const got = new Set(out[k]);
      expect(expected(k).filter((id) => !got.has(id))).toEqual([]);
      // nothing routed to the other output, nothing that was never put
      expect(out[k].filter((id) => !inInput.has(id) || amountOf(id) >= 0 !== (k === 'positive'))).toEqual([]);
      // repeated only within one run of consecutive records of this output (the round in flight at the kill)
      const order = input.filter((id) => amountOf(id) >= 0 === (k === 'positive'));
      const counts = new Map<number, number>();
      for (const id of out[k]) counts.set(id, (counts.get(id) ?? 0) + 1);
      const twice = order.map((id, i) => [i, counts.get(id) ?? 0] as const).filter(([, n]) => n > 1);
      expect(twice.every(([, n]) => n === 2)).toBe(true);
      if (twice.length > 0) expect(twice.at(-1)![0] - twice[0]![0]).toBe(twice.length - 1);
    }
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: RESTART_CAUSE });
    expect(appsAfter.length).toBeGreaterThan(0);
    expect(mappingsAfter.map((m) => [m.UUID, m.State]).sort()).toEqual(
      mappingsBefore.map((m) => [m.UUID, 'Enabled']).sort(),
    );
    expect(rules.filter((r) => r.State === 'ENABLED').map((r) => r.Name)).toEqual(
      expect.arrayContaining([expect.stringContaining('teardown')]),
    );
    expect(teardownStatus).toBe('SUCCEEDED');
    expect(appsLeft.filter((a) => a.ApplicationStatus !== 'DELETING')).toEqual([]);
    expect(executionsRunning).toEqual([]);
  });
});
