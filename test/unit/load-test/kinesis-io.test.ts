import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ProvisionedThroughputExceededException,
  PutRecordsCommand,
  type PutRecordsCommandInput,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ConsumedRecord, consume, produce, READ_INTERVAL_MS } from '../../../src/load-test/kinesis-io';

const kinesisMock = mockClient(KinesisClient);
const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/Input';

/** Time that moves only when someone sleeps: the tests run instantly and can check the pacing exactly. */
function virtualTimer(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
  };
}

function record(seq: number) {
  return { data: Buffer.from(`r${seq}`), partitionKey: `k${seq % 2}` };
}

const throttled = () =>
  new ProvisionedThroughputExceededException({ message: 'Rate exceeded for shard', $metadata: {} });

describe('Function: produce', () => {
  beforeEach(() => kinesisMock.reset());

  it('puts throttled entries again, ahead of new ones, and counts each throttle', async () => {
    // Prepare
    let call = 0;
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
      call++;
      return {
        FailedRecordCount: call === 1 ? 2 : 0,
        Records: input.Records!.map((_, i) =>
          call === 1 && i < 2
            ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }
            : { SequenceNumber: `${call}-${i}`, ShardId: 'shardId-000000000000' },
        ),
      };
    });
    const sent: number[] = [];
    let throttles = 0;

    // Act
    const result = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total: 4,
      rate: 1000,
      record,
      onSent: (seq) => sent.push(seq),
      onThrottle: (n) => {
        throttles += n;
      },
      timer: virtualTimer(),
    });

    // Assess
    expect(result).toMatchObject({ sent: 4, failed: 0 });
    expect(throttles).toBe(2);
    expect(sent).toEqual([2, 3, 0, 1]);
    const second = kinesisMock.commandCalls(PutRecordsCommand)[1]!.args[0].input;
    expect(second.Records!.map((r) => Buffer.from(r.Data!).toString())).toEqual(['r0', 'r1']);
  });

  it('keeps to the target rate and to 500 entries per call', async () => {
    // Prepare
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
      FailedRecordCount: 0,
      Records: input.Records!.map((_, i) => ({ SequenceNumber: String(i), ShardId: 's' })),
    }));
    const timer = virtualTimer(0);

    // Act
    const slow = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total: 50,
      rate: 100,
      record,
      onSent: () => {},
      onThrottle: () => {},
      timer,
    });
    const fast = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total: 12_000,
      rate: 100_000,
      record,
      onSent: () => {},
      onThrottle: () => {},
      timer: virtualTimer(0),
    });

    // Assess: 50 records at 100/s take about half a second (the first batch goes at once)
    expect(slow.endedAt - slow.startedAt).toBeGreaterThanOrEqual(440);
    expect(slow.endedAt - slow.startedAt).toBeLessThanOrEqual(500);
    expect(fast.sent).toBe(12_000);
    const sizes = kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input.Records!.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
  });

  it('settles near what the shard takes when the target rate is above it', async () => {
    // Prepare: a shard that takes 100 records per second of virtual time and throttles the rest
    const timer = virtualTimer(0);
    const taken = new Map<number, number>();
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
      const second = Math.floor(timer.now() / 1000);
      const records = input.Records!.map(() => {
        const n = taken.get(second) ?? 0;
        if (n >= 100) return { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' };
        taken.set(second, n + 1);
        return { SequenceNumber: String(n), ShardId: 's' };
      });
      return { FailedRecordCount: records.filter((r) => 'ErrorCode' in r).length, Records: records };
    });
    let throttles = 0;

    // Act
    const result = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total: 1000,
      rate: 400,
      record,
      onSent: () => {},
      onThrottle: (n) => {
        throttles += n;
      },
      timer,
    });

    // Assess: everything lands, and the producer does not keep putting at four times what the shard takes
    expect(result.sent).toBe(1000);
    expect(throttles).toBeGreaterThan(0);
    // a fixed pace with back-off alone meets about 780 throttles here
    expect(throttles).toBeLessThan(600);
  });

  it('gives up on an entry that keeps failing for another reason, and says why', async () => {
    // Prepare
    kinesisMock.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }],
    });

    // Act
    const result = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total: 1,
      rate: 10,
      record,
      onSent: () => {},
      onThrottle: () => {},
      timer: virtualTimer(),
    });

    // Assess
    expect(result).toMatchObject({ sent: 0, failed: 1, firstError: 'InternalFailure: boom' });
    expect(kinesisMock).toHaveReceivedCommandTimes(PutRecordsCommand, 10);
  });
});

