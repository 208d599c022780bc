/**
 * `loadTest.sample` reaching the load test: read from the file the definition names when not bundled, and compiled
 * into the bundle (esbuild `define`, as the resolver sets it) so the function needs no file at run time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { FanoutDefinition } from '../../../src/fanout-config/definition';
import { defineValue, LOAD_TEST_GENERATOR_GLOBAL, LOAD_TEST_SAMPLE_GLOBAL } from '../../../src/fanout-config/deployed';
import type { RecordSourceSpec } from '../../../src/load-test';
import { userSourceOf } from '../../../src/load-test/user-source';
import { definitionFor } from '../fanout-config/fixtures';
import { arn } from './fakes';

const ROOT = resolve(__dirname, '..', '..', '..');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fanout-sample-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const withSample = (kind: 'sample' | 'generator', file: string): FanoutDefinition => ({
  ...definitionFor(arn('Input'), [{ sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') }]),
  loadTest: {
    off: false,
    records: 10,
    rate: 100,
    timeoutSeconds: 5,
    mode: 'synthetic',
    liveSeconds: 30,
    keysPerShard: 100,
    sample: { kind, file },
  },
});

const generated = (spec: RecordSourceSpec | undefined, seq: number) =>
  spec?.kind === 'generator' ? spec.generate(seq, { runId: 'r', plannedMs: 0 }) : undefined;

describe('Function: userSourceOf (not bundled)', () => {
  it('reads one record a line, blank lines skipped, or a .json array, relative to the project', () => {
    // Prepare
    writeFileSync(join(dir, 'clicks.jsonl'), '{"log": "Record 0"}\n\n{"log": "Record 1"}\n');
    writeFileSync(join(dir, 'clicks.json'), '[{"log": "a"}, "b,c"]');

    // Act
    const lines = userSourceOf(withSample('sample', 'clicks.jsonl'), dir);
    const array = userSourceOf(withSample('sample', 'clicks.json'), dir);

    // Assess
    expect(lines).toEqual({
      kind: 'sample',
      name: 'clicks.jsonl',
      records: ['{"log": "Record 0"}', '{"log": "Record 1"}'],
    });
    expect(array).toEqual({ kind: 'sample', name: 'clicks.json', records: [{ log: 'a' }, 'b,c'] });
  });

  it('takes a generator module: module.exports, a default export or a generate export', () => {
    // Prepare
    writeFileSync(join(dir, 'a.js'), 'module.exports = (seq) => ({ log: "A " + seq });');
    writeFileSync(join(dir, 'b.js'), 'exports.default = (seq, c) => c.runId + "," + seq;');
    writeFileSync(join(dir, 'c.js'), 'exports.generate = (seq) => ({ n: seq });');
    writeFileSync(join(dir, 'd.js'), 'exports.records = [];');

    // Assess
    expect(generated(userSourceOf(withSample('generator', 'a.js'), dir), 3)).toEqual({ log: 'A 3' });
    expect(generated(userSourceOf(withSample('generator', 'b.js'), dir), 4)).toBe('r,4');
    expect(generated(userSourceOf(withSample('generator', 'c.js'), dir), 5)).toEqual({ n: 5 });
    expect(() => userSourceOf(withSample('generator', 'd.js'), dir)).toThrow(
      'loadTest.sample: d.js exports no function (export default (seq, { runId, plannedMs }) => record)',
    );
  });

  it('gives nothing when the file names no sample: records come from the input schema', () => {
    // Assess
    expect(userSourceOf(definitionFor(arn('Input'), []), dir)).toBeUndefined();
  });
});

describe('Function: userSourceOf (bundled)', () => {
  it('uses the records and the module compiled into the bundle, with no file left at run time', async () => {
    // Prepare: bundle as serverless-esbuild does with the resolver's define, then remove the user's files
    writeFileSync(join(dir, 'gen.js'), 'module.exports = (seq) => ({ log: "Gen " + seq });');
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, `export { userSourceOf } from ${JSON.stringify(join(ROOT, 'src/load-test/user-source'))};\n`);
    const bundle = async (define: Record<string, string>, name: string) => {
      const outfile = join(dir, name);
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        outfile,
        define,
        logLevel: 'silent',
      });
      return outfile;
    };
    const sampleBundle = await bundle({ [LOAD_TEST_SAMPLE_GLOBAL]: defineValue(['{"log": "bundled $1"}']) }, 's.js');
    const generatorBundle = await bundle({ [LOAD_TEST_GENERATOR_GLOBAL]: defineValue(join(dir, 'gen.js')) }, 'g.js');
    rmSync(join(dir, 'gen.js'));
    const load = (file: string) => (require(file) as { userSourceOf: typeof userSourceOf }).userSourceOf;

    // Act
    const sample = load(sampleBundle)(withSample('sample', 'gone.jsonl'), dir);
    const generator = load(generatorBundle)(withSample('generator', 'gen.js'), dir);

    // Assess
    expect(sample).toEqual({ kind: 'sample', name: 'gone.jsonl', records: ['{"log": "bundled $1"}'] });
    expect(generated(generator, 7)).toEqual({ log: 'Gen 7' });
  }, 30_000);
});
