import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  AddApplicationOutputCommand,
  CreateApplicationCommand,
  DeleteApplicationCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  type KinesisAnalyticsClient,
  StartApplicationCommand,
  StopApplicationCommand,
  UpdateApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import { type TwinClients, twinClients } from '../twin/clients';
import { streamArn as arn, ROLE, SCHEMA, SQL } from './fixtures';

let clients: TwinClients;
let kinesis: KinesisClient;
let analytics: KinesisAnalyticsClient;

beforeAll(async () => {
  clients = await twinClients();
  ({ kinesis, analytics } = clients);
});

afterAll(() => clients.close());

async function streams(...names: string[]): Promise<void> {
  for (const name of names) await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
}

async function put(stream: string, records: { ID: number; AMOUNT: number }[]): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: records.map((r) => ({
        Data: Buffer.from(JSON.stringify({ ...r, USERNAME: `user-${r.ID}` })),
        PartitionKey: `user-${r.ID % 5}`,
      })),
    }),
  );
  expect(out.FailedRecordCount).toBe(0);
}

/** Every record of a one-shard stream, from the start. */
async function readAll(stream: string): Promise<{ ID: number; USERNAME: string; AMOUNT: number }[]> {
  const shards = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
  const { ShardIterator } = await kinesis.send(
    new GetShardIteratorCommand({
      StreamName: stream,
      ShardId: shards.Shards![0]!.ShardId!,
      ShardIteratorType: 'TRIM_HORIZON',
    }),
  );
  const page = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  return (page.Records ?? []).map((r) => JSON.parse(Buffer.from(r.Data!).toString('utf8')));
}

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function status(name: string): Promise<string | undefined> {
  const out = await analytics.send(new DescribeApplicationCommand({ ApplicationName: name }));
  return out.ApplicationDetail?.ApplicationStatus;
}

function createCommand(name: string, input: string, outputs: [string, string][]) {
  return new CreateApplicationCommand({
    ApplicationName: name,
    ApplicationCode: SQL,
    Inputs: [
      {
        NamePrefix: 'SOURCE_SQL_STREAM',
        KinesisStreamsInput: { ResourceARN: arn(input), RoleARN: ROLE },
        InputSchema: SCHEMA,
      },
    ],
    Outputs: outputs.map(([sqlStream, stream]) => ({
      Name: sqlStream,
      KinesisStreamsOutput: { ResourceARN: arn(stream), RoleARN: ROLE },
      DestinationSchema: { RecordFormatType: 'JSON' },
    })),
  });
}

const ids = (rows: { ID: number }[]) => rows.map((r) => r.ID).sort((a, b) => a - b);

