import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamCommand,
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  ListStreamsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { connect, type Target, uniqueName, waitActive } from './harness';

describe('Class: Kinesis streams', () => {
  let target: Target;

  beforeAll(async () => {
    target = await connect();
  });

  afterAll(async () => {
    await target.close();
  });

  describe('Method: CreateStream', () => {
    it('creates a provisioned stream whose shards split the hash-key space evenly', async () => {
      // Prepare
      const name = uniqueName('create');

      // Act
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 3 }));
      await waitActive(target.client, name);
      const out = await target.client.send(new DescribeStreamCommand({ StreamName: name }));

      // Assess
      const d = out.StreamDescription!;
      expect(d.StreamStatus).toBe('ACTIVE');
      expect(d.StreamModeDetails?.StreamMode).toBe('PROVISIONED');
      expect(d.RetentionPeriodHours).toBe(24);
      expect(d.StreamARN).toMatch(new RegExp(`^arn:aws:kinesis:[a-z0-9-]+:\\d{12}:stream/${name}$`));
      expect(d.Shards?.map((s) => s.ShardId)).toEqual([
        'shardId-000000000000',
        'shardId-000000000001',
        'shardId-000000000002',
      ]);
      expect(d.Shards?.map((s) => [s.HashKeyRange?.StartingHashKey, s.HashKeyRange?.EndingHashKey])).toEqual([
        ['0', '113427455640312821154458202477256070484'],
        ['113427455640312821154458202477256070485', '226854911280625642308916404954512140969'],
        ['226854911280625642308916404954512140970', '340282366920938463463374607431768211455'],
      ]);
      expect(d.Shards?.[0]?.SequenceNumberRange?.StartingSequenceNumber).toMatch(/^\d{20,}$/);
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('creates an ON_DEMAND stream with four shards', async () => {
      // Prepare
      const name = uniqueName('ondemand');

      // Act
      await target.client.send(
        new CreateStreamCommand({ StreamName: name, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
      );
      await waitActive(target.client, name);
      const out = await target.client.send(new DescribeStreamSummaryCommand({ StreamName: name }));

      // Assess
      expect(out.StreamDescriptionSummary?.StreamModeDetails?.StreamMode).toBe('ON_DEMAND');
      expect(out.StreamDescriptionSummary?.OpenShardCount).toBe(4);
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('refuses a name that is already taken', async () => {
      // Prepare
      const name = uniqueName('dup');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);

      // Act
      const error = await target.client
        .send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }))
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ResourceInUseException);
      expect((error as Error).message).toMatch(new RegExp(`Stream ${name} under account \\d{12} already exists`));
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });

    it('answers ValidationException with the constraint for a bad name', async () => {
      // Act
      const error = await target.client
        .send(new CreateStreamCommand({ StreamName: 'bad name!', ShardCount: 1 }))
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('ValidationException');
      expect((error as Error).message).toContain(
        "Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
      );
    });
  });

  describe('Method: DescribeStream', () => {
    it('addresses a stream by StreamARN as well as by name', async () => {
      // Prepare
      const name = uniqueName('arn');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);
      const byName = await target.client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      const arn = byName.StreamDescriptionSummary!.StreamARN!;

      // Act
      const byArn = await target.client.send(new DescribeStreamSummaryCommand({ StreamARN: arn }));

      // Assess
      expect(byArn.StreamDescriptionSummary?.StreamName).toBe(name);
      await target.client.send(new DeleteStreamCommand({ StreamARN: arn }));
    });

    it('answers ResourceNotFoundException for a missing stream', async () => {
      // Prepare
      const name = uniqueName('missing');

      // Act
      const error = await target.client.send(new DescribeStreamCommand({ StreamName: name })).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect((error as Error).message).toMatch(new RegExp(`Stream ${name} under account \\d{12} not found`));
    });
  });

  describe('Method: ListStreams', () => {
    it('pages through streams with NextToken', async () => {
      // Prepare
      const names = [uniqueName('list'), uniqueName('list')];
      for (const n of names) await target.client.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }));
      for (const n of names) await waitActive(target.client, n);

      // Act
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const out = await target.client.send(
          new ListStreamsCommand(token === undefined ? { Limit: 1 } : { Limit: 1, NextToken: token }),
        );
        seen.push(...(out.StreamNames ?? []));
        expect(out.StreamSummaries?.length).toBe(out.StreamNames?.length);
        token = out.HasMoreStreams ? out.NextToken : undefined;
      } while (token !== undefined);

      // Assess
      expect(seen).toEqual(expect.arrayContaining(names));
      for (const n of names) await target.client.send(new DeleteStreamCommand({ StreamName: n }));
    });
  });

  describe('Method: ListShards', () => {
    it('lists shards in pages and refuses NextToken with StreamName', async () => {
      // Prepare
      const name = uniqueName('shards');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 3 }));
      await waitActive(target.client, name);

      // Act
      const first = await target.client.send(new ListShardsCommand({ StreamName: name, MaxResults: 2 }));
      const rest = await target.client.send(new ListShardsCommand({ NextToken: first.NextToken! }));
      const both = await target.client
        .send(new ListShardsCommand({ StreamName: name, NextToken: first.NextToken! }))
        .catch((e: unknown) => e);

      // Assess
      expect(first.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
      expect(rest.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000002']);
      expect(rest.NextToken).toBeUndefined();
      expect((both as Error).name).toBe('InvalidArgumentException');
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));
    });
  });

  describe('Method: DeleteStream', () => {
    it('deletes a stream', async () => {
      // Prepare
      const name = uniqueName('delete');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);

      // Act
      await target.client.send(new DeleteStreamCommand({ StreamName: name }));

      // Assess
      const status = await target.client
        .send(new DescribeStreamSummaryCommand({ StreamName: name }))
        .then((o) => o.StreamDescriptionSummary?.StreamStatus)
        .catch((e: unknown) => (e as Error).name);
      expect(['DELETING', 'ResourceNotFoundException']).toContain(status);
    });
  });
});
