import type * as KinesisModule from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { APPLICATION_NAME_VARIABLE, encodeSchema, SCHEMA_VARIABLE } from '../../../src/fanout';
import { definitionFor } from '../fanout-config/fixtures';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

/** The environment of a version the lambda engine published: the deployment's variables, the name and the schema. */
const versionEnvironment = {
  FANOUT_DEFINITION: JSON.stringify(
    definitionFor(arn('Transactions'), [
      { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
      { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
    ]),
  ),
  STAGE: 'test',
  APPLICATION_PREFIX: 'fanout-test',
  INPUT_STREAM_ARN: arn('Transactions'),
  OUTPUTS: JSON.stringify([
    { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
    { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
  ]),
  ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/analytics',
  [APPLICATION_NAME_VARIABLE]: 'fanout-test-1',
  [SCHEMA_VARIABLE]: encodeSchema({
    RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
    RecordColumns: [
      { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
      { Name: 'USERNAME', SqlType: 'VARCHAR(64)', Mapping: '$.USERNAME' },
      { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)', Mapping: '$.AMOUNT' },
    ],
  }),
};

const event = (amounts: number[]): KinesisStreamEvent => ({
  Records: amounts.map((amount, i) => ({
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: `pk-${i}`,
      sequenceNumber: `${i + 1}`,
      data: Buffer.from(JSON.stringify({ ID: i, USERNAME: `u-${i}`, AMOUNT: amount })).toString('base64'),
      approximateArrivalTimestamp: 1_700_000_000 + i,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${i + 1}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::000000000000:role/fanout',
    awsRegion: 'us-east-1',
    eventSourceARN: arn('Transactions'),
  })),
});

type Handler = (e: KinesisStreamEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

interface Loaded {
  handler: Handler;
  // biome-ignore lint/suspicious/noExplicitAny: the stub of a client class loaded in an isolated module registry
  kinesis: AwsStub<any, any, any>;
  PutRecordsCommand: typeof KinesisModule.PutRecordsCommand;
}

/** A fresh handler module (a cold start), with the SDK instance it uses stubbed: PutRecords stores every record. */
function coldStart(): Loaded {
  let loaded: Loaded | undefined;
  jest.isolateModules(() => {
    const sdk = require('@aws-sdk/client-kinesis') as typeof KinesisModule;
    const kinesis = mockClient(sdk.KinesisClient);
    kinesis.on(sdk.PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      FailedRecordCount: 0,
      Records: input.Records.map((_, i) => ({ SequenceNumber: String(i), ShardId: 'shardId-000000000000' })),
    }));
    const { handler } = require('../../../handlers/fanout') as { handler: Handler };
    loaded = { handler, kinesis, PutRecordsCommand: sdk.PutRecordsCommand };
  });
  return loaded!;
}

describe('Function: handler (fanout)', () => {
  const saved = { ...process.env };

  beforeEach(() => {
    process.env = {
      ...saved,
      AWS_REGION: 'us-east-1',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
  });
  afterAll(() => {
    process.env = saved;
  });

  it('writes each output stream once per batch and reports no failure', async () => {
    // Prepare
    Object.assign(process.env, versionEnvironment);
    const { handler, kinesis, PutRecordsCommand } = coldStart();

    // Act
    const response = await handler(event([1, -2, 3]));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(kinesis).toReceiveCommandTimes(PutRecordsCommand, 2);
    expect(kinesis).toReceiveCommandWith(PutRecordsCommand, { StreamARN: arn('Positive') });
  });

  it('reads and compiles the application when the module loads (the init phase), before the first batch', async () => {
    // Prepare: the environment is gone by the time the first batch comes
    Object.assign(process.env, versionEnvironment);
    const { handler, kinesis, PutRecordsCommand } = coldStart();
    delete process.env[SCHEMA_VARIABLE];
    delete process.env[APPLICATION_NAME_VARIABLE];

    // Act
    const response = await handler(event([1, -2]));

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(kinesis).toReceiveCommandTimes(PutRecordsCommand, 2);
  });

  it('fails a batch of a version that carries no application ($LATEST), and reads the environment again next time', async () => {
    // Prepare
    Object.assign(process.env, versionEnvironment);
    delete process.env[SCHEMA_VARIABLE];
    const { handler } = coldStart();

    // Act
    const first = handler(event([1]));
    await expect(first).rejects.toThrow(/this function version carries no application/);
    Object.assign(process.env, versionEnvironment);
    const second = await handler(event([1]));

    // Assess
    expect(second).toEqual({ batchItemFailures: [] });
  });
});
