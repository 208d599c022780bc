/**
 * The state machines' tests run the real ASL (aws-local-stepfunctions) against this in-memory stand-in for the task
 * functions: applications and their status transitions, every call recorded, faults injectable. ValidateInput is
 * the real handler.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { logger } from '../../../handlers/logger';
import { handler as validateInput } from '../../../handlers/validate-input';
import { makeEnv } from '../engines/fixtures';
import { type LoadedStateMachine, loadStateMachine } from './asl';

export type Stub = (event: Record<string, unknown>) => Promise<unknown>;

/**
 * For every test of the calling file: the environment the handlers read (`makeEnv()` over the process's), and the
 * handlers' logger silenced; both restored after each test.
 *
 * @returns the process's own environment, for a test that sets another one
 */
export function useHandlerEnv(): NodeJS.ProcessEnv {
  const savedEnv = process.env;
  beforeEach(() => {
    process.env = { ...savedEnv, ...makeEnv() };
    for (const level of ['info', 'warn', 'error'] as const) jest.spyOn(logger, level).mockImplementation(() => {});
  });
  afterEach(() => {
    process.env = savedEnv;
    jest.restoreAllMocks();
  });
  return savedEnv;
}
type Input = Parameters<StateMachine['run']>[0];

/** A fault: the `call`-th call (from 0) of `fn`, and the `times - 1` after it, throw an error named `error`. */
export interface Fault {
  readonly fn: string;
  readonly call: number;
  readonly times: number;
  readonly error: string;
}

export class FakeService {
  readonly applications = new Map<string, string>();
  readonly calls: [string, Record<string, unknown>][] = [];
  /** Describe calls an application stays STARTING, STOPPING or DELETING before it gets there (or is gone). */
  transitionChecks = 1;
  /**
   * What describeApplication says is left of its window when the status is not one of `until` (the real one says
   * 0 unless its function's timeout cut the window short).
   */
  leftSeconds = 0;
  verdict: 'pass' | 'fail' = 'pass';
  faults: readonly Fault[] = [];
  readonly #pending = new Map<string, number>();

  constructor(readonly applicationCount = 2) {}

  callsTo(name: string) {
    return this.calls.filter(([n]) => n === name).map(([, event]) => event);
  }

