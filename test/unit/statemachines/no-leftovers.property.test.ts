/**
 * Generated inputs and faults over the real lifecycle ASL: whatever the execution input (valid or not) and whatever
 * the task functions do (fail once, keep failing, be slow to change state, fail the load test), no application is
 * left behind unless the run passed with "keep": true, or the execution failed saying the teardown failed and
 * naming what is left. An invalid input never gets as far as CreateApplication.
 */
import fc from 'fast-check';
import { FakeService, type Fault, machine, useHandlerEnv } from './fake-service';

const lifecycle = machine('lifecycle.asl.yml');
useHandlerEnv();

/** A field drawn valid or invalid; the generator says which, so the property needs no copy of the rules. */
type Drawn = { readonly value: unknown; readonly valid: boolean };
/** Mostly valid: a run goes far enough to create applications, and sometimes all the way to a kept one. */
const either = (good: fc.Arbitrary<unknown>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<Drawn> =>
  fc.oneof(
    { weight: 5, arbitrary: good.map((value): Drawn => ({ value, valid: true })) },
    { weight: 1, arbitrary: bad.map((value): Drawn => ({ value, valid: false })) },
  );
const junk = fc.oneof(
  fc.string({ maxLength: 4 }).filter((s) => s !== 'NOW'),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);

const fields: Record<string, fc.Arbitrary<Drawn>> = {
  records: either(fc.integer({ min: 0, max: 5000 }), fc.oneof(fc.integer({ max: -1 }), junk)),
  mode: either(fc.constantFrom('synthetic', 'live'), fc.oneof(fc.constantFrom('Live', 'off'), junk)),
  liveSeconds: either(
    fc.integer({ min: 1, max: 600 }),
    fc.oneof(fc.integer({ min: 601 }), fc.integer({ max: 0 }), junk),
  ),
  keysPerShard: either(
    fc.integer({ min: 1, max: 10_000 }),
    fc.oneof(fc.integer({ min: 10_001 }), fc.integer({ max: 0 }), junk),
  ),
  rate: either(fc.double({ min: 0.1, max: 5000, noNaN: true }), fc.oneof(fc.double({ max: 0, noNaN: true }), junk)),
  timeoutSeconds: either(fc.integer({ min: 1, max: 840 }), fc.oneof(fc.integer({ min: 841 }), junk)),
  startingPosition: either(
    fc.constantFrom('NOW', 'TRIM_HORIZON', 'LAST_STOPPED_POINT'),
    fc.oneof(fc.constantFrom('LATEST', 'now', ''), junk),
  ),
  keep: either(fc.boolean(), fc.oneof(fc.constantFrom('true', 1, 0), fc.constant(null))),
  engine: either(fc.constantFrom('kinesis-analytics', 'lambda'), fc.oneof(fc.constant('flink'), junk)),
  waitSeconds: either(
    fc.integer({ min: 0, max: 3 }),
    fc.oneof(fc.integer({ max: -1 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), junk),
  ),
  maxWaitAttempts: either(fc.integer({ min: 1, max: 6 }), fc.oneof(fc.integer({ max: 0 }), junk)),
};

const drawnInputs = fc.record(fields, { requiredKeys: [] }).chain((drawn) =>
  fc
    .oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constantFrom('wait', 'Records', 'mode!') },
    )
    .map((unknownKey) => {
      const input: Record<string, unknown> = Object.fromEntries(Object.entries(drawn).map(([k, d]) => [k, d!.value]));
      if (unknownKey) input[unknownKey] = 1;
      return { input, valid: unknownKey === undefined && Object.values(drawn).every((d) => d!.valid) };
    }),
);
/** Three valid inputs for one invalid: most runs get as far as creating applications. */
const inputs = fc.oneof(
  { weight: 3, arbitrary: drawnInputs.filter((d) => d.valid) },
  { weight: 1, arbitrary: drawnInputs.filter((d) => !d.valid) },
);

const FUNCTIONS = [
  'validateInput',
  'discoverSchema',
  'createApplication',
  'describeApplication',
  'startApplication',
  'stopApplication',
  'deleteApplication',
  'loadTest',
];
const someFaults: fc.Arbitrary<Fault[]> = fc.array(
  fc.record({
    // the teardown's functions twice as often: a teardown that fails is what must never go unreported
    fn: fc.constantFrom(...FUNCTIONS, 'stopApplication', 'deleteApplication', 'describeApplication'),
    call: fc.nat(6),
    times: fc.oneof(fc.constant(1), fc.constant(2), fc.constant(50)),
    // retried by the Retry block / by Lambda's retry / never retried
    error: fc.constantFrom(
      'ResourceInUseException',
      'Lambda.ServiceException',
      'ServiceFailure',
      'AccessDeniedException',
    ),
  }),
  { minLength: 1, maxLength: 3 },
);
const faults = fc.oneof({ weight: 1, arbitrary: fc.constant<Fault[]>([]) }, { weight: 1, arbitrary: someFaults });

describe('State machine: lifecycle, generated inputs and faults', () => {
  it('leaves no application behind that the execution does not report', async () => {
    let runs = 0;
    let kept = 0;
    let reported = 0;
    await fc.assert(
      fc.asyncProperty(
        inputs,
        faults,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom('pass' as const, 'pass' as const, 'pass' as const, 'fail' as const),
        async ({ input, valid: inputValid }, injected, applications, transitionChecks, verdict) => {
          // Prepare
          const service = new FakeService(applications);
          service.faults = injected;
          service.transitionChecks = transitionChecks;
          service.verdict = verdict;
          runs++;

          // Act
          const { error } = await lifecycle.run(service, input);

          // Assess
          if (!inputValid) {
            expect(error?.name).toMatch(
              /^(InvalidInputError|Lambda\.ServiceException|ResourceInUseException|ServiceFailure|AccessDeniedException)$/,
            );
            expect(service.callsTo('createApplication')).toEqual([]);
          }
          if (error === undefined) expect(service.callsTo('loadTest').length).toBeGreaterThan(0);
          const left = [...service.applications.keys()];
          if (left.length === 0) return;
          if (error === undefined) {
            // a run that passed, kept on purpose
            expect(input['keep']).toBe(true);
            kept++;
            return;
          }
          // anything else left must be named in the execution's error, as a teardown failure
          expect(error.message).toMatch(/teardown failed/);
          for (const name of left) expect(error.message).toContain(name);
          reported++;
        },
      ),
      { numRuns: 300, seed: 1_767_225_600 },
    );
    // the generators reach every outcome the property talks about
    expect(runs).toBe(300);
    expect(kept).toBeGreaterThan(0);
    expect(reported).toBeGreaterThan(0);
  });
});
