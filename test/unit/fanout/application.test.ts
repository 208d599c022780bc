import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import {
  APPLICATION_NAME_VARIABLE,
  ApplicationConfigError,
  applicationFromEnvironment,
  decodeSchema,
  encodeSchema,
  environmentSize,
  type FanoutApplication,
  loadFanoutProcessor,
  SCHEMA_VARIABLE,
} from '../../../src/fanout';
import 'aws-sdk-client-mock-jest';
import { definitionFor } from '../fanout-config/fixtures';

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

const application: FanoutApplication = {
  name: 'fanout-test-1',
  inputStreamArn: arn('Transactions'),
  sql: 'CREATE OR REPLACE STREAM "OUT" (A INTEGER); CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM A FROM "SOURCE_SQL_STREAM_001";',
  schema: {
    RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
    RecordColumns: [{ Name: 'A', SqlType: 'INTEGER', Mapping: '$.A' }],
  },
  outputs: [{ sqlStream: 'OUT', streamArn: arn('Out') }],
  outputPrefixes: [{ sqlStream: 'OUT', streamNamePrefix: 'Copy' }],
  errorDestination: { type: 'stream', streamArn: arn('Errors') },
};

/** The environment of a version the lambda engine published for `application`. */
function versionEnvironment(app: FanoutApplication): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    FANOUT_DEFINITION: JSON.stringify({
      ...definitionFor(app.inputStreamArn, app.outputs),
      ...(app.outputPrefixes[0]
        ? {
            outputPrefix: {
              prefix: app.outputPrefixes[0].streamNamePrefix,
              sqlStream: app.outputPrefixes[0].sqlStream,
            },
          }
        : {}),
    }),
    STAGE: 'test',
    APPLICATION_PREFIX: 'fanout-test',
    ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/analytics',
    FANOUT_ERROR_DESTINATION: app.errorDestination.type === 'stream' ? app.errorDestination.streamArn : 'log',
    [APPLICATION_NAME_VARIABLE]: app.name,
    [SCHEMA_VARIABLE]: encodeSchema(app.schema),
  };
}

describe('Function: applicationFromEnvironment', () => {
  it('reads back the application from the deployment (SQL, outputs, settings) and the version (name, schema)', () => {
    // Act
    const read = applicationFromEnvironment(versionEnvironment(application), application.sql);

    // Assess
    expect(read).toEqual(application);
  });

  it.each([
    [
      'no schema (a version the engine did not publish, or $LATEST)',
      { [SCHEMA_VARIABLE]: '' },
      /carries no application/,
    ],
    ['a schema that is not one', { [SCHEMA_VARIABLE]: '{' }, /not a stored schema/],
    ['a schema of another format', { [SCHEMA_VARIABLE]: '{"RecordFormat":{"RecordFormatType":"XML"}}' }, /JSON or CSV/],
  ])('refuses %s', (_what, change, message) => {
    // Act
    const act = () => applicationFromEnvironment({ ...versionEnvironment(application), ...change }, application.sql);

    // Assess
    expect(act).toThrow(ApplicationConfigError);
    expect(act).toThrow(message);
  });
});

describe('Function: encodeSchema', () => {
  it('keeps a small schema as JSON and compresses a large one, both read back exactly', () => {
    // Prepare
    const wide = {
      ...application.schema,
      RecordColumns: Array.from({ length: 200 }, (_, i) => ({ Name: `C${i}`, SqlType: 'DOUBLE', Mapping: `$.c${i}` })),
    };

    // Act
    const small = encodeSchema(application.schema);
    const large = encodeSchema(wide);

    // Assess
    expect(small.startsWith('{')).toBe(true);
    expect(large.startsWith('gz:')).toBe(true);
    expect(large.length).toBeLessThan(JSON.stringify(wide).length / 4);
    expect(decodeSchema(small)).toEqual(application.schema);
    expect(decodeSchema(large)).toEqual(wide);
  });
});

describe('Function: environmentSize', () => {
  it('counts keys and values in UTF-8 bytes', () => {
    // Act
    const size = environmentSize({ AB: 'cd', É: 'é' });

    // Assess
    expect(size).toBe(8);
  });
});

