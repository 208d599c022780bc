import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTwin, type Twin } from '../../../local/twin';
import { awsCliEnv, tool } from '../../tools';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::000000000000:role/analytics';
const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

const awsCli = tool('aws');

let twin: Twin;

/** Runs `aws <args> --endpoint-url <twin>` and parses its JSON output (or returns the error). */
async function aws(...args: string[]): Promise<{ ok: boolean; json: Record<string, unknown>; stderr: string }> {
  try {
    const { stdout } = await run('aws', [...args, '--endpoint-url', twin.endpoint, '--output', 'json'], {
      env: awsCliEnv(),
    });
    return { ok: true, json: stdout.trim() ? JSON.parse(stdout) : {}, stderr: '' };
  } catch (error) {
    return { ok: false, json: {}, stderr: String((error as { stderr?: string }).stderr) };
  }
}

awsCli.describe(awsCli.title('Kinesis Analytics twin, through the AWS CLI'), () => {
  beforeAll(async () => {
    twin = await startTwin({ port: 0, fast: true });
  });
  afterAll(() => twin.close());

  it('drives the worked example: discover, create, start, fan out, refuse a second start', async () => {
    // Prepare: the streams in process (each CLI call costs a second), the records through the CLI
    for (const stream of ['cli-in', 'cli-pos', 'cli-neg'])
      twin.kinesis.call('CreateStream', { StreamName: stream, ShardCount: 1 });
    const records = [
      { ID: 1, USERNAME: 'user-1', AMOUNT: 12.5 },
      { ID: 2, USERNAME: 'user-2', AMOUNT: -3.2 },
    ].map((r) => ({ Data: JSON.stringify(r), PartitionKey: r.USERNAME }));
    const put = await aws('kinesis', 'put-records', '--stream-name', 'cli-in', '--records', JSON.stringify(records));

    // Act
    const discovered = await aws(
      'kinesisanalytics',
      'discover-input-schema',
      '--resource-arn',
      arn('cli-in'),
      '--role-arn',
      ROLE,
      '--input-starting-position-configuration',
      'InputStartingPosition=TRIM_HORIZON',
    );
    const schema = discovered.json['InputSchema'] as Record<string, unknown>;
    const created = await aws(
      'kinesisanalytics',
      'create-application',
      '--application-name',
      'cli-fanout',
      '--application-code',
      `file://${join(__dirname, '../../../sql/fanout.sql')}`,
      '--inputs',
      JSON.stringify([
        {
          NamePrefix: 'SOURCE_SQL_STREAM',
          KinesisStreamsInput: { ResourceARN: arn('cli-in'), RoleARN: ROLE },
          InputSchema: schema,
        },
      ]),
      '--outputs',
      JSON.stringify(
        [
          ['POSITIVE_TRANSACTIONS', 'cli-pos'],
          ['NEGATIVE_TRANSACTIONS', 'cli-neg'],
        ].map(([name, stream]) => ({
          Name: name,
          KinesisStreamsOutput: { ResourceARN: arn(stream!), RoleARN: ROLE },
          DestinationSchema: { RecordFormatType: 'JSON' },
        })),
      ),
    );
    const start = [
      'kinesisanalytics',
      'start-application',
      '--application-name',
      'cli-fanout',
      '--input-configurations',
      'Id=1.1,InputStartingPositionConfiguration={InputStartingPosition=TRIM_HORIZON}',
    ];
    const started = await aws(...start);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const again = await aws(...start);
    const iterator = twin.kinesis.getShardIterator({ StreamName: 'cli-neg' }, 'shardId-000000000000', 'TRIM_HORIZON');
    const negatives = twin.kinesis.getRecords(iterator).Records;

    // Assess
    expect(put.json).toMatchObject({ FailedRecordCount: 0 });
    expect(discovered.ok).toBe(true);
    expect(created.json).toMatchObject({
      ApplicationSummary: { ApplicationName: 'cli-fanout', ApplicationStatus: 'READY' },
    });
    expect(started.ok).toBe(true);
    expect(again.stderr).toContain('ResourceInUseException');
    const rows = negatives.map((r) => JSON.parse(Buffer.from(r.Data).toString('utf8')));
    expect(rows).toEqual([{ ID: 2, USERNAME: 'user-2', AMOUNT: -3.2 }]);
  }, 60_000);
});
