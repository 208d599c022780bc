import { ManualClock } from '../../../../local/clock';
import { ApplicationCounters, newRunMetrics } from '../../../../local/kinesis-analytics/counters';
import type { DeliveryContext } from '../../../../local/kinesis-analytics/destinations';
import { lambdaFunctionDelivery } from '../../../../local/kinesis-analytics/destinations/lambda-function';
import { ErrorLog } from '../../../../local/kinesis-analytics/error-stream';
import type { InputRecord } from '../../../../local/kinesis-analytics/input-reader';
import { jsonDocuments } from '../../../../local/kinesis-analytics/json-documents';
import type { LambdaPort } from '../../../../local/kinesis-analytics/lambda-port';
import { InputPreprocessor } from '../../../../local/kinesis-analytics/preprocessing';
import type { OutputDescription } from '../../../../local/kinesis-analytics/state';
import { DEFAULT_TIMING } from '../../../../local/kinesis-analytics/timing';
import { ROLE } from './fakes';

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:f';
const APP = 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/app';

/** A Lambda whose answer to each event is decided by `answer(event, call number)`. */
class ScriptedLambda implements LambdaPort {
  readonly events: {
    records: { recordId: string; data: string; lambdaDeliveryRecordMetadata?: { retryHint: number } }[];
  }[] = [];
  constructor(private readonly answer: (event: ScriptedLambda['events'][number], call: number) => unknown) {}
  async invoke(_arn: string, payload: string) {
    const event = JSON.parse(payload) as ScriptedLambda['events'][number];
    this.events.push(event);
    const answer = this.answer(event, this.events.length - 1);
    if (answer instanceof Error)
      return { payload: JSON.stringify({ errorMessage: answer.message }), functionError: 'Unhandled' };
    return { payload: JSON.stringify(answer) };
  }
  async getFunction() {
    return {};
  }
}

