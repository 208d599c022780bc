import { ManualClock } from '../../../../local/clock';
import { type ExecutionEvent, type FunctionInvoker, StepFunctionsTwin } from '../../../../local/stepfunctions';

const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const fn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** Lets the execution's promises run until nothing moves without the clock. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

function machine(sfn: StepFunctionsTwin, definition: unknown, name = 'm'): string {
  return sfn.createStateMachine({ name, definition: JSON.stringify(definition), roleArn: ROLE }).stateMachineArn;
}

describe('Class: StepFunctionsTwin on a ManualClock', () => {
  it('waits a Wait state on the twin clock, SecondsPath included, and names it a Wait state in the history', async () => {
    // Prepare
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const sfn = new StepFunctionsTwin({ clock });
    const arn = machine(sfn, {
      StartAt: 'Pause',
      States: {
        Pause: { Type: 'Wait', SecondsPath: '$.seconds', OutputPath: '$.after', Next: 'Done' },
        Done: { Type: 'Succeed' },
      },
    });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, input: '{"seconds": 30, "after": {"x": 1}}' });

    // Act
    await settle();
    await clock.advance(29_000);
    await settle();
    const before = sfn.describeExecution({ executionArn }).status;
    await clock.advance(1_000);
    await sfn.execution(executionArn).done;

    // Assess
    const described = sfn.describeExecution({ executionArn });
    const events = sfn.getExecutionHistory({ executionArn }).events!;
    expect(before).toBe('RUNNING');
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '{"x":1}' });
    expect(described.stopDate!.getTime() - described.startDate.getTime()).toBe(30_000);
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('fails with States.Runtime, outside any Catch, when SecondsPath is negative', async () => {
    // Prepare
    const sfn = new StepFunctionsTwin({ clock: new ManualClock() });
    const arn = machine(sfn, {
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', SecondsPath: '$.seconds', End: true } },
    });

    // Act
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, input: '{"seconds": -1}' });
    await sfn.execution(executionArn).done;

    // Assess
    expect(sfn.describeExecution({ executionArn })).toMatchObject({
      status: 'FAILED',
      error: 'States.Runtime',
      cause: "Path expression '$.seconds' evaluated to -1, but expected an integer >= 0",
    });
  });

  it('waits between Task retries on the clock, with backoff', async () => {
    // Prepare
    const clock = new ManualClock();
    const calls: number[] = [];
    const invoke: FunctionInvoker = async () => {
      calls.push(clock.now());
      return { payload: JSON.stringify({ errorType: 'Flaky', errorMessage: 'no' }), functionError: 'Unhandled' };
    };
    const sfn = new StepFunctionsTwin({ clock, invoke });
    const arn = machine(sfn, {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: fn('flaky'),
          Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }],
          End: true,
        },
      },
    });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn });

    // Act
    for (let i = 0; i < 10; i++) {
      await settle();
      await clock.advance(1_000);
    }
    await sfn.execution(executionArn).done;

    // Assess
    const start = calls[0]!;
    expect(calls.map((t) => t - start)).toEqual([0, 2_000, 8_000]);
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: 'FAILED', error: 'Flaky' });
  });

  it('times a Task out after its TimeoutSeconds on the clock and Catch takes States.Timeout', async () => {
    // Prepare
    const clock = new ManualClock();
    const invoke: FunctionInvoker = () => new Promise(() => {});
    const sfn = new StepFunctionsTwin({ clock, invoke });
    const arn = machine(sfn, {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: fn('hangs'),
          TimeoutSeconds: 5,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Late' }],
          End: true,
        },
        Late: { Type: 'Pass', Result: 'late', End: true },
      },
    });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn });

    // Act
    await settle();
    await clock.advance(5_000);
    await sfn.execution(executionArn).done;

    // Assess
    const events = sfn.getExecutionHistory({ executionArn }).events!;
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: 'SUCCEEDED', output: '"late"' });
    expect(events.map((e) => e.type)).toContain('LambdaFunctionTimedOut');
  });

  it("ends an execution TIMED_OUT at the machine's TimeoutSeconds on the clock", async () => {
    // Prepare
    const clock = new ManualClock();
    const sfn = new StepFunctionsTwin({ clock });
    const arn = machine(sfn, {
      TimeoutSeconds: 60,
      StartAt: 'Long',
      States: { Long: { Type: 'Wait', Seconds: 3600, End: true } },
    });
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn });

    // Act
    await settle();
    await clock.advance(60_000);
    await sfn.execution(executionArn).done;

    // Assess
    const events = sfn.getExecutionHistory({ executionArn }).events!;
    expect(sfn.describeExecution({ executionArn })).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(events.at(-1)?.type).toBe('ExecutionTimedOut');
  });
});

describe('Method: updateStateMachine', () => {
  it('runs the new definition in new executions and lets a running one finish on its own', async () => {
    // Prepare
    const clock = new ManualClock();
    const sfn = new StepFunctionsTwin({ clock });
    const first = {
      StartAt: 'Wait',
      States: { Wait: { Type: 'Wait', Seconds: 10, Next: 'Say' }, Say: { Type: 'Pass', Result: 'old', End: true } },
    };
    const arn = machine(sfn, first);
    const running = sfn.startExecution({ stateMachineArn: arn }).executionArn;
    await settle();

    // Act
    const updated = sfn.updateStateMachine({
      stateMachineArn: arn,
      definition: JSON.stringify({ StartAt: 'Say', States: { Say: { Type: 'Pass', Result: 'new', End: true } } }),
    });
    const later = sfn.startExecution({ stateMachineArn: arn }).executionArn;
    await sfn.execution(later).done;
    await clock.advance(10_000);
    await sfn.execution(running).done;

    // Assess
    expect(updated.revisionId).toBe(sfn.describeStateMachine({ stateMachineArn: arn }).revisionId);
    expect(sfn.describeExecution({ executionArn: running }).output).toBe('"old"');
    expect(sfn.describeExecution({ executionArn: later }).output).toBe('"new"');
  });

  it('refuses an invalid new definition and keeps the old one', () => {
    // Prepare
    const sfn = new StepFunctionsTwin();
    const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const arn = sfn.createStateMachine({ name: 'p', definition, roleArn: ROLE }).stateMachineArn;

    // Act
    const act = (): unknown => sfn.updateStateMachine({ stateMachineArn: arn, definition: '{"StartAt": "Nope"}' });

    // Assess
    expect(act).toThrow(expect.objectContaining({ name: 'InvalidDefinition' }));
    expect(sfn.describeStateMachine({ stateMachineArn: arn }).definition).toBe(definition);
  });
});

describe('Method: onExecutionEvent', () => {
  it('publishes every history event of an execution as it is recorded', async () => {
    // Prepare
    const invoke: FunctionInvoker = async (_fn, payload) => ({ payload });
    const sfn = new StepFunctionsTwin({ invoke });
    const seen: ExecutionEvent[] = [];
    const stop = sfn.onExecutionEvent((e) => seen.push(e));
    const arn = machine(sfn, { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn('echo'), End: true } } });

    // Act
    const { executionArn } = sfn.startExecution({ stateMachineArn: arn, input: '{"a":1}' });
    await sfn.execution(executionArn).done;
    stop();

    // Assess
    const history = sfn.getExecutionHistory({ executionArn }).events!;
    expect(seen.map((e) => e.event.type)).toEqual(history.map((e) => e.type));
    expect(seen.every((e) => e.executionArn === executionArn && e.stateMachineArn === arn)).toBe(true);
  });
});
