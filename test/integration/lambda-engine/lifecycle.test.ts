/**
 * The same lifecycle state machine, on the same deployed twin, with either engine: discover, create, start, load
 * test and teardown end in a passing report, and the lambda engine leaves no mapping, consumer or stored application.
 */
import { KinesisClient, ListStreamConsumersCommand } from '@aws-sdk/client-kinesis';
import { LambdaClient, ListEventSourceMappingsCommand, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { sfnClient, type Up, up } from '../../../local/up';
import { clientConfig } from '../twin/clients';
import { packagedProject, ROOT } from '../twin/project';
import { runLifecycle } from '../twin/run';

interface Report {
  verdict: string;
  sent: number;
  outputs: Record<string, { expected: number; received: number; missing: number; duplicates: number }>;
}

describe('Integration: the lifecycle with both engines', () => {
  let session: Up;
  let client: SFNClient;
  let lambda: LambdaClient;
  let kinesis: KinesisClient;

  beforeAll(async () => {
    const templatePath = await packagedProject();
    session = await up({ projectDir: ROOT, templatePath, fast: true, port: 0 });
    client = sfnClient(session.twin.endpoint);
    lambda = new LambdaClient(clientConfig(session.twin.endpoint));
    kinesis = new KinesisClient(clientConfig(session.twin.endpoint));
  }, 240_000);

  afterAll(async () => {
    client?.destroy();
    lambda?.destroy();
    kinesis?.destroy();
    await session?.close();
  });

  async function runWith(engine: string): Promise<{ status: string; report: Report }> {
    const { execution, report } = await runLifecycle(client, { records: 300, engine });
    return { status: execution.status ?? '', report: report as unknown as Report };
  }

  it.each(['lambda', 'kinesis-analytics'])(
    'passes the load test with the %s engine',
    async (engine) => {
      // Act
      const { status, report } = await runWith(engine);

      // Assess
      expect(status).toBe('SUCCEEDED');
      expect(report.verdict).toBe('pass');
      expect(report.sent).toBe(300);
      const outputs = Object.values(report.outputs);
      expect(outputs).toHaveLength(2);
      expect(outputs.reduce((n, o) => n + o.received, 0)).toBe(300);
      for (const output of outputs) expect(output).toMatchObject({ missing: 0, duplicates: 0 });
    },
    120_000,
  );

  it('leaves no mapping, consumer or stored application after the lambda engine tears down', async () => {
    // Prepare
    const fanout = session.twin.lambda.runtimes().find((f) => f.config.handler === 'handlers/fanout.handler')!
      .config.name;
    const input = session.stack.outputs['InputStreamArn']!;

    // Act
    await runWith('lambda');
    // every mapping of the account: the engine's point at a version of the function, which FunctionName would not list
    const mappings = await lambda.send(new ListEventSourceMappingsCommand({}));
    const consumers = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: input }));
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fanout }));

    // Assess: no mapping of the fan-out function (any version), no consumer, no version published for an application
    expect((mappings.EventSourceMappings ?? []).filter((m) => m.FunctionArn?.includes(`:function:${fanout}`))).toEqual(
      [],
    );
    expect(consumers.Consumers ?? []).toEqual([]);
    expect((versions.Versions ?? []).filter((v) => v.Description?.startsWith('kinesis-fanout application'))).toEqual(
      [],
    );
  }, 120_000);
});
