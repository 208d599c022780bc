/**
 * Lambda functions around a Kinesis Analytics application on the twin, through the AWS SDK: an input preprocessing
 * function (lambda-preprocessing.md: Ok / Dropped / ProcessingFailed) and Lambda destinations
 * (how-it-works-output-lambda.md: Ok / DeliveryFailed, retried with a rising retryHint), real functions in the
 * Lambda twin; one in-application stream feeding two destinations (failover-checkpoint.md).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateApplicationCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  type KinesisAnalyticsClient,
  StartApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import type { Twin } from '../../../local/twin';
import { type TwinClients, twinClients } from '../twin/clients';
import { functionArn, ROLE, SCHEMA, SQL, streamArn } from './fixtures';

/** The functions: each appends what it saw to the file named by OUT_FILE, one JSON line per record. */
const CODE = `
const fs = require('node:fs');
const seen = (line) => fs.appendFileSync(process.env.OUT_FILE, JSON.stringify(line) + '\\n');
const decode = (r) => JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'));

// preprocessing: USERNAME upper-cased; AMOUNT 0 dropped; USERNAME "bad" fails; "twice" becomes two documents
exports.preprocess = async (event) => ({
  records: event.records.map((r) => {
    const row = decode(r);
    seen({ recordId: r.recordId, shardId: r.kinesisStreamRecordMetadata.shardId, stream: event.streamArn });
    if (row.AMOUNT === 0) return { recordId: r.recordId, result: 'Dropped' };
    if (row.USERNAME === 'bad') return { recordId: r.recordId, result: 'ProcessingFailed' };
    const out = { ...row, USERNAME: row.USERNAME.toUpperCase() };
    const text = row.USERNAME === 'twice'
      ? JSON.stringify(out) + '\\n' + JSON.stringify({ ...out, ID: row.ID + 1000 })
      : JSON.stringify(out);
    return { recordId: r.recordId, result: 'Ok', data: Buffer.from(text).toString('base64') };
  }),
});

// destination: takes everything
exports.deliver = async (event) => {
  for (const r of event.records) seen({ ...decode(r), retryHint: r.lambdaDeliveryRecordMetadata.retryHint });
  return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok' })) };
};

// destination: refuses each record the first time it sees it, and leaves one out of the answer on the first try
exports.flaky = async (event) => {
  for (const r of event.records) seen({ ...decode(r), recordId: r.recordId, retryHint: r.lambdaDeliveryRecordMetadata.retryHint });
  return {
    records: event.records
      .filter((r, i) => !(i === 0 && r.lambdaDeliveryRecordMetadata.retryHint === 0))
      .map((r) => ({ recordId: r.recordId, result: r.lambdaDeliveryRecordMetadata.retryHint === 0 ? 'DeliveryFailed' : 'Ok' })),
  };
};
`;

let clients: TwinClients;
let twin: Twin;
let kinesis: KinesisClient;
let analytics: KinesisAnalyticsClient;
let dir: string;

