import { AwsServiceError } from '../../../../local/service';
import { type FunctionInvoker, StepFunctionsTwin } from '../../../../local/stepfunctions';

const ROLE = 'arn:aws:iam::000000000000:role/sfn';
const fn = (name: string): string => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

/** Functions by name: each returns a value or throws {errorType, errorMessage} as Lambda reports it. */
function invoker(functions: Record<string, (event: unknown) => unknown>): FunctionInvoker & { calls: string[] } {
  const calls: string[] = [];
  const invoke = async (nameOrArn: string, payload: string): Promise<{ payload: string; functionError?: string }> => {
    const name = nameOrArn.split(':').pop()!;
    calls.push(name);
    const f = functions[name];
    if (!f) throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${nameOrArn}`, 404);
    try {
      return { payload: JSON.stringify(f(JSON.parse(payload)) ?? null) };
    } catch (error) {
      return {
        payload: JSON.stringify({
          errorType: (error as Error).name,
          errorMessage: (error as Error).message,
          trace: [],
        }),
        functionError: 'Unhandled',
      };
    }
  };
  return Object.assign(invoke, { calls });
}

async function runToEnd(sfn: StepFunctionsTwin, definition: unknown, input: unknown = {}) {
  const { stateMachineArn } = sfn.createStateMachine({
    name: 'm',
    definition: JSON.stringify(definition),
    roleArn: ROLE,
  });
  const { executionArn } = sfn.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  await sfn.execution(executionArn).done;
  const history = (await sfn.handle('GetExecutionHistory', { executionArn })) as {
    events: { type: string; [k: string]: unknown }[];
  };
  return { executionArn, described: sfn.describeExecution({ executionArn }), events: history.events };
}

class Boom extends Error {
  override name = 'Boom';
}

describe('Class: StepFunctionsTwin', () => {
  describe('Method: StartExecution', () => {
    it('runs Task states on the twin functions and records the history with AWS event names', async () => {
      // Prepare
      const invoke = invoker({ double: (e) => ({ n: (e as { n: number }).n * 2 }) });
      const sfn = new StepFunctionsTwin({ invoke });
      const definition = {
        StartAt: 'Double',
        States: {
          Double: { Type: 'Task', Resource: fn('double'), Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      };

      // Act
      const { described, events } = await runToEnd(sfn, definition, { n: 21 });

      // Assess
      expect(described).toMatchObject({ status: 'SUCCEEDED', output: '{"n":42}', input: '{"n":21}' });
      expect(events.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
        'LambdaFunctionSucceeded',
        'TaskStateExited',
        'SucceedStateEntered',
        'SucceedStateExited',
        'ExecutionSucceeded',
      ]);
      expect(events.map((e) => e['id'])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(events[2]).toMatchObject({
        lambdaFunctionScheduledEventDetails: { resource: fn('double'), input: '{"n":21}' },
      });
    });

    it('retries a function error by its errorType, then catches it with the Lambda cause', async () => {
      // Prepare
      const invoke = invoker({
        flaky: () => {
          throw new Boom('always');
        },
      });
      const sfn = new StepFunctionsTwin({ invoke, retryScale: 0.001 });
      const definition = {
        StartAt: 'Flaky',
        States: {
          Flaky: {
            Type: 'Task',
            Resource: fn('flaky'),
            Retry: [{ ErrorEquals: ['Boom'], MaxAttempts: 2, IntervalSeconds: 1 }],
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed', ResultPath: '$.error' }],
            End: true,
          },
          Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
        },
      };

      // Act
      const { described, events } = await runToEnd(sfn, definition);

      // Assess
      expect(invoke.calls).toEqual(['flaky', 'flaky', 'flaky']);
      expect(events.filter((e) => e.type === 'LambdaFunctionFailed')).toHaveLength(3);
      expect(described['status']).toBe('FAILED');
      expect(described['error']).toBe('Boom');
      expect(JSON.parse(String(described['cause']))).toMatchObject({ errorType: 'Boom', errorMessage: 'always' });
      expect(events.at(-2)?.type).toBe('FailStateEntered');
      expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Boom' } });
    });

    it('calls arn:aws:states:::lambda:invoke with its Parameters and returns the invoke response', async () => {
      // Prepare
      const invoke = invoker({ echo: (e) => e });
      const sfn = new StepFunctionsTwin({ invoke });
      const definition = {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: fn('echo'), 'Payload.$': '$' },
            OutputPath: '$.Payload',
            End: true,
          },
        },
      };

      // Act
      const { described, events } = await runToEnd(sfn, definition, { a: 1 });

      // Assess
      expect(described['output']).toBe('{"a":1}');
      expect(events.map((e) => e.type)).toContain('TaskSucceeded');
      expect(events.find((e) => e.type === 'TaskScheduled')).toMatchObject({
        taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke' },
      });
    });

    it('fails with Lambda.ResourceNotFoundException when the function does not exist', async () => {
      // Prepare
      const sfn = new StepFunctionsTwin({ invoke: invoker({}) });
      const definition = { StartAt: 'T', States: { T: { Type: 'Task', Resource: fn('missing'), End: true } } };

      // Act
      const { described } = await runToEnd(sfn, definition);

      // Assess
      expect(described).toMatchObject({ status: 'FAILED', error: 'Lambda.ResourceNotFoundException' });
    });

    it('refuses a second execution of the same name with another input', () => {
      // Prepare
      const sfn = new StepFunctionsTwin({ invoke: invoker({}) });
      const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } };
      const { stateMachineArn } = sfn.createStateMachine({
        name: 'w',
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      });
      sfn.startExecution({ stateMachineArn, name: 'once', input: '{}' });

      // Act
      const same = sfn.startExecution({ stateMachineArn, name: 'once', input: '{}' });
      const other = (): unknown => sfn.startExecution({ stateMachineArn, name: 'once', input: '{"x":1}' });

      // Assess
      expect(same.executionArn).toMatch(/:execution:w:once$/);
      expect(other).toThrow(expect.objectContaining({ name: 'ExecutionAlreadyExists' }));
      return sfn.close();
    });
  });

  describe('Method: StopExecution', () => {
    it('aborts a running execution', async () => {
      // Prepare
      const sfn = new StepFunctionsTwin({ invoke: invoker({}) });
      const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 600, End: true } } };
      const { stateMachineArn } = sfn.createStateMachine({
        name: 'w',
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      });
      const { executionArn } = sfn.startExecution({ stateMachineArn });

      // Act
      await sfn.handle('StopExecution', { executionArn, error: 'Stopped', cause: 'by the test' });
      await sfn.execution(executionArn).done;

      // Assess
      expect(sfn.describeExecution({ executionArn })).toMatchObject({
        status: 'ABORTED',
        error: 'Stopped',
        cause: 'by the test',
      });
    });

    it('ends a Task under way at once: the invocation that answers after the stop records nothing', async () => {
      // Prepare
      let answer: (v: { payload: string }) => void = () => undefined;
      let invoked: () => void = () => undefined;
      const started = new Promise<void>((resolve) => {
        invoked = resolve;
      });
      const sfn = new StepFunctionsTwin({
        invoke: () =>
          new Promise((resolve) => {
            answer = resolve;
            invoked();
          }),
      });
      const definition = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: fn('work'), End: true } } };
      const { stateMachineArn } = sfn.createStateMachine({
        name: 't',
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      });
      const { executionArn } = sfn.startExecution({ stateMachineArn });
      await started;

      // Act
      await sfn.handle('StopExecution', { executionArn });
      await sfn.execution(executionArn).done;
      answer({ payload: '{"late":true}' });
      await new Promise((r) => setImmediate(r));
      const history = sfn.getExecutionHistory({ executionArn }).events?.map((e) => e.type);

      // Assess
      expect(sfn.describeExecution({ executionArn }).status).toBe('ABORTED');
      expect(history?.slice(-3)).toEqual(['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'ExecutionAborted']);
    });
  });

  describe('Method: close', () => {
    it('settles everything it started with a Task invocation under way that never answers: no timer is left', async () => {
      // Prepare: (the interpreter's own Task timer stayed armed until the invocation settled, so jest in band never
      // exited after such a test)
      const armed = new Set<NodeJS.Timeout>();
      const { setTimeout: set, clearTimeout: clear } = globalThis;
      const setSpy = jest.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
        const timer = set(() => {
          armed.delete(timer);
          fn();
        }, ms);
        armed.add(timer);
        return timer;
      }) as typeof setTimeout);
      const clearSpy = jest.spyOn(globalThis, 'clearTimeout').mockImplementation((timer) => {
        armed.delete(timer as NodeJS.Timeout);
        clear(timer);
      });
      let invoked: () => void = () => undefined;
      const started = new Promise<void>((resolve) => {
        invoked = resolve;
      });
      const sfn = new StepFunctionsTwin({
        invoke: () => {
          invoked();
          return new Promise(() => undefined);
        },
      });
      const definition = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: fn('work'), End: true } } };
      const { stateMachineArn } = sfn.createStateMachine({
        name: 'c',
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      });
      const { executionArn } = sfn.startExecution({ stateMachineArn });
      await started;

      // Act
      await sfn.close();
      await new Promise((r) => setImmediate(r));
      setSpy.mockRestore();
      clearSpy.mockRestore();
      const left = [...armed].filter((t) => t.hasRef());
      for (const t of left) clear(t);

      // Assess
      expect(sfn.describeExecution({ executionArn }).status).toBe('ABORTED');
      expect(left).toHaveLength(0);
    });
  });

  describe('Method: CreateStateMachine', () => {
    it.each([
      [{ StartAt: 'Nope', States: { A: { Type: 'Pass', End: true } } }, 'InvalidDefinition'],
      ['{not json', 'InvalidDefinition'],
    ])('rejects a bad definition with %s', (definition, error) => {
      // Prepare
      const sfn = new StepFunctionsTwin();

      // Act
      const act = (): unknown =>
        sfn.createStateMachine({
          name: 'bad',
          definition: typeof definition === 'string' ? definition : JSON.stringify(definition),
          roleArn: ROLE,
        });

      // Assess
      expect(act).toThrow(expect.objectContaining({ name: error }));
    });

    it('judges each definition on its own when asl-validator keeps its compiled schemas between them (patches/)', () => {
      // Prepare: good and bad definitions in turn, each a shape the schema or the transition checks refuse
      const sfn = new StepFunctionsTwin();
      const pass = (extra: Record<string, unknown>) =>
        JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', ...extra } } });
      const create = (name: string, definition: string): unknown => {
        try {
          return sfn.createStateMachine({ name, definition, roleArn: ROLE }).stateMachineArn;
        } catch (error) {
          return { name: (error as Error).name, message: (error as Error).message };
        }
      };

      // Act
      const results = [
        create('good1', pass({ End: true })),
        create('badPath', pass({ OutputPath: '$$$.x', End: true })),
        create('good2', pass({ OutputPath: '$.x', End: true })),
        create('badNext', pass({ Next: 'B' })),
        create(
          'badWait',
          JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Timestamp: 'x', End: true } } }),
        ),
        create('good3', pass({ End: true })),
      ];

      // Assess
      expect(results[0]).toMatch(/:stateMachine:good1$/);
      expect(results[1]).toMatchObject({
        name: 'InvalidDefinition',
        message: expect.stringContaining('/States/A/OutputPath is invalid'),
      });
      expect(results[2]).toMatch(/:stateMachine:good2$/);
      expect(results[3]).toMatchObject({
        name: 'InvalidDefinition',
        message: expect.stringContaining("MISSING_TRANSITION_TARGET: Missing 'StartAt'|'Next'|'Default' target: B"),
      });
      expect(results[4]).toMatchObject({
        name: 'InvalidDefinition',
        message: expect.stringContaining('/States/W/Timestamp is invalid'),
      });
      expect(results[5]).toMatch(/:stateMachine:good3$/);
    });

    it('answers DescribeStateMachine and ListStateMachines, and StateMachineDoesNotExist after delete', async () => {
      // Prepare
      const sfn = new StepFunctionsTwin();
      const definition = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
      const { stateMachineArn } = sfn.createStateMachine({ name: 'p', definition, roleArn: ROLE });

      // Act
      const described = await sfn.handle('DescribeStateMachine', { stateMachineArn });
      const listed = await sfn.handle('ListStateMachines', {});
      await sfn.handle('DeleteStateMachine', { stateMachineArn });
      const gone = await sfn.handle('DescribeStateMachine', { stateMachineArn }).catch((e: unknown) => e);

      // Assess
      expect(described).toMatchObject({ name: 'p', status: 'ACTIVE', definition, roleArn: ROLE, type: 'STANDARD' });
      expect(listed).toMatchObject({ stateMachines: [{ name: 'p', stateMachineArn }] });
      expect(gone).toMatchObject({ name: 'StateMachineDoesNotExist' });
    });
  });
});
