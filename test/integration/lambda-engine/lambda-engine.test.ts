/**
 * The lambda engine against the twin, through the ordinary SDK clients: the fan-out function (handlers/fanout.ts,
 * bundled with esbuild as serverless-esbuild bundles it) runs in the Lambda twin, fed by an event source mapping on an
 * enhanced fan-out consumer of the input stream; the engine's whole lifecycle runs against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  type LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { build } from 'esbuild';
import type { Twin } from '../../../local/twin';
import type { FanoutConfig } from '../../../src/config';
import { LambdaEngine } from '../../../src/engines/lambda';
import type { ApplicationStatus } from '../../../src/engines/types';
import { definitionEnv, definitionFor } from '../../unit/fanout-config/fixtures';
import { type TwinClients, twinClients } from '../twin/clients';

const ROOT = resolve(__dirname, '..', '..', '..');
const region = 'us-east-1';
const arn = (name: string) => `arn:aws:kinesis:${region}:000000000000:stream/${name}`;
const FUNCTION = 'kinesis-fanout-it-fanout';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION}`;

const config: FanoutConfig = {
  stage: 'it',
  region,
  engine: 'lambda',
  applicationPrefix: 'fanout-it',
  inputStreamArn: arn('Transactions'),
  outputs: [
    { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('PositiveTransactions') },
    { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('NegativeTransactions') },
  ],
  analyticsRoleArn: 'arn:aws:iam::000000000000:role/analytics',
  loadTest: { records: 10, rate: 100, timeoutSeconds: 5 },
  fanout: {
    ...definitionFor(arn('Transactions'), [
      { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('PositiveTransactions') },
      { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('NegativeTransactions') },
    ]),
    // the stack's own input: discovery may put its labelled sample into it (never into a stream the user brings)
    input: {
      created: true,
      name: 'Transactions',
      capacity: { mode: 'PROVISIONED', shards: 1 },
      kmsKey: 'alias/aws/kinesis',
    },
  },
};

const SLOW_FUNCTION = `${FUNCTION}-slow`;
const slowOutputs = [
  { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('SlowPositive') },
  { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('SlowNegative') },
];

/** The environment a deploy gives the fan-out function (serverless.yml): the stage, its input and outputs. */
/** The environment the template gives the fan-out function, with the fan-out definition unbundled code reads. */
function deployment(outputs: readonly { sqlStream: string; streamArn: string }[]): Record<string, string> {
  const { input } = config.fanout;
  return {
    STAGE: 'it',
    POWERTOOLS_SERVICE_NAME: 'kinesis-fanout',
    APPLICATION_PREFIX: config.applicationPrefix,
    ...definitionEnv({ ...definitionFor(config.inputStreamArn, outputs), input }),
    // the ARNs of the streams the stack creates (here the input) start with it
    FANOUT_STREAM_ARN_PREFIX: arn(''),
    ANALYTICS_ROLE_ARN: config.analyticsRoleArn,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Every record of a stream so far, as parsed JSON. */
async function readAll(kinesis: KinesisClient, stream: string): Promise<Record<string, unknown>[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
  const rows: Record<string, unknown>[] = [];
  for (const shard of shards.Shards ?? []) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (iterator) {
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const r of out.Records ?? []) rows.push(JSON.parse(Buffer.from(r.Data!).toString('utf8')));
      if ((out.Records ?? []).length === 0) break;
      iterator = out.NextShardIterator;
    }
  }
  return rows;
}

/** Puts records ID from..from+count-1 (even IDs positive), 500 a call, putting again what Kinesis throttles. */
async function put(kinesis: KinesisClient, from: number, count: number): Promise<void> {
  let pending = Array.from({ length: count }, (_, k) => from + k);
  while (pending.length > 0) {
    const chunk = pending.slice(0, 500);
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'Transactions',
        Records: chunk.map((i) => ({
          Data: Buffer.from(
            JSON.stringify({ ID: i, USERNAME: `it-${i}`, AMOUNT: i % 2 === 0 ? (i % 900) + 0.5 : -(i % 900) - 0.25 }),
          ),
          // Keys spread as a real stream's do: the fan-out keeps each key in order by writing one record of a key per
          // PutRecords call, so a batch of a handful of keys would take one call per record of its busiest key.
          PartitionKey: `pk-${i % 101}`,
        })),
      }),
    );
    const failed = chunk.filter((_, k) => out.Records?.[k]?.ErrorCode);
    pending = [...failed, ...pending.slice(chunk.length)];
    if (failed.length > 0) await sleep(200);
  }
}

const ids = (rows: Record<string, unknown>[]) =>
  rows
    .filter((r) => String(r['USERNAME']).startsWith('it-'))
    .map((r) => Number(r['ID']))
    .sort((a, b) => a - b);

