/**
 * Kinesis in CBOR (`application/x-amz-cbor-1.1`), as the Java SDK and the KCL speak it by default, through a
 * client written for this suite (wire-client.ts): no Java, no SDK codec.
 */
import { connect, type Target, uniqueName, waitActive } from './harness';
import { cborCall, encodeCbor, Tagged, wireCall } from './wire-client';

describe('Class: Kinesis over CBOR', () => {
  let target: Target;
  let stream: string;

  beforeAll(async () => {
    target = await connect();
    stream = uniqueName('cbor');
    const created = await cborCall(target.endpoint, 'CreateStream', { StreamName: stream, ShardCount: 2 });
    expect(created.status).toBe(200);
    await waitActive(target.client, stream);
  });

  afterAll(async () => {
    await cborCall(target.endpoint, 'DeleteStream', { StreamName: stream });
    await target.close();
  });

  it('puts a record as a byte string and reads it back with GetRecords, timestamps as tag 1 in milliseconds', async () => {
    // Prepare
    const data = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
    const before = Date.now() - 5000;

    // Act
    const put = await cborCall(target.endpoint, 'PutRecord', {
      StreamName: stream,
      PartitionKey: 'cbor-key',
      Data: data,
    });
    const { ShardId, SequenceNumber } = put.value as { ShardId: string; SequenceNumber: string };
    const it = await cborCall(target.endpoint, 'GetShardIterator', {
      StreamName: stream,
      ShardId,
      ShardIteratorType: 'AT_TIMESTAMP',
      Timestamp: new Tagged(1, before),
    });
    const got = await cborCall(target.endpoint, 'GetRecords', {
      ShardIterator: (it.value as { ShardIterator: string }).ShardIterator,
    });

    // Assess
    expect(put.status).toBe(200);
    expect(put.headers.get('content-type')).toBe('application/x-amz-cbor-1.1');
    expect(got.status).toBe(200);
    const records = (got.value as { Records: Record<string, unknown>[] }).Records;
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record['SequenceNumber']).toBe(SequenceNumber);
    expect(record['PartitionKey']).toBe('cbor-key');
    expect(Buffer.isBuffer(record['Data'])).toBe(true);
    expect((record['Data'] as Buffer).equals(data)).toBe(true);
    const arrival = record['ApproximateArrivalTimestamp'] as Tagged;
    expect(arrival).toBeInstanceOf(Tagged);
    expect(arrival.tag).toBe(1);
    expect(Number.isInteger(arrival.value)).toBe(true);
    expect(arrival.value as number).toBeGreaterThanOrEqual(before);
    expect(arrival.value as number).toBeLessThan(Date.now() + 60_000);
  });

  it('serves PutRecords, ListShards, DescribeStreamSummary and tags in CBOR', async () => {
    // Act
    const put = await cborCall(target.endpoint, 'PutRecords', {
      StreamName: stream,
      Records: [
        { PartitionKey: 'a', Data: Buffer.from('one') },
        { PartitionKey: 'b', Data: Buffer.from('two') },
      ],
    });
    const shards = await cborCall(target.endpoint, 'ListShards', { StreamName: stream });
    const summary = await cborCall(target.endpoint, 'DescribeStreamSummary', { StreamName: stream });
    const tag = await cborCall(target.endpoint, 'AddTagsToStream', { StreamName: stream, Tags: { team: 'data' } });
    const tags = await cborCall(target.endpoint, 'ListTagsForStream', { StreamName: stream });

    // Assess
    expect((put.value as { FailedRecordCount: number }).FailedRecordCount).toBe(0);
    expect((shards.value as { Shards: unknown[] }).Shards).toHaveLength(2);
    const description = (summary.value as { StreamDescriptionSummary: Record<string, unknown> })
      .StreamDescriptionSummary;
    expect(description['StreamStatus']).toBe('ACTIVE');
    expect(description['StreamCreationTimestamp']).toBeInstanceOf(Tagged);
    expect(tag.status).toBe(200);
    expect((tags.value as { Tags: unknown[] }).Tags).toEqual([{ Key: 'team', Value: 'data' }]);
  });

  it('answers errors in CBOR when the request was CBOR', async () => {
    // Act
    const missing = await cborCall(target.endpoint, 'DescribeStreamSummary', { StreamName: `${stream}-nope` });
    const invalid = await cborCall(target.endpoint, 'CreateStream', { StreamName: '', ShardCount: 0 });
    const garbage = await wireCall(target.endpoint, {
      operation: 'ListStreams',
      body: Buffer.from([0xbf, 0x61]),
      contentType: 'application/x-amz-cbor-1.1',
    });

    // Assess
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toContain('cbor');
    expect((missing.value as { __type: string }).__type).toContain('ResourceNotFoundException');
    expect((invalid.value as { __type: string }).__type).toContain('ValidationException');
    expect(garbage.status).toBe(400);
    expect((garbage.value as { __type: string }).__type).toContain('SerializationException');
  });

  it('refuses a string where the model says Blob, naming the field', async () => {
    // Act
    const res = await wireCall(target.endpoint, {
      operation: 'PutRecord',
      body: encodeCbor({ StreamName: stream, PartitionKey: 'k', Data: 12 }),
      contentType: 'application/x-amz-cbor-1.1',
    });

    // Assess
    expect(res.status).toBe(400);
    expect((res.value as { __type: string }).__type).toContain('SerializationException');
  });
});
