import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { ArtifactError, unpackZip } from '../../../../local/lambda/code';

/** Every file under `dir`, by its path relative to it, with its text. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = readFileSync(path, 'utf8');
  }
  return out;
}

describe('Module: lambda/code (function artifacts unpacked once per content hash)', () => {
  let cache: string;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'lambda-code-'));
  });

  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  const bundle = zipSync({
    'handlers/fanout.js': strToU8('exports.handler = async () => 1;\n'),
    'handlers/fanout.js.map': strToU8('{"version":3}'),
    'index.js': strToU8('module.exports = 2;\n'),
  });

  it('unpacks every file of the zip into one directory named by its bytes, once', () => {
    // Act
    const dir = unpackZip(bundle, cache, 'fanout.zip');
    const again = unpackZip(bundle, cache, 'fanout.zip');
    const other = unpackZip(zipSync({ 'index.js': strToU8('module.exports = 3;\n') }), cache, 'other.zip');

    // Assess
    expect(again).toBe(dir);
    expect(other).not.toBe(dir);
    expect(tree(dir)).toEqual({
      '.complete': 'fanout.zip',
      'handlers/fanout.js': 'exports.handler = async () => 1;\n',
      'handlers/fanout.js.map': '{"version":3}',
      'index.js': 'module.exports = 2;\n',
    });
    expect(readdirSync(cache).sort()).toEqual([relative(cache, dir), relative(cache, other)].sort());
  });

  it.each([
    ['an entry that climbs out of the directory', zipSync({ 'a.js': strToU8('y'), '../outside.js': strToU8('x') })],
    ['bytes that are no zip', strToU8('not a zip at all, but long enough to look for its end record in')],
  ])('refuses %s with an ArtifactError naming the artifact, leaving nothing behind', (_, bytes) => {
    // Act
    let failed: unknown;
    try {
      unpackZip(bytes, cache, 'bad.zip');
    } catch (error) {
      failed = error;
    }

    // Assess
    expect(failed).toBeInstanceOf(ArtifactError);
    expect((failed as Error).message).toContain('bad.zip');
    expect(readdirSync(cache)).toEqual([]);
  });

  it('gives back any tree of files it was given', () => {
    const name = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => `${parts.join('/')}.js`),
          fc.string({ maxLength: 300 }),
          { minKeys: 1, maxKeys: 8 },
        ),
        // a file's name ends in .js and a directory's never does, so no path is also another's directory
        (files) => {
          const bytes = zipSync(Object.fromEntries(Object.entries(files).map(([p, text]) => [p, strToU8(text)])));
          const dir = unpackZip(bytes, cache);
          const { '.complete': _, ...got } = tree(dir);
          expect(got).toEqual(files);
        },
      ),
      { numRuns: 40 },
    );
  });
});
