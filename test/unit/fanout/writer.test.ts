import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  chunks,
  type KinesisPut,
  KinesisWriter,
  MAX_RECORD_BYTES,
  type PutEntry,
  type PutOutcome,
  sdkKinesisPut,
  type TaggedEntry,
} from '../../../src/fanout/writer';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/Out';

function entries(count: number, size = 10): TaggedEntry<number>[] {
  return Array.from({ length: count }, (_, i) => ({
    entry: { data: Buffer.alloc(size, i % 256), partitionKey: `pk-${i}` },
    tag: i,
  }));
}

/** A PutRecords port whose answer for each record is decided by `decide(tag of the record, call number)`. */
class ScriptedPut implements KinesisPut {
  readonly calls: PutEntry[][] = [];
  readonly stored: PutEntry[] = [];
  constructor(
    private readonly decide: (entry: PutEntry, call: number) => PutOutcome | 'throw-throttle' | 'throw-bad' = () => ({
      ok: true,
    }),
  ) {}

  async putRecords(_arn: string, batch: readonly PutEntry[]): Promise<PutOutcome[]> {
    const call = this.calls.length;
    this.calls.push([...batch]);
    const outcomes = batch.map((e) => this.decide(e, call));
    if (outcomes.includes('throw-bad')) {
      throw Object.assign(new Error('1 validation error detected'), { name: 'ValidationException' });
    }
    if (outcomes.includes('throw-throttle')) {
      throw Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' });
    }
    return (outcomes as PutOutcome[]).map((o, i) => {
      if (o.ok) this.stored.push(batch[i]!);
      return o;
    });
  }
}

const throttled: PutOutcome = {
  ok: false,
  errorCode: 'ProvisionedThroughputExceededException',
  errorMessage: 'Rate exceeded for shard shardId-000000000000',
};

