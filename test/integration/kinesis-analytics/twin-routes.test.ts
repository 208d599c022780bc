import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateApplicationCommand,
  DescribeApplicationCommand,
  StartApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import { type TwinClients, twinClients } from '../twin/clients';
import { streamArn as arn, ROLE, SCHEMA, SQL } from './fixtures';

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Creates in/pos/neg streams and a running fan-out application reading `in` from TRIM_HORIZON. */
async function runningFanout(s: TwinClients, name: string): Promise<void> {
  for (const stream of [`${name}-in`, `${name}-pos`, `${name}-neg`]) {
    await s.kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  }
  await s.analytics.send(
    new CreateApplicationCommand({
      ApplicationName: name,
      ApplicationCode: SQL,
      Inputs: [
        {
          NamePrefix: 'SOURCE_SQL_STREAM',
          KinesisStreamsInput: { ResourceARN: arn(`${name}-in`), RoleARN: ROLE },
          InputSchema: SCHEMA,
        },
      ],
      Outputs: [
        ['POSITIVE_TRANSACTIONS', `${name}-pos`],
        ['NEGATIVE_TRANSACTIONS', `${name}-neg`],
      ].map(([sqlStream, stream]) => ({
        Name: sqlStream,
        KinesisStreamsOutput: { ResourceARN: arn(stream!), RoleARN: ROLE },
        DestinationSchema: { RecordFormatType: 'JSON' },
      })),
    }),
  );
  await s.analytics.send(
    new StartApplicationCommand({
      ApplicationName: name,
      InputConfigurations: [
        { Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } },
      ],
    }),
  );
  await until(
    'RUNNING',
    () => status(s, name),
    (st) => st === 'RUNNING',
  );
}

async function status(s: TwinClients, name: string): Promise<string | undefined> {
  return (await s.analytics.send(new DescribeApplicationCommand({ ApplicationName: name }))).ApplicationDetail
    ?.ApplicationStatus;
}

async function put(s: TwinClients, stream: string, data: string[]): Promise<void> {
  const out = await s.kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: data.map((d, i) => ({ Data: Buffer.from(d), PartitionKey: `k${i % 3}` })),
    }),
  );
  expect(out.FailedRecordCount).toBe(0);
}

const transactions = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => JSON.stringify({ ID: from + i, USERNAME: `u${from + i}`, AMOUNT: 1 }));

async function readIds(s: TwinClients, stream: string): Promise<number[]> {
  const { ShardIterator } = await s.kinesis.send(
    new GetShardIteratorCommand({
      StreamName: stream,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const page = await s.kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return (page.Records ?? []).map((r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')).ID as number);
}

describe('Kinesis Analytics twin: restart, errors route, faults', () => {
  it('keeps applications and checkpoints across a restart with a data directory', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'ka-twin-'));
    try {
      const first = await twinClients({ dataDir });
      await runningFanout(first, 'keep');
      await put(first, 'keep-in', transactions(0, 20));
      await until(
        'first records out',
        () => readIds(first, 'keep-pos'),
        (ids) => ids.length === 20,
      );
      await first.close();

      // Act
      const second = await twinClients({ dataDir });
      const resumed = await status(second, 'keep');
      await put(second, 'keep-in', transactions(20, 30));
      const ids = await until(
        'records after restart',
        () => readIds(second, 'keep-pos'),
        (got) => got.length >= 30,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const settled = await readIds(second, 'keep-pos');
      await second.close();

      // Assess
      expect(resumed).toBe('RUNNING');
      expect(ids.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(settled).toHaveLength(30);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    // every change is answered once fdatasync'd: seconds in all on a loaded disk
  }, 60_000);

  it('counts error-stream records on GET /_twin/kinesis-analytics/applications/{name}/errors', async () => {
    // Prepare
    const s = await twinClients();
    try {
      await runningFanout(s, 'errs');

      // Act
      await put(s, 'errs-in', ['not json', '{"ID": 1, "USERNAME": "u", "AMOUNT": 2}']);
      const report = await until(
        'an error',
        async () =>
          (await (await fetch(`${s.twin.endpoint}/_twin/kinesis-analytics/applications/errs/errors`)).json()) as {
            ErrorCount: number;
            Errors: { ERROR_NAME: string; DATA_ROW: string }[];
          },
        (r) => r.ErrorCount > 0,
      );
      const missing = await fetch(`${s.twin.endpoint}/_twin/kinesis-analytics/applications/nope/errors`);

      // Assess
      expect(report.ErrorCount).toBe(1);
      expect(report.Errors[0]?.DATA_ROW).toBe(Buffer.from('not json').toString('hex'));
      expect(missing.status).toBe(404);
    } finally {
      await s.close();
    }
  });

  it('drops the share of output rows set by the faults option', async () => {
    // Prepare
    const s = await twinClients({ faults: { drop: 0.25 } });
    try {
      await runningFanout(s, 'faulty');

      // Act
      await put(s, 'faulty-in', transactions(0, 40));
      await until(
        'rows out',
        () => readIds(s, 'faulty-pos'),
        (ids) => ids.length >= 30,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ids = await readIds(s, 'faulty-pos');

      // Assess
      expect(ids).toHaveLength(30);
    } finally {
      await s.close();
    }
  });

  it('sends the share of rows set by FANOUT_TWIN_FAULTS to another destination', async () => {
    // Prepare
    process.env['FANOUT_TWIN_FAULTS'] = 'misroute=0.1';
    const s = await twinClients();
    delete process.env['FANOUT_TWIN_FAULTS'];
    try {
      await runningFanout(s, 'misrouted');

      // Act
      await put(s, 'misrouted-in', transactions(0, 50));
      await until(
        'rows out',
        () => readIds(s, 'misrouted-pos'),
        (ids) => ids.length >= 45,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));

      // Assess
      expect(await readIds(s, 'misrouted-pos')).toHaveLength(45);
      expect(await readIds(s, 'misrouted-neg')).toHaveLength(5);
    } finally {
      await s.close();
    }
  });
});
