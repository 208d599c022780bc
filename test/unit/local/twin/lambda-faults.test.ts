/**
 * The Lambda twin's fault injection on Invoke (local/lambda/faults.ts), as a writer meets it: throttles, function
 * errors and records answered DeliveryFailed, all before the function sees the records, in exact shares.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { LambdaTwin } from '../../../../local/lambda';

/** A destination function: answers Ok for every record it gets, and returns the data it saw. */
const DESTINATION = `exports.handler = async (event) => ({
  records: (event.records ?? []).map((r) => ({ recordId: r.recordId, result: 'Ok' })),
  saw: (event.records ?? []).map((r) => r.recordId),
});`;

const event = (...ids: string[]) => ({
  invocationId: 'i',
  applicationArn: 'app',
  records: ids.map((recordId) => ({ recordId, lambdaDeliveryRecordMetadata: { retryHint: 0 }, data: 'e30=' })),
});

describe('Class: LambdaTwin, faults injected on Invoke', () => {
  let cache: string;
  let lambda: LambdaTwin;

  beforeEach(async () => {
    cache = mkdtempSync(join(tmpdir(), 'lambda-faults-'));
    lambda = new LambdaTwin({ codeCacheDir: cache, faults: { dest: { deliveryFailed: 0.5 } } });
    await lambda.createFunction({
      Role: 'arn:aws:iam::000000000000:role/lambda-role',
      FunctionName: 'dest',
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Code: { ZipFile: zipSync({ 'index.js': strToU8(DESTINATION) }) },
    });
  });

  afterEach(async () => {
    await lambda.close();
    rmSync(cache, { recursive: true, force: true });
  });

  const invoke = async (payload: unknown) => {
    const out = await lambda.invoke({ FunctionName: 'dest', Payload: Buffer.from(JSON.stringify(payload)) });
    return { ...out, answer: JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, unknown> };
  };

  it('answers DeliveryFailed for exact shares of the records, which the function never sees', async () => {
    // Act: every 2nd record failed
    const out = await invoke(event('a', 'b', 'c', 'd'));

    // Assess
    expect(out.FunctionError).toBeUndefined();
    expect(out.answer['saw']).toEqual(['a', 'c']);
    expect(out.answer['records']).toEqual([
      { recordId: 'a', result: 'Ok' },
      { recordId: 'c', result: 'Ok' },
      { recordId: 'b', result: 'DeliveryFailed' },
      { recordId: 'd', result: 'DeliveryFailed' },
    ]);
    expect(lambda.faultCounts('dest')).toEqual({ throttled: 0, functionErrors: 0, deliveryFailed: 2 });
  });

  it('throttles with TooManyRequestsException and fails invocations whole before the function runs', async () => {
    // Prepare: every 2nd call throttled; of those that pass, every 2nd answers a function error
    lambda.setFaults('dest', { throttle: 0.5, functionErrors: 0.5 });

    // Act
    const first = await invoke(event('a'));
    const second = await invoke(event('b')).catch((e: unknown) => e);
    const third = await invoke(event('c'));

    // Assess
    expect(first.answer['saw']).toEqual(['a']);
    expect(second).toMatchObject({ name: 'TooManyRequestsException', status: 429, message: 'Rate Exceeded.' });
    expect(third).toMatchObject({ FunctionError: 'Unhandled', answer: { errorType: 'InjectedFault' } });
    expect(lambda.faultCounts('dest')).toEqual({ throttled: 1, functionErrors: 1, deliveryFailed: 0 });
  });

  it('does not run the function when every record of the event is failed, and leaves other payloads alone', async () => {
    // Prepare
    lambda.setFaults('dest', { deliveryFailed: 1 });

    // Act
    const all = await invoke(event('a', 'b'));
    const other = await invoke({ n: 1 });

    // Assess
    expect(all.answer).toEqual({
      records: [
        { recordId: 'a', result: 'DeliveryFailed' },
        { recordId: 'b', result: 'DeliveryFailed' },
      ],
    });
    expect(other.answer).toEqual({ records: [], saw: [] });
    expect(() => lambda.setFaults('dest', { throttle: -1 })).toThrow(/between 0 and 1/);
  });
});
