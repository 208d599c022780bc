import { StateMachine } from 'aws-local-stepfunctions';
import { loadStateMachine } from './asl';

type Stub = (event: Record<string, unknown>) => Promise<unknown>;
type Input = Parameters<StateMachine['run']>[0];

/** An in-memory stand-in for the engine behind the task handlers: applications and their status transitions. */
class FakeService {
  readonly applications = new Map<string, string>();
  readonly calls: [string, Record<string, unknown>][] = [];
  constructor(readonly applicationCount = 2) {}

  named(name: string, event: Record<string, unknown>) {
    this.calls.push([name, event]);
  }

  callsTo(name: string) {
    return this.calls.filter(([n]) => n === name).map(([, event]) => event);
  }

  stubs(): Record<string, Stub> {
    return {
      discoverSchema: async (event) => {
        this.named('discoverSchema', event);
        return {
          schema: { RecordFormat: { RecordFormatType: 'JSON' }, RecordColumns: [{ Name: 'ID', SqlType: 'INTEGER' }] },
          samplePut: 0,
          parsedRecords: [],
          applications: Array.from({ length: this.applicationCount }, (_, i) => ({
            name: `fanout-dev-${i + 1}`,
            outputs: [{ sqlStream: `OUT_${i}`, streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/Out${i}` }],
          })),
        };
      },
      createApplication: async (event) => {
        this.named('createApplication', event);
        const name = (event['application'] as { name: string }).name;
        this.applications.set(name, 'READY');
        return { name, action: 'created', status: 'READY' };
      },
      describeApplication: async (event) => {
        this.named('describeApplication', event);
        const name = String(event['name']);
        const status = this.applications.get(name) ?? 'NOT_FOUND';
        // Transitions complete between two checks, so every loop waits once.
        if (status === 'STARTING') this.applications.set(name, 'RUNNING');
        if (status === 'STOPPING') this.applications.set(name, 'READY');
        return { name, status };
      },
      startApplication: async (event) => {
        this.named('startApplication', event);
        const name = String(event['name']);
        const status = this.applications.get(name);
        if (status === 'RUNNING' || status === 'STARTING') return { name, action: 'already-running' };
        this.applications.set(name, 'STARTING');
        return { name, action: 'started' };
      },
      stopApplication: async (event) => {
        this.named('stopApplication', event);
        const name = String(event['name']);
        if (!this.applications.has(name)) return { name, action: 'not-found' };
        this.applications.set(name, 'STOPPING');
        return { name, action: 'stopped' };
      },
      deleteApplication: async (event) => {
        this.named('deleteApplication', event);
        const name = String(event['name']);
        const existed = this.applications.delete(name);
        return { name, action: existed ? 'deleted' : 'not-found' };
      },
      listApplications: async (event) => {
        this.named('listApplications', event);
        return { names: [...this.applications.keys()] };
      },
      loadTest: async (event) => {
        this.named('loadTest', event);
        return { verdict: 'pass', reasons: [], runId: event['runId'], sent: event['records'] };
      },
    };
  }
}

const lifecycle = loadStateMachine('lifecycle.asl.yml');
// Executions are independent; building (and validating) the machine once keeps the suite quick.
const lifecycleMachine = new StateMachine(lifecycle.definition as never);
const waits = { WaitForReady: 0, WaitForRunning: 0, WaitForStopped: 0 };

async function run(service: FakeService, input: Record<string, unknown>, replace: Record<string, Stub> = {}) {
  const stubs = { ...service.stubs(), ...replace };
  const taskResourceLocalHandlers = Object.fromEntries(
    Object.entries(lifecycle.taskFunctions).map(([state, fn]) => [state, stubs[fn]!]),
  );
  const execution = lifecycleMachine.run(input as Input, {
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      waitTimeOverrides: waits,
      retryIntervalOverrides: { CreateApplication: 0, StartApplication: 0 },
    },
    context: {
      Execution: {
        Id: 'arn:aws:states:us-east-1:000000000000:execution:fanout-dev-lifecycle:run-1',
        Input: input as Input,
        Name: 'run-1',
      },
    },
  });
  const states: string[] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'StateEntered') states.push(event.state.name);
    }
  })();
  try {
    const output = (await execution.result) as Record<string, unknown>;
    await collect;
    return { output, states, error: undefined };
  } catch (error) {
    await collect;
    return { output: undefined, states, error: (error as { cause: { name: string; message: string } }).cause };
  }
}

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
        schema: expect.any(Object),
      }),
    ]);
    expect(service.applications.size).toBe(0);
    expect(states).toEqual(expect.arrayContaining(['WaitForRunning', 'Teardown', 'WaitForStopped', 'Succeeded']));
  });

  it('passes the execution input on to the tasks and keeps the applications when asked', async () => {
    // Prepare
    const service = new FakeService(1);
    const input = { records: 20, rate: 50, timeoutSeconds: 5, startingPosition: 'NOW', keep: true, engine: 'lambda' };

    // Act
    const { output, states } = await run(service, input);

    // Assess
    expect(output?.['report']).toMatchObject({ verdict: 'pass' });
    expect(service.callsTo('startApplication')).toEqual([
      { engine: 'lambda', name: 'fanout-dev-1', startingPosition: 'NOW' },
    ]);
    expect(service.callsTo('loadTest')).toEqual([
      expect.objectContaining({ records: 20, rate: 50, timeoutSeconds: 5 }),
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

  it('gives up waiting for READY after maxWaitAttempts, tears down and fails', async () => {
    // Prepare
    const service = new FakeService(2);
    const stubs = service.stubs();
    const neverReady: Stub = async (event) => {
      await stubs['createApplication']!(event);
      service.applications.set((event['application'] as { name: string }).name, 'UPDATING');
      return {};
    };
    const stopThenReady: Stub = async (event) => {
      service.applications.set(String(event['name']), 'READY');
      return { name: event['name'], action: 'not-running' };
    };

    // Act
    const { error, states } = await run(
      service,
      { maxWaitAttempts: 3 },
      { createApplication: neverReady, stopApplication: stopThenReady },
    );

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

  it('sets a timeout on every task', () => {
    // Assess
    const tasks: Record<string, unknown>[] = [];
    const walk = (states: Record<string, Record<string, unknown>>) => {
      for (const state of Object.values(states)) {
        if (state['Type'] === 'Task') tasks.push(state);
        const processor = state['ItemProcessor'] as { States: Record<string, Record<string, unknown>> } | undefined;
        if (processor) walk(processor.States);
      }
    };
    walk(lifecycle.definition['States'] as Record<string, Record<string, unknown>>);
    expect(tasks.length).toBeGreaterThanOrEqual(9);
    expect(tasks.every((t) => typeof t['TimeoutSeconds'] === 'number')).toBe(true);
  });
});

describe('State machine: teardown', () => {
  const teardown = loadStateMachine('teardown.asl.yml');
  const teardownMachine = new StateMachine(teardown.definition as never);

  async function runTeardown(service: FakeService, names: string[], input: Record<string, unknown> = {}) {
    const stubs: Record<string, Stub> = { ...service.stubs(), listApplications: async () => ({ names }) };
    const execution = teardownMachine.run(input as Input, {
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(
          Object.entries(teardown.taskFunctions).map(([state, fn]) => [state, stubs[fn]!]),
        ) as never,
        waitTimeOverrides: { WaitForStopped: 0 },
      },
    });
    return (await execution.result) as Record<string, unknown>;
  }

  it('stops and deletes every application of the stage', async () => {
    // Prepare
    const service = new FakeService();
    service.applications.set('fanout-dev-1', 'RUNNING').set('fanout-dev-2', 'READY');

    // Act
    await runTeardown(service, ['fanout-dev-1', 'fanout-dev-2']);

    // Assess
    expect(service.applications.size).toBe(0);
    expect(service.callsTo('deleteApplication').map((e) => e['name'])).toEqual(['fanout-dev-1', 'fanout-dev-2']);
  });

  it('succeeds on an application that does not exist', async () => {
    // Prepare
    const service = new FakeService();

    // Act
    const output = await runTeardown(service, ['fanout-dev-9']);

    // Assess
    expect(output['tornDown']).toEqual([
      expect.objectContaining({ name: 'fanout-dev-9', deleted: { name: 'fanout-dev-9', action: 'not-found' } }),
    ]);
  });

  it('succeeds when there is nothing to tear down', async () => {
    // Act
    const output = await runTeardown(new FakeService(), []);

    // Assess
    expect(output['tornDown']).toEqual([]);
  });
});
