import 'aws-sdk-client-mock-jest';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import {
  AddApplicationOutputCommand,
  type ApplicationDetail,
  CreateApplicationCommand,
  DeleteApplicationCommand,
  DeleteApplicationOutputCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  KinesisAnalyticsClient,
  ListApplicationsCommand,
  ResourceNotFoundException,
  StartApplicationCommand,
  StopApplicationCommand,
  UnableToDetectSchemaException,
  UpdateApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ApplicationBusyError,
  ApplicationNotFoundError,
  type ApplicationPlan,
  ApplicationStateError,
  planApplications,
  SchemaDiscoveryError,
} from '../../../src/engines';
import { KinesisAnalyticsEngine } from '../../../src/engines/kinesis-analytics';
import { applicationSql } from '../../example-sql';
import { arn, makeConfig, roleArn, schema } from './fixtures';

const analytics = mockClient(KinesisAnalyticsClient);
const kinesis = mockClient(KinesisClient);

const notFound = () => new ResourceNotFoundException({ message: 'Application not found', $metadata: {} });
const noData = () =>
  new UnableToDetectSchemaException({
    message: 'No data',
    $metadata: {},
    RawInputRecords: [],
    ProcessedInputRecords: [],
  });

function makeEngine(outputCount = 2, sleep = jest.fn(async () => {}), options: { existingInput?: boolean } = {}) {
  const config = makeConfig(outputCount, options);
  const engine = new KinesisAnalyticsEngine({
    config,
    clients: { kinesisAnalytics: new KinesisAnalyticsClient({}), kinesis: new KinesisClient({}) },
    discoverAttempts: 3,
    discoverDelayMs: 5,
    sleep,
  });
  return { config, engine, sleep };
}

/** An application as DescribeApplication reports one that was created from `plan` and `schema`. */
function described(plan: ApplicationPlan, overrides: Partial<ApplicationDetail> = {}): ApplicationDetail {
  return {
    ApplicationName: plan.name,
    ApplicationARN: `arn:aws:kinesisanalytics:us-east-1:000000000000:application/${plan.name}`,
    ApplicationStatus: 'READY',
    ApplicationVersionId: 4,
    CreateTimestamp: new Date(1_700_000_000_000),
    ApplicationCode: applicationSql,
    InputDescriptions: [
      {
        InputId: '1.1',
        NamePrefix: 'SOURCE_SQL_STREAM',
        InAppStreamNames: ['SOURCE_SQL_STREAM_001'],
        KinesisStreamsInputDescription: { ResourceARN: arn('Transactions'), RoleARN: roleArn },
        InputSchema: schema,
      },
    ],
    OutputDescriptions: plan.outputs.map((o, i) => ({
      OutputId: `1.${i + 2}`,
      Name: o.sqlStream,
      KinesisStreamsOutputDescription: { ResourceARN: o.streamArn, RoleARN: roleArn },
      DestinationSchema: { RecordFormatType: 'JSON' },
    })),
    ...overrides,
  };
}

beforeEach(() => {
  analytics.reset();
  kinesis.reset();
});

describe('Function: planApplications', () => {
  it('puts at most three outputs in each application, named by the prefix', () => {
    // Prepare
    const { config, engine } = makeEngine(7);

    // Act
    const plans = engine.plan();

    // Assess
    expect(plans.map((p) => p.name)).toEqual(['kinesis-fanout-dev-1', 'kinesis-fanout-dev-2', 'kinesis-fanout-dev-3']);
    expect(plans.map((p) => p.outputs.length)).toEqual([3, 3, 1]);
    expect(plans.flatMap((p) => p.outputs)).toEqual(config.outputs);
  });

  it('rejects a limit that is not a positive integer', () => {
    // Act & Assess
    expect(() => planApplications('p', [], 0)).toThrow(RangeError);
  });
});

