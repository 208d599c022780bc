import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ManualClock } from '../../../../local/clock';
import { FirehoseTwin, type ObjectSink, objectKey } from '../../../../local/firehose';

const ROLE = 'arn:aws:iam::000000000000:role/firehose';
const START = Date.UTC(2026, 4, 7, 9, 5, 3);

/** An S3 that keeps objects in a map, and can be told to refuse (a missing bucket). */
class Sink implements ObjectSink {
  readonly objects = new Map<string, Buffer>();
  refuse = false;
  putObject(bucket: string, key: string, body: Buffer): void {
    if (this.refuse) throw Object.assign(new Error('The specified bucket does not exist'), { name: 'NoSuchBucket' });
    this.objects.set(`${bucket}/${key}`, body);
  }
}

function create(twin: FirehoseTwin, name: string, extra: Record<string, unknown> = {}): void {
  twin.createDeliveryStream({
    DeliveryStreamName: name,
    ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', ...extra },
  });
}

const put = (twin: FirehoseTwin, name: string, ...texts: string[]) =>
  twin.putRecordBatch({ DeliveryStreamName: name, Records: texts.map((t) => ({ Data: Buffer.from(t) })) });

describe('Firehose twin: delivery to S3', () => {
  let clock: ManualClock;
  let sink: Sink;
  let twin: FirehoseTwin;

  beforeEach(() => {
    clock = new ManualClock(START);
    sink = new Sink();
    twin = new FirehoseTwin({ s3: sink, clock, warn: () => undefined });
  });

  afterEach(() => twin.close());

  it('names objects as Firehose does: prefix, UTC hour path, stream-version-time-uuid', () => {
    const key = objectKey({ name: 'events', version: 1, s3: { prefix: 'raw/' } as never }, START);
    expect(key).toMatch(/^raw\/2026\/05\/07\/09\/events-1-2026-05-07-09-05-03-[0-9a-f-]{36}$/);
    const gz = objectKey({ name: 'e', version: 2, s3: { prefix: '', compression: 'GZIP' } as never }, START);
    expect(gz).toMatch(/^2026\/05\/07\/09\/e-2-2026-05-07-09-05-03-[0-9a-f-]{36}\.gz$/);
    const custom = objectKey(
      { name: 'e', version: 1, s3: { prefix: 'y=!{timestamp:yyyy}/m=!{timestamp:MM}/' } as never },
      START,
    );
    expect(custom).toMatch(/^y=2026\/m=05\/e-1-2026-05-07-09-05-03-/);
  });

  it('holds records until the buffering interval has passed since the oldest, then writes one object', async () => {
    create(twin, 'slow', { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } });
    await put(twin, 'slow', 'a\n', 'b\n');
    await clock.advance(30_000);
    await put(twin, 'slow', 'c\n');
    await clock.advance(29_999);
    expect(sink.objects.size).toBe(0);
    await clock.advance(1);
    expect([...sink.objects.values()].map(String)).toEqual(['a\nb\nc\n']);
    expect([...sink.objects.keys()][0]).toMatch(/^bucket\/2026\/05\/07\/09\/slow-1-2026-05-07-09-05-03-/);
    expect(twin.state('slow')).toMatchObject({ buffered: 0, objects: 1 });
  });

  it('writes as soon as the buffer reaches SizeInMBs, objects never larger than that', async () => {
    create(twin, 'big', { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 } });
    const record = 'x'.repeat(400 * 1024);
    await put(twin, 'big', record, record, record);
    await clock.advance(0);
    const sizes = [...sink.objects.values()].map((b) => b.length);
    expect(sizes).toEqual([800 * 1024, 400 * 1024]);
  });

  it('GZIPs the object when CompressionFormat is GZIP', async () => {
    create(twin, 'zip', { CompressionFormat: 'GZIP', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } });
    await put(twin, 'zip', 'hello ', 'world');
    await clock.advance(0);
    const [[key, body]] = [...sink.objects];
    expect(key).toMatch(/\.gz$/);
    expect(gunzipSync(body).toString()).toBe('hello world');
  });

  it('keeps the records when S3 refuses and delivers them, in order, once it takes them', async () => {
    create(twin, 'retry', { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 0 } });
    sink.refuse = true;
    await put(twin, 'retry', '1,');
    await clock.advance(0);
    await put(twin, 'retry', '2,');
    await clock.advance(5_000);
    expect(twin.state('retry')).toMatchObject({
      buffered: 2,
      objects: 0,
      lastError: expect.stringContaining('NoSuchBucket'),
    });
    sink.refuse = false;
    await clock.advance(60_000);
    expect([...sink.objects.values()].map(String).join('')).toBe('1,2,');
    expect(twin.state('retry').buffered).toBe(0);
  });

  it('delivers what is buffered when the twin closes', async () => {
    create(twin, 'bye');
    await put(twin, 'bye', 'last');
    await twin.close();
    expect([...sink.objects.values()].map(String)).toEqual(['last']);
  });

  it('fails exact shares of records and calls when faults are injected', async () => {
    create(twin, 'flaky');
    twin.setFaults('flaky', { failRecords: 0.25 });
    const out = await put(twin, 'flaky', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    expect(out.FailedPutCount).toBe(2);
    expect(out.RequestResponses.map((r) => r.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ok',
      'ServiceUnavailableException',
      'ok',
      'ok',
      'ok',
      'ServiceUnavailableException',
    ]);
    twin.setFaults('flaky', { throttleCalls: 1 });
    await expect(put(twin, 'flaky', 'z')).rejects.toMatchObject({
      name: 'ServiceUnavailableException',
      message: 'Slow down.',
    });
  });

  it('takes faults on its options, counts what they did, and never delivers a record it failed', async () => {
    // Prepare
    const flaky = new FirehoseTwin({
      s3: sink,
      clock,
      bufferIntervalMs: 0,
      warn: () => undefined,
      faults: { flaky: { failRecords: 0.5, throttleCalls: 0.5 } },
    });
    create(flaky, 'flaky');

    // Act: the first call goes through (half its records failed), the second is refused whole
    const first = await put(flaky, 'flaky', 'a', 'b', 'c', 'd');
    const second = put(flaky, 'flaky', 'e');
    await expect(second).rejects.toMatchObject({ name: 'ServiceUnavailableException' });
    await clock.advance(0);

    // Assess
    expect(first.FailedPutCount).toBe(2);
    expect(flaky.faultCounts('flaky')).toEqual({ failedRecords: 2, throttledCalls: 1 });
    expect(flaky.faultCounts('other')).toEqual({ failedRecords: 0, throttledCalls: 0 });
    expect([...sink.objects.values()].map(String).join('')).toBe('ac');
    expect(() => flaky.setFaults('flaky', { failRecords: 2 })).toThrow(/between 0 and 1/);
    await flaky.close();
  });

  it('refuses what it cannot deliver as asked, with InvalidArgumentException', () => {
    expect(() => create(twin, 'x', { CompressionFormat: 'Snappy' })).toThrow(/CompressionFormat Snappy/);
    expect(() => create(twin, 'y', { Prefix: 'p/!{timestamp:yyyy}/' })).toThrow(/ErrorOutputPrefix/);
    expect(() => create(twin, 'z', { Prefix: '!{partitionKeyFromQuery:id}/', ErrorOutputPrefix: 'e/' })).toThrow(
      /not supported/,
    );
  });
});

describe('Firehose twin: durability with a data dir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'firehose-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives back the streams and the records still owed to S3 after a restart, and delivers them', async () => {
    // Prepare: a twin whose S3 is down takes records, then stops without delivering them
    const clock = new ManualClock(START);
    const down = new Sink();
    down.refuse = true;
    const first = new FirehoseTwin({ s3: down, clock, dataDir: dir, fsync: false, warn: () => undefined });
    create(first, 'kept', { Prefix: 'k/', BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 } });
    await put(first, 'kept', 'one;', 'two;');
    await first.close();

    // Act: the twin comes back with S3 up
    const up = new Sink();
    const second = new FirehoseTwin({ s3: up, clock, dataDir: dir, fsync: false });
    await clock.advance(60_000);

    // Assess
    expect(second.describeDeliveryStream({ DeliveryStreamName: 'kept' }).DeliveryStreamDescription).toMatchObject({
      DeliveryStreamStatus: 'ACTIVE',
    });
    expect([...up.objects.values()].map(String)).toEqual(['one;two;']);
    await second.close();
    const third = new FirehoseTwin({ s3: up, clock, dataDir: dir, fsync: false });
    expect(third.state('kept')).toMatchObject({ buffered: 0 });
    await third.close();
  });
});
