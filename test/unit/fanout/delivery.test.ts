/**
 * Delivery under throttling, end to end through the fan-out processor: a fake Kinesis that refuses records the way
 * a throttled shard does, and a loop that redelivers a batch from the record the processor reports, as Lambda's
 * event source mapping does (ReportBatchItemFailures). Nothing may be lost, and a partition key's rows may never
 * reach a stream before an earlier row of the same key.
 */
import {
  type BatchRecord,
  type FanoutApplication,
  FanoutProcessor,
  type KinesisPut,
  KinesisWriter,
  type PutEntry,
  type PutOutcome,
  resolveTargets,
} from '../../../src/fanout';
import type { SourceSchema } from '../../../src/streaming-sql';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const T0 = 1_700_000_000_000;
const throttled: PutOutcome = {
  ok: false,
  errorCode: 'ProvisionedThroughputExceededException',
  errorMessage: 'Rate exceeded for shard shardId-000000000000',
};

const schema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(32)', Mapping: '$.USERNAME' },
  ],
};

const FILTER_SQL = `
CREATE OR REPLACE STREAM "EVEN" (ID INTEGER, USERNAME VARCHAR(32));
CREATE OR REPLACE PUMP "EVEN_PUMP" AS INSERT INTO "EVEN"
  SELECT STREAM ID, USERNAME FROM "SOURCE_SQL_STREAM_001" WHERE MOD(ID, 2) = 0;
`;

const COUNT_SQL = `
CREATE OR REPLACE STREAM "PER_SECOND" (WINDOW_END TIMESTAMP, RECORDS BIGINT);
CREATE OR REPLACE PUMP "PER_SECOND_PUMP" AS INSERT INTO "PER_SECOND"
  SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND), COUNT(*)
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' SECOND);
`;

function application(sql: string, sqlStream: string): FanoutApplication {
  return {
    name: 'fanout-test-1',
    inputStreamArn: arn('Input'),
    sql,
    schema,
    outputs: [{ sqlStream, streamArn: arn('Out') }],
    outputPrefixes: [],
    errorDestination: { type: 'log' },
  };
}

/** What the fake knows of a record when it decides: the call (from 0), how many it took in this call, the row. */
interface Call {
  readonly call: number;
  readonly accepted: number;
  readonly row: Record<string, unknown>;
}

/**
 * A throttled stream: `refuse(call, entry)` says whether Kinesis throttles that record of that call (calls counted
 * from 0); what it accepts is appended to the stream in call order, as a shard appends it.
 */
class ThrottledKinesis implements KinesisPut {
  readonly written: { partitionKey: string; row: Record<string, unknown> }[] = [];
  calls = 0;
  constructor(private readonly refuse: (call: Call) => boolean) {}

  async putRecords(_streamArn: string, entries: readonly PutEntry[]): Promise<PutOutcome[]> {
    const call = this.calls++;
    let accepted = 0;
    return entries.map((entry) => {
      const row = JSON.parse(Buffer.from(entry.data).toString('utf8')) as Record<string, unknown>;
      if (this.refuse({ call, accepted, row })) return throttled;
      accepted++;
      this.written.push({ partitionKey: entry.partitionKey, row });
      return { ok: true };
    });
  }
}

function record(id: number, key: string, at: number): BatchRecord {
  return {
    data: Buffer.from(JSON.stringify({ ID: id, USERNAME: `user-${id}` })),
    partitionKey: key,
    sequenceNumber: String(49_600_000 + id),
    shardId: 'shardId-000000000000',
    arrivalTime: at,
  };
}

function fanout(app: FanoutApplication, kinesis: KinesisPut, now: () => number) {
  const writer = new KinesisWriter({ port: kinesis, sleep: async () => {}, retry: { maxAttempts: 3 } });
  return new FanoutProcessor({ application: app, targets: resolveTargets(app, []), writer, now });
}

/** Lambda's side: hands the batch over, and again from the reported record, until it is all processed. */
async function deliver(processor: FanoutProcessor, records: BatchRecord[], maxInvocations = 20) {
  let pending = records;
  const failures: string[] = [];
  for (let invocation = 0; pending.length > 0; invocation++) {
    if (invocation === maxInvocations) throw new Error(`still failing after ${maxInvocations} invocations`);
    const report = await processor.process(pending);
    if (report.retryFrom === undefined) return failures;
    failures.push(report.retryFrom);
    pending = pending.slice(pending.findIndex((r) => r.sequenceNumber === report.retryFrom));
  }
  return failures;
}

/** A small deterministic random source (a linear congruential generator), so a failing run can be replayed. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** For each partition key, the IDs in the order they reached the stream. */
function idsByKey(kinesis: ThrottledKinesis): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const { partitionKey, row } of kinesis.written) {
    byKey.set(partitionKey, [...(byKey.get(partitionKey) ?? []), Number(row['ID'])]);
  }
  return byKey;
}

/** Whether the first arrival of each ID comes in increasing order (repeats after a retry are allowed). */
function firstArrivalsInOrder(ids: number[]): boolean {
  const first = ids.filter((id, i) => ids.indexOf(id) === i);
  return first.every((id, i) => i === 0 || id > first[i - 1]!);
}