describe('Class: KinesisAnalyticsEngine', () => {
  describe('Method: discover', () => {
    it('returns the discovered schema without touching a stream that holds data', async () => {
      // Prepare
      const { engine } = makeEngine();
      analytics
        .on(DiscoverInputSchemaCommand)
        .resolves({ InputSchema: schema, ParsedInputRecords: [['1', 'a', '2.5']] });

      // Act
      const discovery = await engine.discover();

      // Assess
      expect(discovery).toEqual({ schema, samplePut: 0, parsedRecords: [['1', 'a', '2.5']] });
      expect(analytics).toHaveReceivedCommandWith(DiscoverInputSchemaCommand, {
        ResourceARN: arn('Transactions'),
        RoleARN: roleArn,
        InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' },
      });
      expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    });

    it('puts the labelled sample into an empty stream, then discovers', async () => {
      // Prepare
      const { engine, sleep } = makeEngine();
      analytics
        .on(DiscoverInputSchemaCommand)
        .rejectsOnce(noData())
        .rejectsOnce(noData())
        .resolves({ InputSchema: schema });
      kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [] });

      // Act
      const discovery = await engine.discover();

      // Assess
      expect(discovery.samplePut).toBe(4);
      expect(discovery.schema).toEqual(schema);
      const put = kinesis.commandCalls(PutRecordsCommand)[0]!.args[0].input;
      expect(put.StreamARN).toBe(arn('Transactions'));
      const records = (put.Records ?? []).map((r) => JSON.parse(new TextDecoder().decode(r.Data)));
      expect(records.every((r) => String(r.USERNAME).startsWith('fanout-schema-sample'))).toBe(true);
      expect(analytics).toHaveReceivedCommandTimes(DiscoverInputSchemaCommand, 3);
      expect(sleep).toHaveBeenCalledTimes(1);
    });

    it('says what to do when the records cannot be parsed', async () => {
      // Prepare
      const { engine } = makeEngine();
      analytics
        .on(DiscoverInputSchemaCommand)
        .rejects(
          new UnableToDetectSchemaException({ message: 'Unable', $metadata: {}, RawInputRecords: ['not json at all'] }),
        );

      // Act & Assess
      await expect(engine.discover()).rejects.toThrow(SchemaDiscoveryError);
      await expect(engine.discover()).rejects.toThrow(/holds 1 records but no schema could be inferred/);
      expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
    });

    it('gives up after its attempts when the sample never shows', async () => {
      // Prepare
      const { engine } = makeEngine();
      analytics.on(DiscoverInputSchemaCommand).rejects(noData());
      kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 0, Records: [] });

      // Act & Assess
      await expect(engine.discover()).rejects.toThrow(/still looks empty after putting 4 sample records/);
      expect(analytics).toHaveReceivedCommandTimes(DiscoverInputSchemaCommand, 4);
    });

    it('puts nothing into a stream the user brings (input.arn), and says so when it stays empty', async () => {
      // Prepare
      const { engine } = makeEngine(2, undefined, { existingInput: true });
      analytics.on(DiscoverInputSchemaCommand).rejects(noData());

      // Act & Assess
      await expect(engine.discover()).rejects.toThrow(/holds no record to discover its schema from; it is yours/);
      expect(kinesis).not.toHaveReceivedCommand(PutRecordsCommand);
      expect(analytics).toHaveReceivedCommandTimes(DiscoverInputSchemaCommand, 4);
    });

    it('keeps the Kinesis error name when the sample is throttled', async () => {
      // Prepare
      const { engine } = makeEngine();
      analytics.on(DiscoverInputSchemaCommand).rejects(noData());
      kinesis.on(PutRecordsCommand).resolves({
        FailedRecordCount: 1,
        Records: [{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' }],
      });

      // Act & Assess
      await expect(engine.discover()).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    });

    it('passes other errors through with their AWS name', async () => {
      // Prepare
      const { engine } = makeEngine();
      analytics.on(DiscoverInputSchemaCommand).rejects(notFound());

      // Act & Assess
      await expect(engine.discover()).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });

  describe('Method: create', () => {
    it('creates a missing application with the SQL, the input and its outputs', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .rejectsOnce(notFound())
        .resolves({ ApplicationDetail: described(plan!) });
      analytics.on(CreateApplicationCommand).resolves({});

      // Act
      const result = await engine.create(plan!, schema);

      // Assess
      expect(result).toEqual({ name: 'kinesis-fanout-dev-1', action: 'created', status: 'READY' });
      expect(analytics).toHaveReceivedCommandWith(CreateApplicationCommand, {
        ApplicationName: 'kinesis-fanout-dev-1',
        ApplicationCode: applicationSql,
        Inputs: [
          {
            NamePrefix: 'SOURCE_SQL_STREAM',
            KinesisStreamsInput: { ResourceARN: arn('Transactions'), RoleARN: roleArn },
            InputSchema: schema,
          },
        ],
        Outputs: [
          {
            Name: 'POSITIVE_TRANSACTIONS',
            KinesisStreamsOutput: { ResourceARN: arn('Out0'), RoleARN: roleArn },
            DestinationSchema: { RecordFormatType: 'JSON' },
          },
          {
            Name: 'NEGATIVE_TRANSACTIONS',
            KinesisStreamsOutput: { ResourceARN: arn('Out1'), RoleARN: roleArn },
            DestinationSchema: { RecordFormatType: 'JSON' },
          },
        ],
      });
    });

    it('reuses an identical application', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .resolves({ ApplicationDetail: described(plan!, { ApplicationStatus: 'RUNNING' }) });

      // Act
      const result = await engine.create(plan!, schema);

      // Assess
      expect(result).toEqual({ name: 'kinesis-fanout-dev-1', action: 'unchanged', status: 'RUNNING' });
      expect(analytics).not.toHaveReceivedCommand(CreateApplicationCommand);
      expect(analytics).not.toHaveReceivedCommand(UpdateApplicationCommand);
    });

    it('updates the SQL and the schema of an application that differs', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      const old = described(plan!, { ApplicationCode: 'SELECT 1' });
      old.InputDescriptions![0]!.InputSchema = { ...schema, RecordColumns: schema.RecordColumns.slice(0, 2) };
      analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: old });
      analytics.on(UpdateApplicationCommand).resolves({});

      // Act
      const result = await engine.create(plan!, schema);

      // Assess
      expect(result.action).toBe('updated');
      expect(analytics).toHaveReceivedCommandWith(UpdateApplicationCommand, {
        ApplicationName: 'kinesis-fanout-dev-1',
        CurrentApplicationVersionId: 4,
        ApplicationUpdate: {
          ApplicationCodeUpdate: applicationSql,
          InputUpdates: [
            expect.objectContaining({
              InputId: '1.1',
              InputSchemaUpdate: {
                RecordFormatUpdate: schema.RecordFormat,
                RecordEncodingUpdate: 'UTF-8',
                RecordColumnUpdates: schema.RecordColumns,
              },
            }),
          ],
        },
      });
    });

    it('removes and adds outputs one version at a time', async () => {
      // Prepare
      const { engine, config } = makeEngine();
      const [plan] = engine.plan();
      const old = described({
        name: plan!.name,
        outputs: [config.outputs[0]!, { sqlStream: 'OLD', streamArn: arn('Old') }],
      });
      analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: old });
      analytics.on(DeleteApplicationOutputCommand).resolves({});
      analytics.on(AddApplicationOutputCommand).resolves({});

      // Act
      const result = await engine.create(plan!, schema);

      // Assess
      expect(result.action).toBe('updated');
      expect(analytics).not.toHaveReceivedCommand(UpdateApplicationCommand);
      expect(analytics).toHaveReceivedCommandWith(DeleteApplicationOutputCommand, {
        ApplicationName: plan!.name,
        CurrentApplicationVersionId: 4,
        OutputId: '1.3',
      });
      expect(analytics).toHaveReceivedCommandWith(AddApplicationOutputCommand, {
        ApplicationName: plan!.name,
        CurrentApplicationVersionId: 5,
        Output: expect.objectContaining({ Name: 'NEGATIVE_TRANSACTIONS' }),
      });
    });

    it('keeps several outputs of one in-application stream apart: one that moves is removed and added', async () => {
      // Prepare: POSITIVE_TRANSACTIONS feeds Out0 and Out2; the application has Out0 and an old Out9 on it
      const { engine, config } = makeEngine();
      const outputs = [config.outputs[0]!, { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Out2') }];
      const plan = { name: 'kinesis-fanout-dev-1', outputs };
      const old = described({
        name: plan.name,
        outputs: [outputs[0]!, { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Out9') }],
      });
      analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: old });
      analytics.on(DeleteApplicationOutputCommand).resolves({});
      analytics.on(AddApplicationOutputCommand).resolves({});

      // Act
      const changed = await engine.create(plan, schema);
      analytics.reset();
      analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: described(plan) });
      const same = await engine.create(plan, schema);

      // Assess
      expect(changed.action).toBe('updated');
      expect(analytics).not.toHaveReceivedCommand(UpdateApplicationCommand);
      expect(same.action).toBe('unchanged');
    });

    it('creates an application whose one in-application stream feeds several outputs', async () => {
      // Prepare
      const { engine } = makeEngine();
      const outputs = ['Out0', 'Out1', 'Out2'].map((name) => ({
        sqlStream: 'POSITIVE_TRANSACTIONS',
        streamArn: arn(name),
      }));
      const plan = { name: 'kinesis-fanout-dev-1', outputs };
      analytics
        .on(DescribeApplicationCommand)
        .rejectsOnce(notFound())
        .resolves({ ApplicationDetail: described(plan) });
      analytics.on(CreateApplicationCommand).resolves({});

      // Act
      const result = await engine.create(plan, schema);

      // Assess
      expect(result.action).toBe('created');
      const sent = analytics.commandCalls(CreateApplicationCommand)[0]!.args[0].input;
      expect(sent.Outputs?.map((o) => [o.Name, o.KinesisStreamsOutput?.ResourceARN])).toEqual([
        ['POSITIVE_TRANSACTIONS', arn('Out0')],
        ['POSITIVE_TRANSACTIONS', arn('Out1')],
        ['POSITIVE_TRANSACTIONS', arn('Out2')],
      ]);
    });

    it('asks to retry while an application of the same name is being deleted', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .resolves({ ApplicationDetail: described(plan!, { ApplicationStatus: 'DELETING' }) });

      // Act & Assess
      await expect(engine.create(plan!, schema)).rejects.toMatchObject({ name: 'ApplicationBusyError' });
      expect(analytics).not.toHaveReceivedCommand(CreateApplicationCommand);
    });

    it('asks to retry when an application that differs is between states', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics.on(DescribeApplicationCommand).resolves({
        ApplicationDetail: described(plan!, { ApplicationCode: 'SELECT 1', ApplicationStatus: 'STARTING' }),
      });

      // Act & Assess
      await expect(engine.create(plan!, schema)).rejects.toThrow(ApplicationBusyError);
    });
  });

  describe('Method: status', () => {
    it('reports the status, and NOT_FOUND for a missing application', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .resolvesOnce({ ApplicationDetail: described(plan!, { ApplicationStatus: 'STARTING' }) })
        .rejectsOnce(notFound());

      // Act
      const first = await engine.status(plan!.name);
      const second = await engine.status(plan!.name);

      // Assess
      expect([first, second]).toEqual(['STARTING', 'NOT_FOUND']);
    });
  });

  describe('Method: start', () => {
    it('starts a READY application at the starting position', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: described(plan!) });
      analytics.on(StartApplicationCommand).resolves({});

      // Act
      const result = await engine.start(plan!.name, 'NOW');

      // Assess
      expect(result).toEqual({ name: plan!.name, action: 'started' });
      expect(analytics).toHaveReceivedCommandWith(StartApplicationCommand, {
        ApplicationName: plan!.name,
        InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }],
      });
    });

    it('leaves a running application alone', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .resolves({ ApplicationDetail: described(plan!, { ApplicationStatus: 'RUNNING' }) });

      // Act
      const result = await engine.start(plan!.name, 'TRIM_HORIZON');

      // Assess
      expect(result.action).toBe('already-running');
      expect(analytics).not.toHaveReceivedCommand(StartApplicationCommand);
    });

    it.each([
      ['NOT_FOUND', ApplicationNotFoundError],
      ['STOPPING', ApplicationBusyError],
      ['DELETING', ApplicationStateError],
    ] as const)('refuses to start an application that is %s', async (status, errorClass) => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      if (status === 'NOT_FOUND') analytics.on(DescribeApplicationCommand).rejects(notFound());
      else
        analytics
          .on(DescribeApplicationCommand)
          .resolves({ ApplicationDetail: described(plan!, { ApplicationStatus: status }) });

      // Act & Assess
      await expect(engine.start(plan!.name, 'TRIM_HORIZON')).rejects.toThrow(errorClass);
    });
  });

  describe('Method: stop', () => {
    it('stops a running application', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .resolves({ ApplicationDetail: described(plan!, { ApplicationStatus: 'RUNNING' }) });
      analytics.on(StopApplicationCommand).resolves({});

      // Act
      const result = await engine.stop(plan!.name);

      // Assess
      expect(result).toEqual({ name: plan!.name, action: 'stopped' });
      expect(analytics).toHaveReceivedCommandWith(StopApplicationCommand, { ApplicationName: plan!.name });
    });

    it('does nothing to a READY or missing application', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .resolvesOnce({ ApplicationDetail: described(plan!) })
        .rejectsOnce(notFound());

      // Act
      const ready = await engine.stop(plan!.name);
      const missing = await engine.stop(plan!.name);

      // Assess
      expect([ready.action, missing.action]).toEqual(['not-running', 'not-found']);
      expect(analytics).not.toHaveReceivedCommand(StopApplicationCommand);
    });
  });

  describe('Method: delete', () => {
    it('deletes with the CreateTimestamp', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: described(plan!) });
      analytics.on(DeleteApplicationCommand).resolves({});

      // Act
      const result = await engine.delete(plan!.name);

      // Assess
      expect(result).toEqual({ name: plan!.name, action: 'deleted' });
      expect(analytics).toHaveReceivedCommandWith(DeleteApplicationCommand, {
        ApplicationName: plan!.name,
        CreateTimestamp: new Date(1_700_000_000_000),
      });
    });

    it('succeeds on an application that does not exist or is being deleted', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics
        .on(DescribeApplicationCommand)
        .rejectsOnce(notFound())
        .resolvesOnce({ ApplicationDetail: described(plan!, { ApplicationStatus: 'DELETING' }) });

      // Act
      const missing = await engine.delete(plan!.name);
      const deleting = await engine.delete(plan!.name);

      // Assess
      expect([missing.action, deleting.action]).toEqual(['not-found', 'already-deleting']);
      expect(analytics).not.toHaveReceivedCommand(DeleteApplicationCommand);
    });

    it('treats a delete race as not found', async () => {
      // Prepare
      const { engine } = makeEngine();
      const [plan] = engine.plan();
      analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: described(plan!) });
      analytics.on(DeleteApplicationCommand).rejects(notFound());

      // Act
      const result = await engine.delete(plan!.name);

      // Assess
      expect(result.action).toBe('not-found');
    });
  });

  describe('Method: list', () => {
    it('pages through every application and keeps those of the stage', async () => {
      // Prepare
      const { engine } = makeEngine();
      const summary = (name: string) => ({
        ApplicationName: name,
        ApplicationARN: `arn:${name}`,
        ApplicationStatus: 'READY' as const,
      });
      analytics
        .on(ListApplicationsCommand)
        .resolvesOnce({
          ApplicationSummaries: [
            summary('kinesis-fanout-dev-1'),
            summary('other-app'),
            summary('kinesis-fanout-dev-2-1'),
          ],
          HasMoreApplications: true,
        })
        .resolvesOnce({ ApplicationSummaries: [summary('kinesis-fanout-dev-12')], HasMoreApplications: false });

      // Act
      const names = await engine.list();

      // Assess
      expect(names).toEqual(['kinesis-fanout-dev-1', 'kinesis-fanout-dev-12']);
      expect(analytics).toHaveReceivedNthCommandWith(2, ListApplicationsCommand, {
        Limit: 50,
        ExclusiveStartApplicationName: 'kinesis-fanout-dev-2-1',
      });
    });
  });
});
