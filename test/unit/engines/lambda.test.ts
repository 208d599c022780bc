import {
  DeregisterStreamConsumerCommand,
  DescribeStreamConsumerCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  ListStreamConsumersCommand,
  PutRecordsCommand,
  RegisterStreamConsumerCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { FanoutConfig } from '../../../src/config';
import { ApplicationBusyError, ApplicationNotFoundError, type SourceSchema } from '../../../src/engines';
import { LambdaEngine, type LambdaEngineSettings, loadLambdaSettings } from '../../../src/engines/lambda';
import { APPLICATION_VARIABLE, ApplicationConfigError, decodeApplication } from '../../../src/fanout/application';
import { definitionFor } from '../fanout-config/fixtures';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const INPUT = arn('Transactions');
const NAME = 'fanout-test-1';
const CONSUMER_ARN = `${INPUT}/consumer/${NAME}:1700000000`;
const FUNCTION = 'kinesis-fanout-test-fanout';

const outputs = [
  { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
  { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
];
const config: FanoutConfig = {
  stage: 'test',
  region: 'us-east-1',
  engine: 'lambda',
  applicationPrefix: 'fanout-test',
  inputStreamArn: INPUT,
  outputs,
  analyticsRoleArn: 'arn:aws:iam::000000000000:role/analytics',
  loadTest: { records: 10, rate: 100, timeoutSeconds: 5 },
  fanout: definitionFor(INPUT, outputs),
};

const settings: LambdaEngineSettings = {
  functionName: FUNCTION,
  batchSize: 100,
  enhancedFanOut: true,
  outputPrefixes: [],
  errorDestination: { type: 'log' },
};

const schema: SourceSchema = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordColumns: [
    { Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' },
    { Name: 'USERNAME', SqlType: 'VARCHAR(64)', Mapping: '$.USERNAME' },
    { Name: 'AMOUNT', SqlType: 'DECIMAL(5,2)', Mapping: '$.AMOUNT' },
  ],
};

const lambda = mockClient(LambdaClient);
const kinesis = mockClient(KinesisClient);

function engine(overrides: Partial<LambdaEngineSettings> = {}) {
  return new LambdaEngine({
    config,
    clients: { kinesis: new KinesisClient({ region: 'us-east-1' }), lambda: new LambdaClient({ region: 'us-east-1' }) },
    settings: { ...settings, ...overrides },
    sql: 'CREATE STREAM "S" (A INTEGER);',
    waitAttempts: 3,
    sleep: async () => {},
  });
}

/** The environment the engine writes for the plan's application. */
function storedEnvironment(): Record<string, string> {
  return {
    STAGE: 'test',
    [APPLICATION_VARIABLE]: JSON.stringify({
      name: NAME,
      inputStreamArn: INPUT,
      sql: 'CREATE STREAM "S" (A INTEGER);',
      schema,
      outputs: config.outputs,
      outputPrefixes: [],
      errorDestination: { type: 'log' },
    }),
  };
}

function withApplication() {
  lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: storedEnvironment() } });
}

function withMapping(mapping: EventSourceMappingConfiguration | undefined) {
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: mapping ? [mapping] : [] });
}

function withConsumer(status: 'CREATING' | 'ACTIVE' | 'DELETING' | undefined) {
  if (status === undefined) {
    kinesis
      .on(DescribeStreamConsumerCommand)
      .rejects(Object.assign(new Error('Consumer not found'), { name: 'ResourceNotFoundException' }));
  } else {
    kinesis.on(DescribeStreamConsumerCommand).resolves({
      ConsumerDescription: {
        ConsumerName: NAME,
        ConsumerARN: CONSUMER_ARN,
        ConsumerStatus: status,
        ConsumerCreationTimestamp: new Date(),
        StreamARN: INPUT,
      },
    });
  }
}

