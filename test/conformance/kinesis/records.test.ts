import { createHash } from 'node:crypto';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
  type Shard,
  UpdateMaxRecordSizeCommand,
} from '@aws-sdk/client-kinesis';
import { connect, type Target, uniqueName, waitActive } from './harness';

async function iterator(
  client: KinesisClient,
  stream: string,
  shardId: string,
  type: 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP',
  extra: { StartingSequenceNumber?: string; Timestamp?: Date } = {},
): Promise<string> {
  const out = await client.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, ...extra }),
  );
  return out.ShardIterator!;
}

function text(data: Uint8Array | undefined): string {
  return Buffer.from(data ?? new Uint8Array()).toString('utf8');
}

describe('Class: Kinesis records', () => {
  let target: Target;
  let stream: string;
  let shards: Shard[];

  beforeAll(async () => {
    target = await connect();
    stream = uniqueName('records');
    await target.client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 4 }));
    await waitActive(target.client, stream);
    shards = (await target.client.send(new DescribeStreamCommand({ StreamName: stream }))).StreamDescription!.Shards!;
  });

  afterAll(async () => {
    await target.client.send(new DeleteStreamCommand({ StreamName: stream }));
    await target.close();
  });

  describe('Method: PutRecords', () => {
    it('routes each record to the shard whose hash-key range holds the MD5 of its partition key', async () => {
      // Prepare
      const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);

      // Act
      const out = await target.client.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: keys.map((k) => ({ PartitionKey: k, Data: Buffer.from(`data-${k}`) })),
        }),
      );

      // Assess
      expect(out.FailedRecordCount).toBe(0);
      out.Records!.forEach((r, i) => {
        const hash = BigInt(`0x${createHash('md5').update(keys[i]!).digest('hex')}`);
        const expected = shards.find(
          (s) => hash >= BigInt(s.HashKeyRange!.StartingHashKey!) && hash <= BigInt(s.HashKeyRange!.EndingHashKey!),
        );
        expect(r.ShardId).toBe(expected?.ShardId);
        expect(r.SequenceNumber).toMatch(/^\d+$/);
      });
    });

    it('honours ExplicitHashKey and refuses one outside the hash space', async () => {
      // Act
      const out = await target.client.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: [
            { PartitionKey: 'any', ExplicitHashKey: shards[3]!.HashKeyRange!.StartingHashKey!, Data: Buffer.from('x') },
          ],
        }),
      );
      const error = await target.client
        .send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: [{ PartitionKey: 'any', ExplicitHashKey: (1n << 128n).toString(), Data: Buffer.from('x') }],
          }),
        )
        .catch((e: unknown) => e);

      // Assess
      expect(out.Records?.[0]?.ShardId).toBe(shards[3]!.ShardId);
      expect((error as Error).name).toBe('InvalidArgumentException');
      expect((error as Error).message).toContain('ExplicitHashKey must be in the range: [0, 2^128-1]');
    });

    it('refuses more than 500 records in one call', async () => {
      // Act
      const error = await target.client
        .send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: Array.from({ length: 501 }, () => ({ PartitionKey: 'k', Data: Buffer.from('x') })),
          }),
        )
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('ValidationException');
      expect((error as Error).message).toContain(
        "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500",
      );
    });

    it('takes records up to the stream maximum once UpdateMaxRecordSize raises it', async () => {
      // Prepare
      const name = uniqueName('bigrecords');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);
      const arn = (await target.client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
        .StreamDescriptionSummary!.StreamARN!;

      // Act
      await target.client.send(new UpdateMaxRecordSizeCommand({ StreamARN: arn, MaxRecordSizeInKiB: 2048 }));
      await waitActive(target.client, name);
      const put = await target.client.send(
        new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: Buffer.alloc(1536 * 1024) }),
      );

      // Assess
      expect(put.SequenceNumber).toEqual(expect.any(String));
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('refuses a record over 1 MiB', async () => {
      // Act
      const error = await target.client
        .send(new PutRecordCommand({ StreamName: stream, PartitionKey: 'k', Data: Buffer.alloc(1024 * 1024 + 1) }))
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('ValidationException');
      expect((error as Error).message).toContain('Member must have length less than or equal to 1048576');
    });
  });

  describe('Method: GetRecords', () => {
    it('reads back what was put, in order, over HTTP/2 and HTTP/1.1, with increasing sequence numbers', async () => {
      // Prepare
      const shardId = shards[0]!.ShardId!;
      const key = shards[0]!.HashKeyRange!.StartingHashKey!;
      const latest = await iterator(target.client, stream, shardId, 'LATEST');
      const sent = Array.from({ length: 25 }, (_, i) => `ordered-${i}`);
      for (const [i, client] of [target.client, target.http1].entries()) {
        await client.send(
          new PutRecordsCommand({
            StreamName: stream,
            Records: sent
              .slice(i * 12, i === 0 ? 12 : undefined)
              .map((s) => ({ PartitionKey: s, ExplicitHashKey: key, Data: Buffer.from(s) })),
          }),
        );
      }

      // Act
      const viaH2 = await target.client.send(new GetRecordsCommand({ ShardIterator: latest }));
      const viaH1 = await target.http1.send(new GetRecordsCommand({ ShardIterator: latest }));

      // Assess
      for (const out of [viaH2, viaH1]) {
        expect(out.Records?.map((r) => text(r.Data))).toEqual(sent);
        expect(out.Records?.map((r) => r.PartitionKey)).toEqual(sent);
        expect(out.MillisBehindLatest).toBe(0);
        expect(out.NextShardIterator).toEqual(expect.any(String));
        const seqs = out.Records!.map((r) => BigInt(r.SequenceNumber!));
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]! > seqs[i - 1]!).toBe(true);
        expect(out.Records?.[0]?.ApproximateArrivalTimestamp).toBeInstanceOf(Date);
      }
    });

    it('pages with Limit and NextShardIterator, then returns nothing at the tip', async () => {
      // Prepare
      const shardId = shards[1]!.ShardId!;
      const key = shards[1]!.HashKeyRange!.StartingHashKey!;
      const it0 = await iterator(target.client, stream, shardId, 'LATEST');
      await target.client.send(
        new PutRecordsCommand({
          StreamName: stream,
          Records: ['a', 'b', 'c'].map((s) => ({ PartitionKey: s, ExplicitHashKey: key, Data: Buffer.from(s) })),
        }),
      );

      // Act
      const page1 = await target.client.send(new GetRecordsCommand({ ShardIterator: it0, Limit: 2 }));
      const page2 = await target.client.send(new GetRecordsCommand({ ShardIterator: page1.NextShardIterator! }));
      const page3 = await target.client.send(new GetRecordsCommand({ ShardIterator: page2.NextShardIterator! }));

      // Assess
      expect(page1.Records?.map((r) => text(r.Data))).toEqual(['a', 'b']);
      expect(page2.Records?.map((r) => text(r.Data))).toEqual(['c']);
      expect(page3.Records).toEqual([]);
      expect(page3.NextShardIterator).toEqual(expect.any(String));
    });

    it('refuses a malformed iterator with InvalidArgumentException', async () => {
      // Act
      const error = await target.client
        .send(new GetRecordsCommand({ ShardIterator: 'AAAAAAAAAAFnot-an-iterator' }))
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('InvalidArgumentException');
    });
  });

  describe('Method: GetShardIterator', () => {
    it('starts at, after, and by timestamp relative to a sequence number', async () => {
      // Prepare
      const name = uniqueName('positions');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);
      const shardId = 'shardId-000000000000';
      const put = await target.client.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: ['x', 'y', 'z'].map((s) => ({ PartitionKey: s, Data: Buffer.from(s) })),
        }),
      );
      const seqY = put.Records![1]!.SequenceNumber!;

      // Act
      const at = await iterator(target.client, name, shardId, 'AT_SEQUENCE_NUMBER', { StartingSequenceNumber: seqY });
      const after = await iterator(target.client, name, shardId, 'AFTER_SEQUENCE_NUMBER', {
        StartingSequenceNumber: seqY,
      });
      const horizon = await iterator(target.client, name, shardId, 'TRIM_HORIZON');
      const old = await iterator(target.client, name, shardId, 'AT_TIMESTAMP', {
        Timestamp: new Date(Date.now() - 3_600_000),
      });
      const described = await target.client.send(new DescribeStreamCommand({ StreamName: name }));
      const starting = described.StreamDescription!.Shards![0]!.SequenceNumberRange!.StartingSequenceNumber!;
      const afterStart = await iterator(target.client, name, shardId, 'AFTER_SEQUENCE_NUMBER', {
        StartingSequenceNumber: starting,
      });
      const read = async (it: string): Promise<string[]> =>
        ((await target.client.send(new GetRecordsCommand({ ShardIterator: it }))).Records ?? []).map((r) =>
          text(r.Data),
        );

      // Assess
      expect(await read(at)).toEqual(['y', 'z']);
      expect(await read(after)).toEqual(['z']);
      expect(await read(horizon)).toEqual(['x', 'y', 'z']);
      expect(await read(old)).toEqual(['x', 'y', 'z']);
      expect(BigInt(starting) < BigInt(put.Records![0]!.SequenceNumber!)).toBe(true);
      expect(await read(afterStart)).toEqual(['x', 'y', 'z']);
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('gives an iterator on an empty shard for every type, including AT_TIMESTAMP', async () => {
      // Prepare
      const name = uniqueName('empty');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);
      const shardId = 'shardId-000000000000';

      // Act
      const its = [
        await iterator(target.client, name, shardId, 'TRIM_HORIZON'),
        await iterator(target.client, name, shardId, 'LATEST'),
        await iterator(target.client, name, shardId, 'AT_TIMESTAMP', { Timestamp: new Date(Date.now() - 1000) }),
      ];
      const outs = await Promise.all(its.map((it) => target.client.send(new GetRecordsCommand({ ShardIterator: it }))));

      // Assess
      for (const out of outs) {
        expect(out.Records).toEqual([]);
        expect(out.MillisBehindLatest).toBe(0);
      }
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('refuses a sequence number of another shard and a missing shard', async () => {
      // Prepare
      const key = shards[0]!.HashKeyRange!.StartingHashKey!;
      const put = await target.client.send(
        new PutRecordCommand({ StreamName: stream, PartitionKey: 'p', ExplicitHashKey: key, Data: Buffer.from('p') }),
      );

      // Act
      const wrongShard = await iterator(target.client, stream, shards[1]!.ShardId!, 'AT_SEQUENCE_NUMBER', {
        StartingSequenceNumber: put.SequenceNumber!,
      }).catch((e: unknown) => e);
      const missing = await iterator(target.client, stream, 'shardId-000000000099', 'TRIM_HORIZON').catch(
        (e: unknown) => e,
      );

      // Assess
      expect((wrongShard as Error).name).toBe('InvalidArgumentException');
      expect((missing as Error).name).toBe('ResourceNotFoundException');
    });
  });
});
