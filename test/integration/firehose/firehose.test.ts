import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateDeliveryStreamCommand,
  DeleteDeliveryStreamCommand,
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
} from '@aws-sdk/client-firehose';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startTwin, type Twin } from '../../../local/twin';
import { awsCliEnv, tool } from '../../tools';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::000000000000:role/firehose';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

// a budget for a loaded machine, not a timing assertion
jest.setTimeout(60_000);

let twin: Twin;
let firehose: FirehoseClient;
let s3: S3Client;

beforeAll(async () => {
  twin = await startTwin({ port: 0, fast: true });
  firehose = new FirehoseClient({ endpoint: twin.endpoint, region: 'us-east-1', credentials });
  s3 = new S3Client({ endpoint: twin.endpoint, region: 'us-east-1', credentials, forcePathStyle: true });
});
afterAll(async () => {
  firehose.destroy();
  s3.destroy();
  await twin.close();
});

async function objects(bucket: string, prefix = ''): Promise<{ key: string; body: string }[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  const out: { key: string; body: string }[] = [];
  for (const o of listed.Contents ?? []) {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
    out.push({ key: o.Key!, body: await got.Body!.transformToString() });
  }
  return out;
}

describe('Firehose twin, through the SDK', () => {
  it('creates a Direct PUT stream into S3, takes records and delivers them as Firehose names objects', async () => {
    // Prepare
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-bucket' }));
    const created = await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'sdk-stream',
        DeliveryStreamType: 'DirectPut',
        ExtendedS3DestinationConfiguration: {
          RoleARN: ROLE,
          BucketARN: 'arn:aws:s3:::sdk-bucket',
          Prefix: 'events/',
          ErrorOutputPrefix: 'errors/',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
        },
      }),
    );

    // Act
    const one = await firehose.send(
      new PutRecordCommand({ DeliveryStreamName: 'sdk-stream', Record: { Data: Buffer.from('first\n') } }),
    );
    const batch = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'sdk-stream',
        Records: ['second\n', 'third\n'].map((t) => ({ Data: Buffer.from(t) })),
      }),
    );
    const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'sdk-stream' }));
    const listed = await firehose.send(new ListDeliveryStreamsCommand({}));
    await new Promise((r) => setTimeout(r, 50));
    const delivered = await objects('sdk-bucket', 'events/');

    // Assess
    expect(created.DeliveryStreamARN).toBe('arn:aws:firehose:us-east-1:000000000000:deliverystream/sdk-stream');
    expect(one.RecordId).toEqual(expect.any(String));
    expect(batch).toMatchObject({ FailedPutCount: 0, Encrypted: false });
    expect(batch.RequestResponses).toHaveLength(2);
    const d = described.DeliveryStreamDescription!;
    expect(d).toMatchObject({ DeliveryStreamStatus: 'ACTIVE', DeliveryStreamType: 'DirectPut', VersionId: '1' });
    expect(d.CreateTimestamp).toBeInstanceOf(Date);
    expect(d.Destinations![0]!.ExtendedS3DestinationDescription).toMatchObject({
      BucketARN: 'arn:aws:s3:::sdk-bucket',
      Prefix: 'events/',
      ErrorOutputPrefix: 'errors/',
      BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
      CompressionFormat: 'UNCOMPRESSED',
    });
    expect(listed.DeliveryStreamNames).toContain('sdk-stream');
    // a fast twin writes an object per put; objects of one second have no order among them (nor on AWS)
    expect(delivered.flatMap((o) => o.body.split('\n').filter(Boolean)).sort()).toEqual(['first', 'second', 'third']);
    for (const o of delivered)
      expect(o.key).toMatch(/^events\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/sdk-stream-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}$/);
  });

  it("answers Firehose's errors by name", async () => {
    const outcome = (sent: Promise<unknown>) =>
      sent.then(
        () => 'ok',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(await outcome(firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'nope' })))).toBe(
      'ResourceNotFoundException: Firehose nope under account 000000000000 not found.',
    );
    const config = { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::sdk-bucket' };
    await firehose.send(
      new CreateDeliveryStreamCommand({ DeliveryStreamName: 'twice', ExtendedS3DestinationConfiguration: config }),
    );
    expect(
      await outcome(
        firehose.send(
          new CreateDeliveryStreamCommand({ DeliveryStreamName: 'twice', ExtendedS3DestinationConfiguration: config }),
        ),
      ),
    ).toBe('ResourceInUseException: Firehose twice under account 000000000000 already exists.');
    const many = Array.from({ length: 501 }, () => ({ Data: Buffer.from('x') }));
    expect(
      await outcome(firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'twice', Records: many }))),
    ).toMatch(
      /^ValidationException: 1 validation error detected: .* at 'records' failed to satisfy constraint: Member must have length less than or equal to 500/,
    );
    const heavy = Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(1_000_000) }));
    expect(
      await outcome(firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'twice', Records: heavy }))),
    ).toMatch(/^InvalidArgumentException: Records size exceeds 4 MiB limit/);
    expect(
      await outcome(
        firehose.send(new PutRecordCommand({ DeliveryStreamName: 'nope', Record: { Data: Buffer.from('x') } })),
      ),
    ).toMatch(/^ResourceNotFoundException/);
    expect(await outcome(firehose.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: 'twice' })))).toBe('ok');
    expect(await outcome(firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'twice' })))).toMatch(
      /^ResourceNotFoundException/,
    );
  });

  it('answers per-record failures (FailedPutCount) when faults are injected, and delivers only what it took', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'flaky-bucket' }));
    await firehose.send(
      new CreateDeliveryStreamCommand({
        DeliveryStreamName: 'flaky',
        ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::flaky-bucket' },
      }),
    );
    twin.firehose.setFaults('flaky', { failRecords: 0.5 });
    const out = await firehose.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'flaky',
        Records: ['a', 'b', 'c', 'd'].map((t) => ({ Data: Buffer.from(t) })),
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(out.FailedPutCount).toBe(2);
    expect(out.RequestResponses!.map((r) => r.ErrorCode ?? r.RecordId!.length > 0)).toEqual([
      true,
      'ServiceUnavailableException',
      true,
      'ServiceUnavailableException',
    ]);
    expect((await objects('flaky-bucket')).map((o) => o.body).join('')).toBe('ac');
  });
});