const mapping = (
  state: string,
  extra: Partial<EventSourceMappingConfiguration> = {},
): EventSourceMappingConfiguration => ({
  UUID: 'uuid-1',
  EventSourceArn: CONSUMER_ARN,
  State: state,
  StartingPosition: 'TRIM_HORIZON',
  LastProcessingResult: 'No records processed',
  ...extra,
});

describe('Class: LambdaEngine', () => {
  beforeEach(() => {
    lambda.reset();
    kinesis.reset();
  });

  describe('Method: plan', () => {
    it('puts every output in one application: a function has no limit of three destinations', () => {
      // Prepare
      const many = {
        ...config,
        outputs: Array.from({ length: 5 }, (_, i) => ({ sqlStream: `S${i}`, streamArn: arn(`O${i}`) })),
      };
      const sut = new LambdaEngine({
        config: many,
        clients: { kinesis: new KinesisClient({}), lambda: new LambdaClient({}) },
        settings,
      });

      // Act
      const plans = sut.plan();

      // Assess
      expect(plans).toHaveLength(1);
      expect(plans[0]).toMatchObject({ name: 'fanout-test-1' });
      expect(plans[0]!.outputs).toHaveLength(5);
    });
  });

  describe('Method: create', () => {
    it('stores the application in the function, registers the consumer and creates the mapping disabled', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand)
        .resolvesOnce({ Environment: { Variables: { STAGE: 'test' } }, LastUpdateStatus: 'Successful' })
        .resolves({ Environment: { Variables: storedEnvironment() } });
      lambda
        .on(ListEventSourceMappingsCommand)
        .resolvesOnce({ EventSourceMappings: [] })
        .resolves({ EventSourceMappings: [mapping('Disabled')] });
      kinesis.on(RegisterStreamConsumerCommand).resolves({});
      withConsumer('ACTIVE');

      // Act
      const result = await engine().create({ name: NAME, outputs: config.outputs }, schema);

      // Assess
      expect(result).toEqual({ name: NAME, action: 'created', status: 'READY' });
      const update = lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input;
      expect(update.Environment?.Variables?.['STAGE']).toBe('test');
      expect(decodeApplication(update.Environment?.Variables?.[APPLICATION_VARIABLE])).toMatchObject({
        name: NAME,
        inputStreamArn: INPUT,
        schema,
        outputs: config.outputs,
      });
      expect(kinesis).toReceiveCommandWith(RegisterStreamConsumerCommand, { StreamARN: INPUT, ConsumerName: NAME });
      expect(lambda).toReceiveCommandWith(CreateEventSourceMappingCommand, {
        FunctionName: FUNCTION,
        EventSourceArn: CONSUMER_ARN,
        Enabled: false,
        StartingPosition: 'TRIM_HORIZON',
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: -1,
      });
    });

    it('changes nothing when the same application exists, even while the function is updating', async () => {
      // Prepare
      lambda
        .on(GetFunctionConfigurationCommand)
        .resolves({ Environment: { Variables: storedEnvironment() }, LastUpdateStatus: 'InProgress' });
      withMapping(mapping('Disabled'));
      kinesis
        .on(RegisterStreamConsumerCommand)
        .rejects(Object.assign(new Error('in use'), { name: 'ResourceInUseException' }));
      withConsumer('ACTIVE');

      // Act
      const result = await engine().create({ name: NAME, outputs: config.outputs }, schema);

      // Assess
      expect(result).toEqual({ name: NAME, action: 'unchanged', status: 'READY' });
      expect(lambda).not.toReceiveCommand(UpdateFunctionConfigurationCommand);
      expect(lambda).not.toReceiveCommand(CreateEventSourceMappingCommand);
    });

    it('reads without a consumer, on the input stream itself, when enhanced fan-out is off', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: {} } });
      withMapping(undefined);

      // Act
      await engine({ enhancedFanOut: false }).create({ name: NAME, outputs: config.outputs }, schema);

      // Assess
      expect(kinesis).not.toReceiveCommand(RegisterStreamConsumerCommand);
      expect(lambda).toReceiveCommandWith(CreateEventSourceMappingCommand, { EventSourceArn: INPUT, Enabled: false });
    });

    it('refuses an application that would not fit in the 4 KB of a function environment', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: { PAD: 'x'.repeat(3900) } } });

      // Act
      const act = engine().create({ name: NAME, outputs: config.outputs }, schema);

      // Assess
      await expect(act).rejects.toThrow(ApplicationConfigError);
      expect(lambda).not.toReceiveCommand(UpdateFunctionConfigurationCommand);
    });

    it('turns a concurrent function update into ApplicationBusyError, which the state machine retries', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: {} } });
      lambda
        .on(UpdateFunctionConfigurationCommand)
        .rejects(Object.assign(new Error('An update is in progress'), { name: 'ResourceConflictException' }));

      // Act
      const act = engine().create({ name: NAME, outputs: config.outputs }, schema);

      // Assess
      await expect(act).rejects.toThrow(ApplicationBusyError);
    });

    it('gives up waiting for a consumer that stays CREATING with ApplicationBusyError', async () => {
      // Prepare
      withApplication();
      kinesis.on(RegisterStreamConsumerCommand).resolves({});
      withConsumer('CREATING');

      // Act
      const act = engine().create({ name: NAME, outputs: config.outputs }, schema);

      // Assess
      await expect(act).rejects.toThrow(ApplicationBusyError);
      expect(kinesis).toReceiveCommandTimes(DescribeStreamConsumerCommand, 3);
    });
  });

  describe('Method: status', () => {
    it.each([
      ['Creating', 'STARTING'],
      ['Enabling', 'STARTING'],
      ['Enabled', 'RUNNING'],
      ['Disabling', 'STOPPING'],
      ['Disabled', 'READY'],
      ['Updating', 'UPDATING'],
      ['Deleting', 'DELETING'],
    ])('maps a %s mapping to %s', async (state, status) => {
      // Prepare
      withApplication();
      withMapping(mapping(state));
      withConsumer('ACTIVE');

      // Act
      const result = await engine().status(NAME);

      // Assess
      expect(result).toBe(status);
    });

    it('is NOT_FOUND with no application, mapping or consumer, and DELETING while one of them is going', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: {} } });
      withMapping(undefined);
      withConsumer(undefined);
      const sut = engine();

      // Act
      const gone = await sut.status(NAME);
      withConsumer('DELETING');
      const going = await sut.status(NAME);

      // Assess
      expect(gone).toBe('NOT_FOUND');
      expect(going).toBe('DELETING');
    });
  });

  describe('Method: start', () => {
    it('enables a mapping that has read nothing yet at the position it was made for', async () => {
      // Prepare
      withApplication();
      withMapping(mapping('Disabled'));

      // Act
      const result = await engine().start(NAME, 'TRIM_HORIZON');

      // Assess
      expect(result).toEqual({ name: NAME, action: 'started' });
      expect(lambda).toReceiveCommandWith(UpdateEventSourceMappingCommand, { UUID: 'uuid-1', Enabled: true });
      expect(lambda).not.toReceiveCommand(DeleteEventSourceMappingCommand);
    });

    it('resumes from the checkpoints at LAST_STOPPED_POINT', async () => {
      // Prepare
      withApplication();
      withMapping(mapping('Disabled', { LastProcessingResult: 'OK' }));

      // Act
      await engine().start(NAME, 'LAST_STOPPED_POINT');

      // Assess
      expect(lambda).toReceiveCommandWith(UpdateEventSourceMappingCommand, { UUID: 'uuid-1', Enabled: true });
    });

    it('re-creates the mapping at LATEST to start at NOW, since a mapping keeps its starting position', async () => {
      // Prepare
      withApplication();
      lambda
        .on(ListEventSourceMappingsCommand)
        .resolvesOnce({ EventSourceMappings: [mapping('Disabled')] })
        .resolvesOnce({ EventSourceMappings: [mapping('Deleting')] })
        .resolves({ EventSourceMappings: [] });
      kinesis
        .on(RegisterStreamConsumerCommand)
        .rejects(Object.assign(new Error('in use'), { name: 'ResourceInUseException' }));
      withConsumer('ACTIVE');

      // Act
      const result = await engine().start(NAME, 'NOW');

      // Assess
      expect(result.action).toBe('started');
      expect(lambda).toReceiveCommandWith(DeleteEventSourceMappingCommand, { UUID: 'uuid-1' });
      expect(lambda).toReceiveCommandWith(CreateEventSourceMappingCommand, {
        EventSourceArn: CONSUMER_ARN,
        StartingPosition: 'LATEST',
        Enabled: true,
      });
      expect(lambda).not.toReceiveCommand(UpdateEventSourceMappingCommand);
    });

    it('leaves a running mapping alone', async () => {
      // Prepare
      withApplication();
      withMapping(mapping('Enabled'));

      // Act
      const result = await engine().start(NAME, 'TRIM_HORIZON');

      // Assess
      expect(result.action).toBe('already-running');
      expect(lambda).not.toReceiveCommand(UpdateEventSourceMappingCommand);
    });

    it('fails with ApplicationNotFoundError when no application is stored', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: {} } });

      // Act
      const act = engine().start(NAME, 'TRIM_HORIZON');

      // Assess
      await expect(act).rejects.toThrow(ApplicationNotFoundError);
    });
  });

  describe('Method: stop', () => {
    it('disables a running mapping and leaves a disabled one alone', async () => {
      // Prepare
      withApplication();
      withMapping(mapping('Enabled'));
      const sut = engine();

      // Act
      const stopped = await sut.stop(NAME);
      withMapping(mapping('Disabled'));
      const again = await sut.stop(NAME);

      // Assess
      expect(stopped.action).toBe('stopped');
      expect(again.action).toBe('not-running');
      expect(lambda).toReceiveCommandTimes(UpdateEventSourceMappingCommand, 1);
      expect(lambda).toReceiveCommandWith(UpdateEventSourceMappingCommand, { UUID: 'uuid-1', Enabled: false });
    });
  });

  describe('Method: delete', () => {
    it('deletes the mapping, deregisters the consumer and removes the application from the function', async () => {
      // Prepare
      withApplication();
      withMapping(mapping('Disabled'));
      withConsumer('ACTIVE');

      // Act
      const result = await engine().delete(NAME);

      // Assess
      expect(result.action).toBe('deleted');
      expect(lambda).toReceiveCommandWith(DeleteEventSourceMappingCommand, { UUID: 'uuid-1' });
      expect(kinesis).toReceiveCommandWith(DeregisterStreamConsumerCommand, { ConsumerARN: CONSUMER_ARN });
      expect(lambda).toReceiveCommandWith(UpdateFunctionConfigurationCommand, {
        FunctionName: FUNCTION,
        Environment: { Variables: { STAGE: 'test' } },
      });
    });

    it('is not-found when nothing is left', async () => {
      // Prepare
      lambda.on(GetFunctionConfigurationCommand).resolves({ Environment: { Variables: {} } });
      withMapping(undefined);
      withConsumer(undefined);

      // Act
      const result = await engine().delete(NAME);

      // Assess
      expect(result.action).toBe('not-found');
      expect(lambda).not.toReceiveCommand(DeleteEventSourceMappingCommand);
    });
  });

  describe('Method: list', () => {
    it('names the stored application and the consumers of this stage', async () => {
      // Prepare
      withApplication();
      kinesis.on(ListStreamConsumersCommand).resolves({
        Consumers: [
          {
            ConsumerName: 'fanout-test-2',
            ConsumerARN: 'a',
            ConsumerStatus: 'ACTIVE',
            ConsumerCreationTimestamp: new Date(),
          },
          {
            ConsumerName: 'someone-else',
            ConsumerARN: 'b',
            ConsumerStatus: 'ACTIVE',
            ConsumerCreationTimestamp: new Date(),
          },
        ],
      });

      // Act
      const names = await engine().list();

      // Assess
      expect(names).toEqual(['fanout-test-1', 'fanout-test-2']);
    });
  });

  describe('Method: discover', () => {
    it('puts the labelled sample into an empty stream and infers the schema from what it reads back', async () => {
      // Prepare
      kinesis.on(ListShardsCommand).resolves({
        Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: undefined, SequenceNumberRange: undefined }],
      });
      kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
      const sample = [
        { ID: 1, USERNAME: 'fanout-schema-sample-1', AMOUNT: 12.5 },
        { ID: 2, USERNAME: 'fanout-schema-sample-2', AMOUNT: -3.25 },
      ];
      kinesis
        .on(GetRecordsCommand)
        .resolvesOnce({ Records: [], MillisBehindLatest: 0 })
        .resolves({
          Records: sample.map((s, i) => ({
            Data: Buffer.from(JSON.stringify(s)),
            PartitionKey: 'p',
            SequenceNumber: String(i),
          })),
          MillisBehindLatest: 0,
        });
      kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [] });
      const sut = new LambdaEngine({
        config,
        clients: {
          kinesis: new KinesisClient({ region: 'us-east-1' }),
          lambda: new LambdaClient({ region: 'us-east-1' }),
        },
        settings,
        sample,
        sleep: async () => {},
      });

      // Act
      const discovery = await sut.discover();

      // Assess
      expect(discovery.samplePut).toBe(2);
      expect(discovery.schema.RecordFormat.RecordFormatType).toBe('JSON');
      expect(discovery.schema.RecordColumns.map((c) => c.Name)).toEqual(['ID', 'USERNAME', 'AMOUNT']);
      expect(kinesis).toReceiveCommandWith(PutRecordsCommand, { StreamARN: INPUT });
    });
  });
});