describe('Function: produce (lanes)', () => {
  beforeEach(() => kinesisMock.reset());

  it('keeps several calls in flight on a slow endpoint, each partition key in order', async () => {
    // Prepare: every call answers after 0-10 ms of real time while the producer's (virtual) time moves on at once,
    // so later lanes start while earlier calls are out, and calls in flight finish in any order
    let inFlight = 0;
    let most = 0;
    kinesisMock.on(PutRecordsCommand).callsFake(async (input: PutRecordsCommandInput) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
      inFlight--;
      return { FailedRecordCount: 0, Records: input.Records!.map(() => ({ SequenceNumber: '1', ShardId: 's' })) };
    });
    const key = (seq: number) => `k${seq % 8}`;
    const acked: number[] = [];
    const timer = virtualTimer();

    // Act
    const result = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total: 2000,
      rate: 20_000,
      record: (seq) => ({ data: Buffer.from(`r${seq}`), partitionKey: key(seq) }),
      partitionKeyOf: key,
      onSent: (seq) => acked.push(seq),
      onThrottle: () => {},
      timer,
    });

    // Assess
    expect(result).toMatchObject({ sent: 2000, failed: 0 });
    expect(new Set(acked).size).toBe(2000);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
    for (let k = 0; k < 8; k++) {
      const ofKey = acked.filter((seq) => key(seq) === `k${k}`);
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b));
    }
  });
});

