/**
 * The lambda engine's fan-out shapes through the whole lifecycle on the twin (issue 19 §4), on one packaged copy of
 * the project (packaging is what costs): a fan-out file without `sql:`, so every output is a plain copy of every
 * record (the generated copy application, one COPY stream feeding every output), five named outputs and an
 * `outputPrefix:`. First the five plain copies; then seven streams the prefix matches are created after the deploy
 * and before the next run, which writes twelve outputs, the seven by prefix among them. Each report: every output
 * present, nothing missing, duplicated or misrouted. Records are few and the twin's delays are off (`fast`), so
 * the file stays short in the suite.
 */
import { CreateStreamCommand, KinesisClient, waitUntilStreamExists } from '@aws-sdk/client-kinesis';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { readTemplate } from '../../../local/deploy';
import { sfnClient, type Up, up } from '../../../local/up';
import { packagedCopy } from '../twin/project';
import { credentials, expectEveryOutputWhole, inputsOf, lifecycle } from './lifecycle';

const NAMED = ['copy-1', 'copy-2', 'copy-3', 'copy-4', 'copy-5'];
const BY_PREFIX = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((s) => `by-prefix-${s}`);
const FANOUT_YML = [
  'input:',
  '  stream: Transactions',
  '  shards: 1',
  'outputs:',
  ...NAMED.map((n) => `  - stream: ${n}`),
  'outputPrefix: by-prefix-',
  '',
].join('\n');
/** Few records, a generous wait: the verdict, not the speed, is what these runs show (no timing asserted). */
const RUN = { engine: 'lambda', records: 200, rate: 500, timeoutSeconds: 180 };

describe('Integration: the lambda engine fans out plain copies, by name and by prefix, on the twin', () => {
  let project: Awaited<ReturnType<typeof packagedCopy>>;
  let session: Up;
  let client: SFNClient;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    project = await packagedCopy({ 'fanout.yml': FANOUT_YML });
    session = await up({ projectDir: project.dir, templatePath: project.templatePath, fast: true });
    client = sfnClient(session.twin.endpoint);
    kinesis = new KinesisClient({ endpoint: session.twin.endpoint, region: 'us-east-1', credentials });
  }, 900_000);

  afterAll(async () => {
    client?.destroy();
    kinesis?.destroy();
    await session?.close();
    project?.remove();
  }, 60_000);

  it('creates the input and the five named outputs, and no stream of the prefix', () => {
    const template = readTemplate(project.templatePath) as {
      Resources: Record<string, { Type: string; Properties?: { Name?: unknown } }>;
    };
    const names = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Kinesis::Stream')
      .map((r) => r.Properties?.Name);
    expect(names.sort()).toEqual(['Transactions', ...NAMED].sort());
  });

  it('five plain copies: every record in each of the five outputs, once', async () => {
    // Act
    const run = await lifecycle(client, RUN);

    // Assess
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    expect(run.report.run?.engine).toBe('lambda');
    expectEveryOutputWhole(run.report, NAMED, 'synthetic');
    for (const name of NAMED) expect(run.report.outputs[name]!.expected).toBe(RUN.records);
  }, 600_000);

  it('twelve outputs: the five named and seven streams created after the deploy, found by the prefix', async () => {
    // Prepare: the prefix's streams appear after the deploy, before the run
    for (const name of BY_PREFIX) await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    for (const name of BY_PREFIX)
      await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60, minDelay: 1 }, { StreamName: name });

    // Act
    const run = await lifecycle(client, RUN);

    // Assess: one application writes all twelve
    expect({ status: run.status, cause: run.cause }).toEqual({ status: 'SUCCEEDED', cause: undefined });
    const created = inputsOf<{ application: { name: string } }>(run.events, 'CreateApplication');
    expect(created.map((c) => c.application.name)).toEqual(['kinesis-fanout-dev-1']);
    expectEveryOutputWhole(run.report, [...NAMED, ...BY_PREFIX], 'synthetic');
    for (const name of [...NAMED, ...BY_PREFIX]) expect(run.report.outputs[name]!.expected).toBe(RUN.records);
  }, 600_000);
});