describe('Function: loadLambdaSettings', () => {
  it('reads the defaults and the configured values', () => {
    // Act
    const defaults = loadLambdaSettings({ FANOUT_FUNCTION_NAME: FUNCTION });
    const custom = loadLambdaSettings({
      FANOUT_FUNCTION_NAME: FUNCTION,
      FANOUT_BATCH_SIZE: '500',
      FANOUT_ENHANCED_FAN_OUT: 'false',
      FANOUT_OUTPUT_PREFIXES: '[{"sqlStream":"POSITIVE_TRANSACTIONS","streamNamePrefix":"Pos"}]',
      FANOUT_ERROR_DESTINATION: arn('Errors'),
    });

    // Assess
    expect(defaults).toEqual({ ...settings });
    expect(custom).toEqual({
      functionName: FUNCTION,
      batchSize: 500,
      enhancedFanOut: false,
      outputPrefixes: [{ sqlStream: 'POSITIVE_TRANSACTIONS', streamNamePrefix: 'Pos' }],
      errorDestination: { type: 'stream', streamArn: arn('Errors') },
    });
  });

  it.each([
    [{}, /FANOUT_FUNCTION_NAME/],
    [{ FANOUT_FUNCTION_NAME: 'f', FANOUT_BATCH_SIZE: '0' }, /FANOUT_BATCH_SIZE/],
    [{ FANOUT_FUNCTION_NAME: 'f', FANOUT_ERROR_DESTINATION: 'somewhere' }, /error destination/],
    [{ FANOUT_FUNCTION_NAME: 'f', FANOUT_OUTPUT_PREFIXES: '[{"sqlStream":"A"}]' }, /streamNamePrefix/],
  ])('refuses %j', (env, message) => {
    // Act
    const act = () => loadLambdaSettings(env);

    // Assess
    expect(act).toThrow(message);
  });
});