describe('Fan-out delivery under throttling', () => {
  describe('filter SQL', () => {
    it('never writes a later row of a partition key before an earlier one that was throttled', async () => {
      // Prepare: one key; the first row is throttled on the first call, the rows after it are not
      const kinesis = new ThrottledKinesis(({ call, row }) => call === 0 && row['ID'] === 0);
      const processor = fanout(application(FILTER_SQL, 'EVEN'), kinesis, () => T0 + 10);
      const records = [0, 1, 2, 3, 4, 5, 6].map((id) => record(id, 'one-key', T0 + id));

      // Act
      await deliver(processor, records);

      // Assess
      expect(idsByKey(kinesis).get('one-key')).toEqual([0, 2, 4, 6]);
    });

    it('keeps every key in order and loses nothing when records of a call fail here and there', async () => {
      // Prepare: 3 keys, 120 records; for the first 40 calls, a call takes at most 20 records and refuses about a
      // third of them at random (the pattern of a stream whose shards throttle unevenly, or of InternalFailure)
      const random = lcg(7);
      const kinesis = new ThrottledKinesis(({ call, accepted }) => call < 40 && (accepted >= 20 || random() < 0.35));
      const processor = fanout(application(FILTER_SQL, 'EVEN'), kinesis, () => T0 + 1000);
      const keys = ['a', 'b', 'c'];
      const records = Array.from({ length: 120 }, (_, id) => record(id, keys[id % 3]!, T0 + id));

      // Act
      await deliver(processor, records, 200);

      // Assess
      const even = records.map((_, id) => id).filter((id) => id % 2 === 0);
      const byKey = idsByKey(kinesis);
      for (const key of keys) {
        const ids = byKey.get(key) ?? [];
        expect(firstArrivalsInOrder(ids)).toBe(true);
        expect(new Set(ids)).toEqual(new Set(even.filter((id) => keys[id % 3] === key)));
      }
    });

    it('reports the earliest record whose row is not written, and the rows after it of the same key stay unwritten', async () => {
      // Prepare: record 2's row is throttled on every attempt of the first invocation
      let invocation = 0;
      const kinesis = new ThrottledKinesis(({ row }) => invocation === 0 && row['ID'] === 2);
      const processor = fanout(application(FILTER_SQL, 'EVEN'), kinesis, () => T0 + 10);
      const records = [0, 1, 2, 3, 4].map((id) => record(id, 'k', T0 + id));

      // Act
      const report = await processor.process(records);
      invocation++;

      // Assess
      expect(report.retryFrom).toBe(records[2]!.sequenceNumber);
      expect(kinesis.written.map((w) => w.row['ID'])).toEqual([0]);
    });
  });

  describe('tumbling-window COUNT', () => {
    it('writes a window row that failed every attempt when the batch is retried, with its true count', async () => {
      // Prepare: 5 records in the first second, then one in the next that closes it; the window row is throttled
      // on every attempt of the first invocation only
      let invocation = 0;
      const kinesis = new ThrottledKinesis(() => invocation === 0);
      const processor = fanout(application(COUNT_SQL, 'PER_SECOND'), kinesis, () => T0 + 1500);
      const records = [0, 1, 2, 3, 4].map((id) => record(id, `k${id}`, T0 + id * 100));
      records.push(record(5, 'k5', T0 + 1200));

      // Act
      const first = await processor.process(records);
      invocation++;
      const failures = first.retryFrom === undefined ? [] : await deliver(processor, records.slice(5));

      // Assess: the batch failed, and once retried the first second's row is there, counted once
      expect(first.retryFrom).toBe(records[5]!.sequenceNumber);
      expect(failures).toEqual([]);
      expect(kinesis.written.map((w) => Number(w.row['RECORDS']))).toEqual([5]);
    });

    it('writes a window the clock closed, when its row failed, on the retry of the last record', async () => {
      // Prepare: the window [T0, T0 + 1 s) closes by the clock at the end of the batch; its row fails at first
      let invocation = 0;
      const kinesis = new ThrottledKinesis(() => invocation === 0);
      const processor = fanout(application(COUNT_SQL, 'PER_SECOND'), kinesis, () => T0 + 2500);
      const records = [0, 1, 2].map((id) => record(id, `k${id}`, T0 + id * 100));

      // Act
      const first = await processor.process(records);
      invocation++;
      const again = await processor.process(records.slice(2));

      // Assess
      expect(first.retryFrom).toBe(records[2]!.sequenceNumber);
      expect(again.retryFrom).toBeUndefined();
      expect(kinesis.written.map((w) => Number(w.row['RECORDS']))).toEqual([3]);
    });

    it('counts a window right when a batch that fed it is retried from a record inside it', async () => {
      // Prepare: a row of the filter is not needed here: the window row itself is throttled on its first two calls
      const kinesis = new ThrottledKinesis(({ call }) => call < 3);
      const processor = fanout(application(COUNT_SQL, 'PER_SECOND'), kinesis, () => T0 + 5000);
      const records = Array.from({ length: 8 }, (_, id) => record(id, `k${id}`, T0 + id * 300));

      // Act
      await deliver(processor, records);

      // Assess: [T0, +1 s): 0-3, [+1 s, +2 s): 4-6, [+2 s, +3 s): 7
      const counts = kinesis.written.map((w) => [String(w.row['WINDOW_END']), Number(w.row['RECORDS'])]);
      const firstOfEach = new Map<string, number>();
      for (const [end, count] of counts)
        if (!firstOfEach.has(end as string)) firstOfEach.set(end as string, count as number);
      expect([...firstOfEach.values()]).toEqual([4, 3, 1]);
      for (const [end, count] of counts) expect(count).toBe(firstOfEach.get(end as string));
    });
  });
});
