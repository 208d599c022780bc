import { ManualClock } from '../../../../local/clock';
import { LogsTwin } from '../../../../local/logs';
import { logGroupNameOf } from '../../../../local/logs/execution-log';
import type { RequestContext } from '../../../../local/service';
import { type FunctionInvoker, StepFunctionsTwin } from '../../../../local/stepfunctions';

const CTX: RequestContext = { region: 'us-east-1', accountId: '000000000000', headers: {} };
const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const groupArn = (name: string): string => `arn:aws:logs:us-east-1:000000000000:log-group:${name}:*`;

type Answer = Record<string, unknown> & {
  events?: { message: string; timestamp: number; logStreamName?: string }[];
  nextForwardToken?: string;
  nextBackwardToken?: string;
  nextToken?: string;
  logStreams?: { logStreamName: string }[];
};

describe('Class: LogsTwin (the wire operations)', () => {
  let clock: ManualClock;
  let logs: LogsTwin;
  const call = async (operation: string, input: Record<string, unknown>): Promise<Answer> =>
    (await logs.handle(operation, input, CTX)) as Answer;
  const error = (operation: string, input: Record<string, unknown>): Promise<unknown> =>
    call(operation, input).then(
      () => undefined,
      (e: unknown) => e,
    );

  beforeEach(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 1));
    logs = new LogsTwin({ clock });
    await call('CreateLogGroup', { logGroupName: 'g' });
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' });
  });

  it('pages a stream forward and backward with its tokens, and hands the token back at the end', async () => {
    // Prepare
    const logEvents = [1, 2, 3, 4, 5].map((n) => ({ timestamp: 1000 * n, message: `line ${n}` }));
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents });
    const page = (extra: Record<string, unknown>): Promise<Answer> =>
      call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 2, ...extra });

    // Act
    const head = await page({ startFromHead: true });
    const next = await page({ nextToken: head.nextForwardToken });
    const last = await page({ nextToken: next.nextForwardToken });
    const end = await page({ nextToken: last.nextForwardToken });
    const newest = await page({});
    const before = await page({ nextToken: newest.nextBackwardToken });

    // Assess
    const messages = (a: Answer): string[] => a.events!.map((e) => e.message);
    expect(messages(head)).toEqual(['line 1', 'line 2']);
    expect(messages(next)).toEqual(['line 3', 'line 4']);
    expect(messages(last)).toEqual(['line 5']);
    expect(messages(end)).toEqual([]);
    expect(end.nextForwardToken).toBe(last.nextForwardToken);
    expect(messages(newest)).toEqual(['line 4', 'line 5']);
    expect(messages(before)).toEqual(['line 2', 'line 3']);
    expect(await error('GetLogEvents', { logGroupName: 'g', logStreamName: 's', nextToken: 'x' })).toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('filters on every term of a pattern across streams, in time order, paged by nextToken', async () => {
    // Prepare
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 't' });
    await call('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      logEvents: [
        { timestamp: 1, message: 'load test planned' },
        { timestamp: 3, message: 'load test done "pass"' },
      ],
    });
    await call('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: 't',
      logEvents: [
        { timestamp: 2, message: 'load test done' },
        { timestamp: 4, message: 'other' },
      ],
    });

    // Act
    const first = await call('FilterLogEvents', { logGroupName: 'g', filterPattern: 'test "test done"', limit: 1 });
    const second = await call('FilterLogEvents', {
      logGroupName: 'g',
      filterPattern: 'test "test done"',
      nextToken: first.nextToken,
    });
    const inT = await call('FilterLogEvents', { logGroupName: 'g', logStreamNamePrefix: 't' });

    // Assess
    expect(first.events!.map((e) => [e.logStreamName, e.message])).toEqual([['t', 'load test done']]);
    expect(second.events!.map((e) => [e.logStreamName, e.message])).toEqual([['s', 'load test done "pass"']]);
    expect(second.nextToken).toBeUndefined();
    expect(inT.events!.map((e) => e.message)).toEqual(['load test done', 'other']);
    expect(await error('FilterLogEvents', { logGroupName: 'g', filterPattern: '{ $.a = 1 }' })).toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('orders streams by their last event, newest first, when asked', async () => {
    // Prepare
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 'a' });
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [{ timestamp: 5, message: 'x' }] });
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 'a', logEvents: [{ timestamp: 9, message: 'y' }] });

    // Act
    const byName = await call('DescribeLogStreams', { logGroupName: 'g' });
    const byTime = await call('DescribeLogStreams', { logGroupName: 'g', orderBy: 'LastEventTime', descending: true });

    // Assess
    expect(byName.logStreams!.map((s) => s.logStreamName)).toEqual(['a', 's']);
    expect(byTime.logStreams!.map((s) => s.logStreamName)).toEqual(['a', 's']);
    expect(byTime.logStreams![0]).toMatchObject({
      lastEventTimestamp: 9,
      arn: 'arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:a',
    });
  });

  it("refuses what CloudWatch Logs refuses, with AWS's error names, and keeps nothing of a refused put", async () => {
    // Act
    const duplicateGroup = await error('CreateLogGroup', { logGroupName: 'g' });
    const duplicateStream = await error('CreateLogStream', { logGroupName: 'g', logStreamName: 's' });
    const noGroup = await error('DescribeLogStreams', { logGroupName: 'nope' });
    const noStream = await error('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: 'nope',
      logEvents: [{ timestamp: 1, message: 'x' }],
    });
    const disorder = await error('PutLogEvents', {
      logGroupName: 'g',
      logStreamName: 's',
      logEvents: [
        { timestamp: 2, message: 'b' },
        { timestamp: 1, message: 'a' },
      ],
    });
    const empty = await error('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [] });
    const unknown = await error('TagLogGroup', { logGroupName: 'g' });

    // Assess
    expect(duplicateGroup).toMatchObject({ name: 'ResourceAlreadyExistsException' });
    expect(duplicateStream).toMatchObject({ name: 'ResourceAlreadyExistsException' });
    expect(noGroup).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(noStream).toMatchObject({ name: 'ResourceNotFoundException' });
    expect(disorder).toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('chronological'),
    });
    expect(empty).toMatchObject({ name: 'InvalidParameterException' });
    expect(unknown).toMatchObject({ name: 'UnknownOperationException' });
    expect((await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's' })).events).toEqual([]);
  });
});

