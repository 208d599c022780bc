/**
 * Each role of the packaged template with one statement removed (as a stack update records it in the IAM twin):
 * the step that needs it fails on the twin with the AccessDenied AWS would give, naming the role session, the
 * action and the resource. Also: a Deny statement beats the Allow, and the lambda:FunctionArn condition of the
 * mapping grants is honoured.
 */
import {
  CreateApplicationCommand,
  KinesisAnalyticsClient,
  StartApplicationCommand,
} from '@aws-sdk/client-kinesis-analytics';
import type { InlinePolicyInput } from '../../../local/iam';
import { findStateMachine, followExecution, sfnClient, startExecution, type Up, up } from '../../../local/up';
import { packagedProject, ROOT } from '../twin/project';

const ACCOUNT = '000000000000';
const PREFIX = 'kinesis-fanout-dev';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${name}`;
const functionArn = (key: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${PREFIX}-${key}`;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** AWS's message for an implicit deny. */
function denied(role: string, session: string, action: string, resource: string): string {
  return (
    `User: arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session} is not authorized to perform: ${action} on ` +
    `resource: ${resource} because no identity-based policy allows the ${action} action`
  );
}

// a function's first invocation is a cold start, slow on a loaded machine
jest.setTimeout(60_000);

describe('Integration: IAM on the twin (each role of the packaged template)', () => {
  let session: Up;

  beforeAll(async () => {
    const templatePath = await packagedProject();
    session = await up({ projectDir: ROOT, templatePath, fast: true, iam: 'enforce' });
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  });

  /** The role's name and ARN, as deployed. */
  function role(logicalId: string): { name: string; arn: string } {
    const held = session.stack.resources.get(logicalId);
    if (!held) throw new Error(`no ${logicalId} in the stack`);
    return { name: held.physicalId, arn: String(held.attributes['Arn']) };
  }

  /**
   * Runs `act` with the role's statement that grants `action` removed (exactly one statement), or with `change`
   * applied to its statements, then puts the role back as deployed.
   */
  async function withRole(
    logicalId: string,
    change: { remove: string } | { add: Statement },
    act: (role: { name: string; arn: string }) => Promise<void>,
  ): Promise<void> {
    const { name, arn } = role(logicalId);
    const iam = session.twin.iam;
    const deployed = iam.store.role(arn)!.documents;
    const edited: InlinePolicyInput[] = deployed.map((p) => {
      const doc = p.PolicyDocument as { Version: string; Statement: Statement[] };
      if ('add' in change) return { ...p, PolicyDocument: { ...doc, Statement: [...doc.Statement, change.add] } };
      const grants = (s: Statement) => ([] as string[]).concat(s.Action).includes(change.remove);
      return { ...p, PolicyDocument: { ...doc, Statement: doc.Statement.filter((s) => !grants(s)) } };
    });
    if ('remove' in change) {
      const count = (ps: readonly InlinePolicyInput[]) =>
        ps.flatMap((p) => (p.PolicyDocument as { Statement: Statement[] }).Statement).length;
      expect(count(deployed) - count(edited)).toBe(1);
    }
    iam.putRole({ arn, name, policies: edited });
    try {
      await act({ name, arn });
    } finally {
      iam.putRole({ arn, name, policies: deployed });
    }
  }

  async function invoke(key: string, event: unknown): Promise<{ payload: string; functionError?: string }> {
    return session.twin.lambda.invokeText(`${PREFIX}-${key}`, JSON.stringify(event));
  }

  /** The function fails with the AccessDenied message (the step wrapper rethrows the SDK's error by name). */
  async function expectDenied(key: string, event: unknown, message: string): Promise<void> {
    const result = await invoke(key, event);
    expect(result.functionError).toBeDefined();
    const error = JSON.parse(result.payload) as { errorType: string; errorMessage: string };
    expect(error).toMatchObject({ errorType: 'AccessDeniedException', errorMessage: message });
  }

  it('the deployed roles allow the steps as they stand (the same calls succeed)', async () => {
    const listed = await invoke('listApplications', { engine: 'kinesis-analytics' });
    expect(listed.functionError).toBeUndefined();
    const described = await invoke('describeApplication', { engine: 'kinesis-analytics', name: `${PREFIX}-1` });
    expect(JSON.parse(described.payload)).toMatchObject({ status: 'NOT_FOUND' });
  });

  it('ListApplicationsRole without kinesisanalytics:ListApplications', async () => {
    // An engine that cannot be listed is reported in the step's result (the teardown goes on with the others and
    // fails at the end naming it), so the denial is in `failures`, not a function error.
    await withRole('ListApplicationsRole', { remove: 'kinesisanalytics:ListApplications' }, async (r) => {
      const result = await invoke('listApplications', { engine: 'kinesis-analytics' });
      expect(result.functionError).toBeUndefined();
      expect(JSON.parse(result.payload)).toEqual({
        applications: [],
        failures: [
          {
            engine: 'kinesis-analytics',
            error: {
              Error: 'AccessDeniedException',
              Cause: denied(r.name, `${PREFIX}-listApplications`, 'kinesisanalytics:ListApplications', '*'),
            },
          },
        ],
      });
    });
  });

  for (const [key, logicalId] of [
    ['describeApplication', 'DescribeApplicationRole'],
    ['startApplication', 'StartApplicationRole'],
    ['stopApplication', 'StopApplicationRole'],
    ['deleteApplication', 'DeleteApplicationRole'],
  ] as const) {
    it(`${logicalId} without kinesisanalytics:DescribeApplication`, async () => {
      await withRole(logicalId, { remove: 'kinesisanalytics:DescribeApplication' }, (r) =>
        expectDenied(
          key,
          { engine: 'kinesis-analytics', name: `${PREFIX}-1`, startingPosition: 'TRIM_HORIZON' },
          denied(
            r.name,
            `${PREFIX}-${key}`,
            'kinesisanalytics:DescribeApplication',
            `arn:aws:kinesisanalytics:us-east-1:${ACCOUNT}:application/${PREFIX}-1`,
          ),
        ),
      );
    });
  }

  /** What DiscoverSchema answers (the lifecycle's `$.discovery`), with the role as deployed. */
  async function discovery(): Promise<{ applications: unknown[]; schema: unknown }> {
    const result = await invoke('discoverSchema', { engine: 'kinesis-analytics' });
    expect(result.functionError).toBeUndefined();
    return JSON.parse(result.payload) as { applications: unknown[]; schema: unknown };
  }

  it('DiscoverSchemaRole without kinesisanalytics:DiscoverInputSchema', async () => {
    await withRole('DiscoverSchemaRole', { remove: 'kinesisanalytics:DiscoverInputSchema' }, (r) =>
      expectDenied(
        'discoverSchema',
        { engine: 'kinesis-analytics' },
        denied(r.name, `${PREFIX}-discoverSchema`, 'kinesisanalytics:DiscoverInputSchema', '*'),
      ),
    );
  });

  it('CreateApplicationRole without iam:PassRole: it may not hand the analytics role to Kinesis Analytics', async () => {
    const { applications, schema } = await discovery();
    await withRole('CreateApplicationRole', { remove: 'iam:PassRole' }, (r) =>
      expectDenied(
        'createApplication',
        { engine: 'kinesis-analytics', application: applications[0], schema },
        denied(r.name, `${PREFIX}-createApplication`, 'iam:PassRole', role('AnalyticsRole').arn),
      ),
    );
  });

  it('LoadTestRole without kinesis:PutRecords on the input', async () => {
    const { applications, schema } = await discovery();
    const event = {
      runId: 'iam',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:x:iam',
      engine: 'kinesis-analytics',
      applications,
      records: 10,
      rate: 100,
      timeoutSeconds: 5,
      mode: 'synthetic',
      schema,
    };
    await withRole('LoadTestRole', { remove: 'kinesis:PutRecords' }, async (r) => {
      // the load test reports what stopped it: the report fails with AWS's denial as its reason
      const result = await invoke('loadTest', event);
      expect(result.functionError).toBeUndefined();
      const report = JSON.parse(result.payload) as { verdict: string; sent: number; reasons: string[] };
      expect(report).toMatchObject({ verdict: 'fail', sent: 0 });
      expect(report.reasons.join('\n')).toContain(
        `AccessDeniedException: ${denied(r.name, `${PREFIX}-loadTest`, 'kinesis:PutRecords', streamArn('Transactions'))}`,
      );
    });
  });

  it('FanoutRole without kinesis:GetRecords: the fan-out mapping is refused, naming the input', async () => {
    const fn = `${PREFIX}-fanout`;
    await withRole('FanoutRole', { remove: 'kinesis:GetRecords' }, async (r) => {
      await expect(
        session.twin.lambda.createEventSourceMapping({
          FunctionName: fn,
          EventSourceArn: streamArn('Transactions'),
          StartingPosition: 'LATEST',
        }),
      ).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        message: expect.stringContaining(denied(r.name, fn, 'kinesis:GetRecords', streamArn('Transactions'))),
      });
    });
  });

  it('TeardownStateMachineRole without lambda:InvokeFunction: the teardown fails on its first task (ValidateInput)', async () => {
    const client = sfnClient(session.twin.endpoint);
    const teardown = await findStateMachine(client, 'teardown');
    await withRole('TeardownStateMachineRole', { remove: 'lambda:InvokeFunction' }, async (r) => {
      const arn = await startExecution(client, teardown, {});
      const described = await followExecution(client, arn, () => {});
      expect(described).toMatchObject({ status: 'FAILED', error: 'Lambda.AWSLambdaException' });
      expect(described.cause).toContain(
        denied(r.name, arn.split(':').pop()!, 'lambda:InvokeFunction', functionArn('validateInput')),
      );
    });
    client.destroy();
  });

  it('a Deny statement beats the Allow of the same role', async () => {
    const deny: Statement = {
      Effect: 'Deny',
      Action: 'kinesisanalytics:*',
      Resource: `arn:aws:kinesisanalytics:us-east-1:${ACCOUNT}:application/${PREFIX}-1`,
    };
    await withRole('DescribeApplicationRole', { add: deny }, async (r) => {
      const result = await invoke('describeApplication', { engine: 'kinesis-analytics', name: `${PREFIX}-1` });
      expect(JSON.parse(result.payload)).toMatchObject({
        errorType: 'AccessDeniedException',
        errorMessage:
          `User: arn:aws:sts::${ACCOUNT}:assumed-role/${r.name}/${PREFIX}-describeApplication is not authorized ` +
          `to perform: kinesisanalytics:DescribeApplication on resource: arn:aws:kinesisanalytics:us-east-1:${ACCOUNT}:` +
          `application/${PREFIX}-1 with an explicit deny in an identity-based policy`,
      });
      // another application of the stage is still allowed
      const other = await invoke('describeApplication', { engine: 'kinesis-analytics', name: `${PREFIX}-2` });
      expect(JSON.parse(other.payload)).toMatchObject({ status: 'NOT_FOUND' });
    });
  });

  it('AnalyticsRole without the output write: StartApplication names the output stream and the denial', async () => {
    const analytics = role('AnalyticsRole');
    const client = new KinesisAnalyticsClient({ endpoint: session.twin.endpoint, region: 'us-east-1', credentials });
    const name = `${PREFIX}-iam-analytics`;
    await client.send(
      new CreateApplicationCommand({
        ApplicationName: name,
        ApplicationCode:
          'CREATE OR REPLACE STREAM "OUT" (ID INTEGER); CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT" SELECT STREAM "ID" FROM "SOURCE_SQL_STREAM_001";',
        Inputs: [
          {
            NamePrefix: 'SOURCE_SQL_STREAM',
            KinesisStreamsInput: { ResourceARN: streamArn('Transactions'), RoleARN: analytics.arn },
            InputSchema: {
              RecordFormat: {
                RecordFormatType: 'JSON',
                MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } },
              },
              RecordColumns: [{ Name: 'ID', SqlType: 'INTEGER', Mapping: '$.id' }],
            },
          },
        ],
        Outputs: [
          {
            Name: 'OUT',
            KinesisStreamsOutput: { ResourceARN: streamArn('PositiveTransactions'), RoleARN: analytics.arn },
            DestinationSchema: { RecordFormatType: 'JSON' },
          },
        ],
      }),
    );
    await withRole('AnalyticsRole', { remove: 'kinesis:PutRecords' }, async (r) => {
      const start = client.send(
        new StartApplicationCommand({
          ApplicationName: name,
          InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }],
        }),
      );
      await expect(start).rejects.toMatchObject({
        name: 'InvalidApplicationConfigurationException',
        message:
          `Kinesis Analytics cannot write the output OUT to ${streamArn('PositiveTransactions')} with role ${r.arn}: ` +
          denied(r.name, name, 'kinesis:DescribeStream', streamArn('PositiveTransactions')),
      });
    });
    client.destroy();
  });

  it('ConsumerRole without the read: the mapping is refused as Lambda refuses it, naming the stream', async () => {
    const lambda = session.twin.lambda;
    const fn = `${PREFIX}-consumePositiveTransactions`;
    const source = streamArn('PositiveTransactions');
    const existing = ((await lambda.listEventSourceMappings({ FunctionName: fn })).EventSourceMappings ?? [])[0]!;
    await lambda.deleteEventSourceMapping({ UUID: existing.UUID! });
    // deleting is asynchronous: the mapping is gone once its readers stopped
    while (((await lambda.listEventSourceMappings({ FunctionName: fn })).EventSourceMappings ?? []).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await withRole('ConsumePositiveTransactionsRole', { remove: 'kinesis:GetRecords' }, async (r) => {
      await expect(
        lambda.createEventSourceMapping({ FunctionName: fn, EventSourceArn: source, StartingPosition: 'LATEST' }),
      ).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
        message: expect.stringContaining(
          `Cannot access stream ${source}. Please ensure the role can perform the GetRecords, GetShardIterator, ` +
            `DescribeStream, and ListStreams Actions on your stream in IAM. (${denied(r.name, fn, 'kinesis:GetRecords', source)})`,
        ),
      });
    });
    await lambda.createEventSourceMapping({ FunctionName: fn, EventSourceArn: source, StartingPosition: 'LATEST' });
  });

  it('the lambda:FunctionArn condition: a step may create mappings for the fan-out function only', async () => {
    const { name } = role('CreateApplicationRole');
    const iam = session.twin.iam;
    const who = iam.session(role('CreateApplicationRole').arn, `${PREFIX}-createApplication`);
    const create = (FunctionName: string) => () =>
      iam.authorize(who, 'lambda', 'CreateEventSourceMapping', {
        FunctionName,
        EventSourceArn: streamArn('Transactions'),
      });
    expect(create(`${PREFIX}-fanout`)).not.toThrow();
    expect(create(`${functionArn('fanout')}:live`)).not.toThrow();
    expect(create(`${PREFIX}-loadTest`)).toThrow(
      denied(name, `${PREFIX}-createApplication`, 'lambda:CreateEventSourceMapping', '*'),
    );
  });

  it('LifecycleStateMachineRole without lambda:InvokeFunction: the execution fails on its first task as on AWS', async () => {
    const client = sfnClient(session.twin.endpoint);
    const lifecycle = await findStateMachine(client, 'lifecycle');
    await withRole('LifecycleStateMachineRole', { remove: 'lambda:InvokeFunction' }, async (r) => {
      const arn = await startExecution(client, lifecycle, { records: 10 });
      const described = await followExecution(client, arn, () => {});
      const executionName = arn.split(':').pop()!;
      expect(described.status).toBe('FAILED');
      expect(described.error).toBe('Lambda.AWSLambdaException');
      expect(described.cause).toContain(
        `${denied(r.name, executionName, 'lambda:InvokeFunction', functionArn('validateInput'))} (Service: AWSLambda; Status Code: 403; Error Code: AccessDeniedException;`,
      );
    });
    client.destroy();
  });

  it('TeardownScheduleToStepFunctionsRole without states:StartExecution: the schedule cannot start the teardown', async () => {
    const events = session.twin.events;
    const errors: unknown[] = [];
    const off = events.onDelivery((_d, error) => errors.push(error));
    await withRole('TeardownScheduleToStepFunctionsRole', { remove: 'states:StartExecution' }, async (r) => {
      await events.fireRule(`${PREFIX}-teardown`);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        name: 'AccessDeniedException',
        message: denied(
          r.name,
          'events',
          'states:StartExecution',
          `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${PREFIX}-teardown`,
        ),
      });
    });
    off();
  });
});
