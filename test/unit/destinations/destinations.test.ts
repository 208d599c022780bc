import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  checkWritable,
  destinationKindOf,
  destinationsPut,
  firehoseBatches,
  invocationBatches,
  type LambdaDeliveryEvent,
  sdkFirehosePut,
  sdkLambdaPut,
} from '../../../src/destinations';
import { KinesisWriter, type PutEntry } from '../../../src/fanout/writer';

const FIREHOSE_ARN = 'arn:aws:firehose:us-east-1:123456789012:deliverystream/archive';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:sink';
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/out';

const firehose = mockClient(FirehoseClient);
const lambda = mockClient(LambdaClient);

const entry = (text: string, partitionKey = text): PutEntry => ({ data: Buffer.from(text), partitionKey });
const tagged = (texts: string[], key?: (t: string) => string) =>
  texts.map((t, tag) => ({ entry: entry(t, key ? key(t) : t), tag }));
const noSleep = async () => undefined;

beforeEach(() => {
  firehose.reset();
  lambda.reset();
});

describe('Function: destinationKindOf', () => {
  it('tells a stream, a delivery stream and a function apart, and names nothing else', () => {
    expect(destinationKindOf(STREAM_ARN)).toBe('kinesis');
    expect(destinationKindOf(FIREHOSE_ARN)).toBe('firehose');
    expect(destinationKindOf(FUNCTION_ARN)).toBe('lambda');
    expect(destinationKindOf('arn:aws:sqs:us-east-1:123456789012:queue')).toBeUndefined();
    expect(() => checkWritable({ kinesis: { putRecords: async () => [] } }, [FIREHOSE_ARN])).toThrow(
      /No firehose client to write/,
    );
  });
});

describe('Function: sdkFirehosePut, through the writer', () => {
  it('splits calls at 4 MiB, and sends again only the records of FailedPutCount until every one is in', async () => {
    // Prepare: the first answer fails the 2nd record of its call
    const sent: string[][] = [];
    let call = 0;
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: { Data: Uint8Array }[] }) => {
      const texts = input.Records.map((r) => Buffer.from(r.Data).toString());
      sent.push(texts);
      const failIndex = call++ === 0 ? 1 : -1;
      return {
        FailedPutCount: failIndex >= 0 ? 1 : 0,
        RequestResponses: texts.map((_, i) =>
          i === failIndex
            ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
            : { RecordId: `r${i}` },
        ),
      };
    });
    const writer = new KinesisWriter({ port: sdkFirehosePut(new FirehoseClient({})), sleep: noSleep });

    // Act
    const result = await writer.write(FIREHOSE_ARN, tagged(['a', 'b', 'c']));

    // Assess
    expect(result.written.sort()).toEqual([0, 1, 2]);
    expect(result.failed).toEqual([]);
    expect(sent).toEqual([['a', 'b', 'c'], ['b']]);
    expect(firehose).toHaveReceivedCommandWith(PutRecordBatchCommand, { DeliveryStreamName: 'archive' });
    const big = Array.from({ length: 5 }, (_, i) => entry(String(i).repeat(1_000_000)));
    expect(firehoseBatches(big).map((b) => b.length)).toEqual([4, 1]);
  });

  it('never lets a later record of a key overtake an earlier one that failed', async () => {
    // Prepare: every first attempt of k1's first record fails
    const order: string[] = [];
    let failedOnce = false;
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: { Data: Uint8Array }[] }) => {
      const texts = input.Records.map((r) => Buffer.from(r.Data).toString());
      const answers = texts.map((t) => {
        if (t === 'k1-1' && !failedOnce) {
          failedOnce = true;
          return { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' };
        }
        order.push(t);
        return { RecordId: t };
      });
      return { FailedPutCount: answers.filter((a) => 'ErrorCode' in a).length, RequestResponses: answers };
    });
    const writer = new KinesisWriter({ port: sdkFirehosePut(new FirehoseClient({})), sleep: noSleep });

    // Act
    await writer.write(
      FIREHOSE_ARN,
      tagged(['k1-1', 'k2-1', 'k1-2', 'k2-2', 'k1-3'], (t) => t.slice(0, 2)),
    );

    // Assess
    const k1 = order.filter((t) => t.startsWith('k1'));
    expect(k1).toEqual(['k1-1', 'k1-2', 'k1-3']);
    expect(order.filter((t) => t.startsWith('k2'))).toEqual(['k2-1', 'k2-2']);
  });

  it('drops a record over 1,000 KiB for good and writes the rest', async () => {
    firehose.on(PutRecordBatchCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedPutCount: 0,
      RequestResponses: input.Records.map(() => ({ RecordId: 'x' })),
    }));
    const writer = new KinesisWriter({ port: sdkFirehosePut(new FirehoseClient({})), sleep: noSleep });
    const result = await writer.write(FIREHOSE_ARN, [
      { entry: entry('small', 'a'), tag: 0 },
      { entry: { data: Buffer.alloc(1_024_001), partitionKey: 'b' }, tag: 1 },
    ]);
    expect(result.written).toEqual([0]);
    expect(result.rejected).toEqual([
      expect.objectContaining({ tag: 1, errorMessage: expect.stringMatching(/1024001 bytes/) }),
    ]);
  });
});