describe('Function: loadFanoutProcessor', () => {
  const kinesis = mockClient(KinesisClient);
  beforeEach(() => kinesis.reset());

  it('lists every page of streams at cold start and gives each prefix match a copy', async () => {
    // Prepare
    kinesis
      .on(ListStreamsCommand)
      .resolvesOnce({
        StreamNames: [],
        HasMoreStreams: true,
        NextToken: 't',
        StreamSummaries: [{ StreamName: 'CopyA', StreamARN: arn('CopyA'), StreamStatus: 'ACTIVE' }],
      })
      .resolves({
        StreamNames: [],
        HasMoreStreams: false,
        StreamSummaries: [{ StreamName: 'CopyB', StreamARN: arn('CopyB'), StreamStatus: 'ACTIVE' }],
      });

    // Act
    const processor = await loadFanoutProcessor({
      env: versionEnvironment(application),
      sql: application.sql,
      kinesis: new KinesisClient({ region: 'us-east-1' }),
    });

    // Assess
    expect(processor.targets.get('OUT')).toEqual([arn('Out'), arn('CopyA'), arn('CopyB')]);
    expect(kinesis).toReceiveCommandTimes(ListStreamsCommand, 2);
    expect(kinesis).toReceiveCommandWith(ListStreamsCommand, { NextToken: 't' });
  });

  it('lists the streams again once warm for prefixRefreshMs: a stream created since is written, a failed listing changes nothing', async () => {
    // Prepare: CopyB is created after the cold start; the third listing fails
    const page = (...names: string[]) => ({
      StreamNames: [],
      HasMoreStreams: false,
      StreamSummaries: names.map((name) => ({
        StreamName: name,
        StreamARN: arn(name),
        StreamStatus: 'ACTIVE' as const,
      })),
    });
    kinesis
      .on(ListStreamsCommand)
      .resolvesOnce(page('CopyA'))
      .resolvesOnce(page('CopyA', 'CopyB'))
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' }));
    const processor = await loadFanoutProcessor({
      env: versionEnvironment(application),
      sql: application.sql,
      kinesis: new KinesisClient({ region: 'us-east-1' }),
      prefixRefreshMs: 0,
    });
    const cold = processor.targets.get('OUT');

    // Act
    await processor.process([]);
    const warm = processor.targets.get('OUT');
    await processor.process([]);

    // Assess
    expect(cold).toEqual([arn('Out'), arn('CopyA')]);
    expect(warm).toEqual([arn('Out'), arn('CopyA'), arn('CopyB')]);
    expect(processor.targets.get('OUT')).toEqual(warm);
    expect(kinesis).toReceiveCommandTimes(ListStreamsCommand, 3);
  });

  it('fails the cold start with a clear message on a version that carries no application', async () => {
    // Act
    const act = loadFanoutProcessor({ env: {}, kinesis: new KinesisClient({ region: 'us-east-1' }) });

    // Assess
    await expect(act).rejects.toThrow(/run the lifecycle \(CreateApplication\) first/);
  });
});

describe('Function: loadFanoutProcessor, with Firehose and Lambda outputs', () => {
  const hose = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/archive';
  const fn = 'arn:aws:lambda:us-east-1:000000000000:function:audit';
  const env = () => {
    const definition = definitionFor(application.inputStreamArn, []);
    return {
      AWS_REGION: 'us-east-1',
      FANOUT_DEFINITION: JSON.stringify({
        ...definition,
        outputs: [
          {
            kind: 'firehose',
            index: 0,
            id: 'ArchiveFirehose',
            deliveryStream: { created: false, name: 'archive', arn: hose },
            sqlStream: 'OUT',
          },
          {
            kind: 'function',
            index: 1,
            id: 'AuditFunction',
            function: { ofService: false, arn: fn },
            sqlStream: 'OUT',
          },
        ],
      }),
      STAGE: 'test',
      APPLICATION_PREFIX: 'fanout-test',
      ANALYTICS_ROLE_ARN: 'arn:aws:iam::000000000000:role/analytics',
      [APPLICATION_NAME_VARIABLE]: application.name,
      [SCHEMA_VARIABLE]: encodeSchema(application.schema),
    };
  };

  it('routes an in-application stream to a delivery stream and a function', async () => {
    // Act
    const processor = await loadFanoutProcessor({
      env: env(),
      sql: application.sql,
      kinesis: new KinesisClient({ region: 'us-east-1' }),
      firehose: { send: async () => ({}) } as never,
      lambda: { send: async () => ({}) } as never,
    });

    // Assess
    expect(processor.targets.get('OUT')).toEqual([hose, fn]);
  });

  it('fails the cold start, before any batch, when no client writes an output', async () => {
    // Act
    const act = loadFanoutProcessor({ env: env(), sql: application.sql, kinesis: new KinesisClient({}) });

    // Assess
    await expect(act).rejects.toThrow(`No firehose client to write ${hose}`);
  });
});
