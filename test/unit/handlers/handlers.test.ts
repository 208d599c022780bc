import 'aws-sdk-client-mock-jest';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CreateApplicationCommand,
  DeleteApplicationCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  KinesisAnalyticsClient,
  ListApplicationsCommand,
  ResourceNotFoundException,
  StartApplicationCommand,
  StopApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import type { KinesisStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as consumer } from '../../../handlers/consumer';
import { handler as createApplication } from '../../../handlers/create-application';
import { handler as deleteApplication } from '../../../handlers/delete-application';
import { handler as describeApplication } from '../../../handlers/describe-application';
import { handler as discoverSchema } from '../../../handlers/discover-schema';
import { handler as listApplications } from '../../../handlers/list-applications';
import { logger } from '../../../handlers/logger';
import { handler as startApplication } from '../../../handlers/start-application';
import { handler as stopApplication } from '../../../handlers/stop-application';
import { makeConfig, makeEnv, schema } from '../engines/fixtures';

const analytics = mockClient(KinesisAnalyticsClient);
const kinesis = mockClient(KinesisClient);
const savedEnv = process.env;
const name = 'kinesis-fanout-dev-1';
const notFound = () => new ResourceNotFoundException({ message: 'not found', $metadata: {} });

function detail(status: string) {
  return {
    ApplicationDetail: {
      ApplicationName: name,
      ApplicationARN: `arn:aws:kinesisanalytics:us-east-1:000000000000:application/${name}`,
      ApplicationStatus: status as 'READY',
      ApplicationVersionId: 1,
      CreateTimestamp: new Date(0),
      InputDescriptions: [{ InputId: '1.1' }],
    },
  };
}

beforeEach(() => {
  analytics.reset();
  kinesis.reset();
  process.env = { ...savedEnv, ...makeEnv() };
  jest.spyOn(logger, 'info').mockImplementation(() => {});
  jest.spyOn(logger, 'warn').mockImplementation(() => {});
  jest.spyOn(logger, 'error').mockImplementation(() => {});
});

afterEach(() => {
  process.env = savedEnv;
  jest.restoreAllMocks();
});

describe('Handler: discover-schema', () => {
  it('returns the schema with room in its VARCHAR columns, a few parsed records and the application plan', async () => {
    // Prepare
    const parsed = Array.from({ length: 20 }, (_, i) => [String(i), 'u', '1.00']);
    analytics.on(DiscoverInputSchemaCommand).resolves({ InputSchema: schema, ParsedInputRecords: parsed });

    // Act
    const result = await discoverSchema({});

    // Assess: the discovered VARCHAR(32) leaves room to grow (withVarcharHeadroom); the rest as discovered
    expect(result.schema.RecordColumns.map((c) => c.SqlType)).toEqual(['INTEGER', 'VARCHAR(128)', 'DOUBLE']);
    expect({ ...result.schema, RecordColumns: [] }).toEqual({ ...schema, RecordColumns: [] });
    expect(result.samplePut).toBe(0);
    expect(result.parsedRecords).toHaveLength(5);
    expect(result.applications).toEqual([{ name, outputs: makeConfig().outputs }]);
  });

  it('fails with ConfigError when the environment is incomplete', async () => {
    // Prepare
    delete process.env['FANOUT_DEFINITION'];

    // Act & Assess
    await expect(discoverSchema({})).rejects.toMatchObject({ name: 'ConfigError' });
  });

  it('fails on an engine it does not know', async () => {
    // Act & Assess
    await expect(discoverSchema({ engine: 'flink' })).rejects.toMatchObject({ name: 'ConfigError' });
  });
});

