/**
 * The fan-out as a file, through the whole lifecycle on the twin (issue 19 §4), on one packaged copy of the project
 * (one packaging for every shape: packaging is what costs): an input stream the user brings (`input.arn`), created
 * on the twin before the service is deployed, while a producer writes `{"log": "Record n"}` records to it; the
 * seed's copy application (the background document's SQL, verbatim) feeding five outputs (and a prefix, which only
 * the lambda engine writes): on kinesis-analytics five outputs run on applications -1 (3 outputs) and -2 (2), each
 * running the copy SQL. The live traffic is verified (the default for a stream the user brings): no input stream in
 * the template, the applications start at NOW, nothing is put into the user's stream, and every output holds every
 * record once. The lambda engine's shapes (plain copies, 12 outputs, outputs by prefix) are in lambda-shapes.test.ts.
 */
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { readTemplate } from '../../../local/deploy';
import { sfnClient, type Up, up } from '../../../local/up';
import { packagedCopy } from '../twin/project';
import { credentials, expectEveryOutputWhole, inputsOf, lifecycle } from './lifecycle';

const INPUT_ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';
/** The copy application of ../shared/background/kinesis-fan-out-question-and-answer.txt, verbatim. */
const COPY_SQL = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (log VARCHAR(16)); CREATE OR REPLACE PUMP "COPY_PUMP1" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "log" FROM "SOURCE_SQL_STREAM_001";`;
const NAMED = ['copy-1', 'copy-2', 'copy-3', 'copy-4', 'copy-5'];
const FANOUT_YML = [
  'input:',
  `  arn: ${INPUT_ARN}`,
  'sql: sql/copy.sql',
  'outputs:',
  ...NAMED.flatMap((n) => [`  - stream: ${n}`, '    sqlStream: DESTINATION_SQL_STREAM']),
  'outputPrefix:',
  '  prefix: by-prefix-',
  '  sqlStream: DESTINATION_SQL_STREAM',
  '',
].join('\n');

describe('Integration: fan-outs from fanout.yml through the lifecycle on the twin', () => {
  let project: Awaited<ReturnType<typeof packagedCopy>>;
  let session: Up;
  let client: SFNClient;
  let kinesis: KinesisClient;
  let producer: NodeJS.Timeout | undefined;
  let written = 0;

  beforeAll(async () => {
    project = await packagedCopy({ 'fanout.yml': FANOUT_YML, 'sql/copy.sql': COPY_SQL });
    session = await up({
      projectDir: project.dir,
      templatePath: project.templatePath,
      fast: true,
      // the user's stream exists before the service is deployed, and a producer writes to it
      onTwin: (twin) => {
        twin.kinesis.call('CreateStream', { StreamName: 'clicks', ShardCount: 1 });
        kinesis = new KinesisClient({ endpoint: twin.endpoint, region: 'us-east-1', credentials });
        const put = async () => {
          const n = written;
          written += 5;
          const Records = [0, 1, 2, 3, 4].map((i) => ({
            Data: Buffer.from(JSON.stringify({ log: `Record ${n + i}` })),
            PartitionKey: `k${(n + i) % 7}`,
          }));
          await kinesis.send(new PutRecordsCommand({ StreamName: 'clicks', Records }));
        };
        producer = setInterval(() => void put().catch(() => {}), 100);
      },
    });
    client = sfnClient(session.twin.endpoint);
    // the producer's timers run once the deploy yields; the lifecycle starts with records flowing
    while (written < 20) await new Promise((r) => setTimeout(r, 100));
  }, 900_000);

  afterAll(async () => {
    if (producer) clearInterval(producer);
    client?.destroy();
    kinesis?.destroy();
    await session?.close();
    project?.remove();
  }, 60_000);

  /** Every record on the user's stream, from its start: what the producer wrote and nothing else. */
  async function inputRecords(): Promise<string[]> {
    const kinesis = session.twin.kinesis;
    const out: string[] = [];
    for (const shardId of kinesis.shardIds({ StreamName: 'clicks' })) {
      let iterator = kinesis.getShardIterator({ StreamName: 'clicks' }, shardId, 'TRIM_HORIZON');
      for (;;) {
        let page: ReturnType<typeof kinesis.getRecords>;
        try {
          page = kinesis.getRecords(iterator, 10_000);
        } catch (error) {
          // the shard's read limit (the application and the load test read it too): read again shortly
          if ((error as Error).name !== 'ProvisionedThroughputExceededException') throw error;
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        for (const r of page.Records) out.push(Buffer.from(r.Data).toString('utf8'));
        if (!page.NextShardIterator || page.Records.length === 0) break;
        iterator = page.NextShardIterator;
      }
    }
    return out;
  }

  it('holds no input stream: the template creates the outputs only', () => {
    const template = readTemplate(project.templatePath) as { Resources: Record<string, { Type: string }> };
    const streams = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Kinesis::Stream');
    expect(streams).toHaveLength(NAMED.length);
    expect(Object.keys(template.Resources).some((id) => /clicks/i.test(id))).toBe(false);
  });

  it('kinesis-analytics: five outputs on applications -1 and -2, the live traffic whole in every one', async () => {
    // Act: the defaults for a stream the user brings (live, from NOW)
    const run = await lifecycle(client, { engine: 'kinesis-analytics', liveSeconds: 10, timeoutSeconds: 300 });

    // Assess
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    const created = inputsOf<{ application: { name: string; outputs: { streamArn: string }[] } }>(
      run.events,
      'CreateApplication',
    ).map(({ application }) => [application.name, application.outputs.map((o) => o.streamArn.split('/')[1])]);
    expect(created.sort()).toEqual([
      ['kinesis-fanout-dev-1', ['copy-1', 'copy-2', 'copy-3']],
      ['kinesis-fanout-dev-2', ['copy-4', 'copy-5']],
    ]);
    expect(
      inputsOf<{ startingPosition: string }>(run.events, 'StartApplication').map((s) => s.startingPosition),
    ).toEqual(['NOW', 'NOW']);
    expectEveryOutputWhole(run.report, NAMED, 'live');
  }, 600_000);

  it("put nothing into the stream it was given: it holds the producer's records only", async () => {
    const records = await inputRecords();
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r) => !/^\{"log":"Record \d+"\}$/.test(r))).toEqual([]);
  });
});