const linesOf = (name: string): Record<string, unknown>[] => {
  const file = join(dir, `${name}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
};

async function fn(name: string, handler: string): Promise<void> {
  await twin.lambda.createFunction({
    FunctionName: name,
    Role: 'arn:aws:iam::000000000000:role/preprocessor-role',
    Handler: handler,
    Code: { Directory: dir },
    Environment: { Variables: { OUT_FILE: join(dir, `${name}.jsonl`) } },
  });
}

beforeAll(async () => {
  clients = await twinClients();
  ({ twin, kinesis, analytics } = clients);
  dir = mkdtempSync(join(tmpdir(), 'ka-lambda-'));
  writeFileSync(join(dir, 'index.js'), CODE);
});

afterAll(async () => {
  await clients.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function put(stream: string, rows: { ID: number; USERNAME: string; AMOUNT: number }[]): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: rows.map((r) => ({ Data: Buffer.from(JSON.stringify(r)), PartitionKey: `k${r.ID % 3}` })),
    }),
  );
  expect(out.FailedRecordCount).toBe(0);
}

async function readIds(stream: string): Promise<number[]> {
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: stream,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return (page.Records ?? []).map((r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')).ID as number);
}

const output = (name: string, target: Record<string, unknown>) => ({
  Name: name,
  DestinationSchema: { RecordFormatType: 'JSON' as const },
  ...target,
});

async function running(name: string): Promise<void> {
  await analytics.send(
    new StartApplicationCommand({
      ApplicationName: name,
      InputConfigurations: [
        { Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } },
      ],
    }),
  );
  await until(
    'RUNNING',
    async () =>
      (await analytics.send(new DescribeApplicationCommand({ ApplicationName: name }))).ApplicationDetail
        ?.ApplicationStatus,
    (s) => s === 'RUNNING',
  );
}

describe('Kinesis Analytics twin with Lambda functions, through the AWS SDK', () => {
  it('preprocesses the input with a function: Ok rows reach the SQL changed, Dropped ones vanish, ProcessingFailed ones go to the error stream', async () => {
    // Prepare
    for (const s of ['pre-in', 'pre-pos', 'pre-neg'])
      await kinesis.send(new CreateStreamCommand({ StreamName: s, ShardCount: 1 }));
    await fn('pre', 'index.preprocess');
    await analytics.send(
      new CreateApplicationCommand({
        ApplicationName: 'pre',
        ApplicationCode: SQL,
        Inputs: [
          {
            NamePrefix: 'SOURCE_SQL_STREAM',
            KinesisStreamsInput: { ResourceARN: streamArn('pre-in'), RoleARN: ROLE },
            InputProcessingConfiguration: { InputLambdaProcessor: { ResourceARN: functionArn('pre'), RoleARN: ROLE } },
            InputSchema: SCHEMA,
          },
        ],
        Outputs: [
          output('POSITIVE_TRANSACTIONS', {
            KinesisStreamsOutput: { ResourceARN: streamArn('pre-pos'), RoleARN: ROLE },
          }),
          output('NEGATIVE_TRANSACTIONS', {
            KinesisStreamsOutput: { ResourceARN: streamArn('pre-neg'), RoleARN: ROLE },
          }),
        ],
      }),
    );
    await put('pre-in', [
      { ID: 1, USERNAME: 'alice', AMOUNT: 5 },
      { ID: 2, USERNAME: 'bob', AMOUNT: 0 },
      { ID: 3, USERNAME: 'bad', AMOUNT: -1 },
      { ID: 4, USERNAME: 'carol', AMOUNT: -2 },
      { ID: 5, USERNAME: 'twice', AMOUNT: 7 },
    ]);

    // Act
    await running('pre');
    const positive = await until(
      'positive rows',
      () => readIds('pre-pos'),
      (ids) => ids.length >= 3,
    );
    const negative = await until(
      'negative rows',
      () => readIds('pre-neg'),
      (ids) => ids.length >= 1,
    );
    const report = (await (await fetch(`${twin.endpoint}/_twin/kinesis-analytics/applications/pre/errors`)).json()) as {
      Errors: { ERROR_NAME: string; DATA_ROW: string }[];
    };
    const metrics = twin.kinesisAnalytics.metrics('pre');

    // Assess
    expect(positive).toEqual([1, 5, 1005]);
    expect(negative).toEqual([4]);
    expect(report.Errors.map((e) => e.ERROR_NAME)).toEqual(['Lambda_ProcessingFailed']);
    expect(Buffer.from(report.Errors[0]!.DATA_ROW, 'hex').toString()).toContain('"bad"');
    expect(linesOf('pre')[0]).toMatchObject({ shardId: 'shardId-000000000000', stream: streamArn('pre-in') });
    expect(metrics.Inputs[0]).toMatchObject({
      Records: 5,
      InputProcessing: { OkRecords: 3, DroppedRecords: 1, ProcessingFailedRecords: 1 },
    });
  });

  it('delivers an in-application stream to a Kinesis stream and a Lambda function at once, and retries what a function fails', async () => {
    // Prepare
    for (const s of ['dest-in', 'dest-pos'])
      await kinesis.send(new CreateStreamCommand({ StreamName: s, ShardCount: 1 }));
    await fn('deliver', 'index.deliver');
    await fn('flaky', 'index.flaky');
    await analytics.send(
      new CreateApplicationCommand({
        ApplicationName: 'dest',
        ApplicationCode: SQL,
        Inputs: [
          {
            NamePrefix: 'SOURCE_SQL_STREAM',
            KinesisStreamsInput: { ResourceARN: streamArn('dest-in'), RoleARN: ROLE },
            InputSchema: SCHEMA,
          },
        ],
        Outputs: [
          output('POSITIVE_TRANSACTIONS', {
            KinesisStreamsOutput: { ResourceARN: streamArn('dest-pos'), RoleARN: ROLE },
          }),
          output('POSITIVE_TRANSACTIONS', { LambdaOutput: { ResourceARN: functionArn('deliver'), RoleARN: ROLE } }),
          output('NEGATIVE_TRANSACTIONS', { LambdaOutput: { ResourceARN: functionArn('flaky'), RoleARN: ROLE } }),
        ],
      }),
    );
    const rows = Array.from({ length: 12 }, (_, i) => ({ ID: i, USERNAME: `u${i}`, AMOUNT: i % 2 === 0 ? 1 : -1 }));

    // Act
    await running('dest');
    await put('dest-in', rows);
    const delivered = await until(
      'the Lambda destination',
      () => linesOf('deliver'),
      (l) => l.length >= 6,
    );
    const flakyOk = await until(
      'the flaky destination',
      () => linesOf('flaky').filter((l) => (l['retryHint'] as number) > 0),
      (l) => l.length >= 6,
    );
    const inStream = await until(
      'the Kinesis destination',
      () => readIds('dest-pos'),
      (ids) => ids.length >= 6,
    );
    const metrics = twin.kinesisAnalytics.metrics('dest');

    // Assess
    const even = [0, 2, 4, 6, 8, 10];
    const odd = [1, 3, 5, 7, 9, 11];
    expect(inStream).toEqual(even);
    expect(delivered.map((l) => l['ID'])).toEqual(even);
    expect(delivered.every((l) => l['retryHint'] === 0)).toBe(true);
    expect(flakyOk.map((l) => l['ID']).sort((a, b) => (a as number) - (b as number))).toEqual(odd);
    const firstTries = linesOf('flaky').filter((l) => l['retryHint'] === 0);
    expect(new Set(firstTries.map((l) => l['recordId']))).toEqual(new Set(flakyOk.map((l) => l['recordId'])));
    expect(metrics.Outputs.map((o) => [o.Name, o.Destination, o.Records])).toEqual([
      ['POSITIVE_TRANSACTIONS', 'KinesisStreams', 6],
      ['POSITIVE_TRANSACTIONS', 'Lambda', 6],
      ['NEGATIVE_TRANSACTIONS', 'Lambda', 6],
    ]);
    expect(metrics.Outputs[2]?.LambdaDelivery?.DeliveryFailedRecords).toBeGreaterThanOrEqual(6);
  });

  it('refuses to start with a destination delivery stream or a destination function that does not exist', async () => {
    // Prepare
    await kinesis.send(new CreateStreamCommand({ StreamName: 'refused-in', ShardCount: 1 }));
    const create = (name: string, target: Record<string, unknown>) =>
      analytics.send(
        new CreateApplicationCommand({
          ApplicationName: name,
          ApplicationCode: SQL,
          Inputs: [
            {
              NamePrefix: 'SOURCE_SQL_STREAM',
              KinesisStreamsInput: { ResourceARN: streamArn('refused-in'), RoleARN: ROLE },
              InputSchema: SCHEMA,
            },
          ],
          Outputs: [output('POSITIVE_TRANSACTIONS', target)],
        }),
      );
    await create('to-firehose', {
      KinesisFirehoseOutput: { ResourceARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/d', RoleARN: ROLE },
    });
    await create('to-nothing', { LambdaOutput: { ResourceARN: functionArn('nope'), RoleARN: ROLE } });
    const start = (name: string) =>
      analytics
        .send(
          new StartApplicationCommand({
            ApplicationName: name,
            InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }],
          }),
        )
        .then(
          () => undefined,
          (error: Error) => error,
        );

    // Act
    const firehose = await start('to-firehose');
    const missing = await start('to-nothing');

    // Assess
    expect(firehose?.name).toBe('InvalidApplicationConfigurationException');
    expect(firehose?.message).toContain('arn:aws:firehose:us-east-1:000000000000:deliverystream/d does not exist');
    expect(missing?.name).toBe('InvalidApplicationConfigurationException');
    expect(missing?.message).toContain(`${functionArn('nope')} does not exist`);
  });

  it('discovers the schema of what the preprocessing function makes of the records', async () => {
    // Prepare
    await kinesis.send(new CreateStreamCommand({ StreamName: 'disc-in', ShardCount: 1 }));
    await fn('disc', 'index.preprocess');
    await put('disc-in', [
      { ID: 1, USERNAME: 'x', AMOUNT: 1.5 },
      { ID: 2, USERNAME: 'y', AMOUNT: 0 },
    ]);

    // Act
    const found = await analytics.send(
      new DiscoverInputSchemaCommand({
        ResourceARN: streamArn('disc-in'),
        RoleARN: ROLE,
        InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' },
        InputProcessingConfiguration: { InputLambdaProcessor: { ResourceARN: functionArn('disc'), RoleARN: ROLE } },
      }),
    );

    // Assess
    expect(found.InputSchema?.RecordColumns?.map((c) => c.Name)).toEqual(['ID', 'USERNAME', 'AMOUNT']);
    expect(found.RawInputRecords).toHaveLength(2);
    expect(found.ProcessedInputRecords).toEqual([JSON.stringify({ ID: 1, USERNAME: 'X', AMOUNT: 1.5 })]);
  });
});
