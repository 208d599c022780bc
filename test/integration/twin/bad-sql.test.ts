import { KinesisAnalyticsClient, ListApplicationsCommand } from '@aws-sdk/client-kinesis-analytics';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { explainCause, findStateMachine, followExecution, sfnClient, startExecution, up } from '../../../local/up';
import { packagedCopy } from './project';

// It parses, so packaging takes it (fanout.yml's check refuses SQL that does not parse before packaging); it names a
// column the input does not have, which only compiling against the discovered schema finds.
const BAD_SQL = `CREATE OR REPLACE STREAM "POSITIVE_TRANSACTIONS" (ID INTEGER, USERNAME VARCHAR(200), AMOUNT DECIMAL(5,2));
CREATE OR REPLACE STREAM "NEGATIVE_TRANSACTIONS" (ID INTEGER, USERNAME VARCHAR(200), AMOUNT DECIMAL(5,2));
CREATE OR REPLACE PUMP "STREAM_PUMP1" AS INSERT INTO "POSITIVE_TRANSACTIONS"
    SELECT STREAM ID, USERNAME, NO_SUCH_COLUMN FROM "SOURCE_SQL_STREAM_001" WHERE AMOUNT >= 0;
`;

describe('Integration: application code that does not compile', () => {
  it('fails the lifecycle with CodeValidationException as the cause and leaves nothing running', async () => {
    // Prepare: a copy of the project whose sql/fanout.sql does not compile (the repository is not touched)
    const copy = await packagedCopy({ 'sql/fanout.sql': BAD_SQL });
    const session = await up({ projectDir: copy.dir, templatePath: copy.templatePath, fast: true });
    const client = sfnClient(session.twin.endpoint);
    const analytics = new KinesisAnalyticsClient({
      endpoint: session.twin.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const lifecycle = await findStateMachine(client, 'lifecycle');

      // Act
      const executionArn = await startExecution(client, lifecycle, { records: 50 });
      const described = await followExecution(client, executionArn, () => {});
      const apps = await analytics.send(new ListApplicationsCommand({}));
      const runningExecutions = await client.send(
        new ListExecutionsCommand({ stateMachineArn: lifecycle, statusFilter: 'RUNNING' }),
      );

      // Assess
      expect(described.status).toBe('FAILED');
      expect(described.error).toBe('CodeValidationException');
      expect(explainCause(described.cause)).toMatch(/NO_SUCH_COLUMN/);
      expect(apps.ApplicationSummaries ?? []).toEqual([]);
      expect(runningExecutions.executions).toEqual([]);
    } finally {
      analytics.destroy();
      client.destroy();
      await session.close();
      copy.remove();
    }
  }, 180_000);
});
