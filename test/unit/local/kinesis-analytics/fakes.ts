/** Test doubles for the Kinesis Analytics twin's collaborators: a tiny SQL "engine" and a recording data plane. */

import type { DataPlane } from '../../../../local/kinesis-analytics/lifecycle';
import type { ApplicationState, StartingPosition } from '../../../../local/kinesis-analytics/state';
import { SqlCompileError } from '../../../../src/streaming-sql/errors';

/** Compiles nothing: finds `CREATE ... STREAM "NAME"` statements, fails on the word BROKEN at its position. */
export const fakeEngine = {
  compile(sql: string) {
    const lines = sql.split('\n');
    lines.forEach((line, i) => {
      const column = line.indexOf('BROKEN');
      if (column >= 0) throw new SqlCompileError('unexpected BROKEN', { line: i + 1, column: column + 1 });
    });
    const outputs = [...sql.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?STREAM\s+"?(\w+)"?/gi)].map((m) => ({
      name: m[1]!,
      columns: [{ name: 'ID', sqlType: 'INTEGER' }],
    }));
    return {
      inputStream: 'SOURCE_SQL_STREAM_001',
      outputs,
      createRunner: () => ({ push: () => ({ rows: [], errors: [] }), advance: () => ({ rows: [], errors: [] }) }),
    };
  },
};

export class RecordingDataPlane implements DataPlane {
  readonly calls: string[] = [];
  checkError: Error | undefined;
  release: (() => void) | undefined;
  holdStop = false;

  async check(app: ApplicationState): Promise<void> {
    this.calls.push(`check ${app.name}`);
    if (this.checkError) throw this.checkError;
  }

  start(app: ApplicationState, position: StartingPosition): void {
    this.calls.push(`start ${app.name} ${position}`);
  }

  stop(app: ApplicationState): Promise<void> {
    this.calls.push(`stop ${app.name}`);
    if (!this.holdStop) return Promise.resolve();
    return new Promise((resolve) => {
      this.release = resolve;
    });
  }

  reconfigure(app: ApplicationState): void {
    this.calls.push(`reconfigure ${app.name}`);
  }

  remove(name: string): void {
    this.calls.push(`remove ${name}`);
  }
}

export const SCHEMA = {
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: [{ Name: 'ID', SqlType: 'INTEGER', Mapping: '$.ID' }],
};

export const ROLE = 'arn:aws:iam::000000000000:role/analytics';
export const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

export const CODE = `CREATE OR REPLACE STREAM "OUT_A" (ID INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT_A" SELECT STREAM ID FROM "SOURCE_SQL_STREAM_001";`;

export function createRequest(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ApplicationName: name,
    ApplicationCode: CODE,
    Inputs: [
      {
        NamePrefix: 'SOURCE_SQL_STREAM',
        KinesisStreamsInput: { ResourceARN: streamArn('in'), RoleARN: ROLE },
        InputSchema: SCHEMA,
      },
    ],
    Outputs: [output('OUT_A', 'a')],
    ...extra,
  };
}

export function output(name: string, stream: string) {
  return {
    Name: name,
    KinesisStreamsOutput: { ResourceARN: streamArn(stream), RoleARN: ROLE },
    DestinationSchema: { RecordFormatType: 'JSON' },
  };
}

/**
 * An application as the store keeps it, ready for the data plane: one input (stream `in`, SCHEMA) and one output
 * (in-application stream OUT_A to the stream `output`).
 */
export function runnableApplication(opts: {
  status: ApplicationState['status'];
  code: string;
  output: string;
}): ApplicationState {
  return {
    name: 'app',
    arn: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/app',
    status: opts.status,
    createTimestamp: 0,
    versionId: 1,
    code: opts.code,
    inputs: [
      {
        InputId: '1.1',
        NamePrefix: 'SOURCE_SQL_STREAM',
        InAppStreamNames: ['SOURCE_SQL_STREAM_001'],
        InputSchema: SCHEMA as ApplicationState['inputs'][0]['InputSchema'],
        InputParallelism: { Count: 1 },
        InputStartingPositionConfiguration: {},
        KinesisStreamsInputDescription: { ResourceARN: streamArn('in'), RoleARN: ROLE },
      },
    ],
    outputs: [
      {
        OutputId: '1.1',
        Name: 'OUT_A',
        DestinationSchema: { RecordFormatType: 'JSON' },
        KinesisStreamsOutputDescription: { ResourceARN: streamArn(opts.output), RoleARN: ROLE },
      },
    ],
    referenceDataSources: [],
    cloudWatchLoggingOptions: [],
    tags: [],
    checkpoints: {},
  };
}
