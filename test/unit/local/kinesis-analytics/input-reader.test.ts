import { ManualClock } from '../../../../local/clock';
import { KinesisTwin } from '../../../../local/kinesis';
import { InputReader } from '../../../../local/kinesis-analytics/input-reader';
import { DEFAULT_TIMING, type RunnerTiming } from '../../../../local/kinesis-analytics/timing';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/in';

function setup(timing: Partial<RunnerTiming>) {
  const clock = new ManualClock();
  const kinesis = new KinesisTwin({ clock, limits: false });
  kinesis.call('CreateStream', { StreamName: 'in', ShardCount: 1 });
  const put = (text: string) =>
    kinesis.putRecords({ StreamName: 'in' }, [{ data: Buffer.from(text), partitionKey: 'k' }]);
  const reader = new InputReader({
    streamArn: ARN,
    position: 'TRIM_HORIZON',
    requestedAt: clock.now(),
    checkpoints: {},
    checkpointStream: undefined,
    saveCheckpoints: () => {},
    kinesis,
    clock,
    timing: { ...DEFAULT_TIMING, ...timing },
    onThrottledRead: () => {},
  });
  reader.start();
  return { clock, put, reader };
}

/** Whether `promise` settles before the event loop turns a few times (no clock moves meanwhile). */
async function settlesAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(() => {
    settled = true;
  });
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

const text = (round: Awaited<ReturnType<InputReader['read']>>) =>
  round.records.map((r) => Buffer.from(r.data).toString());

describe('Class: InputReader', () => {
  it('reads a put that came while it was busy in the very next round (no wait for the safety-net poll)', async () => {
    // Prepare: a shard read to its tip; then a put while no idle is pending
    const { put, reader } = setup({ caughtUpReadIntervalMs: 0 });
    put('first');
    expect(text(await reader.read())).toEqual(['first']);
    put('second');

    // Act
    const idled = await settlesAtOnce(reader.idle(1000));
    const round = await reader.read();

    // Assess
    expect(idled).toBe(true);
    expect(text(round)).toEqual(['second']);
    reader.stop();
  });

  it('waits, after a put, until a shard read to its tip a moment ago may be read again, then reads it', async () => {
    // Prepare
    const { clock, put, reader } = setup({ caughtUpReadIntervalMs: 1000, notifiedPollIntervalMs: 5000 });
    put('first');
    expect(text(await reader.read())).toEqual(['first']);
    const idle = reader.idle(5000);
    await clock.advance(300);
    put('second');

    // Act & Assess: not at the put, but at the shard's next read (1 s after the last), not the 5-s poll
    expect(await settlesAtOnce(idle)).toBe(false);
    await clock.advance(699);
    expect(await settlesAtOnce(idle)).toBe(false);
    await clock.advance(1);
    expect(await settlesAtOnce(idle)).toBe(true);
    expect(text(await reader.read())).toEqual(['second']);
    reader.stop();
  });
});
