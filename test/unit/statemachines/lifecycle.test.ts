import { FUNCTIONS, type FunctionRow } from '../../../src/fanout-config/template/functions';
import { makeEnv } from '../engines/fixtures';
import { defaultParams, loadStateMachine, providerTimeout } from './asl';
import { FakeService, machine, type Stub, useHandlerEnv } from './fake-service';

const lifecycle = machine('lifecycle.asl.yml');
const run = (service: FakeService, input: unknown, replace: Record<string, Stub> = {}) =>
  lifecycle.run(service, input, replace);
const savedEnv = useHandlerEnv();

function fail(name: string, message: string): Stub {
  return async () => {
    const error = new Error(message);
    error.name = name;
    throw error;
  };
}

describe('State machine: lifecycle', () => {
  it('runs the whole lifecycle from {} with the stack defaults and tears every application down', async () => {
    // Prepare
    const service = new FakeService(2);

    // Act
    const { output, error, states } = await run(service, {});

    // Assess
    expect(error).toBeUndefined();
    expect(output?.['report']).toMatchObject({ verdict: 'pass', runId: 'run-1', sent: 500 });
    expect(service.callsTo('createApplication').map((e) => (e['application'] as { name: string }).name)).toEqual([
      'fanout-dev-1',
      'fanout-dev-2',
    ]);
    expect(service.callsTo('startApplication')).toEqual([
      // AWS stages default to the lambda engine (serverless.yml: engine from FANOUT_ENGINE, else lambda)
      { engine: 'lambda', name: 'fanout-dev-1', startingPosition: 'TRIM_HORIZON' },
      { engine: 'lambda', name: 'fanout-dev-2', startingPosition: 'TRIM_HORIZON' },
    ]);
    expect(service.callsTo('loadTest')).toEqual([
      expect.objectContaining({
        runId: 'run-1',
        records: 500,
        rate: 1000,
        timeoutSeconds: 60,
        // a stream in use has many keys a shard (src/load-test/partition-keys.ts)
        keysPerShard: 100,
        schema: expect.any(Object),
      }),
    ]);
    expect(service.applications.size).toBe(0);
    expect(states).toEqual(expect.arrayContaining(['CountRunningCheck', 'Teardown', 'CountDeletedCheck', 'Succeeded']));
    // no stop first: DeleteApplication halts a running application
    expect(service.callsTo('stopApplication')).toEqual([]);
  });

  it('passes the execution input on to the tasks and keeps the applications when asked', async () => {
    // Prepare
    const service = new FakeService(1);
    const input = {
      records: 20,
      rate: 50,
      timeoutSeconds: 5,
      keysPerShard: 4,
      startingPosition: 'NOW',
      keep: true,
      engine: 'lambda',
    };

    // Act
    const { output, states } = await run(service, input);

    // Assess
    expect(output?.['report']).toMatchObject({ verdict: 'pass' });
    expect(service.callsTo('startApplication')).toEqual([
      { engine: 'lambda', name: 'fanout-dev-1', startingPosition: 'NOW' },
    ]);
    expect(service.callsTo('loadTest')).toEqual([
      expect.objectContaining({ records: 20, rate: 50, timeoutSeconds: 5, keysPerShard: 4 }),
    ]);
    expect(states).not.toContain('Teardown');
    expect(service.callsTo('stopApplication')).toEqual([]);
    expect(service.applications.get('fanout-dev-1')).toBe('RUNNING');
  });

  it('tells the LoadTest task what ran and how to test it (mode, liveSeconds, aggregate), and succeeds on a skipped test', async () => {
    // Prepare
    const service = new FakeService(2);
    const events: unknown[] = [];
    const skipped: Stub = async (event) => {
      events.push(event);
      return { verdict: 'skipped', reasons: [] };
    };

    // Act
    const { error, output } = await run(
      service,
      { records: 0, mode: 'live', liveSeconds: 5, aggregate: 4 },
      { loadTest: skipped },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(output?.['report']).toMatchObject({ verdict: 'skipped' });
    expect(events).toEqual([
      expect.objectContaining({
        records: 0,
        mode: 'live',
        liveSeconds: 5,
        aggregate: 4,
        engine: 'lambda',
        executionArn: 'arn:aws:states:us-east-1:000000000000:execution:fanout-dev-lifecycle:run-1',
        applications: [
          expect.objectContaining({ name: 'fanout-dev-1' }),
          expect.objectContaining({ name: 'fanout-dev-2' }),
        ],
      }),
    ]);
    expect(service.applications.size).toBe(0);
  });

  it.each([
    ['the stack creates', false, 'TRIM_HORIZON', 'synthetic'],
    ['the user brings (input.arn)', true, 'NOW', 'live'],
  ])(
    'with an input stream %s, starts at %s and load-tests %s by default; the input may say otherwise',
    async (_what, existingInput, position, mode) => {
      // Prepare
      process.env = { ...savedEnv, ...makeEnv({ existingInput }) };
      const service = new FakeService(1);
      const stubs = service.stubs();
      const tests: Record<string, unknown>[] = [];
      const loadTest: Stub = async (event) => {
        tests.push(event);
        return stubs['loadTest']!(event);
      };

      // the stack's load-test mode as the resolver sets it for such a file (live for input.arn: loadTest.mode)
      const stack = existingInput
        ? machine('lifecycle.asl.yml', { ...defaultParams(), loadTestMode: 'live' })
        : lifecycle;

      // Act
      const byDefault = await stack.run(service, {}, { loadTest });
      const asked = await stack.run(service, { startingPosition: 'TRIM_HORIZON', mode: 'synthetic' }, { loadTest });

      // Assess
      expect(byDefault.error).toBeUndefined();
      expect(asked.error).toBeUndefined();
      const starts = service.callsTo('startApplication').map((e) => e['startingPosition']);
      expect(starts).toEqual([position, 'TRIM_HORIZON']);
      expect(tests.map((e) => e['mode'])).toEqual([mode, 'synthetic']);
    },
  );

  it('gives up waiting for READY after maxWaitAttempts, tears down and fails', async () => {
    // Prepare
    const service = new FakeService(2);
    const stubs = service.stubs();
    const neverReady: Stub = async (event) => {
      await stubs['createApplication']!(event);
      service.applications.set((event['application'] as { name: string }).name, 'UPDATING');
      return {};
    };
    // Act
    const { error, states } = await run(service, { maxWaitAttempts: 3 }, { createApplication: neverReady });

    // Assess
    expect(error).toMatchObject({ name: 'ApplicationNotReady' });
    expect(states.filter((s) => s === 'DescribeReady')).toHaveLength(2 * 4);
    expect(states).toContain('Teardown');
    expect(service.callsTo('startApplication')).toEqual([]);
    expect(service.callsTo('loadTest')).toEqual([]);
    expect(service.applications.size).toBe(0);
  });

  it('tears down and fails with the original error when StartApplication fails', async () => {
    // Prepare
    const service = new FakeService(2);

    // Act
    const { error } = await run(
      service,
      {},
      {
        startApplication: fail('InvalidApplicationConfigurationException', 'The role cannot read the input stream'),
      },
    );

    // Assess
    expect(error).toEqual(
      expect.objectContaining({
        name: 'InvalidApplicationConfigurationException',
        message: 'The role cannot read the input stream',
      }),
    );
    expect(service.callsTo('deleteApplication').map((e) => e['name'])).toEqual(['fanout-dev-1', 'fanout-dev-2']);
    expect(service.applications.size).toBe(0);
  });

  it('tears down and fails with LoadTestFailed and the reasons when the verdict is fail', async () => {
    // Prepare
    const service = new FakeService(1);
    const failing: Stub = async () => ({ verdict: 'fail', reasons: ['PositiveTransactions: 3 missing'] });

    // Act
    const { error, states } = await run(service, {}, { loadTest: failing });

    // Assess
    expect(error).toEqual(
      expect.objectContaining({ name: 'LoadTestFailed', message: '["PositiveTransactions: 3 missing"]' }),
    );
    expect(states.indexOf('Teardown')).toBeLessThan(states.indexOf('LoadTestFailed'));
    expect(service.applications.size).toBe(0);
  });

  it('tears down and fails with the original error when the LoadTest task throws', async () => {
    // Prepare
    const service = new FakeService(1);

    // Act
    const { error } = await run(
      service,
      {},
      { loadTest: fail('ResourceNotFoundException', 'Stream Transactions not found') },
    );

    // Assess
    expect(error).toEqual(expect.objectContaining({ name: 'ResourceNotFoundException' }));
    expect(service.callsTo('deleteApplication')).toHaveLength(1);
    expect(service.applications.size).toBe(0);
  });

  it('goes straight on with an application kept running by an earlier run', async () => {
    // Prepare
    const service = new FakeService(1);
    const keptRunning: Stub = async (event) => {
      const name = (event['application'] as { name: string }).name;
      service.applications.set(name, 'RUNNING');
      return { name, action: 'unchanged', status: 'RUNNING' };
    };

    // Act
    const { output, states } = await run(service, {}, { createApplication: keptRunning });

    // Assess
    expect(output?.['report']).toMatchObject({ verdict: 'pass' });
    expect(states).not.toContain('WaitForReady');
    expect(states).not.toContain('WaitForRunning');
  });

  it('retries a task that meets ResourceInUseException', async () => {
    // Prepare
    const service = new FakeService(1);
    const stubs = service.stubs();
    let attempts = 0;
    const busyOnce: Stub = async (event) => {
      attempts++;
      if (attempts === 1) await fail('ResourceInUseException', 'busy')(event);
      return stubs['createApplication']!(event);
    };

    // Act
    const { output, error } = await run(service, {}, { createApplication: busyOnce });

    // Assess
    expect(error).toBeUndefined();
    expect(output?.['report']).toMatchObject({ verdict: 'pass' });
    expect(attempts).toBe(2);
  });

  it('fails without teardown when discovery fails (nothing was created)', async () => {
    // Prepare
    const service = new FakeService(1);

    // Act
    const { error, states } = await run(service, {}, { discoverSchema: fail('SchemaDiscoveryError', 'no records') });

    // Assess
    expect(error).toMatchObject({ name: 'SchemaDiscoveryError' });
    expect(states).not.toContain('Teardown');
  });

  it.each(['lifecycle.asl.yml', 'teardown.asl.yml'])(
    "%s: every task waits its function's timeout + Lambda's 10 s Init + 5 s for the Invoke, and no longer",
    (file) => {
      // Prepare: a cold start's Init (up to 10 s) is not counted in an on-demand function's own timeout
      const loaded = loadStateMachine(file);
      const tasks: [string, number | undefined][] = [];
      const walk = (states: Record<string, Record<string, unknown>>) => {
        for (const [name, state] of Object.entries(states)) {
          if (state['Type'] === 'Task') tasks.push([name, state['TimeoutSeconds'] as number | undefined]);
          const processor = state['ItemProcessor'] as { States: Record<string, Record<string, unknown>> } | undefined;
          if (processor) walk(processor.States);
        }
      };
      walk(loaded.definition['States'] as Record<string, Record<string, unknown>>);
      const functionTimeout = (state: string) =>
        (FUNCTIONS[loaded.taskFunctions[state] as keyof typeof FUNCTIONS] as FunctionRow).timeout ?? providerTimeout();

      // Assess
      expect(tasks.length).toBeGreaterThanOrEqual(file === 'lifecycle.asl.yml' ? 9 : 4);
      expect(tasks.map(([name, timeout]) => [name, timeout])).toEqual(
        tasks.map(([name]) => [name, functionTimeout(name) + 15]),
      );
    },
  );

  it.each(['States.Timeout', 'Sandbox.Timedout'])(
    'runs a step again after %s (a cold start on a busy host, the function at its limit) and goes on',
    async (timeout) => {
      // Prepare: ValidateInput times out twice (its Retry allows two more attempts), the describe once
      const service = new FakeService(1);
      const stubs = service.stubs();
      let validations = 0;
      let describes = 0;
      const timedOut = () => Object.assign(new Error(`injected ${timeout}`), { name: timeout });
      const validateInput: Stub = async (event) => {
        if (validations++ < 2) throw timedOut();
        return stubs['validateInput']!(event);
      };
      const describeApplication: Stub = async (event) => {
        if (describes++ === 0) throw timedOut();
        return stubs['describeApplication']!(event);
      };

      // Act
      const { error, output } = await run(service, {}, { validateInput, describeApplication });

      // Assess
      expect(error).toBeUndefined();
      expect(output?.['report']).toMatchObject({ verdict: 'pass' });
      expect(validations).toBe(3);
      expect(service.applications.size).toBe(0);
    },
  );

  it('fails on a third time-out in a row, and tears down what it made', async () => {
    // Prepare
    const service = new FakeService(1);
    let starts = 0;
    const startApplication: Stub = async () => {
      starts++;
      throw Object.assign(new Error('injected States.Timeout'), { name: 'States.Timeout' });
    };

    // Act
    const { error, states } = await run(service, {}, { startApplication });

    // Assess
    expect(error).toMatchObject({ name: 'States.Timeout' });
    expect(starts).toBe(3);
    expect(states).toContain('Teardown');
    expect(service.applications.size).toBe(0);
  });

  it('does not run a timed-out load test again (it would put its records twice): it tears down and fails', async () => {
    // Prepare
    const service = new FakeService(1);
    let tests = 0;
    const loadTest: Stub = async () => {
      tests++;
      throw Object.assign(new Error('injected States.Timeout'), { name: 'States.Timeout' });
    };

    // Act
    const { error, states } = await run(service, {}, { loadTest });

    // Assess
    expect(error).toMatchObject({ name: 'States.Timeout' });
    expect(tests).toBe(1);
    expect(states).toContain('Teardown');
    expect(service.applications.size).toBe(0);
  });
});

describe('State machine: teardown', () => {
  const teardown = machine('teardown.asl.yml');

  async function runTeardown(service: FakeService, names: string[], input: Record<string, unknown> = {}) {
    const listApplications: Stub = async () => ({
      applications: names.map((name) => ({ engine: 'kinesis-analytics', name })),
      failures: [],
    });
    const { output, error } = await teardown.run(service, input, { listApplications });
    if (error) throw Object.assign(new Error(error.message), { name: error.name });
    return output!;
  }

  it('stops and deletes every application of the stage', async () => {
    // Prepare
    const service = new FakeService();
    service.applications.set('fanout-dev-1', 'RUNNING').set('fanout-dev-2', 'READY');

    // Act
    await runTeardown(service, ['fanout-dev-1', 'fanout-dev-2']);

    // Assess
    expect(service.applications.size).toBe(0);
    expect(
      service
        .callsTo('deleteApplication')
        .map((e) => e['name'] as string)
        .sort(),
    ).toEqual(['fanout-dev-1', 'fanout-dev-2']);
  });

  it('succeeds on an application that does not exist', async () => {
    // Prepare
    const service = new FakeService();

    // Act
    const output = await runTeardown(service, ['fanout-dev-9']);

    // Assess
    expect(output['tornDown']).toEqual([
      { name: 'fanout-dev-9', engine: 'kinesis-analytics', failed: false, status: 'NOT_FOUND' },
    ]);
    expect(service.callsTo('deleteApplication')).toEqual([{ engine: 'kinesis-analytics', name: 'fanout-dev-9' }]);
  });

  it('succeeds when there is nothing to tear down', async () => {
    // Act
    const output = await runTeardown(new FakeService(), []);

    // Assess
    expect(output['tornDown']).toEqual([]);
  });

  it('tears down each application with the engine that runs it', async () => {
    // Prepare
    const service = new FakeService();
    service.applications.set('fanout-dev-1', 'RUNNING').set('fanout-dev-2', 'RUNNING');
    const listApplications: Stub = async () => ({
      applications: [
        { engine: 'kinesis-analytics', name: 'fanout-dev-1' },
        { engine: 'lambda', name: 'fanout-dev-2' },
      ],
      failures: [],
    });

    // Act
    const { error } = await teardown.run(service, {}, { listApplications });

    // Assess
    expect(error).toBeUndefined();
    expect(service.callsTo('deleteApplication')).toEqual([
      { engine: 'kinesis-analytics', name: 'fanout-dev-1' },
      { engine: 'lambda', name: 'fanout-dev-2' },
    ]);
    expect(service.callsTo('stopApplication')).toEqual([]);
    expect(service.applications.size).toBe(0);
  });

  it('removes what it can and then fails, naming the engine it could not list and the application it could not remove', async () => {
    // Prepare
    const service = new FakeService();
    service.applications.set('fanout-dev-1', 'RUNNING').set('fanout-dev-2', 'RUNNING');
    service.faults = [{ fn: 'deleteApplication', call: 1, times: 99, error: 'AccessDeniedException' }];
    const listApplications: Stub = async () => ({
      applications: [
        { engine: 'lambda', name: 'fanout-dev-1' },
        { engine: 'lambda', name: 'fanout-dev-2' },
      ],
      failures: [{ engine: 'kinesis-analytics', error: { Error: 'UnknownOperationException', Cause: 'no such API' } }],
    });

    // Act
    const { error } = await teardown.run(service, {}, { listApplications });

    // Assess
    expect(error?.name).toBe('TeardownFailed');
    expect(error?.message).toContain('AccessDeniedException');
    expect(error?.message).toContain('UnknownOperationException');
    expect(service.applications.size).toBe(1);
    expect(error?.message).toContain([...service.applications.keys()][0]);
  });
});
