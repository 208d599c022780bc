import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  IncreaseStreamRetentionPeriodCommand,
  ListStreamConsumersCommand,
  ListTagsForStreamCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
} from '@aws-sdk/client-kinesis';
import { connect, type Target, uniqueName, waitActive } from './harness';

describe('Class: Kinesis stream settings', () => {
  let target: Target;
  let stream: string;
  let arn: string;

  beforeAll(async () => {
    target = await connect();
    stream = uniqueName('settings');
    await target.client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
    await waitActive(target.client, stream);
    const d = await target.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    arn = d.StreamDescriptionSummary!.StreamARN!;
  });

  afterAll(async () => {
    await target.client.send(new DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true }));
    await target.close();
  });

  describe('Method: AddTagsToStream', () => {
    it('adds, lists and removes tags', async () => {
      // Act
      await target.client.send(
        new AddTagsToStreamCommand({ StreamName: stream, Tags: { team: 'fanout', env: 'test' } }),
      );
      const listed = await target.client.send(new ListTagsForStreamCommand({ StreamARN: arn }));
      await target.client.send(new RemoveTagsFromStreamCommand({ StreamName: stream, TagKeys: ['env'] }));
      const after = await target.client.send(new ListTagsForStreamCommand({ StreamName: stream }));

      // Assess
      expect(listed.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'env', Value: 'test' },
          { Key: 'team', Value: 'fanout' },
        ]),
      );
      expect(listed.HasMoreTags).toBe(false);
      expect(after.Tags).toEqual([{ Key: 'team', Value: 'fanout' }]);
    });
  });

  describe('Method: IncreaseStreamRetentionPeriod', () => {
    it('raises and lowers retention within 24..8760 hours', async () => {
      // Act
      await target.client.send(
        new IncreaseStreamRetentionPeriodCommand({ StreamName: stream, RetentionPeriodHours: 48 }),
      );
      const raised = await target.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      const lower = await target.client
        .send(new IncreaseStreamRetentionPeriodCommand({ StreamName: stream, RetentionPeriodHours: 30 }))
        .catch((e: unknown) => e);
      await waitActive(target.client, stream);
      await target.client.send(
        new DecreaseStreamRetentionPeriodCommand({ StreamName: stream, RetentionPeriodHours: 24 }),
      );
      await waitActive(target.client, stream);
      const tooShort = await target.client
        .send(new DecreaseStreamRetentionPeriodCommand({ StreamName: stream, RetentionPeriodHours: 12 }))
        .catch((e: unknown) => e);
      const back = await target.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));

      // Assess
      expect(raised.StreamDescriptionSummary?.RetentionPeriodHours).toBe(48);
      expect((lower as Error).name).toBe('InvalidArgumentException');
      expect(['InvalidArgumentException', 'ValidationException']).toContain((tooShort as Error).name);
      expect(back.StreamDescriptionSummary?.RetentionPeriodHours).toBe(24);
    });
  });

  describe('Method: StartStreamEncryption', () => {
    it('shows KMS encryption in descriptions and PutRecord answers, until it is stopped', async () => {
      // Act
      await target.client.send(
        new StartStreamEncryptionCommand({ StreamName: stream, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }),
      );
      await waitActive(target.client, stream);
      const described = await target.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      const put = await target.client.send(
        new PutRecordCommand({ StreamName: stream, PartitionKey: 'k', Data: Buffer.from('secret') }),
      );
      await target.client.send(
        new StopStreamEncryptionCommand({ StreamName: stream, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }),
      );
      await waitActive(target.client, stream);
      const after = await target.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));

      // Assess
      expect(described.StreamDescriptionSummary?.EncryptionType).toBe('KMS');
      expect(described.StreamDescriptionSummary?.KeyId).toBe('alias/aws/kinesis');
      expect(put.EncryptionType).toBe('KMS');
      expect(after.StreamDescriptionSummary?.EncryptionType).toBe('NONE');
    });
  });

  describe('Method: EnableEnhancedMonitoring', () => {
    it('turns shard-level metrics on and off', async () => {
      // Act
      const on = await target.client.send(
        new EnableEnhancedMonitoringCommand({ StreamName: stream, ShardLevelMetrics: ['IncomingBytes'] }),
      );
      await waitActive(target.client, stream);
      const off = await target.client.send(
        new DisableEnhancedMonitoringCommand({ StreamName: stream, ShardLevelMetrics: ['IncomingBytes'] }),
      );
      await waitActive(target.client, stream);

      // Assess
      expect(on.DesiredShardLevelMetrics).toEqual(['IncomingBytes']);
      expect(off.CurrentShardLevelMetrics).toEqual(['IncomingBytes']);
      expect(off.DesiredShardLevelMetrics).toEqual([]);
    });
  });

  describe('Method: RegisterStreamConsumer', () => {
    it('registers, describes, lists and deregisters a consumer', async () => {
      // Prepare
      const name = uniqueName('consumer');

      // Act
      const registered = await target.client.send(
        new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name }),
      );
      const consumerArn = registered.Consumer!.ConsumerARN!;
      const byArn = await target.client.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
      const byName = await target.client.send(
        new DescribeStreamConsumerCommand({ StreamARN: arn, ConsumerName: name }),
      );
      const listed = await target.client.send(new ListStreamConsumersCommand({ StreamARN: arn }));
      const duplicate = await target.client
        .send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: name }))
        .catch((e: unknown) => e);
      await target.client.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumerArn }));

      // Assess
      expect(consumerArn.startsWith(`${arn}/consumer/${name}:`)).toBe(true);
      expect(['CREATING', 'ACTIVE']).toContain(registered.Consumer?.ConsumerStatus);
      expect(byArn.ConsumerDescription?.ConsumerName).toBe(name);
      expect(byArn.ConsumerDescription?.StreamARN).toBe(arn);
      expect(byName.ConsumerDescription?.ConsumerARN).toBe(consumerArn);
      expect(listed.Consumers?.map((c) => c.ConsumerName)).toContain(name);
      expect((duplicate as Error).name).toBe('ResourceInUseException');
    });

    it('answers ResourceNotFoundException for an unknown consumer', async () => {
      // Act
      const error = await target.client
        .send(new DescribeStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'nobody' }))
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).name).toBe('ResourceNotFoundException');
    });
  });
});
