/**
 * How the fan-out reaches the functions: the validated definition of the fan-out file is compiled into every
 * function's bundle at package time (esbuild `define` of `__FANOUT_DEFINITION__`, set by the resolver), so a
 * function runs exactly the file that was checked, whatever its size (the 4 KB of a function's environment would
 * not hold 12 outputs and a realistic SQL), and a deploy that changes the file changes the code. ARNs of the
 * streams the stack creates are built from their names and the stack's account and region
 * (`FANOUT_STREAM_ARN_PREFIX`, one variable whatever the number of streams); existing streams keep the ARN given.
 *
 * Code that is not bundled (the tests, a handler run by hand) reads the same JSON from `FANOUT_DEFINITION`.
 */
import type { FanoutDefinition } from './definition';

// Replaced by esbuild with the definition itself; absent outside a bundle.
declare const __FANOUT_DEFINITION__: FanoutDefinition | undefined;

/** The global esbuild replaces (`custom.esbuild.define` in serverless.yml). */
export const DEFINITION_GLOBAL = '__FANOUT_DEFINITION__';
/**
 * The globals only the load-test function's code names (so only its bundle carries them): the records of
 * `loadTest.sample`, or the path of its generator module, whose `require` esbuild resolves and bundles.
 */
export const LOAD_TEST_SAMPLE_GLOBAL = '__FANOUT_LOAD_TEST_SAMPLE__';
export const LOAD_TEST_GENERATOR_GLOBAL = '__FANOUT_LOAD_TEST_GENERATOR__';
/** Where code that is not bundled finds the definition, as JSON. */
export const DEFINITION_VARIABLE = 'FANOUT_DEFINITION';

/**
 * A value as esbuild's `define` takes it: JSON, with `$` written `\u0024` so that no `${...}` of a SQL text
 * is taken for a framework variable on the way.
 */
export function defineValue(value: unknown): string {
  return JSON.stringify(value).replace(/\$/g, '\\u0024');
}

/** Whether a parsed JSON value has the definition's shape (the packager wrote it; this guards hand-set JSON). */
export function isDefinition(value: unknown): value is FanoutDefinition {
  const d = value as Partial<FanoutDefinition> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.input?.name === 'string' &&
    Array.isArray(d.outputs) &&
    (d.application?.kind === 'sql' || d.application?.kind === 'copy')
  );
}

/** The fan-out this function was packaged with; undefined outside a bundle (then `FANOUT_DEFINITION` holds it). */
export function bundledDefinition(): FanoutDefinition | undefined {
  return typeof __FANOUT_DEFINITION__ === 'undefined' ? undefined : __FANOUT_DEFINITION__;
}
