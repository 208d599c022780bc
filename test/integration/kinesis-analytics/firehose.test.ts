/**
 * Kinesis Data Firehose destinations of a Kinesis Analytics application on the twin, through the AWS SDK: rows reach
 * the delivery stream and, through it, objects in the S3 twin; records the delivery stream fails (FailedPutCount,
 * injected) are sent again until every row is in, each partition key's rows in order; a missing delivery stream is
 * refused at StartApplication.
 */
import { CreateDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  CreateApplicationCommand,
  DescribeApplicationCommand,
  KinesisAnalyticsClient,
  StartApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startTwin, type Twin } from '../../../local/twin';
import { ROLE, SCHEMA, SQL, streamArn } from './fixtures';

const hoseArn = (name: string) => `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`;

// a budget for a loaded machine, not a timing assertion
jest.setTimeout(60_000);

let twin: Twin;
let kinesis: KinesisClient;
let analytics: KinesisAnalyticsClient;
let firehose: FirehoseClient;
let s3: S3Client;

beforeAll(async () => {
  twin = await startTwin({ port: 0, fast: true });
  const config = {
    endpoint: twin.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  kinesis = new KinesisClient(config);
  analytics = new KinesisAnalyticsClient(config);
  firehose = new FirehoseClient(config);
  s3 = new S3Client({ ...config, forcePathStyle: true });
});

afterAll(async () => {
  for (const c of [kinesis, analytics, firehose, s3]) c.destroy();
  await twin.close();
});

async function until<T>(what: string, probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** Every row delivered into the bucket. */
async function delivered(bucket: string): Promise<{ ID: number; USERNAME: string }[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const rows: { ID: number; USERNAME: string }[] = [];
  for (const o of listed.Contents ?? []) {
    const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }))).Body!.transformToString();
    // Firehose concatenates records as they are: JSON rows back to back (flat objects here)
    for (const doc of body.replace(/}\s*{/g, '}\n{').split('\n').filter(Boolean)) rows.push(JSON.parse(doc));
  }
  return rows;
}

async function application(name: string, outputs: Record<string, unknown>[]): Promise<void> {
  await analytics.send(
    new CreateApplicationCommand({
      ApplicationName: name,
      ApplicationCode: SQL,
      Inputs: [
        {
          NamePrefix: 'SOURCE_SQL_STREAM',
          KinesisStreamsInput: { ResourceARN: streamArn(`${name}-in`), RoleARN: ROLE },
          InputSchema: SCHEMA,
        },
      ],
      Outputs: outputs.map((o) => ({ DestinationSchema: { RecordFormatType: 'JSON' as const }, ...o })) as never,
    }),
  );
}

const start = (name: string) =>
  analytics.send(
    new StartApplicationCommand({
      ApplicationName: name,
      InputConfigurations: [
        { Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } },
      ],
    }),
  );

describe('Kinesis Analytics twin with Firehose destinations, through the AWS SDK', () => {
  it('delivers rows to a delivery stream, into S3, sending again what Firehose fails', async () => {
    // Prepare: a delivery stream that fails every third record it is given, the first time round and after
    await kinesis.send(new CreateStreamCommand({ StreamName: 'hose-in', ShardCount: 1 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'hose-neg', ShardCount: 1 }));
    twin.s3.createBucket('hose-bucket');
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'hose',
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE,
          BucketARN: 'arn:aws:s3:::hose-bucket',
          Prefix: 'positive/',
        },
      }),
    );
    twin.firehose.setFaults('hose', { failRecords: 1 / 3 });
    await application('hose', [
      { Name: 'POSITIVE_TRANSACTIONS', KinesisFirehoseOutput: { ResourceARN: hoseArn('hose'), RoleARN: ROLE } },
      { Name: 'NEGATIVE_TRANSACTIONS', KinesisStreamsOutput: { ResourceARN: streamArn('hose-neg'), RoleARN: ROLE } },
    ]);
    const rows = Array.from({ length: 30 }, (_, i) => ({
      ID: i + 1,
      USERNAME: `user-${i % 4}`,
      AMOUNT: i % 5 === 0 ? -1 : 2,
    }));
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: 'hose-in',
        Records: rows.map((r) => ({ Data: Buffer.from(JSON.stringify(r)), PartitionKey: r.USERNAME })),
      }),
    );
    const positive = rows.filter((r) => r.AMOUNT >= 0);

    // Act
    await start('hose');
    const got = await until(
      'every positive row in S3',
      () => delivered('hose-bucket'),
      (r) => r.length >= positive.length,
    );
    const metrics = twin.kinesisAnalytics.metrics('hose');

    // Assess: each row exactly once; each user's rows in their order (the objects of one key's rows come in order)
    expect(got.map((r) => r.ID).sort((a, b) => a - b)).toEqual(positive.map((r) => r.ID));
    const keys = (await s3.send(new ListObjectsV2Command({ Bucket: 'hose-bucket' }))).Contents!.map((o) => o.Key!);
    for (const key of keys) expect(key).toMatch(/^positive\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/hose-1-/);
    expect(twin.firehose.state('hose').buffered).toBe(0);
    const output = metrics.Outputs.find((o: { Name?: string }) => o.Name === 'POSITIVE_TRANSACTIONS');
    // every row delivered once, though a third of what Firehose was given failed and was sent again
    expect(output).toMatchObject({ Destination: 'KinesisFirehose', Records: positive.length });
    expect(output!.Failed).toBeGreaterThan(0);
  });

  it('refuses to start an application whose Firehose destination does not exist', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'nohose-in', ShardCount: 1 }));
    await application('nohose', [
      { Name: 'POSITIVE_TRANSACTIONS', KinesisFirehoseOutput: { ResourceARN: hoseArn('missing'), RoleARN: ROLE } },
    ]);
    await expect(start('nohose')).rejects.toMatchObject({
      name: 'InvalidApplicationConfigurationException',
      message: expect.stringContaining(`${hoseArn('missing')} does not exist`),
    });
    const status = (await analytics.send(new DescribeApplicationCommand({ ApplicationName: 'nohose' })))
      .ApplicationDetail?.ApplicationStatus;
    expect(status).toBe('READY');
  });
});
