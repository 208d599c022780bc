/**
 * Kinesis on the wire as AWS answers it: authentication errors, serialization and validation errors, CORS,
 * bodies, SequenceNumberForOrdering and the edges of ExplicitHashKey. Raw requests (wire-client.ts), so what
 * is checked is the bytes, not what an SDK makes of them.
 */
import { DescribeStreamCommand, PutRecordCommand, type Shard } from '@aws-sdk/client-kinesis';
import { connect, type Target, uniqueName, waitActive } from './harness';
import { wireCall } from './wire-client';

const MAX_HASH = ((1n << 128n) - 1n).toString();

function typeOf(value: unknown): string {
  return String((value as { __type?: string }).__type ?? '').replace(/^.*#/, '');
}

describe('Class: Kinesis wire protocol', () => {
  let target: Target;
  let stream: string;
  let shards: Shard[];

  beforeAll(async () => {
    target = await connect();
    stream = uniqueName('wire');
    await wireCall(target.endpoint, {
      operation: 'CreateStream',
      body: JSON.stringify({ StreamName: stream, ShardCount: 3 }),
    });
    await waitActive(target.client, stream);
    shards = (await target.client.send(new DescribeStreamCommand({ StreamName: stream }))).StreamDescription!.Shards!;
  });

  afterAll(async () => {
    await wireCall(target.endpoint, { operation: 'DeleteStream', body: JSON.stringify({ StreamName: stream }) });
    await target.close();
  });

  describe('Method: authentication', () => {
    it('answers MissingAuthenticationTokenException without an Authorization header', async () => {
      // Act
      const res = await wireCall(target.endpoint, { operation: 'ListStreams', body: '{}', auth: 'none' });

      // Assess
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(typeOf(res.value)).toBe('MissingAuthenticationTokenException');
    });

    it('answers IncompleteSignatureException for a malformed Authorization header', async () => {
      // Act
      const res = await wireCall(target.endpoint, {
        operation: 'ListStreams',
        body: '{}',
        auth: { authorization: 'AWS4-HMAC-SHA256 Credential=nope' },
      });

      // Assess
      expect(res.status).toBe(400);
      expect(typeOf(res.value)).toBe('IncompleteSignatureException');
    });

    it('answers UnknownOperationException for an unknown target or action', async () => {
      // Act
      const action = await wireCall(target.endpoint, { operation: 'PutRecordz', body: '{}' });
      const prefix = await wireCall(target.endpoint, { target: 'Kinesis_19990101.ListStreams', body: '{}' });

      // Assess
      expect(action.status).toBe(400);
      expect(typeOf(action.value)).toBe('UnknownOperationException');
      expect(typeOf(prefix.value)).toBe('UnknownOperationException');
    });
  });

  describe('Method: serialization and validation', () => {
    it('answers SerializationException for a body that is not JSON, and for a field of the wrong type, naming it', async () => {
      // Act
      const notJson = await wireCall(target.endpoint, { operation: 'ListStreams', body: '{"Limit": ' });
      const wrongType = await wireCall(target.endpoint, {
        operation: 'PutRecord',
        body: JSON.stringify({ StreamName: stream, PartitionKey: 'k', Data: 'AAAA', ExplicitHashKey: 7 }),
      });

      // Assess
      expect(notJson.status).toBe(400);
      expect(typeOf(notJson.value)).toBe('SerializationException');
      expect(wrongType.status).toBe(400);
      expect(typeOf(wrongType.value)).toBe('SerializationException');
      if (!process.env['KINESIS_ENDPOINT']) {
        expect((wrongType.value as { message: string }).message).toContain("'explicitHashKey'");
      }
    });

    it('reports every failing field in one message, in the order of the request members', async () => {
      // Act
      const res = await wireCall(target.endpoint, {
        operation: 'PutRecord',
        body: JSON.stringify({ StreamName: 'bad name!', Data: 'AAAA', PartitionKey: '' }),
      });

      // Assess
      expect(res.status).toBe(400);
      expect(typeOf(res.value)).toBe('ValidationException');
      const message = (res.value as { message: string }).message;
      expect(message).toMatch(/^2 validation errors detected: /);
      expect(message.indexOf("at 'streamName'")).toBeLessThan(message.indexOf("at 'partitionKey'"));
      expect(message).toContain(
        "Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    });
  });

  describe('Method: CORS', () => {
    it('answers an OPTIONS preflight and puts Access-Control-Allow-Origin on answers', async () => {
      // Prepare
      const origin = new URL(target.endpoint).origin;

      // Act
      const preflight = await wireCall(target.endpoint, {
        method: 'OPTIONS',
        body: '',
        auth: 'none',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target,x-amz-user-agent',
        },
      });
      const answer = await wireCall(target.endpoint, { operation: 'ListStreams', body: '{}', headers: { origin } });

      // Assess
      expect(preflight.status).toBeLessThan(300);
      expect(preflight.headers.get('access-control-allow-origin')).toMatch(new RegExp(`^(\\*|${origin})$`));
      expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/x-amz-target|\*/);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('access-control-allow-origin')).toMatch(new RegExp(`^(\\*|${origin})$`));
    });
  });

  describe('Method: bodies', () => {
    it('answers an operation with no output members with an empty 200 body', async () => {
      // Act
      const res = await wireCall(target.endpoint, {
        operation: 'AddTagsToStream',
        body: JSON.stringify({ StreamName: stream, Tags: { a: 'b' } }),
      });

      // Assess
      expect(res.status).toBe(200);
      expect(res.body.length).toBe(0);
    });

    it('accepts SequenceNumberForOrdering and orders the records after it', async () => {
      // Act
      const first = await target.client.send(
        new PutRecordCommand({ StreamName: stream, PartitionKey: 'ordered', Data: Buffer.from('1') }),
      );
      const second = await target.client.send(
        new PutRecordCommand({
          StreamName: stream,
          PartitionKey: 'ordered',
          Data: Buffer.from('2'),
          SequenceNumberForOrdering: first.SequenceNumber!,
        }),
      );

      // Assess
      expect(second.ShardId).toBe(first.ShardId);
      expect(BigInt(second.SequenceNumber!)).toBeGreaterThan(BigInt(first.SequenceNumber!));
    });

    it('routes ExplicitHashKey 0 to the first shard and 2^128-1 to the last', async () => {
      // Act
      const low = await target.client.send(
        new PutRecordCommand({ StreamName: stream, PartitionKey: 'x', ExplicitHashKey: '0', Data: Buffer.from('lo') }),
      );
      const high = await target.client.send(
        new PutRecordCommand({
          StreamName: stream,
          PartitionKey: 'x',
          ExplicitHashKey: MAX_HASH,
          Data: Buffer.from('hi'),
        }),
      );

      // Assess
      const first = shards.find((s) => s.HashKeyRange!.StartingHashKey === '0');
      const last = shards.find((s) => s.HashKeyRange!.EndingHashKey === MAX_HASH);
      expect(low.ShardId).toBe(first?.ShardId);
      expect(high.ShardId).toBe(last?.ShardId);
    });
  });
});
