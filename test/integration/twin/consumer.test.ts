import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { deploy } from '../../../local/deploy';
import { startTwin } from '../../../local/twin';

// A consumer that throws on any batch holding a poison record, and logs each batch it sees.
const CONSUMER = `
exports.handler = async (event) => {
  const ids = event.Records.map((r) => JSON.parse(Buffer.from(r.kinesis.data, 'base64').toString()).id);
  console.log('BATCH ' + JSON.stringify(ids));
  if (ids.includes(13)) throw new Error('cannot handle record 13');
  return { batchItemFailures: [] };
};`;

describe('Integration: a consumer that throws', () => {
  it('is retried with its batch bisected until only the poison record is left, which is given up', async () => {
    // Prepare
    const twin = await startTwin({ port: 0, fast: true, limits: false });
    const logs: string[] = [];
    twin.lambda.onLog = (_fn, chunk) => logs.push(chunk);
    const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
    const kinesis = new KinesisClient({ endpoint: twin.endpoint, region: 'us-east-1', credentials });
    const lambda = new LambdaClient({ endpoint: twin.endpoint, region: 'us-east-1', credentials });
    try {
      const stack = await deploy(twin, {
        Resources: {
          Stream: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'Orders', ShardCount: 1 } },
          Consumer: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              FunctionName: 'consumer',
              Handler: 'index.handler',
              Role: 'arn:aws:iam::000000000000:role/consumer',
              Code: { ZipFile: CONSUMER },
            },
          },
          Mapping: {
            Type: 'AWS::Lambda::EventSourceMapping',
            Properties: {
              FunctionName: { 'Fn::GetAtt': ['Consumer', 'Arn'] },
              EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] },
              StartingPosition: 'TRIM_HORIZON',
              BatchSize: 16,
              BisectBatchOnFunctionError: true,
              MaximumRetryAttempts: 4,
              FunctionResponseTypes: ['ReportBatchItemFailures'],
              Enabled: false,
            },
          },
        },
        Outputs: { Mapping: { Value: { Ref: 'Mapping' } } },
      });
      const uuid = stack.outputs['Mapping']!;
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: 'Orders',
          Records: Array.from({ length: 16 }, (_, id) => ({
            Data: Buffer.from(JSON.stringify({ id })),
            PartitionKey: 'same-shard',
          })),
        }),
      );

      // Act: the engines enable mappings through the Lambda API, so the test does too
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: uuid, Enabled: true }));
      const mapping = twin.lambda.mapping(uuid);
      const logged = (): number =>
        logs
          .join('')
          .split('\n')
          .filter((l) => l.startsWith('BATCH ')).length;
      // a worker's stdout and its answer travel apart: wait for the log of every invocation too
      for (
        let i = 0;
        i < 3000 &&
        (mapping.stats.records + mapping.stats.discardedRecords < 16 || logged() < mapping.stats.invocations);
        i++
      )
        await new Promise((r) => setTimeout(r, 10));
      const described = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));

      // Assess
      const batches = logs
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('BATCH '))
        .map((l) => JSON.parse(l.slice(6)) as number[]);
      expect(batches[0]).toHaveLength(16);
      expect(batches).toContainEqual([8, 9, 10, 11, 12, 13, 14, 15]);
      expect(batches).toContainEqual([12, 13, 14, 15]);
      expect(batches).toContainEqual([12, 13]);
      expect(batches.filter((b) => b.length === 1 && b[0] === 13).length).toBeGreaterThanOrEqual(1);
      expect(mapping.stats).toMatchObject({ records: 15, discardedRecords: 1 });
      expect(described).toMatchObject({ State: 'Enabled', BisectBatchOnFunctionError: true, MaximumRetryAttempts: 4 });
    } finally {
      kinesis.destroy();
      lambda.destroy();
      await twin.close();
    }
  }, 60_000);
});
