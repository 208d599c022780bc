import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
  type SubscribeToShardEvent,
} from '@aws-sdk/client-kinesis';
import { connect, type Target, uniqueName, waitActive } from './harness';

describe('Class: Kinesis enhanced fan-out', () => {
  let target: Target;

  beforeAll(async () => {
    target = await connect();
  });

  afterAll(async () => {
    await target.close();
  });

  describe('Method: SubscribeToShard', () => {
    it('pushes the records of a shard to a registered consumer over HTTP/2', async () => {
      // Prepare
      const name = uniqueName('efo');
      await target.client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
      await waitActive(target.client, name);
      const arn = (await target.client.send(new DescribeStreamSummaryCommand({ StreamName: name })))
        .StreamDescriptionSummary!.StreamARN!;
      const consumer = (
        await target.client.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'efo' }))
      ).Consumer!;
      for (;;) {
        const d = await target.client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumer.ConsumerARN! }));
        if (d.ConsumerDescription?.ConsumerStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await target.client.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: ['one', 'two'].map((s) => ({ PartitionKey: s, Data: Buffer.from(s) })),
        }),
      );
      const abort = new AbortController();

      // Act
      const out = await target.client.send(
        new SubscribeToShardCommand({
          ConsumerARN: consumer.ConsumerARN!,
          ShardId: 'shardId-000000000000',
          StartingPosition: { Type: 'TRIM_HORIZON' },
        }),
        { abortSignal: abort.signal },
      );
      const received: string[] = [];
      let last: SubscribeToShardEvent | undefined;
      let putLater = false;
      for await (const event of out.EventStream!) {
        const e = event.SubscribeToShardEvent;
        if (!e) continue;
        last = e;
        received.push(...(e.Records ?? []).map((r) => Buffer.from(r.Data!).toString()));
        if (!putLater) {
          putLater = true;
          await target.client.send(
            new PutRecordsCommand({ StreamName: name, Records: [{ PartitionKey: 'p', Data: Buffer.from('three') }] }),
          );
        }
        if (received.length >= 3) break;
      }
      abort.abort();

      // Assess
      expect(received).toEqual(['one', 'two', 'three']);
      expect(last?.ContinuationSequenceNumber).toMatch(/^\d+$/);
      expect(last?.MillisBehindLatest).toBe(0);
      await target.client.send(new DeleteStreamCommand({ StreamName: name, EnforceConsumerDeletion: true }));
    });
  });
});
