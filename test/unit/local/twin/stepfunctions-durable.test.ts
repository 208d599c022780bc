import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StepFunctionsTwin } from '../../../../local/stepfunctions';
import { RESTART_CAUSE } from '../../../../local/stepfunctions/persistence';

const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const DEFINITION = JSON.stringify({
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:work', End: true } },
});

/** The files of a data directory as a SIGKILL leaves them: what was committed, the live owner's LOCK aside. */
function crashCopy(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (source) => !source.endsWith('LOCK') });
}

type Events = { events: { type: string; id: number; [k: string]: unknown }[] };

describe('Step Functions twin with a data directory', () => {
  let dir: string;
  const open: StepFunctionsTwin[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sfn-durable-'));
  });
  afterEach(async () => {
    for (const sfn of open.splice(0)) await sfn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps machines and finished executions with their histories, and fails the one that was running, naming the restart', async () => {
    // Prepare: one execution finishes, one waits in its Task when the twin is killed
    let release: ((v: { payload: string }) => void) | undefined;
    const first = new StepFunctionsTwin({
      dataDir: join(dir, 'a'),
      invoke: async (_fn, payload) =>
        JSON.parse(payload).wait ? new Promise((resolve) => (release = resolve)) : { payload: '{"done":true}' },
    });
    open.push(first);
    const { stateMachineArn } = (await first.handle('CreateStateMachine', {
      name: 'm',
      definition: DEFINITION,
      roleArn: ROLE,
    })) as { stateMachineArn: string };
    const done = (await first.handle('StartExecution', { stateMachineArn, name: 'done', input: '{}' })) as {
      executionArn: string;
    };
    await first.execution(done.executionArn).done;
    const stuck = (await first.handle('StartExecution', { stateMachineArn, name: 'stuck', input: '{"wait":1}' })) as {
      executionArn: string;
    };
    while (!release) await new Promise((r) => setTimeout(r, 5));
    const doneHistory = (await first.handle('GetExecutionHistory', { executionArn: done.executionArn })) as Events;
    const stuckBefore = (await first.handle('GetExecutionHistory', { executionArn: stuck.executionArn })) as Events;
    await first.flush();

    // Act
    crashCopy(join(dir, 'a'), join(dir, 'b'));
    const second = new StepFunctionsTwin({ dataDir: join(dir, 'b'), invoke: async () => ({ payload: '{"again":1}' }) });
    open.push(second);
    const machine = (await second.handle('DescribeStateMachine', { stateMachineArn })) as { definition: string };
    const described = (await second.handle('DescribeExecution', { executionArn: done.executionArn })) as Record<
      string,
      unknown
    >;
    const restarted = (await second.handle('DescribeExecution', { executionArn: stuck.executionArn })) as Record<
      string,
      unknown
    >;
    const stuckAfter = (await second.handle('GetExecutionHistory', { executionArn: stuck.executionArn })) as Events;
    const doneAfter = (await second.handle('GetExecutionHistory', { executionArn: done.executionArn })) as Events;
    const again = (await second.handle('StartExecution', { stateMachineArn, name: 'again' })) as {
      executionArn: string;
    };
    await second.execution(again.executionArn).done;

    // Assess
    expect(machine.definition).toBe(DEFINITION);
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '{"done":true}' });
    expect(doneAfter.events).toEqual(doneHistory.events);
    expect(restarted).toMatchObject({ status: 'FAILED', error: 'States.Runtime', cause: RESTART_CAUSE });
    expect(stuckAfter.events.slice(0, -1)).toEqual(stuckBefore.events);
    expect(stuckAfter.events.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'States.Runtime', cause: RESTART_CAUSE },
    });
    expect(second.describeExecution({ executionArn: again.executionArn })).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"again":1}',
    });
    release?.({ payload: '{}' });
    // validating a definition compiles the ASL schema: seconds on a loaded machine
  }, 120_000);

  it('forgets a deleted machine, and says a running execution did not finish after a clean close too', async () => {
    // Prepare
    // the Task's invocation is still under way at the close, and never answers (close() settles the attempt)
    const first = new StepFunctionsTwin({ dataDir: dir, invoke: () => new Promise(() => undefined) });
    const { stateMachineArn } = (await first.handle('CreateStateMachine', {
      name: 'm',
      definition: DEFINITION,
      roleArn: ROLE,
    })) as { stateMachineArn: string };
    await first.handle('CreateStateMachine', { name: 'gone', definition: DEFINITION, roleArn: ROLE });
    await first.handle('DeleteStateMachine', { stateMachineArn: stateMachineArn.replace(/m$/, 'gone') });
    const { executionArn } = (await first.handle('StartExecution', { stateMachineArn })) as { executionArn: string };

    // Act
    await first.close();
    const second = new StepFunctionsTwin({ dataDir: dir });
    open.push(second);

    // Assess
    expect(second.listStateMachines().stateMachines?.map((m) => m.name)).toEqual(['m']);
    expect(second.describeExecution({ executionArn })).toMatchObject({ status: 'FAILED', cause: RESTART_CAUSE });
  }, 120_000);
});
