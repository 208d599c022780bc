import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import {
  APPLICATION_VARIABLE,
  ApplicationConfigError,
  decodeApplication,
  encodeApplication,
  environmentSize,
  type FanoutApplication,
  loadFanoutProcessor,
} from '../../../src/fanout';
import 'aws-sdk-client-mock-jest';

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

describe('Function: decodeApplication', () => {
  it('reads back what encodeApplication stored', () => {
    // Act
    const decoded = decodeApplication(encodeApplication(application));

    // Assess
    expect(decoded).toEqual(application);
  });

  it.each([
    [undefined, /not set: no application is configured/],
    ['{', /not JSON/],
    [JSON.stringify({ ...application, outputs: [{ sqlStream: 'OUT', streamArn: 'Out' }] }), /streamArn/],
    [JSON.stringify({ ...application, schema: { RecordFormat: { RecordFormatType: 'XML' } } }), /schema/],
    [
      JSON.stringify({ ...application, outputPrefixes: [{ sqlStream: 'OUT', streamNamePrefix: 'a b' }] }),
      /streamNamePrefix/,
    ],
  ])('refuses %s', (value, message) => {
    // Act
    const act = () => decodeApplication(value);

    // Assess
    expect(act).toThrow(ApplicationConfigError);
    expect(act).toThrow(message);
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
      env: { [APPLICATION_VARIABLE]: encodeApplication(application) },
      kinesis: new KinesisClient({ region: 'us-east-1' }),
    });

    // Assess
    expect(processor.targets.get('OUT')).toEqual([arn('Out'), arn('CopyA'), arn('CopyB')]);
    expect(kinesis).toReceiveCommandTimes(ListStreamsCommand, 2);
    expect(kinesis).toReceiveCommandWith(ListStreamsCommand, { NextToken: 't' });
  });

  it('fails the cold start with a clear message when no application is stored', async () => {
    // Act
    const act = loadFanoutProcessor({ env: {}, kinesis: new KinesisClient({ region: 'us-east-1' }) });

    // Assess
    await expect(act).rejects.toThrow(/run the lifecycle \(CreateApplication\) with the lambda engine first/);
  });
});
