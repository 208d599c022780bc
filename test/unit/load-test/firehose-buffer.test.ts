/**
 * A Firehose output whose buffering interval is longer than the load test's timeout (issue 17): the load test waits
 * at most the timeout plus the interval for it, says in its progress that it is waiting for the buffer, and counts
 * the rows that come within that wait. Time is virtual: the Firehose twin delivers on a ManualClock that the load
 * test's sleeps move, so two minutes of buffering take no real time.
 */
import {
  DescribeDeliveryStreamCommand,
  type DescribeDeliveryStreamInput,
  FirehoseClient,
} from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { GetObjectCommand, type GetObjectCommandInput, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { ManualClock } from '../../../local/clock';
import { FirehoseTwin, type ObjectSink } from '../../../local/firehose';
import { runLoadTest } from '../../../src/load-test/run';
import { applicationSql } from '../../example-sql';
import { arn, fakeKinesis, kinesisMock, schema } from './fakes';

const firehoseMock = mockClient(FirehoseClient);
const s3Mock = mockClient(S3Client);
const HOSE = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/archive';
const outputs = [
  { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: HOSE },
  { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
];

/** An S3 bucket in memory: each object with the time it was written. */
class Bucket implements ObjectSink {
  readonly objects = new Map<string, { body: Buffer; at: number }>();
  constructor(private readonly clock: ManualClock) {}
  putObject(_bucket: string, key: string, body: Buffer): void {
    this.objects.set(key, { body, at: this.clock.now() });
  }
}

/**
 * The world of one run: the fake Kinesis's positive rows go into the Firehose twin `archive` (IntervalInSeconds
 * `describedSeconds`; the twin's knob `bufferIntervalMs` is when it really delivers), the negative rows stay on the
 * Negative stream; the SDK's Firehose and S3 calls are answered from the twin and the bucket.
 */
function world(describedSeconds: number, bufferIntervalMs: number) {
  const clock = new ManualClock();
  const streams = fakeKinesis(() => clock.now());
  const bucket = new Bucket(clock);
  const firehose = new FirehoseTwin({ s3: bucket, clock, bufferIntervalMs, warn: () => undefined });
  firehose.createDeliveryStream({
    DeliveryStreamName: 'archive',
    ExtendedS3DestinationConfiguration: {
      RoleARN: 'arn:aws:iam::000000000000:role/firehose',
      BucketARN: 'arn:aws:s3:::archive-bucket',
      Prefix: 'rows/',
      BufferingHints: { IntervalInSeconds: describedSeconds, SizeInMBs: 5 },
    },
  });
  let pumped = 0;
  const pump = async () => {
    const positive = streams.get('Positive')!.filter((r) => r.at <= clock.now());
    const fresh = positive.slice(pumped);
    pumped = positive.length;
    if (fresh.length > 0)
      await firehose.putRecordBatch({ DeliveryStreamName: 'archive', Records: fresh.map((r) => ({ Data: r.data })) });
  };
  firehoseMock
    .on(DescribeDeliveryStreamCommand)
    .callsFake((input: DescribeDeliveryStreamInput) => firehose.describeDeliveryStream(input));
  s3Mock.on(ListObjectsV2Command).callsFake(() => ({
    Contents: [...bucket.objects].map(([Key, o]) => ({ Key, LastModified: new Date(o.at), Size: o.body.length })),
  }));
  s3Mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => {
    const body = bucket.objects.get(input.Key!)!.body;
    return { Body: { transformToByteArray: async () => new Uint8Array(body) } };
  });
  const timer = {
    now: () => clock.now(),
    sleep: async (ms: number) => {
      await pump();
      await clock.advance(ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  return { clock, timer, bucket, firehose };
}

async function run(w: ReturnType<typeof world>, timeoutSeconds: number) {
  const log: { message: string; fields?: Record<string, unknown> }[] = [];
  const report = await runLoadTest(
    new KinesisClient({}),
    { sql: applicationSql, schema, inputStreamArn: arn('Input'), outputs, records: 100, rate: 1000, timeoutSeconds },
    {
      timer: w.timer,
      log: (message, fields) => log.push({ message, ...(fields ? { fields } : {}) }),
      readers: { firehose: new FirehoseClient({}), s3: new S3Client({}) },
    },
  );
  return { report, log };
}

describe('Function: runLoadTest, a Firehose output buffering longer than the timeout', () => {
  beforeEach(() => {
    kinesisMock.reset();
    firehoseMock.reset();
    s3Mock.reset();
  });

  it('waits the timeout plus the buffer interval, says it is waiting for the buffer, and counts every row', async () => {
    // Prepare: two minutes of buffering against a 30 s timeout
    const w = world(120, 120_000);

    // Act
    const { report, log } = await run(w, 30);
    await w.firehose.close();

    // Assess
    expect({ verdict: report.verdict, reasons: report.reasons }).toEqual({ verdict: 'pass', reasons: [] });
    const archive = report.outputs['archive']!;
    expect(archive).toMatchObject({ missing: 0, late: 0, duplicates: 0 });
    expect(archive.received).toBe(archive.expected);
    expect(archive.expected).toBeGreaterThan(0);
    expect(w.bucket.objects.size).toBe(1);
    // the rows came past the timeout, within the buffer
    expect(report.latencyMs.max).toBeGreaterThan(30_000);
    expect(log.filter((l) => l.message === 'waiting for the Firehose buffer')).toEqual([
      {
        message: 'waiting for the Firehose buffer',
        fields: { outputs: ['archive'], timeoutSeconds: 30, bufferSeconds: 120, outstanding: archive.expected },
      },
    ]);
  });

  it('waits no longer than the timeout plus the interval the stream describes, then reports the rows missing', async () => {
    // Prepare: the stream says 60 s, but the twin holds its buffer 10 minutes
    const w = world(60, 600_000);

    // Act
    const { report, log } = await run(w, 30);
    const endedAt = w.clock.now();
    await w.firehose.close();

    // Assess: nothing delivered in the wait; the run ended within the timeout + buffer (+ the drain), not at 10 min
    const archive = report.outputs['archive']!;
    expect(report.verdict).toBe('fail');
    expect(archive.missing).toBe(archive.expected);
    expect(report.reasons).toContain(`archive: ${archive.expected} of ${archive.expected} records missing`);
    expect(report.outputs['Negative']).toMatchObject({ missing: 0 });
    expect(endedAt - Date.parse(report.startedAt)).toBeLessThan(90_000 + 30_000);
    expect(log.some((l) => l.message === 'waiting for the Firehose buffer')).toBe(true);
  });
});