const awsCli = tool('aws');
awsCli.describe(awsCli.title('Firehose twin, through the AWS CLI'), () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'firehose-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const aws = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('aws', [...args, '--endpoint-url', twin.endpoint], { env: awsCliEnv() });
    return stdout;
  };

  it('creates, puts, describes and deletes with `aws firehose`; the objects list with `aws s3 ls` and read with `aws s3 cp`', async () => {
    // each CLI call costs seconds on a loaded machine: the bucket is made in process
    twin.s3.createBucket('cli-bucket');
    const created = JSON.parse(
      await aws(
        'firehose',
        'create-delivery-stream',
        '--delivery-stream-name',
        'cli-stream',
        '--extended-s3-destination-configuration',
        JSON.stringify({
          RoleARN: ROLE,
          BucketARN: 'arn:aws:s3:::cli-bucket',
          Prefix: 'cli/',
          CompressionFormat: 'UNCOMPRESSED',
        }),
      ),
    );
    // the CLI v1 base64-encodes the Data it is given
    const put = JSON.parse(
      await aws('firehose', 'put-record', '--delivery-stream-name', 'cli-stream', '--record', '{"Data":"hello\\n"}'),
    );
    const described = JSON.parse(
      await aws('firehose', 'describe-delivery-stream', '--delivery-stream-name', 'cli-stream'),
    );
    const listed = JSON.parse(await aws('firehose', 'list-delivery-streams'));
    await new Promise((r) => setTimeout(r, 50));
    const ls = await aws('s3', 'ls', 's3://cli-bucket', '--recursive');
    const key = ls.trim().split(/\s+/).pop()!;
    await aws('s3', 'cp', `s3://cli-bucket/${key}`, join(dir, 'object'));
    await aws('firehose', 'delete-delivery-stream', '--delivery-stream-name', 'cli-stream');

    expect(created.DeliveryStreamARN).toMatch(/:deliverystream\/cli-stream$/);
    expect(put.RecordId).toEqual(expect.any(String));
    expect(described.DeliveryStreamDescription.DeliveryStreamStatus).toBe('ACTIVE');
    expect(listed.DeliveryStreamNames).toContain('cli-stream');
    expect(key).toMatch(/^cli\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/cli-stream-1-/);
    expect(readFileSync(join(dir, 'object'), 'utf8')).toBe('hello\n');
    expect(twin.firehose.listDeliveryStreams().DeliveryStreamNames).not.toContain('cli-stream');
  }, 180_000);
});