describe('Method: LogsTwin.executionLogger (Step Functions executions in CloudWatch Logs)', () => {
  // each state machine's definition is validated when made: seconds each on a loaded machine
  jest.setTimeout(60_000);

  const invoke: FunctionInvoker = async (fn, payload) =>
    fn.endsWith(':fail')
      ? { payload: JSON.stringify({ errorType: 'Boom', errorMessage: 'it broke' }), functionError: 'Unhandled' }
      : { payload };
  const task = (name: string) => ({
    StartAt: 'T',
    States: { T: { Type: 'Task', Resource: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, End: true } },
  });

  let logs: LogsTwin;
  let sfn: StepFunctionsTwin;

  beforeEach(() => {
    const clock = new ManualClock(Date.UTC(2026, 2, 4, 5, 6, 7));
    logs = new LogsTwin({ clock });
    sfn = new StepFunctionsTwin({ clock, invoke });
    sfn.onExecutionEvent(
      logs.executionLogger((arn) => sfn.describeStateMachine({ stateMachineArn: arn }).loggingConfiguration),
    );
  });

  const machine = (name: string, definition: unknown, level: string, includeExecutionData: boolean, group: string) =>
    sfn.createStateMachine({
      name,
      definition: JSON.stringify(definition),
      roleArn: ROLE,
      loggingConfiguration: {
        level: level as 'ALL',
        includeExecutionData,
        destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: groupArn(group) } }],
      },
    }).stateMachineArn;

  const run = async (stateMachineArn: string, input = '{"secret":1}'): Promise<string> => {
    const { executionArn } = sfn.startExecution({ stateMachineArn, input, name: 'e1' });
    await sfn.execution(executionArn).done;
    return executionArn;
  };

  const written = (group: string): { stream: string; entry: Record<string, unknown> }[] =>
    [...(logs.store.groups.get(group)?.streams.values() ?? [])].flatMap((s) =>
      s.events.map((e) => ({ stream: s.name, entry: JSON.parse(e.message) as Record<string, unknown> })),
    );

  it('writes every history event at level ALL, with the execution data, to one stream of the execution', async () => {
    // Prepare
    logs.ensureGroup('/aws/vendedlogs/states/m');
    const arn = machine('m', task('echo'), 'ALL', true, '/aws/vendedlogs/states/m');

    // Act
    const executionArn = await run(arn);

    // Assess
    const lines = written('/aws/vendedlogs/states/m');
    const history = sfn.getExecutionHistory({ executionArn }).events!;
    expect(lines.map((l) => l.entry['type'])).toEqual(history.map((e) => e.type));
    expect(new Set(lines.map((l) => l.stream))).toEqual(new Set(['states/m/2026-03-04-05-06/e1']));
    expect(lines[0]!.entry).toEqual({
      id: '1',
      type: 'ExecutionStarted',
      details: { input: '{"secret":1}', inputDetails: { truncated: false }, roleArn: ROLE },
      previous_event_id: '0',
      event_timestamp: String(Date.UTC(2026, 2, 4, 5, 6, 7)),
      execution_arn: executionArn,
      redrive_count: '0',
    });
    expect(lines.at(-1)!.entry).toMatchObject({
      type: 'ExecutionSucceeded',
      details: { output: '{"secret":1}' },
    });
  });

  it('writes only the failures at level ERROR, and no input or output without includeExecutionData', async () => {
    // Prepare
    logs.ensureGroup('errors');
    const arn = machine('f', task('fail'), 'ERROR', false, 'errors');

    // Act
    await run(arn);

    // Assess
    const lines = written('errors');
    expect(lines.map((l) => l.entry['type'])).toEqual(['LambdaFunctionFailed', 'ExecutionFailed']);
    expect(lines[1]!.entry['details']).toMatchObject({ error: 'Boom' });
    expect(JSON.stringify(lines)).not.toContain('secret');
  });

  it('writes nothing at OFF, nor to a log group that does not exist, nor after the machine turned logging off', async () => {
    // Prepare
    logs.ensureGroup('kept');
    const off = machine('off', task('echo'), 'OFF', true, 'kept');
    const missing = machine('missing', task('echo'), 'ALL', true, 'not-there');
    const later = machine('later', task('echo'), 'ALL', true, 'kept');
    sfn.updateStateMachine({ stateMachineArn: later, loggingConfiguration: { level: 'OFF' } });

    // Act
    await run(off);
    await run(missing);
    await run(later);

    // Assess
    expect(written('kept')).toEqual([]);
    expect(logs.store.groups.has('not-there')).toBe(false);
  });

  it('names the log group of a log group ARN, with or without its :* suffix, and nothing else', () => {
    // Assess
    expect(logGroupNameOf(groupArn('/aws/vendedlogs/states/x'))).toBe('/aws/vendedlogs/states/x');
    expect(logGroupNameOf('arn:aws:logs:us-east-1:000000000000:log-group:a:b')).toBe('a:b');
    expect(logGroupNameOf('arn:aws:s3:::bucket')).toBeUndefined();
    expect(logGroupNameOf('not an arn')).toBeUndefined();
    expect(logGroupNameOf(undefined)).toBeUndefined();
  });
});
