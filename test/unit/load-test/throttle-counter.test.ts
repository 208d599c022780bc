import { GetRecordsCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { alreadyCounted, countSdkThrottles } from '../../../src/load-test/kinesis-io';

/** A Kinesis client whose every call is refused with ProvisionedThroughputExceededException on the wire. */
function throttledClient(calls: { n: number }) {
  return new KinesisClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
    requestHandler: {
      handle: async () => {
        calls.n++;
        return {
          response: {
            statusCode: 400,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Buffer.from(
              JSON.stringify({ __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for shard' }),
            ),
          },
        };
      },
    } as never,
  });
}

describe('Function: countSdkThrottles', () => {
  it('counts each throttled attempt the SDK retries by itself, and marks the error it finally throws', async () => {
    // Prepare
    const calls = { n: 0 };
    const client = throttledClient(calls);
    const seen: string[] = [];
    const remove = countSdkThrottles(client, (command) => seen.push(command));

    // Act
    const error = await client.send(new GetRecordsCommand({ ShardIterator: 'it' })).catch((e: unknown) => e);
    remove();
    await client.send(new GetRecordsCommand({ ShardIterator: 'it' })).catch(() => undefined);

    // Assess
    expect((error as Error).name).toBe('ProvisionedThroughputExceededException');
    expect(alreadyCounted(error)).toBe(true);
    expect(calls.n).toBe(4);
    expect(seen).toEqual(['GetRecordsCommand', 'GetRecordsCommand']);
  });
});
