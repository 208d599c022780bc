import type { KinesisStreamEvent } from 'aws-lambda';
import {
  ApplicationConfigError,
  type BatchRecord,
  type FanoutApplication,
  FanoutProcessor,
  type KinesisPut,
  KinesisWriter,
  type PutEntry,
  type PutOutcome,
  resolveTargets,
} from '../../../src/fanout';
import { aggregate } from '../../../src/kpl';
import type { SourceSchema } from '../../../src/streaming-sql';
import { applicationSql } from '../../example-sql';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

const schema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(64)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)', Mapping: '$.AMOUNT' },
  ],
};

function application(overrides: Partial<FanoutApplication> = {}): FanoutApplication {
  return {
    name: 'fanout-test-1',
    inputStreamArn: arn('Transactions'),
    sql: applicationSql,
    schema,
    outputs: [
      { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
      { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
    ],
    outputPrefixes: [],
    errorDestination: { type: 'log' },
    ...overrides,
  };
}

/** Output streams in memory; `refuse(stream, row)` makes Kinesis fail a record (every time it is sent). */
class MemoryKinesis implements KinesisPut {
  readonly streams = new Map<string, string[]>();
  constructor(
    private readonly refuse: (streamArn: string, row: Record<string, unknown>) => PutOutcome | undefined = () =>
      undefined,
  ) {}

  async putRecords(streamArn: string, entries: readonly PutEntry[]): Promise<PutOutcome[]> {
    return entries.map((e) => {
      const text = Buffer.from(e.data).toString('utf8');
      const refused = this.refuse(streamArn, JSON.parse(text));
      if (refused) return refused;
      const list = this.streams.get(streamArn) ?? [];
      list.push(text);
      this.streams.set(streamArn, list);
      return { ok: true };
    });
  }

  rows(name: string): Record<string, unknown>[] {
    return (this.streams.get(arn(name)) ?? []).map((t) => JSON.parse(t));
  }
}

function batch(amounts: (number | string)[], shardId = 'shardId-000000000000'): BatchRecord[] {
  return amounts.map((amount, i) => ({
    data: Buffer.from(
      typeof amount === 'string' ? amount : JSON.stringify({ ID: i, USERNAME: `run-${i}`, AMOUNT: amount }),
    ),
    partitionKey: `pk-${i}`,
    sequenceNumber: `4960${String(i).padStart(4, '0')}`,
    shardId,
    arrivalTime: 1_700_000_000_000 + i,
  }));
}

function processor(kinesis: KinesisPut, app = application()) {
  const log = { info: jest.fn(), warn: jest.fn(), error: jest.fn() };
  const metrics = { addMetric: jest.fn() };
  const writer = new KinesisWriter({ port: kinesis, sleep: async () => {}, retry: { maxAttempts: 3 } });
  const fanout = new FanoutProcessor({
    application: app,
    targets: resolveTargets(app, []),
    writer,
    log,
    metrics,
    now: () => 1_700_000_000_500,
  });
  return { fanout, log, metrics };
}

const metric = (metrics: { addMetric: jest.Mock }, name: string) =>
  metrics.addMetric.mock.calls.filter(([n]) => n === name).reduce((sum, [, , v]) => sum + v, 0);

describe('Class: FanoutProcessor', () => {
  describe('Method: process', () => {
    it('routes each row to the output stream of its in-application stream', async () => {
      // Prepare
      const kinesis = new MemoryKinesis();
      const { fanout, metrics } = processor(kinesis);

      // Act
      const report = await fanout.process(batch([12.5, -3.25, 0, -0.01]));

      // Assess
      expect(report).toMatchObject({ records: 4, rows: 4, written: 4, failed: 0, duplicates: 0 });
      expect(report.retryFrom).toBeUndefined();
      expect(kinesis.rows('Positive')).toEqual([
        { ID: 0, USERNAME: 'run-0', AMOUNT: 12.5 },
        { ID: 2, USERNAME: 'run-2', AMOUNT: 0 },
      ]);
      expect(kinesis.rows('Negative').map((r) => r['ID'])).toEqual([1, 3]);
      expect(metric(metrics, 'OutputRecords')).toBe(4);
    });

    it('reports the earliest input record whose row still fails, and counts the rows that will be written again', async () => {
      // Prepare: Kinesis keeps refusing the row of input record 2 on the negative stream
      const kinesis = new MemoryKinesis((stream, row) =>
        stream === arn('Negative') && row['ID'] === 2
          ? { ok: false, errorCode: 'ProvisionedThroughputExceededException', errorMessage: 'Rate exceeded' }
          : undefined,
      );
      const { fanout, log, metrics } = processor(kinesis);

      // Act
      const report = await fanout.process(batch([1, 2, -3, 4, -5]));

      // Assess: records 3 and 4 were written but Lambda retries from record 2, so they come again
      expect(report.retryFrom).toBe('49600002');
      expect(report).toMatchObject({ failed: 1, written: 4, duplicates: 2 });
      expect(metric(metrics, 'DuplicateRecords')).toBe(2);
      expect(metric(metrics, 'FailedRecords')).toBe(1);
      expect(log.warn).toHaveBeenCalledWith(
        expect.stringContaining('Lambda retries the batch'),
        expect.objectContaining({ retryFrom: '49600002', duplicates: 2 }),
      );
    });

    it('sends rows of records it cannot read to the log as error-stream rows, and goes on', async () => {
      // Prepare
      const kinesis = new MemoryKinesis();
      const { fanout, log, metrics } = processor(kinesis);

      // Act
      const report = await fanout.process(batch([1, 'not json at all', -1]));

      // Assess
      expect(report).toMatchObject({ records: 3, written: 2, errorRows: 1 });
      expect(report.retryFrom).toBeUndefined();
      expect(log.error).toHaveBeenCalledWith(
        'Error stream row',
        expect.objectContaining({
          stream: 'error_stream',
          sequenceNumber: '49600001',
          DATA_ROW: Buffer.from('not json at all').toString('hex'),
        }),
      );
      expect(metric(metrics, 'ErrorStreamRows')).toBe(1);
    });

    it('writes error-stream rows to the error stream when one is configured', async () => {
      // Prepare
      const kinesis = new MemoryKinesis();
      const { fanout, log } = processor(
        kinesis,
        application({ errorDestination: { type: 'stream', streamArn: arn('Errors') } }),
      );

      // Act
      await fanout.process(batch(['{"ID": 1, "USERNAME": "x", "AMOUNT": "lots"}', 5]));

      // Assess
      const errors = kinesis.rows('Errors');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ stream: 'error_stream', ERROR_LEVEL: 'ERROR', sequenceNumber: '49600000' });
      expect(log.error).not.toHaveBeenCalled();
      expect(kinesis.rows('Positive')).toHaveLength(1);
    });

    it('sends a row Kinesis refuses for good to the error destination instead of retrying it forever', async () => {
      // Prepare: a bad request for record 1's row alone
      const bad = { ok: false, errorCode: 'ValidationException', errorMessage: 'bad record' } as const;
      const kinesis: KinesisPut = {
        async putRecords(_arn, entries) {
          if (entries.some((e) => Buffer.from(e.data).toString().includes('"ID":1'))) {
            throw Object.assign(new Error(bad.errorMessage), { name: bad.errorCode });
          }
          return entries.map(() => ({ ok: true }));
        },
      };
      const { fanout, log } = processor(kinesis);

      // Act
      const report = await fanout.process(batch([1, 2, 3]));

      // Assess
      expect(report).toMatchObject({ rejected: 1, written: 2, failed: 0 });
      expect(report.retryFrom).toBeUndefined();
      expect(log.error).toHaveBeenCalledWith(
        'Error stream row',
        expect.objectContaining({ ERROR_NAME: 'ValidationException', sequenceNumber: '49600001' }),
      );
    });

    it('gives every stream that matches an output prefix a copy, but never the input stream', async () => {
      // Prepare
      const kinesis = new MemoryKinesis();
      const app = application({
        outputs: [{ sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') }],
        outputPrefixes: [
          { sqlStream: 'NEGATIVE_TRANSACTIONS', streamNamePrefix: 'Neg' },
          { sqlStream: 'POSITIVE_TRANSACTIONS', streamNamePrefix: 'Trans' },
        ],
      });
      const streams = ['Positive', 'NegA', 'NegB', 'Other', 'Transactions'].map((name) => ({ name, arn: arn(name) }));
      const targets = resolveTargets(app, streams, [app.inputStreamArn]);
      const fanout = new FanoutProcessor({ application: app, targets, writer: new KinesisWriter({ port: kinesis }) });

      // Act
      await fanout.process(batch([-1, 1]));

      // Assess
      expect(targets.get('NEGATIVE_TRANSACTIONS')).toEqual([arn('NegA'), arn('NegB')]);
      expect(targets.get('POSITIVE_TRANSACTIONS')).toEqual([arn('Positive')]);
      expect(kinesis.rows('NegA')).toEqual(kinesis.rows('NegB'));
      expect(kinesis.rows('NegA')).toHaveLength(1);
      expect(kinesis.streams.has(arn('Transactions'))).toBe(false);
    });
  });

  describe('Method: constructor', () => {
    it('refuses an output that names no in-application stream of the SQL', () => {
      // Prepare
      const app = application({ outputs: [{ sqlStream: 'NO_SUCH_STREAM', streamArn: arn('Positive') }] });

      // Act
      const build = () =>
        new FanoutProcessor({
          application: app,
          targets: resolveTargets(app, []),
          writer: new KinesisWriter({ port: new MemoryKinesis() }),
        });

      // Assess
      expect(build).toThrow(ApplicationConfigError);
    });
  });

  describe('Method: handle', () => {
    it('answers a Kinesis event with the sequence number Lambda retries from', async () => {
      // Prepare
      const kinesis = new MemoryKinesis((_stream, row) =>
        row['ID'] === 1
          ? { ok: false, errorCode: 'InternalFailure', errorMessage: 'Internal service failure.' }
          : undefined,
      );
      const { fanout } = processor(kinesis);
      const event: KinesisStreamEvent = {
        Records: batch([3, 4, 5]).map((r) => ({
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: r.partitionKey,
            sequenceNumber: r.sequenceNumber,
            data: Buffer.from(r.data).toString('base64'),
            approximateArrivalTimestamp: r.arrivalTime / 1000,
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `${r.shardId}:${r.sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/fanout',
          awsRegion: 'us-east-1',
          eventSourceARN: arn('Transactions'),
        })),
      };

      // Act
      const response = await fanout.handle(event);

      // Assess
      expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '49600001' }] });
    });
  });

  describe('KPL aggregates (issue 16 §1)', () => {
    /** The batch's records 1 and 2 packed into one KPL aggregate, between two plain records. */
    function mixedBatch(): BatchRecord[] {
      const plain = batch([1, -2, 3, -4]);
      const [packed] = aggregate(plain.slice(1, 3).map((r) => ({ data: r.data, partitionKey: r.partitionKey })));
      return [plain[0]!, { ...plain[1]!, data: packed!.data, partitionKey: packed!.partitionKey }, plain[3]!];
    }

    it('runs an aggregate as its user records, each row keyed by its own user record', async () => {
      // Prepare
      const kinesis = new MemoryKinesis();
      const keys: string[] = [];
      const port: KinesisPut = {
        putRecords: (streamArn, entries) => {
          keys.push(...entries.map((e) => e.partitionKey));
          return kinesis.putRecords(streamArn, entries);
        },
      };
      const { fanout } = processor(port);

      // Act
      const report = await fanout.process(mixedBatch());

      // Assess: 3 Kinesis records, 4 user records, 4 rows in input order
      expect(report).toMatchObject({ records: 3, rows: 4, written: 4, errorRows: 0 });
      expect(kinesis.rows('Positive').map((r) => r['ID'])).toEqual([0, 2]);
      expect(kinesis.rows('Negative').map((r) => r['ID'])).toEqual([1, 3]);
      expect(keys.sort()).toEqual(['pk-0', 'pk-1', 'pk-2', 'pk-3']);
    });

    it('puts a corrupt aggregate on the error stream and writes the rest of the batch', async () => {
      // Prepare: the aggregate's last byte of protobuf changed after its MD5 was taken
      const records = mixedBatch();
      const bad = Buffer.from(records[1]!.data);
      bad[bad.length - 17] ^= 0xff;
      records[1] = { ...records[1]!, data: bad };
      const kinesis = new MemoryKinesis();
      const { fanout } = processor(
        kinesis,
        application({ errorDestination: { type: 'stream', streamArn: arn('Errors') } }),
      );

      // Act
      const report = await fanout.process(records);

      // Assess: nothing retried, the two good records written, one error row with the whole record
      expect(report).toMatchObject({ records: 3, written: 3, errorRows: 1, failed: 0 });
      expect(report.retryFrom).toBeUndefined();
      expect(kinesis.rows('Positive').map((r) => r['ID'])).toEqual([0]);
      expect(kinesis.rows('Negative').map((r) => r['ID'])).toEqual([3]);
      expect(kinesis.rows('Errors')).toEqual([
        expect.objectContaining({
          ERROR_NAME: 'KPL_Deaggregation_Error',
          MESSAGE: expect.stringContaining('checksum'),
          DATA_ROW: bad.toString('hex'),
          sequenceNumber: '49600001',
        }),
      ]);
    });

    it('names the sub-sequence number of a user record the SQL cannot read', async () => {
      // Prepare
      const [packed] = aggregate([
        { data: Buffer.from(JSON.stringify({ ID: 1, USERNAME: 'a', AMOUNT: 1 })), partitionKey: 'a' },
        { data: Buffer.from('not json'), partitionKey: 'b' },
      ]);
      const [record] = batch([0]);
      const kinesis = new MemoryKinesis();
      const { fanout, log } = processor(kinesis);

      // Act
      const report = await fanout.process([{ ...record!, data: packed!.data }]);

      // Assess
      expect(report).toMatchObject({ rows: 1, errorRows: 1 });
      expect(log.error).toHaveBeenCalledWith(
        'Error stream row',
        expect.objectContaining({ sequenceNumber: '49600000', subSequenceNumber: 1 }),
      );
    });
  });
});
