/**
 * Every destination kind Kinesis Analytics had, through the whole lifecycle on the twin, with both engines (issue 17):
 * one fan-out file with a Kinesis stream, a Firehose delivery stream and a Lambda function as outputs, packaged once
 * in a copy of the project. Each engine's run passes with the three outputs in its report, nothing missing,
 * duplicated or misrouted; then the delivery stream's objects are listed and read back as a user would, through the
 * SDK (ListObjectsV2 / GetObject) and, when `aws` is on PATH, the AWS CLI (`aws s3 ls --recursive`, `aws s3 cp - `).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DescribeDeliveryStreamCommand, FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { sfnClient, type Up, up } from '../../../local/up';
import type { LoadTestReport } from '../../../src/load-test';
import { awsCliEnv, tool } from '../../tools';
import { expectEveryOutputWhole } from '../fanout-shapes/lifecycle';
import { clientConfig } from '../twin/clients';
import { packagedCopy } from '../twin/project';
import { runLifecycle } from '../twin/run';

const run = promisify(execFile);

/** The README's three.yml: one output of each kind (the stream and the archive take the positive rows). */
const THREE_KINDS_YML = [
  'input: { stream: Transactions, shards: 1 }',
  'sql: sql/fanout.sql',
  'outputs:',
  '  - stream: PositiveTransactions',
  '    sqlStream: POSITIVE_TRANSACTIONS',
  '  - firehose: archive',
  '    sqlStream: POSITIVE_TRANSACTIONS',
  '    prefix: rows/',
  '    bufferSeconds: 0',
  '  - function: audit',
  '    sqlStream: NEGATIVE_TRANSACTIONS',
  'loadTest: { records: 100 }',
  '',
].join('\n');

/** The report's names of the three outputs: the stream, the delivery stream, the function (the stack's name). */
const OUTPUTS = ['PositiveTransactions', 'archive', 'kinesis-fanout-dev-audit'];

interface Row {
  ID: number;
  USERNAME: string;
  AMOUNT: number;
}

async function lifecycle(client: SFNClient, input: Record<string, unknown>): Promise<LoadTestReport> {
  const { execution, report } = await runLifecycle(client, input);
  expect({ status: execution.status, cause: execution.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
  return report as LoadTestReport;
}

/** The three outputs in the report, each whole: every expected row once, none elsewhere. */
function expectThreeWhole(report: LoadTestReport): void {
  expectEveryOutputWhole(report, OUTPUTS, 'synthetic');
  expect(report.sent).toBe(100);
  // the stream and the archive carry the same rows (POSITIVE), the function the others (NEGATIVE)
  expect(report.outputs['archive']!.expected).toBe(report.outputs['PositiveTransactions']!.expected);
  expect(report.outputs['archive']!.expected + report.outputs['kinesis-fanout-dev-audit']!.expected).toBe(100);
}

/** JSON documents written back to back (the fan-out writes one row per Firehose record, no delimiter). */
function rowsOf(body: string): Row[] {
  return body
    .replace(/\}\s*\{/g, '}\n{')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Row);
}

/** One packaged copy of the project for every twin of this file: packaging is what costs. */
let project: Awaited<ReturnType<typeof packagedCopy>>;

beforeAll(async () => {
  project = await packagedCopy({ 'fanout.yml': THREE_KINDS_YML });
}, 900_000);

afterAll(() => project?.remove());

describe('Integration: a stream, a delivery stream and a function as outputs, through the lifecycle on both engines', () => {
  let session: Up;
  let client: SFNClient;
  let s3: S3Client;
  let firehose: FirehoseClient;
  let bucket: string;
  /** Object keys already seen by an earlier run: each run's objects are the new ones. */
  const seen = new Set<string>();

  beforeAll(async () => {
    session = await up({ projectDir: project.dir, templatePath: project.templatePath, fast: true });
    client = sfnClient(session.twin.endpoint);
    s3 = new S3Client({ ...clientConfig(session.twin.endpoint), forcePathStyle: true });
    firehose = new FirehoseClient(clientConfig(session.twin.endpoint));
    const described = await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'archive' }));
    const arn = described.DeliveryStreamDescription!.Destinations![0]!.ExtendedS3DestinationDescription!.BucketARN!;
    bucket = arn.slice(arn.lastIndexOf(':') + 1);
  }, 300_000);

  afterAll(async () => {
    client?.destroy();
    s3?.destroy();
    firehose?.destroy();
    await session?.close();
  }, 60_000);

  /** The objects the delivery stream wrote since the last call, listed and read through the SDK. */
  async function newObjects(): Promise<{ key: string; body: string }[]> {
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: 'rows/' }))
      for (const o of page.Contents ?? []) if (!seen.has(o.Key!)) keys.push(o.Key!);
    const out: { key: string; body: string }[] = [];
    for (const key of keys.sort()) {
      seen.add(key);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      out.push({ key, body: await got.Body!.transformToString() });
    }
    return out;
  }

  /** The run's archived rows (those carrying its tag), from the objects: each expected row exactly once. */
  function expectArchived(report: LoadTestReport, objects: { key: string; body: string }[]): void {
    expect(objects.length).toBeGreaterThan(0);
    for (const { key } of objects)
      expect(key).toMatch(
        /^rows\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/archive-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}$/,
      );
    const rows = objects.flatMap((o) => rowsOf(o.body));
    // only positive rows reach the archive, whoever wrote them (the schema discovery's samples go through it too)
    expect(rows.filter((r) => !(r.AMOUNT >= 0))).toEqual([]);
    const tag = report.records!.tag!;
    const ours = rows.filter((r) => r.USERNAME.includes(tag)).map((r) => r.USERNAME);
    expect(ours).toHaveLength(report.outputs['archive']!.expected);
    expect(new Set(ours).size).toBe(ours.length);
  }

  it.each(['lambda', 'kinesis-analytics'])(
    '%s: the report lists all three outputs whole, and the archive objects hold the run rows once',
    async (engine) => {
      // Act
      const report = await lifecycle(client, { engine });
      const objects = await newObjects();

      // Assess
      expect(report.run?.engine).toBe(engine);
      expectThreeWhole(report);
      expectArchived(report, objects);
    },
    600_000,
  );

  const awsCli = tool('aws');
  awsCli.it(
    awsCli.title('the delivered objects list with `aws s3 ls --recursive` and read with `aws s3 cp - `'),
    async () => {
      // Prepare: every object there is, through the SDK
      seen.clear();
      const objects = await newObjects();
      const aws = async (...args: string[]) =>
        (await run('aws', ['--endpoint-url', session.twin.endpoint, ...args], { env: awsCliEnv() })).stdout;

      // Act
      const ls = await aws('s3', 'ls', `s3://${bucket}`, '--recursive');
      const first = objects[0]!;
      const copied = await aws('s3', 'cp', `s3://${bucket}/${first.key}`, '-');

      // Assess: the same keys and sizes as the SDK lists, the same bytes as GetObject
      const listed = ls
        .trim()
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .map(([, , size, key]) => [key, Number(size)]);
      expect(listed.sort()).toEqual(objects.map((o) => [o.key, Buffer.byteLength(o.body)]).sort());
      expect(copied).toBe(first.body);
      expect(rowsOf(copied).length).toBeGreaterThan(0);
    },
    60_000,
  );
});

