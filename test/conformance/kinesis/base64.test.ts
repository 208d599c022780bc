/**
 * A property over the whole wire path (issue 11 §1): whatever text a client sends as a record's Data, the
 * service either refuses it (SerializationException, or ValidationException for its size) or stores exactly the
 * bytes that text encodes and reads them back — never anything else, such as memory it did not write.
 * Random bytes sent through the SDK come back equal.
 */
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import { connect, type Target, uniqueName, waitActive } from './harness';
import { wireCall } from './wire-client';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const NOT_BASE64 = ['!', '-', '_', ' ', '\n', '=', '.', 'é', '\u0000', '*'];

/** Text that is almost base64: valid base64 with one character replaced by one that is not. */
const spoiled = fc
  .tuple(fc.base64String({ minLength: 4, maxLength: 12_000 }), fc.nat(), fc.constantFrom(...NOT_BASE64))
  .map(([s, at, c]) => {
    const i = at % s.length;
    return s.slice(0, i) + c + s.slice(i + 1);
  });

/** Long runs of one character (the 8,000 '!' of the probe), past any "check only the first 4 KiB" shortcut. */
const runs = fc
  .tuple(fc.constantFrom('!', '-', '_', '*', '=', 'A', '/'), fc.integer({ min: 1023, max: 3000 }))
  .map(([c, quads]) => c.repeat(quads * 4));

const anyText = fc.oneof(
  fc.string({ maxLength: 64 }),
  fc.string({ unit: 'binary', minLength: 4000, maxLength: 9000 }),
  fc.base64String({ maxLength: 12_000 }),
  spoiled,
  runs,
);

describe('Property: a record reads back as exactly the bytes accepted', () => {
  let target: Target;
  let stream: string;

  beforeAll(async () => {
    target = await connect();
    stream = uniqueName('b64');
    await wireCall(target.endpoint, {
      operation: 'CreateStream',
      body: JSON.stringify({ StreamName: stream, ShardCount: 1 }),
    });
    await waitActive(target.client, stream);
  });

  afterAll(async () => {
    await wireCall(target.endpoint, { operation: 'DeleteStream', body: JSON.stringify({ StreamName: stream }) });
    await target.close();
  });

  /**
   * Every record of the stream's one shard from TRIM_HORIZON, as the base64 text GetRecords answers. Read once
   * after the puts: a GetRecords per record would pass the shard's 5 reads a second.
   */
  async function readAll(shardId: string): Promise<Map<string, string>> {
    const it = await wireCall(target.endpoint, {
      operation: 'GetShardIterator',
      body: JSON.stringify({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }),
    });
    let iterator = (it.value as { ShardIterator?: string }).ShardIterator;
    const out = new Map<string, string>();
    while (iterator) {
      const got = await wireCall(target.endpoint, {
        operation: 'GetRecords',
        body: JSON.stringify({ ShardIterator: iterator }),
      });
      if (got.status !== 200) {
        await new Promise((resolve) => setTimeout(resolve, 250)); // throttled: the shard's 5 reads a second
        continue;
      }
      const page = got.value as { Records: { Data: string; SequenceNumber: string }[]; NextShardIterator?: string };
      for (const r of page.Records) out.set(r.SequenceNumber, r.Data);
      if (page.Records.length === 0) break;
      iterator = page.NextShardIterator;
    }
    return out;
  }

  it('any text as Data: refused, or stored as the very bytes it encodes', async () => {
    // Prepare
    const accepted: { data: string; shardId: string; sequenceNumber: string }[] = [];

    // Act
    await fc.assert(
      fc.asyncProperty(anyText, async (data) => {
        const put = await wireCall(target.endpoint, {
          operation: 'PutRecord',
          body: JSON.stringify({ StreamName: stream, PartitionKey: 'p', Data: data }),
        });
        if (put.status !== 200) {
          expect(put.status).toBe(400);
          expect(['SerializationException', 'ValidationException']).toContain(
            String((put.value as { __type: string }).__type).replace(/^.*#/, ''),
          );
          return;
        }
        expect(data).toMatch(BASE64);
        const { ShardId, SequenceNumber } = put.value as { ShardId: string; SequenceNumber: string };
        accepted.push({ data, shardId: ShardId, sequenceNumber: SequenceNumber });
      }),
      { numRuns: 60, examples: [['!'.repeat(8000)], ['A'.repeat(4095)], [`${'A'.repeat(5000)}!==`]] },
    );
    const stored = accepted.length > 0 ? await readAll(accepted[0]!.shardId) : new Map<string, string>();

    // Assess
    expect(accepted.length).toBeGreaterThan(0);
    for (const { data, sequenceNumber } of accepted) {
      const back = stored.get(sequenceNumber);
      expect(back).toBeDefined();
      expect(Buffer.from(back!, 'base64').equals(Buffer.from(data, 'base64'))).toBe(true);
    }
  });

  it('any bytes through the SDK: read back equal', async () => {
    // Prepare
    const sent = new Map<string, Uint8Array>();
    let shardId = '';

    // Act
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 20_000 }), async (bytes) => {
        const put = await target.client.send(
          new PutRecordCommand({ StreamName: stream, PartitionKey: 'p', Data: bytes }),
        );
        shardId = put.ShardId!;
        sent.set(put.SequenceNumber!, bytes);
      }),
      { numRuns: 40 },
    );
    const stored = await readAll(shardId);

    // Assess
    for (const [sequenceNumber, bytes] of sent) {
      expect(Buffer.from(stored.get(sequenceNumber) ?? '-', 'base64').equals(Buffer.from(bytes))).toBe(true);
    }
  });
});