describe('Function: sdkLambdaPut, through the writer', () => {
  const answer = (event: LambdaDeliveryEvent, result: (data: string, hint: number) => string | undefined) => ({
    Payload: Buffer.from(
      JSON.stringify({
        records: event.records
          .map((r) => ({
            recordId: r.recordId,
            result: result(Buffer.from(r.data, 'base64').toString(), r.lambdaDeliveryRecordMetadata.retryHint),
          }))
          .filter((r) => r.result !== undefined),
      }),
    ),
  });

  it("invokes with Kinesis Analytics' output contract and sends again what is DeliveryFailed or left out, retryHint + 1", async () => {
    // Prepare: the function fails "b" and leaves "c" out the first time
    const seen: { data: string; hint: number }[] = [];
    lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
      const event = JSON.parse(Buffer.from(input.Payload).toString()) as LambdaDeliveryEvent;
      expect(event).toMatchObject({ invocationId: expect.any(String), applicationArn: 'app' });
      for (const r of event.records)
        seen.push({ data: Buffer.from(r.data, 'base64').toString(), hint: r.lambdaDeliveryRecordMetadata.retryHint });
      return answer(event, (data, hint) =>
        hint > 0 || data === 'a' ? 'Ok' : data === 'b' ? 'DeliveryFailed' : undefined,
      );
    });
    const writer = new KinesisWriter({
      port: sdkLambdaPut(new LambdaClient({}), { applicationArn: 'app' }),
      sleep: noSleep,
    });

    // Act
    const result = await writer.write(FUNCTION_ARN, tagged(['a', 'b', 'c']));

    // Assess
    expect(result.written.sort()).toEqual([0, 1, 2]);
    expect(seen).toEqual([
      { data: 'a', hint: 0 },
      { data: 'b', hint: 0 },
      { data: 'c', hint: 0 },
      { data: 'b', hint: 1 },
      { data: 'c', hint: 1 },
    ]);
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: FUNCTION_ARN });
  });

  it('retries every record of an invocation that failed as a whole, and reports them failed when it keeps failing', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ FunctionError: 'Unhandled', Payload: Buffer.from('{"errorMessage":"boom"}') as never });
    const writer = new KinesisWriter({
      port: sdkLambdaPut(new LambdaClient({}), { applicationArn: 'app' }),
      sleep: noSleep,
      retry: { maxAttempts: 3 },
    });
    const result = await writer.write(FUNCTION_ARN, tagged(['a', 'b']));
    expect(result.written).toEqual([]);
    expect(result.failed.map((f) => f.tag).sort()).toEqual([0, 1]);
    expect(result.failed[0]!.errorMessage).toMatch(/failed \(Unhandled\): \{"errorMessage":"boom"\}/);
    expect(lambda.commandCalls(InvokeCommand).length).toBeGreaterThanOrEqual(3);
  });

  it('keeps invocations under the 6 MB payload of a synchronous Invoke', () => {
    const batches = invocationBatches(Array.from({ length: 6 }, () => entry('x'.repeat(1_000_000))));
    expect(batches.map((b) => b.length)).toEqual([4, 2]);
  });
});

describe('Function: destinationsPut', () => {
  it('routes each call to the port of its ARN', async () => {
    const calls: string[] = [];
    const port = (name: string) => ({
      putRecords: async (arn: string, entries: readonly PutEntry[]) => {
        calls.push(`${name}:${arn.split(':')[2]}`);
        return entries.map(() => ({ ok: true as const }));
      },
    });
    const put = destinationsPut({ kinesis: port('k'), firehose: port('f'), lambda: port('l') });
    for (const arn of [STREAM_ARN, FIREHOSE_ARN, FUNCTION_ARN]) await put.putRecords(arn, [entry('x')]);
    expect(calls).toEqual(['k:kinesis', 'f:firehose', 'l:lambda']);
  });
});