  #call(name: string, event: Record<string, unknown>) {
    const index = this.callsTo(name).length;
    this.calls.push([name, event]);
    const fault = this.faults.find((f) => f.fn === name && index >= f.call && index < f.call + f.times);
    if (fault) {
      const error = new Error(`injected ${fault.error} on call ${index} of ${name}`);
      error.name = fault.error;
      throw error;
    }
  }

  #moving(name: string, from: string, to: string) {
    const left = (this.#pending.get(name) ?? this.transitionChecks) - 1;
    if (left <= 0) {
      this.#pending.delete(name);
      if (to === 'NOT_FOUND') this.applications.delete(name);
      else this.applications.set(name, to);
    } else this.#pending.set(name, left);
    return from;
  }

  stubs(): Record<string, Stub> {
    return {
      validateInput: async (event) => validateInput(event),
      discoverSchema: async (event) => {
        this.#call('discoverSchema', event);
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
        const name = (event['application'] as { name: string }).name;
        this.#call('createApplication', event);
        if (!this.applications.has(name)) this.applications.set(name, 'READY');
        return { name, action: 'created', status: this.applications.get(name) };
      },
      describeApplication: async (event) => {
        this.#call('describeApplication', event);
        const name = String(event['name']);
        const now = this.applications.get(name) ?? 'NOT_FOUND';
        const status =
          now === 'STARTING'
            ? this.#moving(name, 'STARTING', 'RUNNING')
            : now === 'STOPPING'
              ? this.#moving(name, 'STOPPING', 'READY')
              : now === 'DELETING'
                ? this.#moving(name, 'DELETING', 'NOT_FOUND')
                : now;
        const until = event['until'] as string[] | undefined;
        return { name, status, leftSeconds: until && !until.includes(status) ? this.leftSeconds : 0 };
      },
      startApplication: async (event) => {
        this.#call('startApplication', event);
        const name = String(event['name']);
        const status = this.applications.get(name);
        if (!status)
          throw Object.assign(new Error(`Application ${name} does not exist`), { name: 'ApplicationNotFoundError' });
        if (status === 'RUNNING' || status === 'STARTING') return { name, action: 'already-running' };
        this.#pending.delete(name);
        this.applications.set(name, 'STARTING');
        return { name, action: 'started' };
      },
      stopApplication: async (event) => {
        this.#call('stopApplication', event);
        const name = String(event['name']);
        const status = this.applications.get(name);
        if (!status) return { name, action: 'not-found' };
        if (status !== 'RUNNING' && status !== 'STARTING') return { name, action: 'not-running' };
        this.#pending.delete(name);
        this.applications.set(name, 'STOPPING');
        return { name, action: 'stopped' };
      },
      deleteApplication: async (event) => {
        this.#call('deleteApplication', event);
        const name = String(event['name']);
        const status = this.applications.get(name);
        if (!status) return { name, action: 'not-found' };
        if (status === 'DELETING') return { name, action: 'already-deleting' };
        this.#pending.delete(name);
        this.applications.set(name, 'DELETING');
        return { name, action: 'deleted' };
      },
      listApplications: async (event) => {
        this.#call('listApplications', event);
        return {
          applications: [...this.applications.keys()].map((name) => ({ engine: 'kinesis-analytics', name })),
          failures: [],
        };
      },
      loadTest: async (event) => {
        this.#call('loadTest', event);
        return {
          verdict: this.verdict,
          reasons: this.verdict === 'pass' ? [] : ['Out0: 3 missing'],
          runId: event['runId'],
          sent: event['records'],
        };
      },
    };
  }
}

/** Every Wait and every retry interval of a machine at zero, so a run takes milliseconds. */
function zeroDelays(machine: LoadedStateMachine) {
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  const walk = (states: Record<string, Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state['Type'] === 'Wait') waits[name] = 0;
      if (state['Type'] === 'Task') retries[name] = 0;
      const processor = state['ItemProcessor'] as { States: Record<string, Record<string, unknown>> } | undefined;
      if (processor) walk(processor.States);
    }
  };
  walk(machine.definition['States'] as Record<string, Record<string, unknown>>);
  return { waitTimeOverrides: waits, retryIntervalOverrides: retries };
}

export interface Outcome {
  readonly output: Record<string, unknown> | undefined;
  readonly states: string[];
  readonly error: { name: string; message: string } | undefined;
}

/** One machine, built (and validated) once; `run` starts an execution of it against a fake service. */
export function machine(file: string, params?: Record<string, unknown>) {
  const loaded = params ? loadStateMachine(file, params) : loadStateMachine(file);
  const built = new StateMachine(loaded.definition as never);
  const delays = zeroDelays(loaded);
  return {
    definition: loaded.definition,
    async run(service: FakeService, input: unknown, replace: Record<string, Stub> = {}): Promise<Outcome> {
      const stubs = { ...service.stubs(), ...replace };
      const handlers = Object.fromEntries(
        Object.entries(loaded.taskFunctions).map(([state, fn]) => [state, stubs[fn]!]),
      );
      const execution = built.run(input as Input, {
        overrides: { taskResourceLocalHandlers: handlers as never, ...delays },
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
        for await (const event of execution.eventLogs) if (event.type === 'StateEntered') states.push(event.state.name);
      })();
      try {
        const output = (await execution.result) as Record<string, unknown>;
        await collect;
        return { output, states, error: undefined };
      } catch (error) {
        await collect;
        return { output: undefined, states, error: (error as { cause: { name: string; message: string } }).cause };
      }
    },
  };
}