describe('Integration: the lambda engine on the twin', () => {
  let clients: TwinClients | undefined;
  let twin: Twin;
  let codeDir: string;
  let kinesis: KinesisClient;
  let lambda: LambdaClient;
  let engine: LambdaEngine;
  /** Sums of the fan-out function's metrics (EMF lines of its log). */
  const metrics: Record<string, number> = { InputRecords: 0, OutputRecords: 0, RetriedRecords: 0, DuplicateRecords: 0 };

  beforeAll(async () => {
    clients = await twinClients();
    ({ twin, kinesis, lambda } = clients);
    for (const [name, shards] of [
      ['Transactions', 2],
      ['PositiveTransactions', 2],
      ['NegativeTransactions', 2],
      ['SlowPositive', 1],
      ['SlowNegative', 1],
    ] as const) {
      await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      await until(`${name} ACTIVE`, async () => {
        const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        return d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE' ? true : undefined;
      });
    }
    codeDir = mkdtempSync(join(tmpdir(), 'fanout-fn-'));
    await build({
      entryPoints: [join(ROOT, 'handlers', 'fanout.ts')],
      outfile: join(codeDir, 'handlers', 'fanout.js'),
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      loader: { '.sql': 'text' },
      logLevel: 'silent',
    });
    // The application comes with the deployment: the fan-out definition (FANOUT_DEFINITION, as unbundled code reads
    // what a bundle has compiled in) and the settings in the function's environment.
    for (const [name, outputs] of [
      [FUNCTION, config.outputs],
      [SLOW_FUNCTION, slowOutputs],
    ] as const) {
      await twin.lambda.createFunction({
        FunctionName: name,
        Handler: 'handlers/fanout.handler',
        Role: 'arn:aws:iam::000000000000:role/fanout',
        Code: { Directory: codeDir },
        Timeout: 30,
        MemorySize: 1024,
        Environment: { Variables: deployment(outputs) },
      });
    }
    twin.lambda.onLog = (_fn, chunk) => {
      for (const line of chunk.split('\n')) {
        if (!line.includes('"CloudWatchMetrics"')) continue;
        const emf = JSON.parse(line) as Record<string, unknown>;
        for (const name of Object.keys(metrics)) metrics[name] = (metrics[name] ?? 0) + Number(emf[name] ?? 0);
      }
    };
    engine = new LambdaEngine({
      config,
      clients: { kinesis, lambda },
      settings: {
        functionName: FUNCTION,
        batchSize: 100,
        parallelizationFactor: 1,
        enhancedFanOut: true,
        errorDestination: { type: 'log' },
      },
      waitDelayMs: 20,
      waitAttempts: 200,
    });
  }, 60_000);

  afterAll(async () => {
    await clients?.close();
    if (codeDir) rmSync(codeDir, { recursive: true, force: true });
  });

  const status = (wanted: ApplicationStatus) =>
    until(`status ${wanted}`, async () => ((await engine.status('fanout-it-1')) === wanted ? wanted : undefined));

  it('discovers, creates, starts, fans out, stops, restarts at NOW and deletes', async () => {
    // Prepare
    const [plan] = engine.plan();

    // Act: discover on an empty stream (puts the sample), create, start
    const discovery = await engine.discover();
    const created = await engine.create(plan!, discovery.schema);
    await status('READY');
    const started = await engine.start(plan!.name, 'TRIM_HORIZON');
    await status('RUNNING');
    await put(kinesis, 0, 40);
    const positive = await until('every positive row', async () => {
      const rows = ids(await readAll(kinesis, 'PositiveTransactions'));
      return rows.length >= 20 ? rows : undefined;
    });
    const negative = await until('every negative row', async () => {
      const rows = ids(await readAll(kinesis, 'NegativeTransactions'));
      return rows.length >= 20 ? rows : undefined;
    });

    // Assess
    expect(discovery.samplePut).toBeGreaterThan(0);
    expect(created).toEqual({ name: 'fanout-it-1', action: 'created', status: 'READY' });
    expect(started.action).toBe('started');
    expect(positive).toEqual(Array.from({ length: 20 }, (_, k) => 2 * k));
    expect(negative).toEqual(Array.from({ length: 20 }, (_, k) => 2 * k + 1));

    // Act: stop, then start at NOW (a new mapping at LATEST: records put while stopped are not read)
    expect((await engine.stop(plan!.name)).action).toBe('stopped');
    await status('READY');
    await put(kinesis, 100, 2);
    expect((await engine.start(plan!.name, 'NOW')).action).toBe('started');
    await status('RUNNING');
    await sleep(300);
    await put(kinesis, 200, 2);
    const after = await until('rows put after the restart', async () => {
      const rows = ids(await readAll(kinesis, 'PositiveTransactions'));
      return rows.includes(200) ? rows : undefined;
    });

    // Assess
    expect(after).not.toContain(100);

    // Act: delete
    expect((await engine.delete(plan!.name)).action).toBe('deleted');
    await status('NOT_FOUND');
    const consumers = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: config.inputStreamArn }));

    // Assess
    expect(consumers.Consumers ?? []).toEqual([]);
    expect(await engine.list()).toEqual([]);
  }, 60_000);

  it('keeps fanning out through a deploy, and rolls a new deployment forward on the same mapping: nothing lost or repeated', async () => {
    // Prepare: the application running from NOW
    const [plan] = engine.plan();
    const discovery = await engine.discover();
    await engine.create(plan!, discovery.schema);
    await status('READY');
    await engine.start(plan!.name, 'NOW');
    await status('RUNNING');
    const mappingOf = async () => {
      const out = await lambda.send(new ListEventSourceMappingsCommand({}));
      return (out.EventSourceMappings ?? []).find((m) => m.FunctionArn?.startsWith(`${FUNCTION_ARN}:`))!;
    };
    const before = await mappingOf();
    const arrived = (from: number, to: number) =>
      until(`rows ${from}-${to - 1}`, async () => {
        const rows = [
          ...ids(await readAll(kinesis, 'PositiveTransactions')),
          ...ids(await readAll(kinesis, 'NegativeTransactions')),
        ];
        const mine = rows.filter((id) => id >= 20_000);
        return new Set(mine).size >= to - 20_000 ? mine : undefined;
      });
    await put(kinesis, 20_000, 100);
    await arrived(20_000, 20_100);

    // Act: a deploy changes $LATEST (as osls deploy does: its configuration, our variables gone) ...
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: FUNCTION,
        Environment: { Variables: { ...deployment(config.outputs), DEPLOYED: 'again' } },
      }),
    );
    await put(kinesis, 20_100, 100);
    const during = await arrived(20_000, 20_200);
    // ... and the next lifecycle run rolls the application forward onto it
    const rolled = await engine.create(plan!, discovery.schema);
    await put(kinesis, 20_200, 100);
    const after = await arrived(20_000, 20_300);
    const moved = await mappingOf();
    await engine.stop(plan!.name);
    await status('READY');
    await engine.delete(plan!.name);
    await status('NOT_FOUND');

    // Assess: the deploy left the running version alone; the roll-forward kept the mapping (its checkpoints)
    expect(during.length).toBe(200);
    expect(rolled.action).toBe('updated');
    expect(moved.UUID).toBe(before.UUID);
    expect(moved.FunctionArn).not.toBe(before.FunctionArn);
    expect(after.sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, k) => 20_000 + k));
  }, 60_000);

  it('loses no record when the output shards throttle: throttled records are retried until written', async () => {
    // Prepare: one shard per output takes 1,000 records/s; 4,000 records arrive as fast as the twin runs
    const slow = new LambdaEngine({
      config: {
        ...config,
        applicationPrefix: 'fanout-slow',
        outputs: slowOutputs,
      },
      clients: { kinesis, lambda },
      settings: {
        functionName: SLOW_FUNCTION,
        batchSize: 1000,
        parallelizationFactor: 1,
        enhancedFanOut: true,
        errorDestination: { type: 'log' },
      },
      waitDelayMs: 20,
      waitAttempts: 200,
    });
    const [plan] = slow.plan();
    const discovery = await slow.discover();
    await put(kinesis, 10_000, 4000);
    await slow.create(plan!, discovery.schema);
    await until('READY', async () => ((await slow.status(plan!.name)) === 'READY' ? true : undefined));

    // Act
    await slow.start(plan!.name, 'TRIM_HORIZON');
    const wanted = (parity: number) => Array.from({ length: 2000 }, (_, k) => 10_000 + 2 * k + parity);
    const positive = await until('every positive row', async () => {
      const rows = ids(await readAll(kinesis, 'SlowPositive')).filter((id) => id >= 10_000 && id < 14_000);
      return new Set(rows).size >= 2000 ? rows : undefined;
    });
    const negative = await until('every negative row', async () => {
      const rows = ids(await readAll(kinesis, 'SlowNegative')).filter((id) => id >= 10_000 && id < 14_000);
      return new Set(rows).size >= 2000 ? rows : undefined;
    });
    await slow.stop(plan!.name);
    await slow.delete(plan!.name);

    // Assess: every record reached its stream (the earlier test's records come too, from TRIM_HORIZON); duplicates,
    // if any, are ones the function counted
    expect([...new Set(positive)]).toEqual(wanted(0));
    expect([...new Set(negative)]).toEqual(wanted(1));
    const duplicates = positive.length - 2000 + negative.length - 2000;
    expect(duplicates).toBeLessThanOrEqual(metrics['DuplicateRecords']!);
  }, 60_000);
});