describe('Kinesis Analytics twin, through the AWS SDK', () => {
  it('runs the fan-out: create, start, records to the right outputs, stop, resume at LAST_STOPPED_POINT, delete', async () => {
    // Prepare
    await streams('life-in', 'life-pos', 'life-neg');
    await analytics.send(
      createCommand('life', 'life-in', [
        ['POSITIVE_TRANSACTIONS', 'life-pos'],
        ['NEGATIVE_TRANSACTIONS', 'life-neg'],
      ]),
    );
    await until(
      'READY',
      () => status('life'),
      (s) => s === 'READY',
    );
    const detail = (await analytics.send(new DescribeApplicationCommand({ ApplicationName: 'life' })))
      .ApplicationDetail!;
    const inputId = detail.InputDescriptions![0]!.InputId!;
    const startAt = (position: 'NOW' | 'LAST_STOPPED_POINT') =>
      analytics.send(
        new StartApplicationCommand({
          ApplicationName: 'life',
          InputConfigurations: [
            { Id: inputId, InputStartingPositionConfiguration: { InputStartingPosition: position } },
          ],
        }),
      );

    // Act: a first run
    await startAt('NOW');
    await until(
      'RUNNING',
      () => status('life'),
      (s) => s === 'RUNNING',
    );
    await put('life-in', [
      { ID: 1, AMOUNT: 10.5 },
      { ID: 2, AMOUNT: -3.25 },
      { ID: 3, AMOUNT: 0 },
    ]);
    const firstPositive = await until(
      'first positives',
      () => readAll('life-pos'),
      (rows) => rows.length >= 2,
    );
    await until(
      'first negatives',
      () => readAll('life-neg'),
      (rows) => rows.length >= 1,
    );
    await analytics.send(new StopApplicationCommand({ ApplicationName: 'life' }));
    await until(
      'READY after stop',
      () => status('life'),
      (s) => s === 'READY',
    );

    // Act: records while stopped, then resume
    await put('life-in', [
      { ID: 4, AMOUNT: 7 },
      { ID: 5, AMOUNT: -1 },
    ]);
    await startAt('LAST_STOPPED_POINT');
    await until(
      'RUNNING again',
      () => status('life'),
      (s) => s === 'RUNNING',
    );
    const positive = await until(
      'resumed positives',
      () => readAll('life-pos'),
      (rows) => rows.length >= 3,
    );
    const negative = await until(
      'resumed negatives',
      () => readAll('life-neg'),
      (rows) => rows.length >= 2,
    );
    await analytics.send(new StopApplicationCommand({ ApplicationName: 'life' }));
    await until(
      'READY after second stop',
      () => status('life'),
      (s) => s === 'READY',
    );
    await analytics.send(
      new DeleteApplicationCommand({ ApplicationName: 'life', CreateTimestamp: detail.CreateTimestamp! }),
    );
    const gone = await until(
      'deleted',
      () => status('life').catch((error: Error) => error.name),
      (s) => s === 'ResourceNotFoundException',
    );

    // Assess
    expect(ids(firstPositive)).toEqual([1, 3]);
    expect(positive).toEqual([
      { ID: 1, USERNAME: 'user-1', AMOUNT: 10.5 },
      { ID: 3, USERNAME: 'user-3', AMOUNT: 0 },
      { ID: 4, USERNAME: 'user-4', AMOUNT: 7 },
    ]);
    expect(ids(negative)).toEqual([2, 5]);
    expect(gone).toBe('ResourceNotFoundException');
  });

  it('refuses bad SQL with CodeValidationException naming the position', async () => {
    // Prepare
    const command = createCommand('bad-sql', 'life-in', []);
    command.input.ApplicationCode =
      'CREATE OR REPLACE STREAM "X" (ID INTEGER);\nCREATE PUMP "P" AS INSERT INTO "X" SELECT STREAM NOPE FROM "SOURCE_SQL_STREAM_001";';

    // Act
    const error = await analytics.send(command).catch((e: Error) => e);

    // Assess
    expect((error as Error).name).toBe('CodeValidationException');
    expect((error as Error).message).toMatch(/line 2, column \d+/);
  });

  it('refuses a fourth destination', async () => {
    // Prepare
    await streams('four-in', 'four-1', 'four-2', 'four-3', 'four-4');
    await analytics.send(
      createCommand('four', 'four-in', [
        ['POSITIVE_TRANSACTIONS', 'four-1'],
        ['POSITIVE_TRANSACTIONS', 'four-2'],
        ['NEGATIVE_TRANSACTIONS', 'four-3'],
      ]),
    );

    // Act
    const error = await analytics
      .send(
        new AddApplicationOutputCommand({
          ApplicationName: 'four',
          CurrentApplicationVersionId: 1,
          Output: {
            Name: 'NEGATIVE_TRANSACTIONS',
            KinesisStreamsOutput: { ResourceARN: arn('four-4'), RoleARN: ROLE },
            DestinationSchema: { RecordFormatType: 'JSON' },
          },
        }),
      )
      .catch((e: Error) => e);

    // Assess
    expect((error as Error).name).toBe('InvalidArgumentException');
    expect((error as Error).message).toContain('at most 3 destinations');
  });

  it('refuses to start an application that is RUNNING', async () => {
    // Prepare
    await streams('busy-in', 'busy-out');
    await analytics.send(createCommand('busy', 'busy-in', [['POSITIVE_TRANSACTIONS', 'busy-out']]));
    const start = new StartApplicationCommand({
      ApplicationName: 'busy',
      InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }],
    });
    await analytics.send(start);
    await until(
      'RUNNING',
      () => status('busy'),
      (s) => s === 'RUNNING',
    );

    // Act
    const error = await analytics.send(start).catch((e: Error) => e);

    // Assess
    expect((error as Error).name).toBe('ResourceInUseException');
    await analytics.send(new StopApplicationCommand({ ApplicationName: 'busy' }));
  });

  it('cannot discover a schema on an empty stream, and discovers one once records are there', async () => {
    // Prepare
    await streams('discover-in');
    const discover = new DiscoverInputSchemaCommand({
      ResourceARN: arn('discover-in'),
      RoleARN: ROLE,
      InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' },
    });

    // Act
    const error = await analytics.send(discover).catch((e: Error) => e);
    await put('discover-in', [
      { ID: 1, AMOUNT: 1.5 },
      { ID: 2, AMOUNT: -2.25 },
    ]);
    const found = await analytics.send(discover);

    // Assess
    expect((error as Error).name).toBe('UnableToDetectSchemaException');
    expect(found.InputSchema?.RecordFormat?.RecordFormatType).toBe('JSON');
    expect(found.InputSchema?.RecordColumns?.map((c) => c.Name)).toEqual(
      expect.arrayContaining(['ID', 'USERNAME', 'AMOUNT']),
    );
    expect(found.RawInputRecords).toHaveLength(2);
  });

  it('refuses to start an application whose output names a stream the code does not create', async () => {
    // Prepare
    await streams('typo-in', 'typo-out');
    await analytics.send(createCommand('typo', 'typo-in', [['POSITIVE_TRANSACTIONS_TYPO', 'typo-out']]));

    // Act
    const error = await analytics
      .send(
        new StartApplicationCommand({
          ApplicationName: 'typo',
          InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }],
        }),
      )
      .catch((e: Error) => e);

    // Assess
    expect((error as Error).name).toBe('InvalidApplicationConfigurationException');
    expect((error as Error).message).toContain('POSITIVE_TRANSACTIONS_TYPO');
    expect(await status('typo')).toBe('READY');
  });

  it('takes new code while running, carrying on from where the old code stopped', async () => {
    // Prepare
    await streams('upd-in', 'upd-pos', 'upd-neg');
    await analytics.send(
      createCommand('upd', 'upd-in', [
        ['POSITIVE_TRANSACTIONS', 'upd-pos'],
        ['NEGATIVE_TRANSACTIONS', 'upd-neg'],
      ]),
    );
    await analytics.send(
      new StartApplicationCommand({
        ApplicationName: 'upd',
        InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }],
      }),
    );
    await until(
      'RUNNING',
      () => status('upd'),
      (s) => s === 'RUNNING',
    );
    await put('upd-in', [
      { ID: 1, AMOUNT: 5 },
      { ID: 2, AMOUNT: -5 },
    ]);
    await until(
      'first rows',
      () => readAll('upd-pos'),
      (rows) => rows.length === 1,
    );

    // Act: every transaction is now "positive"
    await analytics.send(
      new UpdateApplicationCommand({
        ApplicationName: 'upd',
        CurrentApplicationVersionId: 1,
        ApplicationUpdate: { ApplicationCodeUpdate: SQL.replace('WHERE AMOUNT >= 0', 'WHERE AMOUNT >= -100') },
      }),
    );
    await until(
      'RUNNING after the update',
      () => status('upd'),
      (s) => s === 'RUNNING',
    );
    await put('upd-in', [{ ID: 3, AMOUNT: -7 }]);
    const positive = await until(
      'rows after the update',
      () => readAll('upd-pos'),
      (rows) => rows.length >= 2,
    );
    await analytics.send(new StopApplicationCommand({ ApplicationName: 'upd' }));

    // Assess
    expect(ids(positive)).toEqual([1, 3]);
    expect(ids(await readAll('upd-neg'))).toEqual([2, 3]);
  });
});
