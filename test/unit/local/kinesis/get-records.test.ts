import { KinesisTwin } from '../../../../local/kinesis';
import type { JsonText } from '../../../../local/service';

/** Puts `n` records of `bytes` bytes (base64 with padding) with keys of `keyLength` characters into a one-shard stream. */
function stream(n: number, bytes: number, keyLength: number): { twin: KinesisTwin; iterator: string } {
  const twin = new KinesisTwin({ createDelayMs: 0, limits: false });
  twin.call('CreateStream', { StreamName: 's', ShardCount: 1 });
  for (let i = 0; i < n; i += 500) {
    twin.call('PutRecords', {
      StreamName: 's',
      Records: Array.from({ length: Math.min(500, n - i) }, (_, j) => ({
        Data: Buffer.alloc(bytes, (i + j) % 251).toString('base64'),
        PartitionKey: `${i + j}`.padStart(keyLength, 'k'),
      })),
    });
  }
  const { ShardIterator } = twin.call('GetShardIterator', {
    StreamName: 's',
    ShardId: 'shardId-000000000000',
    ShardIteratorType: 'TRIM_HORIZON',
  }) as { ShardIterator: string };
  return { twin, iterator: ShardIterator };
}

describe('Operation: GetRecords (wire JSON)', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['short keys', 8],
    ['keys of 200 characters', 200],
  ])('writes its answer into one buffer, allocated once (%s): never grown by copies', (_name, keyLength) => {
    // Prepare
    const { twin, iterator } = stream(2000, 100, keyLength);
    const allocations: number[] = [];
    const allocUnsafe = Buffer.allocUnsafe;
    jest.spyOn(Buffer, 'allocUnsafe').mockImplementation((size: number) => {
      allocations.push(size);
      return allocUnsafe(size);
    });

    // Act
    const answer = twin.call('GetRecords', { ShardIterator: iterator }) as JsonText;

    // Assess
    const json = JSON.parse(Buffer.from(answer.json).toString('utf8')) as { Records: unknown[] };
    expect(json.Records).toHaveLength(2000);
    expect(allocations.filter((size) => size >= 64 * 1024)).toHaveLength(1);
    expect(allocations[0]).toBeGreaterThanOrEqual(Buffer.byteLength(answer.json as Buffer));
  });
});
