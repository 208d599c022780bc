/**
 * KPL input on the twin, end to end (issue 16 §2, §3): the service's preprocessor function (handlers/kpl-preprocessor.ts,
 * bundled with esbuild as the packager bundles it) runs in the Lambda twin; the kinesis-analytics engine, configured
 * as fanout.yml `input.kplAggregated: true` configures it, attaches it to the application's input; the load test
 * puts KPL aggregates of 10 user records and every output holds every row; a corrupt aggregate lands on the
 * application's error stream and nothing else is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateStreamCommand, type KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { build } from 'esbuild';
import type { Twin } from '../../../local/twin';
import type { FanoutConfig } from '../../../src/config';
import { KinesisAnalyticsEngine } from '../../../src/engines/kinesis-analytics';
import { aggregate } from '../../../src/kpl';
import { kplEncoding, runLoadTest } from '../../../src/load-test';
import { applicationSql } from '../../example-sql';
import { definitionFor } from '../../unit/fanout-config/fixtures';
import { type TwinClients, twinClients } from '../twin/clients';

const ROOT = resolve(__dirname, '..', '..', '..');
const region = 'us-east-1';
const arn = (name: string) => `arn:aws:kinesis:${region}:000000000000:stream/${name}`;
const FUNCTION = 'kinesis-fanout-it-kplPreprocessor';
const outputs = [
  { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('PositiveTransactions') },
  { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('NegativeTransactions') },
];
const config: FanoutConfig = {
  stage: 'it',
  region,
  engine: 'kinesis-analytics',
  applicationPrefix: 'fanout-it',
  inputStreamArn: arn('Transactions'),
  outputs,
  analyticsRoleArn: 'arn:aws:iam::000000000000:role/analytics',
  kplPreprocessorArn: `arn:aws:lambda:${region}:000000000000:function:${FUNCTION}`,
  loadTest: { records: 10, rate: 100, timeoutSeconds: 5 },
  // the stack's own input stream: discovery may put its labelled sample into it (never into a stream the user brings)
  fanout: {
    ...definitionFor(arn('Transactions'), outputs),
    input: {
      created: true,
      name: 'Transactions',
      capacity: { mode: 'PROVISIONED', shards: 1 },
      kmsKey: 'alias/aws/kinesis',
    },
    kplAggregated: true,
  },
};

let clients: TwinClients | undefined;
let twin: Twin;
let kinesis: KinesisClient;
let dir: string;

beforeAll(async () => {
  clients = await twinClients();
  ({ twin, kinesis } = clients);
  for (const name of ['Transactions', 'PositiveTransactions', 'NegativeTransactions'])
    await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
  dir = mkdtempSync(join(tmpdir(), 'kpl-preprocessor-'));
  await build({
    entryPoints: [join(ROOT, 'handlers/kpl-preprocessor.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: join(dir, 'handlers/kpl-preprocessor.js'),
    loader: { '.sql': 'text' },
    logLevel: 'warning',
  });
  await twin.lambda.createFunction({
    FunctionName: FUNCTION,
    Role: 'arn:aws:iam::000000000000:role/kpl-preprocessor',
    Handler: 'handlers/kpl-preprocessor.handler',
    Code: { Directory: dir },
  });
}, 60_000);

afterAll(async () => {
  await clients?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('runs the fan-out on KPL aggregates through the service preprocessor: every row, and a corrupt aggregate on the error stream', async () => {
  // Prepare: the application as the lifecycle makes it
  const engine = new KinesisAnalyticsEngine({
    config,
    clients: { kinesis, kinesisAnalytics: clients!.analytics },
    sql: applicationSql,
  });
  const [plan] = engine.plan();
  const { schema } = await engine.discover();
  await engine.create(plan!, schema);
  await engine.start(plan!.name, 'TRIM_HORIZON');

  // Act: 300 user records in aggregates of 10, then one aggregate whose checksum no longer matches
  const report = await runLoadTest(
    kinesis,
    {
      sql: applicationSql,
      schema,
      inputStreamArn: config.inputStreamArn,
      outputs,
      records: 300,
      rate: 1000,
      timeoutSeconds: 20,
      encoding: kplEncoding(10),
      // an aggregate holds one key's records (src/load-test/encoding.ts): 4 keys fill aggregates of 10
      keysPerShard: 4,
    },
    {},
  );
  const [corrupt] = aggregate([
    { data: Buffer.from('{"ID":1,"USERNAME":"x","AMOUNT":1}'), partitionKey: 'a' },
    { data: Buffer.from('{"ID":2,"USERNAME":"y","AMOUNT":-1}'), partitionKey: 'b' },
  ]);
  corrupt!.data[6] ^= 0xff;
  await kinesis.send(
    new PutRecordCommand({ StreamARN: config.inputStreamArn, Data: corrupt!.data, PartitionKey: 'a' }),
  );
  const deadline = Date.now() + 20_000;
  while (twin.kinesisAnalytics.metrics(plan!.name).ErrorStreamRows === 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));

  // Assess
  expect(report.reasons).toEqual([]);
  expect(report.verdict).toBe('pass');
  expect(report.sent).toBe(300);
  const rows = Object.values(report.outputs).reduce((n, o) => n + o.received, 0);
  expect(rows).toBe(300);
  const metrics = twin.kinesisAnalytics.metrics(plan!.name);
  expect(metrics.ErrorStreamRows).toBe(1);
  expect(metrics.Inputs[0]!.InputProcessing).toMatchObject({ ProcessingFailedRecords: 1 });
  await engine.stop(plan!.name);
}, 90_000);