describe('Function: chunks', () => {
  it('splits at 500 records a call', () => {
    // Act
    const calls = chunks(entries(1201));

    // Assess
    expect(calls.map((c) => c.length)).toEqual([500, 500, 201]);
  });

  it('splits at 5 MiB a call, partition keys included, keeping the order', () => {
    // Prepare: six records of just under 1 MiB each
    const big = entries(6, MAX_RECORD_BYTES - 100);

    // Act
    const calls = chunks(big);

    // Assess
    expect(calls.map((c) => c.length)).toEqual([5, 1]);
    expect(calls.flat().map((c) => c.tag)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('Class: KinesisWriter', () => {
  const sleep = jest.fn(async (_ms: number) => {});
  beforeEach(() => sleep.mockClear());

  describe('Method: write', () => {
    it('writes every record in calls of at most 500', async () => {
      // Prepare
      const port = new ScriptedPut();
      const writer = new KinesisWriter({ port, sleep });

      // Act
      const result = await writer.write(ARN, entries(1200));

      // Assess
      expect(result.written).toHaveLength(1200);
      expect(result.failed).toEqual([]);
      expect(port.calls.map((c) => c.length)).toEqual([500, 500, 200]);
      expect(sleep).not.toHaveBeenCalled();
    });

    it('retries only the records a call failed, after a backoff', async () => {
      // Prepare: records 3 and 7 are throttled on the first call only
      const port = new ScriptedPut((e, call) =>
        call === 0 && ['pk-3', 'pk-7'].includes(e.partitionKey) ? throttled : { ok: true },
      );
      const writer = new KinesisWriter({ port, sleep, random: () => 0.5 });

      // Act
      const result = await writer.write(ARN, entries(10));

      // Assess
      expect(result.written.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(result.retried).toBe(2);
      expect(port.calls[1]!.map((e) => e.partitionKey)).toEqual(['pk-3', 'pk-7']);
      expect(sleep).toHaveBeenCalledTimes(1);
      expect(sleep).toHaveBeenCalledWith(50);
    });

    it('reports records that still fail after every attempt, with their error', async () => {
      // Prepare
      const port = new ScriptedPut((e) => (e.partitionKey === 'pk-1' ? throttled : { ok: true }));
      const writer = new KinesisWriter({ port, sleep, retry: { maxAttempts: 4 } });

      // Act
      const result = await writer.write(ARN, entries(3));

      // Assess
      expect(result.written.sort()).toEqual([0, 2]);
      expect(result.failed).toEqual([{ tag: 1, errorCode: throttled.errorCode, errorMessage: throttled.errorMessage }]);
      expect(port.calls).toHaveLength(4);
      expect(sleep).toHaveBeenCalledTimes(3);
    });

    it('bisects a call refused for one bad record, writes the others, rejects the bad one', async () => {
      // Prepare: the whole call fails while record 5 is in it
      const port = new ScriptedPut((e) => (e.partitionKey === 'pk-5' ? 'throw-bad' : { ok: true }));
      const writer = new KinesisWriter({ port, sleep });

      // Act
      const result = await writer.write(ARN, entries(8));

      // Assess
      expect(result.written.sort()).toEqual([0, 1, 2, 3, 4, 6, 7]);
      expect(result.rejected).toEqual([
        { tag: 5, errorCode: 'ValidationException', errorMessage: '1 validation error detected' },
      ]);
      expect(result.failed).toEqual([]);
      expect(result.bisections).toBe(3);
      expect(sleep).not.toHaveBeenCalled();
    });

    it('rejects a record over 1 MiB or with an empty partition key without sending it', async () => {
      // Prepare
      const port = new ScriptedPut();
      const writer = new KinesisWriter({ port, sleep });
      const items: TaggedEntry<string>[] = [
        { entry: { data: Buffer.alloc(MAX_RECORD_BYTES), partitionKey: 'k' }, tag: 'big' },
        { entry: { data: Buffer.from('{}'), partitionKey: '' }, tag: 'no-key' },
        { entry: { data: Buffer.from('{}'), partitionKey: 'k' }, tag: 'fine' },
      ];

      // Act
      const result = await writer.write(ARN, items);

      // Assess
      expect(result.written).toEqual(['fine']);
      expect(result.rejected.map((r) => r.tag)).toEqual(['big', 'no-key']);
      expect(port.calls).toEqual([[items[2]!.entry]]);
    });

    it('counts a partition key in characters: 256 is taken, 257 refused, 200 emoji (400 UTF-16 units) taken', async () => {
      // Prepare
      const port = new ScriptedPut();
      const writer = new KinesisWriter({ port, sleep });
      const items: TaggedEntry<string>[] = [
        { entry: { data: Buffer.from('{}'), partitionKey: 'k'.repeat(256) }, tag: '256' },
        { entry: { data: Buffer.from('{}'), partitionKey: 'k'.repeat(257) }, tag: '257' },
        { entry: { data: Buffer.from('{}'), partitionKey: '\u{1F600}'.repeat(200) }, tag: 'emoji' },
        { entry: { data: Buffer.from('{}'), partitionKey: '\u{1F600}'.repeat(257) }, tag: 'emoji-257' },
      ];

      // Act
      const result = await writer.write(ARN, items);

      // Assess
      expect(result.written).toEqual(['256', 'emoji']);
      expect(result.rejected).toEqual([
        expect.objectContaining({ tag: '257', errorMessage: expect.stringContaining('got 257') }),
        expect.objectContaining({ tag: 'emoji-257', errorMessage: expect.stringContaining('got 257') }),
      ]);
    });

    it('retries a call that failed as a whole and counts its records as possible duplicates', async () => {
      // Prepare
      const port = new ScriptedPut((_e, call) => (call === 0 ? 'throw-throttle' : { ok: true }));
      const writer = new KinesisWriter({ port, sleep });

      // Act
      const result = await writer.write(ARN, entries(4));

      // Assess
      expect(result.written).toHaveLength(4);
      expect(result.possibleDuplicates).toBe(4);
      expect(port.calls).toHaveLength(2);
    });
  });

  describe('Partition key order', () => {
    it("puts a key's n-th record in a later call than its (n-1)-th, other keys together", async () => {
      // Prepare
      const port = new ScriptedPut();
      const writer = new KinesisWriter({ port, sleep });
      const items = ['a', 'a', 'b', 'a', 'c', 'b'].map((key, tag) => ({
        entry: { data: Buffer.from([tag]), partitionKey: key },
        tag,
      }));

      // Act
      const result = await writer.write(ARN, items);

      // Assess
      expect(port.calls.map((call) => call.map((e) => e.data[0]))).toEqual([[0, 2, 4], [1, 5], [3]]);
      expect(result.written).toHaveLength(6);
      expect(sleep).not.toHaveBeenCalled();
    });

    it("never writes a key's later record before an earlier one that was throttled", async () => {
      // Prepare: the first record of key a is throttled on the first call only
      const port = new ScriptedPut((e, call) => (call === 0 && e.data[0] === 0 ? throttled : { ok: true }));
      const writer = new KinesisWriter({ port, sleep });
      const items = ['a', 'a', 'b', 'a'].map((key, i) => ({
        entry: { data: Buffer.from([i]), partitionKey: key },
        tag: i,
      }));

      // Act
      const result = await writer.write(ARN, items);

      // Assess
      expect(result.written.sort()).toEqual([0, 1, 2, 3]);
      expect(port.stored.filter((e) => e.partitionKey === 'a').map((e) => e.data[0])).toEqual([0, 1, 3]);
      expect(port.calls.every((call) => new Set(call.map((e) => e.partitionKey)).size === call.length)).toBe(true);
      expect(sleep).toHaveBeenCalledTimes(1);
    });

    it('keeps writing the other keys while one key waits', async () => {
      // Prepare: key a is throttled on the first call
      const port = new ScriptedPut((e, call) => (call === 0 && e.partitionKey === 'a' ? throttled : { ok: true }));
      const writer = new KinesisWriter({ port, sleep });
      const items = ['a', 'b', 'a', 'b'].map((key, i) => ({
        entry: { data: Buffer.from([i]), partitionKey: key },
        tag: i,
      }));

      // Act
      const result = await writer.write(ARN, items);

      // Assess
      expect(port.stored.map((e) => e.data[0])).toEqual([1, 3, 0, 2]);
      expect(result.failed).toEqual([]);
    });
  });

  describe('Option: maxAttempts Infinity, with an AbortSignal', () => {
    it('retries until the signal is aborted, then returns what is left as failed', async () => {
      // Prepare: record 1 is never taken; the caller gives up during the third backoff
      const port = new ScriptedPut((e) => (e.partitionKey === 'pk-1' ? throttled : { ok: true }));
      const controller = new AbortController();
      const sleepThenGiveUp = jest.fn(async () => {
        if (sleepThenGiveUp.mock.calls.length === 3) controller.abort();
      });
      const writer = new KinesisWriter({ port, sleep: sleepThenGiveUp, retry: { maxAttempts: Infinity } });

      // Act
      const result = await writer.write(ARN, entries(3), controller.signal);

      // Assess
      expect(result.written.sort()).toEqual([0, 2]);
      expect(result.failed).toEqual([{ tag: 1, errorCode: throttled.errorCode, errorMessage: throttled.errorMessage }]);
      expect(port.calls).toHaveLength(3);
    });

    it('refuses a maxAttempts that is not a positive integer or Infinity', () => {
      // Act & Assess
      expect(() => new KinesisWriter({ port: new ScriptedPut(), retry: { maxAttempts: 0.5 } })).toThrow(RangeError);
    });
  });

  describe('Method: backoffMs', () => {
    it('draws in [0, base * 2^(retry-1)), capped at the maximum delay', () => {
      // Prepare
      const high = new KinesisWriter({
        port: new ScriptedPut(),
        random: () => 0.999,
        retry: { baseDelayMs: 100, maxDelayMs: 1000 },
      });
      const low = new KinesisWriter({ port: new ScriptedPut(), random: () => 0 });

      // Act
      const delays = [1, 2, 3, 4, 5, 6].map((n) => high.backoffMs(n));

      // Assess
      expect(delays).toEqual([99, 199, 399, 799, 999, 999]);
      expect(low.backoffMs(5)).toBe(0);
    });
  });
});

describe('Function: sdkKinesisPut', () => {
  const kinesis = mockClient(KinesisClient);
  beforeEach(() => kinesis.reset());

  it('maps PutRecords answers to outcomes in order', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [
        { SequenceNumber: '1', ShardId: 'shardId-000000000000' },
        { ErrorCode: 'InternalFailure', ErrorMessage: 'oops' },
      ],
    });
    const port = sdkKinesisPut(new KinesisClient({ region: 'us-east-1' }));

    // Act
    const outcomes = await port.putRecords(ARN, [
      { data: Buffer.from('a'), partitionKey: 'a' },
      { data: Buffer.from('b'), partitionKey: 'b' },
    ]);

    // Assess
    expect(outcomes).toEqual([{ ok: true }, { ok: false, errorCode: 'InternalFailure', errorMessage: 'oops' }]);
    expect(kinesis).toReceiveCommandWith(PutRecordsCommand, {
      StreamARN: ARN,
      Records: [
        { Data: Buffer.from('a'), PartitionKey: 'a' },
        { Data: Buffer.from('b'), PartitionKey: 'b' },
      ],
    });
  });
});
