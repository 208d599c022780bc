import { ManualClock } from '../../../../local/clock';
import { KinesisTwin } from '../../../../local/kinesis';
import { RunningApplications } from '../../../../local/kinesis-analytics/data-plane';
import type { SqlEngine } from '../../../../local/kinesis-analytics/engine';
import { discoverInputSchema } from '../../../../local/kinesis-analytics/operations/discover';
import type { ApplicationState } from '../../../../local/kinesis-analytics/state';
import { ApplicationStore } from '../../../../local/kinesis-analytics/store';
import { DEFAULT_TIMING } from '../../../../local/kinesis-analytics/timing';
import * as streamingSql from '../../../../src/streaming-sql';
import { CODE, ROLE, runnableApplication, streamArn } from './fakes';

function setup() {
  const clock = new ManualClock();
  const kinesis = new KinesisTwin({ clock, limits: false });
  for (const name of ['in', 'a']) kinesis.call('CreateStream', { StreamName: name, ShardCount: 1 });
  const pool = new RunningApplications({
    kinesis,
    engine: streamingSql as SqlEngine,
    clock,
    timing: DEFAULT_TIMING,
    store: new ApplicationStore(),
  });
  return { kinesis, pool };
}

function app(): ApplicationState {
  return runnableApplication({ status: 'READY', code: CODE, output: 'a' });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('Class: RunningApplications', () => {
  describe('Method: check', () => {
    it('accepts an application it can run', async () => {
      // Prepare
      const { pool } = setup();

      // Act
      const act = pool.check(app());

      // Assess
      await expect(act).resolves.toBeUndefined();
    });

    it('accepts an output of the error stream, whatever its case', async () => {
      // Prepare
      const { pool } = setup();
      const application = app();
      application.outputs[0]!.Name = 'ERROR_STREAM';

      // Act
      const act = pool.check(application);

      // Assess
      await expect(act).resolves.toBeUndefined();
    });

    it.each([
      [
        'a missing input stream',
        (a: ApplicationState) => {
          a.inputs[0]!.KinesisStreamsInputDescription!.ResourceARN = streamArn('nope');
        },
        'stream arn:aws:kinesis:us-east-1:000000000000:stream/nope does not exist',
      ],
      [
        'a missing output stream',
        (a: ApplicationState) => {
          a.outputs[0]!.KinesisStreamsOutputDescription!.ResourceARN = streamArn('gone');
        },
        'output OUT_A stream',
      ],
      [
        'an output naming no stream of the code',
        (a: ApplicationState) => {
          a.outputs[0]!.Name = 'ELSEWHERE';
        },
        'which the application code does not create (it creates: OUT_A)',
      ],
      [
        'a Firehose input',
        (a: ApplicationState) => {
          const input = a.inputs[0]!;
          input.KinesisFirehoseInputDescription = input.KinesisStreamsInputDescription!;
          delete input.KinesisStreamsInputDescription;
        },
        'Kinesis streams only',
      ],
      [
        'a Firehose output on a twin without Firehose',
        (a: ApplicationState) => {
          const output = a.outputs[0]!;
          output.KinesisFirehoseOutputDescription = {
            ResourceARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/d',
            RoleARN: ROLE,
          };
          delete output.KinesisStreamsOutputDescription;
        },
        'this twin runs no Firehose',
      ],
      [
        'a Lambda output on a twin without Lambda',
        (a: ApplicationState) => {
          const output = a.outputs[0]!;
          output.LambdaOutputDescription = {
            ResourceARN: 'arn:aws:lambda:us-east-1:000000000000:function:f',
            RoleARN: ROLE,
          };
          delete output.KinesisStreamsOutputDescription;
        },
        'this twin runs no Lambda service',
      ],
      [
        'a Lambda output that is not a function ARN',
        (a: ApplicationState) => {
          const output = a.outputs[0]!;
          output.LambdaOutputDescription = output.KinesisStreamsOutputDescription!;
          delete output.KinesisStreamsOutputDescription;
        },
        'is not a Lambda function ARN',
      ],
      [
        'a reference data source',
        (a: ApplicationState) => {
          a.referenceDataSources.push({
            ReferenceId: '2.1',
            TableName: 'T',
            S3ReferenceDataSourceDescription: { BucketARN: 'arn:aws:s3:::b', FileKey: 'k', ReferenceRoleARN: ROLE },
          });
        },
        'no Amazon S3',
      ],
    ])('refuses %s with InvalidApplicationConfigurationException', async (_what, change, message) => {
      // Prepare
      const { pool } = setup();
      const application = app();
      change(application);

      // Act
      const error = await failure(pool.check(application));

      // Assess
      expect(error.name).toBe('InvalidApplicationConfigurationException');
      expect(error.message).toContain(message);
    });
  });
});

describe('Function: discoverInputSchema', () => {
  it('infers the schema of the records at the start of the stream', async () => {
    // Prepare
    const { kinesis } = setup();
    kinesis.putRecords({ StreamName: 'in' }, [
      { data: Buffer.from('{"ID": 1, "NAME": "a"}'), partitionKey: 'k' },
      { data: Buffer.from('{"ID": 2, "NAME": "b"}'), partitionKey: 'k' },
    ]);

    // Act
    const found = await discoverInputSchema({ ResourceARN: streamArn('in'), RoleARN: ROLE }, kinesis, streamingSql);

    // Assess
    expect(found.InputSchema.RecordColumns.map((c) => c.Name)).toEqual(['ID', 'NAME']);
    expect(found.RawInputRecords).toHaveLength(2);
  });

  it('samples at most 100 records', async () => {
    // Prepare
    const { kinesis } = setup();
    kinesis.putRecords(
      { StreamName: 'in' },
      Array.from({ length: 150 }, (_, i) => ({ data: Buffer.from(`{"ID": ${i}}`), partitionKey: 'k' })),
    );

    // Act
    const found = await discoverInputSchema({ ResourceARN: streamArn('in'), RoleARN: ROLE }, kinesis, streamingSql);

    // Assess
    expect(found.RawInputRecords).toHaveLength(100);
  });

  it.each([
    ['an empty stream', { ResourceARN: streamArn('in'), RoleARN: ROLE }, 'UnableToDetectSchemaException'],
    ['a missing stream', { ResourceARN: streamArn('nope'), RoleARN: ROLE }, 'InvalidArgumentException'],
    ['no role', { ResourceARN: streamArn('in') }, 'InvalidArgumentException'],
    [
      'an S3 object',
      { S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::b', FileKey: 'k' } },
      'InvalidArgumentException',
    ],
  ])('refuses %s', async (_what, input, name) => {
    // Prepare
    const { kinesis } = setup();

    // Act
    const error = await failure(discoverInputSchema(input, kinesis, streamingSql));

    // Assess
    expect(error.name).toBe(name);
  });
});
