/**
 * `loadTest.sample`: a file of realistic records, or a generator module, read when the fan-out file is checked.
 * A sample's records are compiled into the load-test function (its bundle only, `__FANOUT_LOAD_TEST_SAMPLE__`); a
 * generator module is bundled into it (`__FANOUT_LOAD_TEST_GENERATOR__`, the module's path, which esbuild resolves
 * at package time). Code that is not bundled reads the file named in the definition (src/load-test/user-source.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';

/** Extensions of a generator module; any other file is records. */
export const GENERATOR_EXTENSIONS = ['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts'] as const;

/** What a sample may hold: it travels in the load-test function's code. */
export const SAMPLE_LIMITS = { records: 10_000, bytes: 1024 * 1024 } as const;

export type SampleRead =
  | { readonly kind: 'generator' }
  | { readonly kind: 'sample'; readonly records: readonly unknown[] }
  /** Why the file cannot be used. */
  | { readonly problem: string };

/** A generator module by its extension. */
export const isGeneratorFile = (file: string): boolean =>
  (GENERATOR_EXTENSIONS as readonly string[]).includes(extname(file).toLowerCase());

/**
 * Records of a sample file: `.json` holds an array of records (objects or strings); any other file holds one record
 * a line (JSON or CSV text, kept as written), blank lines skipped.
 */
export function parseSample(text: string, json: boolean): readonly unknown[] | string {
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return `not JSON: ${(error as Error).message.split('\n')[0]}`;
    }
    if (!Array.isArray(parsed)) return 'not an array (a .json sample holds an array of records)';
    return parsed;
  }
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

/**
 * Reads `loadTest.sample`.
 *
 * @param file - the absolute path
 * @param shown - the path as the fan-out file writes it, for messages
 */
export function readSample(file: string, shown: string): SampleRead {
  if (!existsSync(file)) return { problem: `the sample ${shown} does not exist` };
  if (isGeneratorFile(file)) return { kind: 'generator' };
  const size = statSync(file).size;
  if (size > SAMPLE_LIMITS.bytes) {
    return {
      problem: `the sample ${shown} has ${size.toLocaleString('en-US')} bytes; at most ${SAMPLE_LIMITS.bytes.toLocaleString('en-US')} travel in the load-test function (or give a generator module)`,
    };
  }
  const records = parseSample(readFileSync(file, 'utf8'), extname(file).toLowerCase() === '.json');
  if (typeof records === 'string') return { problem: `the sample ${shown} is ${records}` };
  if (records.length === 0) return { problem: `the sample ${shown} holds no records` };
  if (records.length > SAMPLE_LIMITS.records) {
    return {
      problem: `the sample ${shown} holds ${records.length.toLocaleString('en-US')} records; at most ${SAMPLE_LIMITS.records.toLocaleString('en-US')} (they are put in turn, so a few hundred do)`,
    };
  }
  return { kind: 'sample', records };
}