describe('Function: produce (lanes and keys)', () => {
  beforeEach(() => kinesisMock.reset());

  /** Puts `total` records of `keys` keys taken in turn; returns each call's keys and the most calls in flight. */
  async function run(keys: number, rate: number, total: number) {
    const calls: string[][] = [];
    let inFlight = 0;
    let most = 0;
    kinesisMock.on(PutRecordsCommand).callsFake(async (input: PutRecordsCommandInput) => {
      inFlight++;
      most = Math.max(most, inFlight);
      calls.push(input.Records!.map((r) => r.PartitionKey!));
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
      return { FailedRecordCount: 0, Records: input.Records!.map(() => ({ SequenceNumber: '1', ShardId: 's' })) };
    });
    const key = (seq: number) => `k${seq % keys}`;
    const result = await produce(new KinesisClient({}), {
      streamArn: STREAM,
      total,
      rate,
      record: (seq) => ({ data: Buffer.from(`r${seq}`), partitionKey: key(seq) }),
      partitionKeyOf: key,
      keyCount: keys,
      onSent: () => {},
      onThrottle: () => {},
      timer: virtualTimer(),
    });
    return { result, calls, most };
  }

  it('takes every key in one lane when the keys are fewer than a call holds: any 100 records in a row differ in key', async () => {
    // Act: 100 keys at 10,000/s (calls of 500)
    const { result, calls, most } = await run(100, 10_000, 2000);

    // Assess: one call at a time, each cycling through all 100 keys
    expect(result).toMatchObject({ sent: 2000, failed: 0 });
    expect(most).toBe(1);
    const stored = calls.flat();
    expect(stored).toHaveLength(2000);
    for (let i = 0; i + 100 <= stored.length; i += 50) expect(new Set(stored.slice(i, i + 100)).size).toBe(100);
  });

  it('runs lanes once each has a call of keys of its own, and no call carries a key twice', async () => {
    // Act: 4,000 keys at 10,000/s: 8 calls' worth of keys, lanes capped at 4
    const { result, calls, most } = await run(4000, 10_000, 8000);

    // Assess
    expect(result).toMatchObject({ sent: 8000, failed: 0 });
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(4);
    for (const keys of calls) expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('Function: consume', () => {
  beforeEach(() => {
    kinesisMock.reset();
    kinesisMock.on(ListShardsCommand).resolves({
      Shards: [
        {
          ShardId: 'shardId-000000000000',
          HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' },
          SequenceNumberRange: { StartingSequenceNumber: '0' },
        },
      ],
    });
  });

  it('reads from the start time, backs off when throttled, keeps within the read rate and drains', async () => {
    // Prepare
    const timer = virtualTimer();
    const callTimes: number[] = [];
    const from = new Date(1_000_000 - 5000);
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it-0' });
    let call = 0;
    kinesisMock.on(GetRecordsCommand).callsFake(() => {
      callTimes.push(timer.now());
      call++;
      if (call === 1) throw throttled();
      if (call === 2)
        return {
          Records: [
            {
              SequenceNumber: '1',
              Data: Buffer.from('a'),
              PartitionKey: 'k',
              ApproximateArrivalTimestamp: new Date(1_000_100),
            },
          ],
          NextShardIterator: 'it-1',
          MillisBehindLatest: 0,
        };
      return { Records: [], NextShardIterator: `it-${call}`, MillisBehindLatest: 0 };
    });
    const got: ConsumedRecord[] = [];
    let throttles = 0;

    // Act
    await consume(new KinesisClient({}), {
      streamArn: STREAM,
      from,
      timer,
      onRecords: (records) => got.push(...records),
      onThrottle: () => throttles++,
      state: () => (call >= 2 ? 'drain' : 'go'),
    });

    // Assess
    expect(kinesisMock).toHaveReceivedCommandWith(GetShardIteratorCommand, {
      StreamARN: STREAM,
      ShardId: 'shardId-000000000000',
      ShardIteratorType: 'AT_TIMESTAMP',
      Timestamp: from,
    });
    expect(throttles).toBe(1);
    expect(got).toEqual([
      {
        shardId: 'shardId-000000000000',
        arrivalMs: 1_000_100,
        data: Buffer.from('a'),
        partitionKey: 'k',
        sequenceNumber: '1',
        subSequenceNumber: 0,
      },
    ]);
    expect(call).toBe(3);
    const gaps = callTimes.slice(1).map((t, i) => t - callTimes[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(READ_INTERVAL_MS);
    // after a throttle the next read waits longer than the normal interval
    expect(gaps[0]).toBeGreaterThan(READ_INTERVAL_MS);
  });

  it('paces GetRecords against the last GetRecords only: the first read and a new iterator do not wait for it', async () => {
    // Prepare
    const timer = virtualTimer();
    const calls: Array<[string, number]> = [];
    kinesisMock.on(GetShardIteratorCommand).callsFake(() => {
      calls.push(['iterator', timer.now()]);
      return { ShardIterator: 'it' };
    });
    let reads = 0;
    kinesisMock.on(GetRecordsCommand).callsFake(() => {
      calls.push(['read', timer.now()]);
      reads++;
      if (reads === 2) throw new ExpiredIteratorException({ message: 'expired', $metadata: {} });
      return { Records: [], NextShardIterator: 'next', MillisBehindLatest: reads === 1 ? 10 : 0 };
    });

    // Act
    await consume(new KinesisClient({}), {
      streamArn: STREAM,
      from: new Date(0),
      timer,
      onRecords: () => {},
      onThrottle: () => {},
      state: () => 'drain',
    });

    // Assess: iterator, read at once; read one interval later (expired); a new iterator at once; the read after it
    // one interval after the last read
    const start = 1_000_000;
    expect(calls).toEqual([
      ['iterator', start],
      ['read', start],
      ['read', start + READ_INTERVAL_MS],
      ['iterator', start + READ_INTERVAL_MS],
      ['read', start + 2 * READ_INTERVAL_MS],
    ]);
  });

  it('resumes after the last record read when its iterator expires', async () => {
    // Prepare
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'fresh' });
    let call = 0;
    kinesisMock.on(GetRecordsCommand).callsFake(() => {
      call++;
      if (call === 1)
        return {
          Records: [{ SequenceNumber: '41', Data: Buffer.from('a'), PartitionKey: 'k' }],
          NextShardIterator: 'old',
          MillisBehindLatest: 5,
        };
      if (call === 2) throw new ExpiredIteratorException({ message: 'expired', $metadata: {} });
      return { Records: [], NextShardIterator: 'next', MillisBehindLatest: 0 };
    });

    // Act
    await consume(new KinesisClient({}), {
      streamArn: STREAM,
      from: new Date(0),
      timer: virtualTimer(),
      onRecords: () => {},
      onThrottle: () => {},
      state: () => (call >= 2 ? 'drain' : 'go'),
    });

    // Assess
    expect(kinesisMock).toHaveReceivedCommandWith(GetShardIteratorCommand, {
      ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
      StartingSequenceNumber: '41',
    });
  });

  it('stops a shard once it read a record from `until` on, and says how each read ended', async () => {
    // Prepare: a shard that always has more (a producer writing on)
    let call = 0;
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    kinesisMock.on(GetRecordsCommand).callsFake(() => {
      call++;
      return {
        Records: [
          {
            SequenceNumber: String(call),
            Data: Buffer.from('a'),
            PartitionKey: 'k',
            ApproximateArrivalTimestamp: new Date(1000 * call),
          },
        ],
        NextShardIterator: `it-${call}`,
        MillisBehindLatest: 0,
      };
    });
    const options = { streamArn: STREAM, from: new Date(0), onRecords: () => {}, onThrottle: () => {} };

    // Act
    const untilRead = await consume(new KinesisClient({}), {
      ...options,
      timer: virtualTimer(),
      until: 3000,
      state: () => 'go',
    });
    call = 0;
    const stopped = await consume(new KinesisClient({}), {
      ...options,
      timer: virtualTimer(),
      state: () => (call >= 2 ? 'stop' : 'go'),
    });

    // Assess
    expect(untilRead).toEqual([{ shardId: 'shardId-000000000000', ended: 'until', lastArrivalMs: 3000 }]);
    expect(stopped).toEqual([{ shardId: 'shardId-000000000000', ended: 'stopped', lastArrivalMs: 2000 }]);
  });

  it('stops at a closed shard', async () => {
    // Prepare
    kinesisMock.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
    kinesisMock.on(GetRecordsCommand).resolves({ Records: [], MillisBehindLatest: 0 });

    // Act
    await consume(new KinesisClient({}), {
      streamArn: STREAM,
      from: new Date(0),
      timer: virtualTimer(),
      onRecords: () => {},
      onThrottle: () => {},
      state: () => 'go',
    });

    // Assess
    expect(kinesisMock).toHaveReceivedCommandTimes(GetRecordsCommand, 1);
  });
});
