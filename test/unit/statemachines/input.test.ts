/**
 * The execution input, field by field, through the real lifecycle ASL and the real ValidateInput handler: every
 * invalid value fails before anything is created, naming its field; values at the edges run and tear down.
 */
import { MAX_RECORDS } from '../../../src/load-test';
import { FakeService, machine, useHandlerEnv } from './fake-service';

const lifecycle = machine('lifecycle.asl.yml');
const teardown = machine('teardown.asl.yml');
useHandlerEnv();

const invalid: [string, unknown[]][] = [
  ['records', [-1, 1.5, '10', null, true, MAX_RECORDS + 1, {}]],
  ['mode', ['Live', 'off', 1, null]],
  ['liveSeconds', [0, 601, 'x', null]],
  ['keysPerShard', [0, -1, 1.5, 10_001, '100', null]],
  ['rate', [0, -5, 'fast', null, 1e7, []]],
  ['timeoutSeconds', [0, -1, 841, '60', null, false]],
  ['startingPosition', ['LATEST', '', 3, null, 'now']],
  ['keep', ['true', 1, null, 'yes']],
  ['engine', ['flink', '', 1, null, 'Lambda']],
  ['waitSeconds', [-1, 1.5, 'x', 3601, null, Number.NaN]],
  ['maxWaitAttempts', [0, -1, 'x', 1.5, 10_001, null, 5000]],
];

