/**
 * The user's records for the load test, as `loadTest.sample` in the fan-out file names them: a sample file's
 * records or a generator module, both compiled into the load-test function at package time
 * (src/fanout-config/sample.ts). Code that is not bundled (tests, a handler run by hand) reads the file the
 * definition names, relative to the project directory.
 */
import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import type { FanoutDefinition } from '../fanout-config/definition';
import { parseSample } from '../fanout-config/sample';
import type { RecordGeneratorFn, RecordSourceSpec } from './records';
import { LoadTestInputError } from './run';

// Replaced by esbuild in the load-test function's bundle (custom.esbuild.define); absent elsewhere.
declare const __FANOUT_LOAD_TEST_SAMPLE__: readonly unknown[] | undefined;
declare const __FANOUT_LOAD_TEST_GENERATOR__: string | undefined;

/** A generator module's function: its default export, a `generate` export, or the module itself. */
function generatorOf(module: unknown, file: string): RecordGeneratorFn {
  const m = module as { default?: unknown; generate?: unknown } | undefined;
  const fn = [m?.default, m?.generate, m].find((f) => typeof f === 'function');
  if (!fn) {
    throw new LoadTestInputError(
      `loadTest.sample: ${file} exports no function (export default (seq, { runId, plannedMs }) => record)`,
    );
  }
  return fn as RecordGeneratorFn;
}

function bundledSample(): readonly unknown[] | undefined {
  return typeof __FANOUT_LOAD_TEST_SAMPLE__ === 'undefined' ? undefined : __FANOUT_LOAD_TEST_SAMPLE__;
}

function bundledGenerator(): unknown {
  // A string literal once bundled: esbuild bundles the module it names.
  return typeof __FANOUT_LOAD_TEST_GENERATOR__ === 'string' ? require(__FANOUT_LOAD_TEST_GENERATOR__) : undefined;
}

/**
 * Where the load test's records come from: the fan-out file's sample or generator, or undefined (records generated
 * from the input schema).
 *
 * @param definition - the fan-out the function was packaged with
 * @param projectDir - where unbundled code finds the file the definition names
 */
export function userSourceOf(definition: FanoutDefinition, projectDir = process.cwd()): RecordSourceSpec | undefined {
  const sample = definition.loadTest?.sample;
  if (!sample) return undefined;
  const path = isAbsolute(sample.file) ? sample.file : resolve(projectDir, sample.file);
  if (sample.kind === 'generator') {
    return {
      kind: 'generator',
      name: sample.file,
      generate: generatorOf(bundledGenerator() ?? require(path), sample.file),
    };
  }
  let records = bundledSample();
  if (!records) {
    const parsed = parseSample(readFileSync(path, 'utf8'), extname(path).toLowerCase() === '.json');
    if (typeof parsed === 'string') throw new LoadTestInputError(`loadTest.sample: ${sample.file} is ${parsed}`);
    records = parsed;
  }
  return { kind: 'sample', name: sample.file, records };
}
