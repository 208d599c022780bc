import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../../../local/clock';
import { KinesisTwin } from '../../../../local/kinesis';
import { type FunctionLogEvent, LambdaTwin } from '../../../../local/lambda';

const CODE = `exports.handler = async (event) => {
  console.log('BATCH ' + JSON.stringify(event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString())));
  return {};
};`;
const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/in';

/** Real time for the worker threads to answer, while the twin's clock stands still. */
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Event source mappings on a ManualClock: when batches are delivered', () => {
  let dir: string;
  let clock: ManualClock;
  let kinesis: KinesisTwin;
  let lambda: LambdaTwin;
  const logs: string[] = [];
  /** When (on the twin's clock) each invocation started. */
  const starts: number[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lambda-push-'));
    writeFileSync(join(dir, 'index.js'), CODE);
    logs.length = 0;
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    kinesis = new KinesisTwin({ clock, limits: false });
    // a poll period far longer than any wait below: only a push can deliver in time
    lambda = new LambdaTwin({ kinesis, clock, pollIntervalMs: 60_000, retryDelayMs: 1 });
    lambda.onLog = (_fn, chunk) => logs.push(chunk);
    starts.length = 0;
    lambda.onFunctionLog((e: FunctionLogEvent) => {
      if (e.message.startsWith('START')) starts.push(e.timestamp);
    });
    await kinesis.handle('CreateStream', { StreamName: 'in', ShardCount: 1 });
    await clock.advance(0);
    await lambda.createFunction({
      Role: 'arn:aws:iam::000000000000:role/lambda-role',
      FunctionName: 'consume',
      Handler: 'index.handler',
      Code: { Directory: dir },
    });
  });

  afterEach(async () => {
    await lambda.close();
    await kinesis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (items: string[]): void => {
    kinesis.putRecords(
      { StreamName: 'in' },
      items.map((d) => ({ data: Buffer.from(d), partitionKey: 'k' })),
    );
  };
  const batches = (): string[][] =>
    logs
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('BATCH '))
      .map((l) => JSON.parse(l.slice(6)) as string[]);

  /** Moves the clock in steps of `step` ms, giving the workers real time, until `done` or `limit` ms. */
  async function advanceUntil(done: () => boolean, step: number, limit: number): Promise<number> {
    let moved = 0;
    for (let real = 0; real < 200 && !done(); real++) {
      if (moved < limit) {
        await clock.advance(step);
        moved += step;
      }
      await pause(10);
    }
    return moved;
  }

  async function consumer(): Promise<string> {
    const out = (await kinesis.handle('RegisterStreamConsumer', { StreamARN: STREAM, ConsumerName: 'c' })) as {
      Consumer: { ConsumerARN: string };
    };
    await clock.advance(0);
    return out.Consumer.ConsumerARN;
  }

  /** A mapping of the function `consume`, Enabled, its workers given real time to settle. */
  async function enabledMapping(input: Omit<Parameters<LambdaTwin['createEventSourceMapping']>[0], 'FunctionName'>) {
    const created = await lambda.createEventSourceMapping({ FunctionName: 'consume', ...input });
    const m = lambda.mapping(created.UUID!);
    await advanceUntil(() => m.state === 'Enabled', 10, 100);
    await pause(50);
    return m;
  }

  /** The same through an enhanced fan-out consumer, at LATEST, with its subscription settled on the clock. */
  async function enabledConsumerMapping(
    settings: { MaximumBatchingWindowInSeconds?: number; BatchSize?: number } = {},
  ) {
    const m = await enabledMapping({ EventSourceArn: await consumer(), StartingPosition: 'LATEST', ...settings });
    await clock.advance(100);
    return m;
  }

  it('pushes records to an enhanced fan-out mapping as they arrive, without waiting for a poll', async () => {
    // Prepare
    const m = await enabledConsumerMapping();

    // Act
    const putAt = clock.now();
    put(['a', 'b']);
    await advanceUntil(() => m.stats.records >= 2 && batches().length >= 1, 10, 1000);

    // Assess
    expect(batches()).toEqual([['a', 'b']]);
    // the subscription looks for new records every 50 ms; a poller would wait its 60 s
    expect(starts[0]! - putAt).toBeLessThanOrEqual(60);
  });

  it('wakes an enhanced fan-out subscription on the put itself: the batch starts with no time passing', async () => {
    // Prepare
    const m = await enabledConsumerMapping();

    // Act: the clock only fires what is due now (advance(0)), so the subscription's 50 ms look never comes
    const putAt = clock.now();
    put(['a', 'b']);
    await advanceUntil(() => m.stats.records >= 2 && batches().length >= 1, 0, 1000);

    // Assess
    expect(batches()).toEqual([['a', 'b']]);
    expect(starts[0]).toBe(putAt);
  });

  it('gathers records for MaximumBatchingWindowInSeconds before invoking, unless the batch fills', async () => {
    // Prepare
    const m = await enabledConsumerMapping({ MaximumBatchingWindowInSeconds: 2, BatchSize: 3 });

    // Act
    const putAt = clock.now();
    put(['a', 'b']);
    await advanceUntil(() => m.stats.records >= 2, 50, 3_000);
    const fullAt = clock.now();
    put(['c', 'd', 'e']);
    await advanceUntil(() => m.stats.records >= 5 && batches().length >= 2, 10, 100);

    // Assess
    expect(batches()).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
    ]);
    expect(starts[0]! - putAt).toBeGreaterThanOrEqual(2_000);
    expect(starts[0]! - putAt).toBeLessThanOrEqual(2_100);
    expect(starts[1]! - fullAt).toBeLessThanOrEqual(60);
  });

  it('polls a stream mapping once per poll period when idle, and delivers what one poll finds at once', async () => {
    // Prepare
    const m = await enabledMapping({ EventSourceArn: STREAM, StartingPosition: 'TRIM_HORIZON' });

    // Act
    const putAt = clock.now();
    put(['a']);
    await advanceUntil(() => m.stats.records >= 1 && batches().length >= 1, 1_000, 70_000);

    // Assess
    expect(batches()).toEqual([['a']]);
    // the first poll found nothing; the next one comes a poll period later and delivers at once
    expect(starts[0]! - putAt).toBeGreaterThan(50_000);
    expect(starts[0]! - putAt).toBeLessThanOrEqual(61_000);
  });
});
