/**
 * The kinesis-analytics engine on a KPL input (fanout.yml `input.kplAggregated: true`): the service's KPL
 * preprocessor is the input's InputProcessingConfiguration at creation and discovery, added to an application made
 * without it, and removed when the setting goes.
 */
import 'aws-sdk-client-mock-jest';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  type ApplicationDetail,
  CreateApplicationCommand,
  DeleteApplicationInputProcessingConfigurationCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  KinesisAnalyticsClient,
  ResourceNotFoundException,
  UpdateApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import { mockClient } from 'aws-sdk-client-mock';
import type { FanoutConfig } from '../../../src/config';
import { KinesisAnalyticsEngine } from '../../../src/engines/kinesis-analytics';
import { applicationSql } from '../../example-sql';
import { arn, makeConfig, roleArn, schema } from './fixtures';

const analytics = mockClient(KinesisAnalyticsClient);
const preprocessor = 'arn:aws:lambda:us-east-1:000000000000:function:kinesis-fanout-dev-kplPreprocessor';
const processing = { InputLambdaProcessor: { ResourceARN: preprocessor, RoleARN: roleArn } };

function engineOf(config: FanoutConfig): KinesisAnalyticsEngine {
  return new KinesisAnalyticsEngine({
    config,
    clients: { kinesisAnalytics: new KinesisAnalyticsClient({}), kinesis: new KinesisClient({}) },
    discoverAttempts: 1,
    discoverDelayMs: 1,
    sleep: async () => {},
  });
}

const kplConfig = (): FanoutConfig => ({
  ...makeConfig(),
  kplPreprocessorArn: preprocessor,
  fanout: { ...makeConfig().fanout, kplAggregated: true },
});

/** An existing application of the plan, with or without the preprocessor. */
function existing(config: FanoutConfig, withProcessor: boolean): ApplicationDetail {
  const [plan] = engineOf(config).plan();
  return {
    ApplicationName: plan!.name,
    ApplicationARN: `arn:aws:kinesisanalytics:us-east-1:000000000000:application/${plan!.name}`,
    ApplicationStatus: 'READY',
    ApplicationVersionId: 3,
    CreateTimestamp: new Date(1_700_000_000_000),
    ApplicationCode: applicationSql,
    InputDescriptions: [
      {
        InputId: '1.1',
        NamePrefix: 'SOURCE_SQL_STREAM',
        KinesisStreamsInputDescription: { ResourceARN: arn('Transactions'), RoleARN: roleArn },
        ...(withProcessor
          ? {
              InputProcessingConfigurationDescription: {
                InputLambdaProcessorDescription: { ResourceARN: preprocessor, RoleARN: roleArn },
              },
            }
          : {}),
        InputSchema: schema,
      },
    ],
    OutputDescriptions: plan!.outputs.map((o, i) => ({
      OutputId: `1.${i + 2}`,
      Name: o.sqlStream,
      KinesisStreamsOutputDescription: { ResourceARN: o.streamArn, RoleARN: roleArn },
      DestinationSchema: { RecordFormatType: 'JSON' },
    })),
  };
}

beforeEach(() => analytics.reset());

describe('Class: KinesisAnalyticsEngine on KPL input', () => {
  it('creates the application with the KPL preprocessor on its input', async () => {
    // Prepare
    const config = kplConfig();
    const engine = engineOf(config);
    const [plan] = engine.plan();
    analytics
      .on(DescribeApplicationCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves({ ApplicationDetail: existing(config, true) });
    analytics.on(CreateApplicationCommand).resolves({});

    // Act
    await engine.create(plan!, schema);

    // Assess
    const input = analytics.commandCalls(CreateApplicationCommand)[0]!.args[0].input.Inputs?.[0];
    expect(input?.InputProcessingConfiguration).toEqual(processing);
  });

  it('discovers the schema on what the preprocessor makes of the records', async () => {
    // Prepare
    analytics.on(DiscoverInputSchemaCommand).resolves({ InputSchema: schema });

    // Act
    await engineOf(kplConfig()).discover();

    // Assess
    expect(analytics).toHaveReceivedCommandWith(DiscoverInputSchemaCommand, {
      ResourceARN: arn('Transactions'),
      InputProcessingConfiguration: processing,
    });
  });

  it('adds the preprocessor to an application made without it, and leaves one that has it alone', async () => {
    // Prepare
    const config = kplConfig();
    const engine = engineOf(config);
    const [plan] = engine.plan();
    analytics.on(DescribeApplicationCommand).resolvesOnce({ ApplicationDetail: existing(config, false) });
    analytics.on(UpdateApplicationCommand).resolves({});

    // Act
    const added = await engine.create(plan!, schema);
    analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: existing(config, true) });
    const kept = await engine.create(plan!, schema);

    // Assess
    expect([added.action, kept.action]).toEqual(['updated', 'unchanged']);
    const update = analytics.commandCalls(UpdateApplicationCommand)[0]!.args[0].input;
    expect(update.ApplicationUpdate?.InputUpdates?.[0]?.InputProcessingConfigurationUpdate).toEqual({
      InputLambdaProcessorUpdate: { ResourceARNUpdate: preprocessor, RoleARNUpdate: roleArn },
    });
    expect(analytics).toHaveReceivedCommandTimes(UpdateApplicationCommand, 1);
  });

  it('removes the preprocessor when fanout.yml no longer says kplAggregated', async () => {
    // Prepare
    const config = makeConfig();
    const engine = engineOf(config);
    const [plan] = engine.plan();
    analytics.on(DescribeApplicationCommand).resolves({ ApplicationDetail: existing(config, true) });
    analytics.on(DeleteApplicationInputProcessingConfigurationCommand).resolves({});

    // Act
    const result = await engine.create(plan!, schema);

    // Assess
    expect(result.action).toBe('updated');
    expect(analytics).toHaveReceivedCommandWith(DeleteApplicationInputProcessingConfigurationCommand, {
      ApplicationName: plan!.name,
      CurrentApplicationVersionId: 3,
      InputId: '1.1',
    });
    expect(analytics).not.toHaveReceivedCommand(UpdateApplicationCommand);
  });
});