describe('Handler: create-application', () => {
  it('creates the planned application', async () => {
    // Prepare
    analytics.on(DescribeApplicationCommand).rejectsOnce(notFound()).resolves(detail('READY'));
    analytics.on(CreateApplicationCommand).resolves({});

    // Act
    const result = await createApplication({ application: { name, outputs: makeConfig().outputs }, schema });

    // Assess
    expect(result).toEqual({ name, action: 'created', status: 'READY' });
    expect(analytics).toHaveReceivedCommandWith(CreateApplicationCommand, { ApplicationName: name });
  });

  it.each([
    [
      'an output that is not configured',
      { name, outputs: [{ sqlStream: 'X', streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/Other' }] },
      schema,
      /not configured/,
    ],
    [
      'a name of another stage',
      { name: 'other-1', outputs: makeConfig().outputs },
      schema,
      /application of this stage/,
    ],
    ['no outputs', { name, outputs: [] }, schema, /non-empty array/],
    ['no schema', { name, outputs: makeConfig().outputs }, undefined, /schema must be a SourceSchema/],
  ])('rejects %s', async (_what, application, givenSchema, message) => {
    // Act & Assess
    await expect(createApplication({ application, schema: givenSchema })).rejects.toMatchObject({
      name: 'InvalidInputError',
      message: expect.stringMatching(message),
    });
    expect(analytics).not.toHaveReceivedCommand(CreateApplicationCommand);
  });
});

describe('Handler: describe-application', () => {
  it('returns the status, NOT_FOUND when there is no application', async () => {
    // Prepare
    analytics.on(DescribeApplicationCommand).resolvesOnce(detail('STARTING')).rejectsOnce(notFound());

    // Act
    const first = await describeApplication({ name });
    const second = await describeApplication({ name });

    // Assess
    expect(first).toEqual({ name, status: 'STARTING', leftSeconds: 0 });
    expect(second).toEqual({ name, status: 'NOT_FOUND', leftSeconds: 0 });
  });

  it('given until and withinSeconds, reads the status again until it is one of them', async () => {
    // Prepare
    analytics
      .on(DescribeApplicationCommand)
      .resolvesOnce(detail('STARTING'))
      .resolvesOnce(detail('STARTING'))
      .resolves(detail('RUNNING'));

    // Act
    const result = await describeApplication({ name, until: ['RUNNING'], withinSeconds: 30 });

    // Assess
    expect(result).toEqual({ name, status: 'RUNNING', leftSeconds: 0 });
    expect(analytics).toHaveReceivedCommandTimes(DescribeApplicationCommand, 3);
  });

  it('answers with the status it has when the window passes, and what the timeout left of it unwaited', async () => {
    // Prepare: never RUNNING; the function has 5.3 s left, 5 s of which it keeps back
    analytics.on(DescribeApplicationCommand).resolves(detail('STARTING'));
    const context = { getRemainingTimeInMillis: () => 5300 } as never;

    // Act
    const whole = await describeApplication({ name, until: ['RUNNING'], withinSeconds: 0.3 });
    const cut = await describeApplication({ name, until: ['RUNNING'], withinSeconds: 4 }, context);

    // Assess
    expect(whole).toEqual({ name, status: 'STARTING', leftSeconds: 0 });
    expect(cut).toEqual({ name, status: 'STARTING', leftSeconds: 4 });
  });

  it('refuses a status it does not know and a window out of range, before any call', async () => {
    await expect(describeApplication({ name, until: ['GONE'] })).rejects.toMatchObject({ name: 'InvalidInputError' });
    await expect(describeApplication({ name, until: ['READY'], withinSeconds: -1 })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
    expect(analytics).not.toHaveReceivedCommand(DescribeApplicationCommand);
  });
});

describe('Handler: start-application', () => {
  it('starts at TRIM_HORIZON unless told otherwise', async () => {
    // Prepare
    analytics.on(DescribeApplicationCommand).resolves(detail('READY'));
    analytics.on(StartApplicationCommand).resolves({});

    // Act
    const result = await startApplication({ name });

    // Assess
    expect(result).toEqual({ name, action: 'started' });
    expect(analytics).toHaveReceivedCommandWith(StartApplicationCommand, {
      InputConfigurations: [
        { Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } },
      ],
    });
  });

  it('rejects an unknown starting position', async () => {
    // Act & Assess
    await expect(startApplication({ name, startingPosition: 'LATEST' })).rejects.toMatchObject({
      name: 'InvalidInputError',
    });
  });
});

describe('Handler: stop-application', () => {
  it('stops a running application', async () => {
    // Prepare
    analytics.on(DescribeApplicationCommand).resolves(detail('RUNNING'));
    analytics.on(StopApplicationCommand).resolves({});

    // Act
    const result = await stopApplication({ name });

    // Assess
    expect(result).toEqual({ name, action: 'stopped' });
  });
});

describe('Handler: delete-application', () => {
  it('succeeds when the application does not exist', async () => {
    // Prepare
    analytics.on(DescribeApplicationCommand).rejects(notFound());

    // Act
    const result = await deleteApplication({ name });

    // Assess
    expect(result).toEqual({ name, action: 'not-found' });
    expect(analytics).not.toHaveReceivedCommand(DeleteApplicationCommand);
  });

  it('rejects an event that is not an object', async () => {
    // Act & Assess
    await expect(deleteApplication('kinesis-fanout-dev-1')).rejects.toMatchObject({ name: 'InvalidInputError' });
  });
});

describe('Handler: list-applications', () => {
  const summaries = {
    ApplicationSummaries: [{ ApplicationName: name, ApplicationARN: 'arn', ApplicationStatus: 'RUNNING' as const }],
    HasMoreApplications: false,
  };

  it('returns the applications of the stage with their engine', async () => {
    // Prepare
    analytics.on(ListApplicationsCommand).resolves(summaries);

    // Act
    const result = await listApplications(undefined);

    // Assess
    expect(result).toEqual({ applications: [{ engine: 'kinesis-analytics', name }], failures: [] });
  });

  it('lists every engine asked for, and reports one that cannot be listed without failing the others', async () => {
    // Prepare: the lambda engine is not configured in this environment (no FANOUT_FUNCTION_NAME)
    analytics.on(ListApplicationsCommand).resolves(summaries);

    // Act
    const result = await listApplications({ engines: ['kinesis-analytics', 'lambda'] });

    // Assess
    expect(result.applications).toEqual([{ engine: 'kinesis-analytics', name }]);
    expect(result.failures).toEqual([
      {
        engine: 'lambda',
        error: { Error: 'ApplicationConfigError', Cause: expect.stringContaining('FANOUT_FUNCTION_NAME') },
      },
    ]);
  });
});

describe('Handler: consumer', () => {
  it('logs the batch and reports no failures, even for a record that is not JSON', async () => {
    // Prepare
    const record = (data: string, sequenceNumber: string) => ({
      eventSourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/PositiveTransactions',
      kinesis: { data: Buffer.from(data).toString('base64'), sequenceNumber },
    });
    const event = { Records: [record('{"ID":1}', '1'), record('not json', '2')] } as unknown as KinesisStreamEvent;

    // Act
    const result = await consumer(event);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(logger.warn).toHaveBeenCalledWith('Record is not JSON', expect.objectContaining({ sequenceNumber: '2' }));
    expect(logger.info).toHaveBeenCalledWith(
      'Batch received',
      expect.objectContaining({ records: 2, rows: [{ ID: 1 }], lastSequenceNumber: '2' }),
    );
  });
});