describe('State machine: lifecycle, execution input', () => {
  describe.each(invalid)('%s', (field, values) => {
    it.each(values.map((value) => [JSON.stringify(value), value]))(
      'fails on %s before anything is created, naming the field',
      async (_shown, value) => {
        // Prepare
        const service = new FakeService(2);

        // Act
        const { error, states } = await lifecycle.run(service, { [field]: value });

        // Assess
        expect(error).toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(`${field}: `) });
        expect(states).toEqual(['ValidateInput']);
        expect(service.calls).toEqual([]);
      },
    );
  });

  it.each([
    ['an unknown key', { wait: 1 }, 'Unrecognized key: "wait"'],
    ['a key in the wrong case', { Records: 10 }, 'Unrecognized key: "Records"'],
    ['an array', [], 'expected object'],
    ['a string', 'go', 'expected object'],
  ])('fails on %s before anything is created', async (_what, input, message) => {
    // Prepare
    const service = new FakeService(1);

    // Act
    const { error } = await lifecycle.run(service, input);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(message) });
    expect(service.calls).toEqual([]);
  });

  it('runs with every field at its valid edges and tears down', async () => {
    // Prepare
    const service = new FakeService(2);
    const input = {
      records: 1,
      mode: 'synthetic',
      liveSeconds: 600,
      keysPerShard: 10_000,
      rate: 0.5,
      timeoutSeconds: 840,
      startingPosition: 'LAST_STOPPED_POINT',
      keep: false,
      engine: 'kinesis-analytics',
      waitSeconds: 0,
      maxWaitAttempts: 1,
    };

    // Act
    const { error, states } = await lifecycle.run(service, input);

    // Assess
    expect(error).toBeUndefined();
    expect(states).toContain('Teardown');
    expect(service.applications.size).toBe(0);
  });

  it('waits in Teardown by its own bound, not the input maxWaitAttempts, and reports nothing hidden', async () => {
    // Prepare: applications take 3 checks to move; the input allows 1 check: they never get RUNNING in time
    const service = new FakeService(2);
    service.transitionChecks = 3;

    // Act
    const { error, states } = await lifecycle.run(service, { maxWaitAttempts: 1, waitSeconds: 0 });

    // Assess: the run fails for what it is, and the teardown, with its own checks, still removes everything
    expect(error).toMatchObject({ name: 'ApplicationNotRunning', message: expect.stringContaining('after 1 checks') });
    expect(states.filter((s) => s === 'CountDeletedCheck').length).toBeGreaterThanOrEqual(2 * 2);
    expect(service.applications.size).toBe(0);
  });

  it('waits for each status inside DescribeApplication, for up to its own window, with no Wait state', async () => {
    // Prepare: one application that takes 6 checks to move each time
    const service = new FakeService(1);
    service.transitionChecks = 6;

    // Act
    const { error, states } = await lifecycle.run(service, { maxWaitAttempts: 10, waitSeconds: 3 });

    // Assess: every check asked the function to wait for what the loop waits for, within the loop's window: the
    // input's waitSeconds while starting, the teardown's own teardownWaitSeconds (10) while deleting
    expect(error).toBeUndefined();
    const asked = service.callsTo('describeApplication').map((e) => [e['until'], e['withinSeconds']]);
    expect(asked).toEqual([
      [['READY', 'STARTING', 'RUNNING'], 3],
      ...Array(7).fill([['RUNNING'], 3]),
      ...Array(7).fill([['NOT_FOUND'], 10]),
    ]);
    expect(states.filter((s) => s === 'CountRunningCheck')).toHaveLength(6);
    expect(states.filter((s) => s === 'CountDeletedCheck')).toHaveLength(6);
    expect(states.filter((s) => s.startsWith('WaitFor'))).toEqual([]);
    expect(service.applications.size).toBe(0);
  });

  it('waits in a Wait state for what the function could not wait of its window', async () => {
    // Prepare: the function says 2 s of each window were left (a waitSeconds beyond its timeout)
    const service = new FakeService(1);
    service.transitionChecks = 2;
    service.leftSeconds = 2;

    // Act
    const { error, states } = await lifecycle.run(service, { waitSeconds: 40 });

    // Assess
    expect(error).toBeUndefined();
    expect(states.filter((s) => s.startsWith('WaitFor'))).toEqual([
      'WaitForRunning',
      'WaitForRunning',
      'WaitForDeleted',
      'WaitForDeleted',
    ]);
    const item = lifecycle.definition['States'] as Record<
      string,
      { ItemProcessor?: { States: Record<string, unknown> } }
    >;
    expect(item['Teardown']!.ItemProcessor!.States['WaitForDeleted']).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.described.leftSeconds',
      Next: 'CountDeletedCheck',
    });
  });

  it('fails with both errors in its Cause when the teardown cannot remove an application', async () => {
    // Prepare
    const service = new FakeService(2);
    service.faults = [
      { fn: 'startApplication', call: 0, times: 99, error: 'InvalidApplicationConfigurationException' },
      { fn: 'deleteApplication', call: 0, times: 1, error: 'AccessDeniedException' },
    ];

    // Act
    const { error } = await lifecycle.run(service, {});

    // Assess
    expect(error?.name).toBe('InvalidApplicationConfigurationException');
    expect(error?.message).toContain('injected InvalidApplicationConfigurationException');
    expect(error?.message).toContain('the teardown failed');
    expect(error?.message).toContain('AccessDeniedException');
    expect(error?.message).toContain([...service.applications.keys()][0]);
    expect(service.applications.size).toBe(1);
  });

  it('caps maxWaitAttempts so the wait loops fit the execution history, and says why', async () => {
    // Act
    const { error } = await lifecycle.run(new FakeService(1), { maxWaitAttempts: 10_000 });

    // Assess
    expect(error?.message).toMatch(/maxWaitAttempts: must be at most \d+ with 1 application\(s\).*25,000/);
  });
});

describe('State machine: teardown, execution input', () => {
  it.each([
    [{ engine: 'flink' }, 'engine: '],
    [{ waitSeconds: 1 }, 'Unrecognized key: "waitSeconds"'],
    [{ maxWaitAttempts: 'x' }, 'Unrecognized key: "maxWaitAttempts"'],
  ])('fails on %j before anything is listed', async (input, message) => {
    // Prepare
    const service = new FakeService(1);

    // Act
    const { error } = await teardown.run(service, input);

    // Assess
    expect(error).toMatchObject({ name: 'InvalidInputError', message: expect.stringContaining(message) });
    expect(service.calls).toEqual([]);
  });

  it('lists every engine of the stage when started with {}, as the schedule starts it', async () => {
    // Prepare
    const service = new FakeService(1);

    // Act
    await teardown.run(service, {});

    // Assess
    expect(service.callsTo('listApplications')).toEqual([{ engines: ['kinesis-analytics', 'lambda'] }]);
  });
});