/** The function the stack creates for `function: audit`, as the report names it. */
const AUDIT = 'kinesis-fanout-dev-audit';
const FIREHOSE_FAULTS = { failRecords: 0.25, throttleCalls: 0.2 };
const LAMBDA_FAULTS = { deliveryFailed: 0.25, functionErrors: 0.2, throttle: 0.2 };

describe('Integration: the three kinds with Firehose and Lambda faults injected in the twin, on both engines', () => {
  let session: Up;
  let client: SFNClient;

  beforeAll(async () => {
    // every 4th record of the archive answered ServiceUnavailableException (FailedPutCount), every 5th call refused;
    // every 4th record for the function answered DeliveryFailed, every 5th invocation a function error, every 5th
    // Invoke throttled: all before the record is stored or seen, so each row sent again is delivered once
    session = await up({
      projectDir: project.dir,
      templatePath: project.templatePath,
      fast: true,
      faults: { firehoseFaults: { archive: FIREHOSE_FAULTS }, lambdaFaults: { [AUDIT]: LAMBDA_FAULTS } },
    });
    client = sfnClient(session.twin.endpoint);
  }, 300_000);

  afterAll(async () => {
    client?.destroy();
    await session?.close();
  }, 60_000);

  it.each(['lambda', 'kinesis-analytics'])(
    '%s: every row reaches every output exactly once, though deliveries failed and were retried',
    async (engine) => {
      // Prepare: the counts start again for this engine
      session.twin.firehose.setFaults('archive', FIREHOSE_FAULTS);
      session.twin.lambda.setFaults(AUDIT, LAMBDA_FAULTS);

      // Act
      const report = await lifecycle(client, { engine });

      // Assess: the faults were met (the writer had records to send again) and nothing was lost or doubled
      const hose = session.twin.firehose.faultCounts('archive');
      const fn = session.twin.lambda.faultCounts(AUDIT);
      expect(hose.failedRecords).toBeGreaterThan(0);
      expect(hose.throttledCalls).toBeGreaterThan(0);
      expect(fn.deliveryFailed).toBeGreaterThan(0);
      expect(fn.functionErrors).toBeGreaterThan(0);
      expect(fn.throttled).toBeGreaterThan(0);
      expectThreeWhole(report);
    },
    600_000,
  );
});
