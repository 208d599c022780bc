/**
 * A fan-out of five copies whose roles name only the first output stream for writing (the packaged template
 * edited as a user would edit the grants): on the twin the lifecycle fails with AccessDenied naming the second
 * stream, where before IAM was evaluated it passed and AWS would have refused the other four.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { findStateMachine, followExecution, sfnClient, startExecution, type Up, up } from '../../../local/up';
import { packagedCopy } from '../twin/project';

jest.setTimeout(120_000);

const FIVE = `input:
  stream: Transactions
  shards: 1
outputs:
${[1, 2, 3, 4, 5].map((n) => `  - stream: Copy${n}\n`).join('')}`;

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

/** Every write grant of the template names only the first of the streams it listed. */
function firstStreamOnly(templatePath: string): string {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties: { Policies?: { PolicyDocument: { Statement: Statement[] } }[] } }
    >;
  };
  let edited = 0;
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    for (const policy of resource.Properties.Policies ?? []) {
      for (const s of policy.PolicyDocument.Statement) {
        const writes = ([] as string[]).concat(s.Action).includes('kinesis:PutRecords');
        if (writes && Array.isArray(s.Resource) && s.Resource.length === 5) {
          s.Resource = [s.Resource[0]];
          edited++;
        }
      }
    }
  }
  expect(edited).toBeGreaterThan(0);
  const path = join(templatePath, '..', 'first-stream-only.json');
  writeFileSync(path, JSON.stringify(template));
  return path;
}

describe('Integration: five outputs, write granted on the first only', () => {
  let project: Awaited<ReturnType<typeof packagedCopy>>;
  let session: Up;

  beforeAll(async () => {
    project = await packagedCopy({ 'fanout.yml': FIVE });
    session = await up({ projectDir: project.dir, templatePath: firstStreamOnly(project.templatePath), fast: true });
  }, 900_000);

  afterAll(async () => {
    await session?.close();
    project?.remove();
  });

  it('the lifecycle (kinesis-analytics engine) fails with AccessDenied naming the second stream', async () => {
    const client = sfnClient(session.twin.endpoint);
    const lifecycle = await findStateMachine(client, 'lifecycle');
    const events: HistoryEvent[] = [];
    const arn = await startExecution(client, lifecycle, { records: 20, engine: 'kinesis-analytics' });
    const described = await followExecution(client, arn, (e) => events.push(e));
    client.destroy();

    expect(described.status).toBe('FAILED');
    const analytics = session.stack.resources.get('AnalyticsRole')!;
    const roleName = analytics.physicalId;
    const copy2 = 'arn:aws:kinesis:us-east-1:000000000000:stream/Copy2';
    // the first application (Copy1-3) is refused at StartApplication, naming Copy2 and the role's denial
    const causes = events.flatMap((e) => [
      e.lambdaFunctionFailedEventDetails?.cause ?? '',
      e.taskFailedEventDetails?.cause ?? '',
      e.executionFailedEventDetails?.cause ?? '',
    ]);
    const refusal = causes.find((c) => c.includes(`to ${copy2} with role`));
    expect(refusal).toBeDefined();
    expect(refusal).toContain('InvalidApplicationConfigurationException');
    expect(refusal).toContain(
      `User: arn:aws:sts::000000000000:assumed-role/${roleName}/kinesis-fanout-dev-1 is not authorized to perform: ` +
        `kinesis:DescribeStream on resource: ${copy2} because no identity-based policy allows the kinesis:DescribeStream action`,
    );
    // nothing is left running after the failure (the lifecycle tears down)
    expect(session.twin.iam.stats.denied).toBeGreaterThan(0);
  });
});
