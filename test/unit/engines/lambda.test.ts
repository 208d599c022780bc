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
  DeleteFunctionCommand,
  type EventSourceMappingConfiguration,
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import type { FanoutConfig } from '../../../src/config';
import { ApplicationBusyError, ApplicationNotFoundError, type SourceSchema } from '../../../src/engines';
import { LambdaEngine, type LambdaEngineSettings, loadLambdaSettings } from '../../../src/engines/lambda';
import { decodeSchema, SCHEMA_VARIABLE } from '../../../src/fanout/environment';
import { definitionFor } from '../fanout-config/fixtures';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
const INPUT = arn('Transactions');
const NAME = 'fanout-test-1';
const FUNCTION = 'kinesis-fanout-test-fanout';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION}`;

const config: FanoutConfig = {
  stage: 'test',
  region: 'us-east-1',
  engine: 'lambda',
  applicationPrefix: 'fanout-test',
  inputStreamArn: INPUT,
  outputs: [
    { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
    { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
  ],
  analyticsRoleArn: 'arn:aws:iam::000000000000:role/analytics',
  loadTest: { records: 10, rate: 100, timeoutSeconds: 5 },
  fanout: definitionFor(INPUT, [
    { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
    { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
  ]),
};

/** The input as the stack creates it: the lifecycle may put its schema sample there. */
const createdInput = {
  created: true as const,
  name: 'Transactions',
  capacity: { mode: 'PROVISIONED' as const, shards: 1 },
  kmsKey: 'alias/aws/kinesis',
};

const settings: LambdaEngineSettings = {
  functionName: FUNCTION,
  batchSize: 100,
  parallelizationFactor: 1,
  enhancedFanOut: true,
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

/**
 * Lambda and the input stream's consumers as far as the engine sees them: `$LATEST` and its published versions
 * (snapshots), mappings that keep their checkpoint (`readFrom`) when they move to another version, consumers that
 * are ACTIVE at once. `deploy()` changes `$LATEST` as `osls deploy` would.
 */
class FakeAws {
  latest: FunctionConfiguration = {
    FunctionName: FUNCTION,
    FunctionArn: FUNCTION_ARN,
    Version: '$LATEST',
    CodeSha256: 'code-1',
    Handler: 'handlers/fanout.handler',
    Runtime: 'nodejs22.x',
    MemorySize: 1024,
    Timeout: 60,
    Role: 'arn:aws:iam::000000000000:role/fanout',
    Environment: { Variables: { OUTPUTS: '[...]', STAGE: 'test' } },
    LastUpdateStatus: 'Successful',
    RevisionId: 'r1',
  };
  readonly versions = new Map<string, FunctionConfiguration>();
  readonly mappings = new Map<string, EventSourceMappingConfiguration & { readFrom: string }>();
  readonly consumers = new Map<string, { arn: string; status: string }>();
  #next = 1;

  constructor() {
    lambda.on(GetFunctionConfigurationCommand).callsFake((input: { Qualifier?: string }) => {
      if (input.Qualifier === undefined || input.Qualifier === '$LATEST') return structuredClone(this.latest);
      const version = this.versions.get(input.Qualifier);
      if (!version) throw Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' });
      return structuredClone(version);
    });
    lambda
      .on(UpdateFunctionConfigurationCommand)
      .callsFake((input: { Environment: { Variables: Record<string, string> }; RevisionId?: string }) => {
        if (input.RevisionId !== undefined && input.RevisionId !== this.latest.RevisionId)
          throw Object.assign(new Error('revision'), { name: 'PreconditionFailedException' });
        this.latest = {
          ...this.latest,
          Environment: { Variables: input.Environment.Variables },
          RevisionId: `r${this.#next++}`,
        };
        return structuredClone(this.latest);
      });
    lambda
      .on(PublishVersionCommand)
      .callsFake((input: { Description?: string; RevisionId?: string; CodeSha256?: string }) => {
        if (input.RevisionId !== undefined && input.RevisionId !== this.latest.RevisionId)
          throw Object.assign(new Error('revision'), { name: 'PreconditionFailedException' });
        const number = String(this.versions.size + 1);
        const version = {
          ...structuredClone(this.latest),
          Version: number,
          FunctionArn: `${FUNCTION_ARN}:${number}`,
          Description: input.Description ?? '',
        };
        this.versions.set(number, version);
        return structuredClone(version);
      });
    lambda.on(ListVersionsByFunctionCommand).callsFake(() => ({
      Versions: [structuredClone(this.latest), ...[...this.versions.values()].map((v) => structuredClone(v))],
    }));
    lambda.on(DeleteFunctionCommand).callsFake((input: { Qualifier?: string }) => {
      if (!input.Qualifier) throw new Error('the engine must never delete the function itself');
      this.versions.delete(input.Qualifier);
      return {};
    });
    lambda.on(ListEventSourceMappingsCommand).callsFake((input: { EventSourceArn?: string }) => ({
      EventSourceMappings: [...this.mappings.values()]
        .filter((m) => m.EventSourceArn === input.EventSourceArn)
        .map(({ readFrom: _r, ...m }) => m),
    }));
    lambda
      .on(CreateEventSourceMappingCommand)
      .callsFake(
        (input: { FunctionName: string; EventSourceArn: string; Enabled: boolean; StartingPosition: string }) => {
          const uuid = `uuid-${this.#next++}`;
          this.mappings.set(uuid, {
            UUID: uuid,
            FunctionArn: input.FunctionName,
            EventSourceArn: input.EventSourceArn,
            State: input.Enabled ? 'Enabled' : 'Disabled',
            StartingPosition: input.StartingPosition as 'TRIM_HORIZON',
            LastProcessingResult: 'No records processed',
            readFrom: input.StartingPosition,
          });
          return {};
        },
      );
    lambda
      .on(UpdateEventSourceMappingCommand)
      .callsFake((input: { UUID: string; FunctionName?: string; Enabled?: boolean }) => {
        const m = this.mappings.get(input.UUID)!;
        if (input.FunctionName !== undefined) m.FunctionArn = input.FunctionName;
        if (input.Enabled !== undefined) m.State = input.Enabled ? 'Enabled' : 'Disabled';
        return {};
      });
    lambda.on(DeleteEventSourceMappingCommand).callsFake((input: { UUID: string }) => {
      this.mappings.delete(input.UUID);
      return {};
    });
    kinesis.on(RegisterStreamConsumerCommand).callsFake((input: { ConsumerName: string }) => {
      this.consumers.set(input.ConsumerName, {
        arn: `${INPUT}/consumer/${input.ConsumerName}:1700000000`,
        status: 'ACTIVE',
      });
      return {};
    });
    kinesis.on(DescribeStreamConsumerCommand).callsFake((input: { ConsumerName: string }) => {
      const c = this.consumers.get(input.ConsumerName);
      if (!c) throw Object.assign(new Error('no consumer'), { name: 'ResourceNotFoundException' });
      return {
        ConsumerDescription: { ConsumerName: input.ConsumerName, ConsumerARN: c.arn, ConsumerStatus: c.status },
      };
    });
    kinesis.on(DeregisterStreamConsumerCommand).callsFake((input: { ConsumerARN: string }) => {
      for (const [name, c] of this.consumers) if (c.arn === input.ConsumerARN) this.consumers.delete(name);
      return {};
    });
    kinesis.on(ListStreamConsumersCommand).callsFake(() => ({
      Consumers: [...this.consumers].map(([name, c]) => ({
        ConsumerName: name,
        ConsumerARN: c.arn,
        ConsumerStatus: c.status,
      })),
    }));
  }

  /** What `osls deploy` does to the function: new code or configuration on `$LATEST`, our variables gone. */
  deploy(change: Partial<FunctionConfiguration> = { CodeSha256: 'code-2' }) {
    this.latest = {
      ...this.latest,
      Environment: { Variables: { OUTPUTS: '[...]', STAGE: 'test' } },
      ...change,
      RevisionId: `r${this.#next++}`,
    };
  }

  mapping() {
    return [...this.mappings.values()][0];
  }
}