/** Moves the manual clock until `promise` settles (retries sleep on it). */
async function settle<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  void promise.finally(() => {
    done = true;
  });
  for (let i = 0; i < 200 && !done; i++) {
    await clock.advance(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return promise;
}

const output: OutputDescription = {
  OutputId: '1.1',
  Name: 'OUT',
  DestinationSchema: { RecordFormatType: 'JSON' },
  LambdaOutputDescription: { ResourceARN: FUNCTION, RoleARN: ROLE },
};

function destination(lambda: LambdaPort) {
  const clock = new ManualClock();
  const ctx: DeliveryContext = {
    kinesis: undefined as never,
    lambda,
    clock,
    timing: DEFAULT_TIMING,
    applicationArn: APP,
    errors: new ErrorLog(),
    rowtime: () => clock.now(),
    run: newRunMetrics(),
  };
  const counters = new ApplicationCounters().output('1.1');
  const open = lambdaFunctionDelivery.open(output, output.LambdaOutputDescription!, ctx, counters);
  return { clock, ctx, counters, destination: open };
}

/** Rows of partition keys of their own (an invocation carries one row of each key at most). */
const rows = (...values: string[]) => values.map((v) => ({ data: Buffer.from(v), partitionKey: `k-${v}` }));
/** Rows of one partition key. */
const keyed = (...values: string[]) => values.map((v) => ({ data: Buffer.from(v), partitionKey: 'k' }));
const decoded = (event: ScriptedLambda['events'][number]) =>
  event.records.map((r) => Buffer.from(r.data, 'base64').toString());

describe('Destination: Lambda function (how-it-works-output-lambda.md)', () => {
  beforeEach(() => jest.spyOn(process, 'emitWarning').mockImplementation(() => {}));
  afterEach(() => jest.restoreAllMocks());

  it('sends recordId, retryHint and base64 data, and resends only what the function did not acknowledge Ok', async () => {
    // Prepare: the first call fails b and leaves c out of its answer
    const lambda = new ScriptedLambda((event, call) => ({
      records: event.records
        .filter((r) => !(call === 0 && Buffer.from(r.data, 'base64').toString() === 'c'))
        .map((r) => ({
          recordId: r.recordId,
          result: call === 0 && Buffer.from(r.data, 'base64').toString() === 'b' ? 'DeliveryFailed' : 'Ok',
        })),
    }));
    const { clock, destination: d, counters } = destination(lambda);
    d.queue.push(...rows('a', 'b', 'c'));

    // Act
    const delivered = await settle(clock, d.deliver(new AbortController().signal));

    // Assess
    expect(delivered).toBe(true);
    expect(lambda.events.map(decoded)).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(lambda.events[1]!.records.map((r) => r.lambdaDeliveryRecordMetadata?.retryHint)).toEqual([1, 1]);
    expect(lambda.events[1]!.records.map((r) => r.recordId)).toEqual(
      lambda.events[0]!.records.slice(1).map((r) => r.recordId),
    );
    expect(counters).toMatchObject({ records: 3, okRecords: 3, deliveryFailedRecords: 2, successes: 1, failures: 1 });
  });

  it("keeps a partition key's order: a later row waits for the earlier one the function failed", async () => {
    // Prepare: b is failed the first time it comes
    let failedB = false;
    const lambda = new ScriptedLambda((event) => ({
      records: event.records.map((r) => {
        const fail = !failedB && Buffer.from(r.data, 'base64').toString() === 'b';
        if (fail) failedB = true;
        return { recordId: r.recordId, result: fail ? 'DeliveryFailed' : 'Ok' };
      }),
    }));
    const { clock, destination: d, counters } = destination(lambda);
    d.queue.push(...keyed('a', 'b', 'c'));

    // Act
    const delivered = await settle(clock, d.deliver(new AbortController().signal));

    // Assess: c goes only once b is in
    expect(delivered).toBe(true);
    expect(lambda.events.map(decoded)).toEqual([['a'], ['b'], ['b'], ['c']]);
    expect(lambda.events.map((e) => e.records[0]!.lambdaDeliveryRecordMetadata?.retryHint)).toEqual([0, 0, 1, 0]);
    expect(counters).toMatchObject({ records: 3, okRecords: 3, deliveryFailedRecords: 1 });
  });

  it('retries a function that fails as a whole, or answers something else, until it takes the records', async () => {
    // Prepare
    const lambda = new ScriptedLambda((event, call) =>
      call === 0
        ? new Error('boom')
        : call === 1
          ? { nothing: true }
          : { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok' })) },
    );
    const { clock, destination: d } = destination(lambda);
    d.queue.push(...rows('x'));

    // Act
    const delivered = await settle(clock, d.deliver(new AbortController().signal));

    // Assess
    expect(delivered).toBe(true);
    expect(lambda.events).toHaveLength(3);
    expect(lambda.events.map((e) => e.records[0]!.lambdaDeliveryRecordMetadata?.retryHint)).toEqual([0, 1, 2]);
  });

  it('gives up when the stop does, leaving the records to the next run', async () => {
    // Prepare
    const lambda = new ScriptedLambda((event) => ({
      records: event.records.map((r) => ({ recordId: r.recordId, result: 'DeliveryFailed' })),
    }));
    const { clock, destination: d } = destination(lambda);
    d.queue.push(...rows('x'));
    const giveUp = new AbortController();
    clock.setTimeout(() => giveUp.abort(), 500);

    // Act
    const delivered = await settle(clock, d.deliver(giveUp.signal));

    // Assess
    expect(delivered).toBe(false);
    expect(lambda.events.length).toBeGreaterThan(1);
    expect(d.queue).toEqual([]);
  });
});

const record = (n: number, text: string): InputRecord => ({
  data: Buffer.from(text),
  arrivalTime: 1000 + n,
  partitionKey: `k${n}`,
  sequenceNumber: `4950000000000000000000000000000000000000000000000000000${n}`,
  shardId: 'shardId-000000000000',
});

function preprocessor(lambda: LambdaPort) {
  const clock = new ManualClock();
  const counters = new ApplicationCounters().input('1.1');
  const pre = new InputPreprocessor({
    functionArn: FUNCTION,
    applicationArn: APP,
    streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/in',
    lambda,
    clock,
    timing: DEFAULT_TIMING,
    counters,
    rowtime: () => clock.now(),
  });
  return { clock, counters, pre };
}

describe('Class: InputPreprocessor (lambda-preprocessing.md)', () => {
  beforeEach(() => jest.spyOn(process, 'emitWarning').mockImplementation(() => {}));
  afterEach(() => jest.restoreAllMocks());

  it('keeps Ok records with their new data, drops Dropped ones, and puts ProcessingFailed ones on the error stream', async () => {
    // Prepare
    const lambda = new ScriptedLambda((event) => ({
      records: event.records.map((r, i) =>
        i === 0
          ? { recordId: r.recordId, result: 'Ok', data: Buffer.from('{"N":1}').toString('base64') }
          : i === 1
            ? { recordId: r.recordId, result: 'Dropped' }
            : { recordId: r.recordId, result: 'ProcessingFailed' },
      ),
    }));
    const { clock, counters, pre } = preprocessor(lambda);
    const input = [record(1, 'a'), record(2, 'b'), record(3, 'c')];

    // Act
    const out = await settle(clock, pre.process(input, new AbortController().signal));

    // Assess
    expect(out?.records.map((r) => [Buffer.from(r.data).toString(), r.partitionKey, r.arrivalTime])).toEqual([
      ['{"N":1}', 'k1', 1001],
    ]);
    expect(out?.errors.map((e) => [e.ERROR_NAME, Buffer.from(e.DATA_ROW, 'hex').toString()])).toEqual([
      ['Lambda_ProcessingFailed', 'c'],
    ]);
    expect(lambda.events[0]).toMatchObject({
      applicationArn: APP,
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/in',
      records: [
        {
          recordId: input[0]!.sequenceNumber,
          data: Buffer.from('a').toString('base64'),
          kinesisStreamRecordMetadata: {
            sequenceNumber: input[0]!.sequenceNumber,
            partitionKey: 'k1',
            shardId: 'shardId-000000000000',
            approximateArrivalTimestamp: 1001,
          },
        },
        {},
        {},
      ],
    });
    expect(counters).toMatchObject({ okRecords: 1, droppedRecords: 1, processingFailedRecords: 1, invocations: 1 });
  });

  it.each([
    [
      'a record left out',
      (event: ScriptedLambda['events'][number]) => ({
        records: event.records.slice(1).map((r) => ({ recordId: r.recordId, result: 'Dropped' })),
      }),
    ],
    [
      'an unknown recordId',
      (event: ScriptedLambda['events'][number]) => ({
        records: event.records.map(() => ({ recordId: 'other', result: 'Dropped' })),
      }),
    ],
    [
      'Ok without data',
      (event: ScriptedLambda['events'][number]) => ({
        records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok' })),
      }),
    ],
    [
      'no result',
      (event: ScriptedLambda['events'][number]) => ({ records: event.records.map((r) => ({ recordId: r.recordId })) }),
    ],
    ['a function error', () => new Error('boom')],
  ])('invokes again with the same records after %s', async (_what, firstAnswer) => {
    // Prepare
    const lambda = new ScriptedLambda((event, call) =>
      call === 0
        ? firstAnswer(event)
        : { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Dropped' })) },
    );
    const { clock, counters, pre } = preprocessor(lambda);

    // Act
    const out = await settle(clock, pre.process([record(1, 'a'), record(2, 'b')], new AbortController().signal));

    // Assess
    expect(out).toEqual({ records: [], errors: [] });
    expect(lambda.events).toHaveLength(2);
    expect(lambda.events[1]!.records.map((r) => r.recordId)).toEqual(lambda.events[0]!.records.map((r) => r.recordId));
    expect(counters).toMatchObject({ failedInvocations: 1, invocations: 1, droppedRecords: 2 });
  });
});

describe('Function: jsonDocuments', () => {
  it.each([
    ['{"a":1}', ['{"a":1}']],
    ['{"a":1}{"b":"}{"}', ['{"a":1}', '{"b":"}{"}']],
    [' {"a":[1,{"x":"\\\\"}]}\n[2] ', ['{"a":[1,{"x":"\\\\"}]}', '[2]']],
    ['not json', ['not json']],
    ['{"a":1', ['{"a":1']],
  ])('splits %j', (text, documents) => {
    // Act & Assess
    expect(jsonDocuments(text)).toEqual(documents);
  });
});