function engine(overrides: Partial<LambdaEngineSettings> = {}) {
  return new LambdaEngine({
    config,
    clients: { kinesis: new KinesisClient({ region: 'us-east-1' }), lambda: new LambdaClient({ region: 'us-east-1' }) },
    settings: { ...settings, ...overrides },
    waitAttempts: 3,
    sleep: async () => {},
  });
}

const plan = { name: NAME, outputs: config.outputs };

describe('Class: LambdaEngine', () => {
  let aws: FakeAws;

  beforeEach(() => {
    lambda.reset();
    kinesis.reset();
    aws = new FakeAws();
  });

  describe('Method: plan', () => {
    it('puts every output in one application: a function has no limit of three destinations', () => {
      // Prepare
      const many = new LambdaEngine({
        config: {
          ...config,
          outputs: Array.from({ length: 12 }, (_, i) => ({ sqlStream: `OUT_${i}`, streamArn: arn(`Out${i}`) })),
        },
        clients: {
          kinesis: new KinesisClient({ region: 'us-east-1' }),
          lambda: new LambdaClient({ region: 'us-east-1' }),
        },
        settings,
      });

      // Act
      const plans = many.plan();

      // Assess
      expect(plans).toHaveLength(1);
      expect(plans[0]!.outputs).toHaveLength(12);
    });
  });

  describe('Method: create', () => {
    it('publishes a version carrying the name and schema, registers the consumer and maps it, disabled', async () => {
      // Act
      const result = await engine().create(plan, schema);

      // Assess
      expect(result).toEqual({ name: NAME, action: 'created', status: 'READY' });
      const version = aws.versions.get('1')!;
      expect(version.Description).toBe(`kinesis-fanout application ${NAME}`);
      expect(version.Environment?.Variables).toMatchObject({ FANOUT_APPLICATION_NAME: NAME, OUTPUTS: '[...]' });
      expect(decodeSchema(version.Environment?.Variables?.[SCHEMA_VARIABLE])).toEqual(schema);
      expect(aws.mapping()).toMatchObject({
        FunctionArn: `${FUNCTION_ARN}:1`,
        EventSourceArn: `${INPUT}/consumer/${NAME}:1700000000`,
        State: 'Disabled',
        StartingPosition: 'TRIM_HORIZON',
      });
      expect(lambda).toHaveReceivedCommandWith(CreateEventSourceMappingCommand, {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: -1,
        BisectBatchOnFunctionError: true,
        BatchSize: 100,
        ParallelizationFactor: 1,
      });
    });

    it('maps the function with the batch size and ParallelizationFactor of its settings', async () => {
      // Act
      await engine({ batchSize: 250, parallelizationFactor: 4 }).create(plan, schema);

      // Assess
      expect(lambda).toHaveReceivedCommandWith(CreateEventSourceMappingCommand, {
        BatchSize: 250,
        ParallelizationFactor: 4,
      });
    });

    it("changes nothing when the application runs today's deployment with this schema", async () => {
      // Prepare
      await engine().create(plan, schema);

      // Act
      const again = await engine().create(plan, schema);

      // Assess
      expect(again).toEqual({ name: NAME, action: 'unchanged', status: 'READY' });
      expect(aws.versions.size).toBe(1);
    });

    it('keeps a running fan-out on its version through a deploy: the deploy never touches it', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);
      await sut.start(NAME, 'TRIM_HORIZON');

      // Act: a deploy of new code and another environment
      aws.deploy({ CodeSha256: 'code-2', MemorySize: 2048 });

      // Assess
      expect(await sut.status(NAME)).toBe('RUNNING');
      expect(aws.mapping()!.FunctionArn).toBe(`${FUNCTION_ARN}:1`);
      expect(aws.versions.get('1')!.CodeSha256).toBe('code-1');
      expect(aws.versions.get('1')!.Environment?.Variables?.[SCHEMA_VARIABLE]).toBeDefined();
    });

    it('rolls a deployed SQL change forward by moving the same mapping, with its checkpoint, to a new version', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);
      await sut.start(NAME, 'TRIM_HORIZON');
      const before = aws.mapping()!;
      aws.deploy({ CodeSha256: 'code-2' });

      // Act
      const result = await sut.create(plan, schema);

      // Assess: one mapping, the same one (so the same checkpoints), now on version 2, still running
      expect(result).toEqual({ name: NAME, action: 'updated', status: 'RUNNING' });
      expect([...aws.mappings.keys()]).toEqual([before.UUID]);
      expect(aws.mapping()).toMatchObject({
        FunctionArn: `${FUNCTION_ARN}:2`,
        readFrom: 'TRIM_HORIZON',
        State: 'Enabled',
      });
      expect(aws.versions.get('2')!.CodeSha256).toBe('code-2');
      expect(lambda).not.toHaveReceivedCommand(DeleteEventSourceMappingCommand);
    });

    it('keeps the version before the new one and removes older ones', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);
      aws.deploy({ CodeSha256: 'code-2' });
      await sut.create(plan, schema);
      aws.deploy({ CodeSha256: 'code-3' });

      // Act
      await sut.create(plan, schema);

      // Assess
      expect([...aws.versions.keys()]).toEqual(['2', '3']);
    });

    it('rolls forward on another schema too', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);
      const wider: SourceSchema = {
        ...schema,
        RecordColumns: [...schema.RecordColumns, { Name: 'NOTE', SqlType: 'VARCHAR(8)', Mapping: '$.NOTE' }],
      };

      // Act
      const result = await sut.create(plan, wider);

      // Assess
      expect(result.action).toBe('updated');
      expect(decodeSchema(aws.versions.get('2')!.Environment?.Variables?.[SCHEMA_VARIABLE])).toEqual(wider);
    });

    it('stores a schema of 300 columns compressed, within the 4 KB of the environment', async () => {
      // Prepare
      const wide: SourceSchema = {
        ...schema,
        RecordColumns: Array.from({ length: 300 }, (_, i) => ({
          Name: `COLUMN_${i}`,
          SqlType: 'VARCHAR(16)',
          Mapping: `$.column_${i}`,
        })),
      };

      // Act
      await engine().create(plan, wide);

      // Assess
      const stored = aws.versions.get('1')!.Environment!.Variables![SCHEMA_VARIABLE]!;
      expect(stored.startsWith('gz:')).toBe(true);
      expect(decodeSchema(stored)).toEqual(wide);
    });

    it('turns a deploy that lands between the update and the publication into ApplicationBusyError', async () => {
      // Prepare: the first PublishVersion meets a revision changed by a deploy
      lambda
        .on(PublishVersionCommand)
        .rejectsOnce(Object.assign(new Error('revision'), { name: 'PreconditionFailedException' }));

      // Act & Assess
      await expect(engine().create(plan, schema)).rejects.toBeInstanceOf(ApplicationBusyError);
    });

    it('waits for a function update to finish before publishing, and gives up busy', async () => {
      // Prepare: $LATEST is still updating (a deploy under way)
      aws.latest = { ...aws.latest, LastUpdateStatus: 'InProgress' };

      // Act & Assess
      await expect(engine().create(plan, schema)).rejects.toMatchObject({ name: 'ApplicationBusyError' });
      expect(aws.versions.size).toBe(0);
    });

    it('reads without a consumer, on the input stream itself, when enhanced fan-out is off', async () => {
      // Act
      await engine({ enhancedFanOut: false }).create(plan, schema);

      // Assess
      expect(aws.mapping()!.EventSourceArn).toBe(INPUT);
      expect(kinesis).not.toHaveReceivedCommand(RegisterStreamConsumerCommand);
      expect(await engine({ enhancedFanOut: false }).status(NAME)).toBe('READY');
    });
  });

  describe('Method: status', () => {
    it('follows the mapping; a consumer left without one is on its way out; nothing is NOT_FOUND', async () => {
      // Prepare
      const sut = engine();

      // Act & Assess
      expect(await sut.status(NAME)).toBe('NOT_FOUND');
      await sut.create(plan, schema);
      expect(await sut.status(NAME)).toBe('READY');
      aws.mapping()!.State = 'Enabling';
      expect(await sut.status(NAME)).toBe('STARTING');
      aws.mappings.clear();
      expect(await sut.status(NAME)).toBe('DELETING');
    });
  });

  describe('Method: start', () => {
    it('enables a mapping that has read nothing yet at the position it was made for', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);

      // Act
      const result = await sut.start(NAME, 'TRIM_HORIZON');

      // Assess
      expect(result).toEqual({ name: NAME, action: 'started' });
      expect(aws.mapping()!.State).toBe('Enabled');
    });

    it('re-creates the mapping at LATEST, on the same version, to start at NOW', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);

      // Act
      await sut.start(NAME, 'NOW');

      // Assess
      expect(aws.mapping()).toMatchObject({
        StartingPosition: 'LATEST',
        State: 'Enabled',
        FunctionArn: `${FUNCTION_ARN}:1`,
      });
    });

    it('fails with ApplicationNotFoundError when there is no mapping', async () => {
      // Act & Assess
      await expect(engine().start(NAME, 'TRIM_HORIZON')).rejects.toBeInstanceOf(ApplicationNotFoundError);
    });
  });

  describe('Method: stop', () => {
    it('disables a running mapping and leaves a disabled one alone', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);
      await sut.start(NAME, 'TRIM_HORIZON');

      // Act
      const first = await sut.stop(NAME);
      const second = await sut.stop(NAME);

      // Assess
      expect(first.action).toBe('stopped');
      expect(second.action).toBe('not-running');
      expect(await sut.stop('fanout-test-9')).toEqual({ name: 'fanout-test-9', action: 'not-found' });
    });
  });

  describe('Method: delete', () => {
    it('deletes the mapping, deregisters the consumer and removes the versions it published, never the function', async () => {
      // Prepare
      const sut = engine();
      await sut.create(plan, schema);

      // Act
      const result = await sut.delete(NAME);

      // Assess
      expect(result).toEqual({ name: NAME, action: 'deleted' });
      expect(aws.mappings.size).toBe(0);
      expect(aws.consumers.size).toBe(0);
      expect(aws.versions.size).toBe(0);
      expect(await sut.status(NAME)).toBe('NOT_FOUND');
      expect(await sut.delete(NAME)).toEqual({ name: NAME, action: 'not-found' });
    });
  });

  describe('Method: list', () => {
    it('names the applications of this stage found by consumer and by published version', async () => {
      // Prepare
      await engine().create(plan, schema);
      aws.consumers.set('other-stage-1', { arn: `${INPUT}/consumer/other-stage-1:1`, status: 'ACTIVE' });
      aws.versions.set('9', { ...aws.latest, Version: '9', Description: 'kinesis-fanout application fanout-test-2' });

      // Act
      const names = await engine().list();

      // Assess
      expect(names).toEqual([NAME, 'fanout-test-2']);
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
        config: { ...config, fanout: { ...config.fanout, input: createdInput } },
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

    it('puts nothing into an empty stream the user brings (input.arn), and says so', async () => {
      // Prepare: the input stays empty
      kinesis.on(ListShardsCommand).resolves({
        Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: undefined, SequenceNumberRange: undefined }],
      });
      kinesis.on(GetShardIteratorCommand).resolves({ ShardIterator: 'it' });
      kinesis.on(GetRecordsCommand).resolves({ Records: [], MillisBehindLatest: 0 });

      // Act
      const error = await engine()
        .discover()
        .catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ name: 'SchemaDiscoveryError', message: expect.stringMatching(/it is yours/) });
      expect(kinesis).not.toReceiveCommand(PutRecordsCommand);
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
      FANOUT_PARALLELIZATION_FACTOR: '4',
      FANOUT_ENHANCED_FAN_OUT: 'false',
      FANOUT_ERROR_DESTINATION: arn('Errors'),
    });

    // Assess
    expect(defaults).toEqual({ ...settings });
    expect(custom).toEqual({
      functionName: FUNCTION,
      batchSize: 500,
      parallelizationFactor: 4,
      enhancedFanOut: false,
      errorDestination: { type: 'stream', streamArn: arn('Errors') },
    });
  });

  it.each([
    [{}, /FANOUT_FUNCTION_NAME/],
    [{ FANOUT_FUNCTION_NAME: 'f', FANOUT_BATCH_SIZE: '0' }, /FANOUT_BATCH_SIZE/],
    [{ FANOUT_FUNCTION_NAME: 'f', FANOUT_PARALLELIZATION_FACTOR: '11' }, /FANOUT_PARALLELIZATION_FACTOR.*1 to 10/],
    [{ FANOUT_FUNCTION_NAME: 'f', FANOUT_ERROR_DESTINATION: 'somewhere' }, /error destination/],
  ])('refuses %j', (env, message) => {
    // Act
    const act = () => loadLambdaSettings(env);

    // Assess
    expect(act).toThrow(message);
  });
});
