import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { ArtifactError, unpackZip, unpackZipAsync } from '../../../../local/lambda/code';

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

/**
 * A one-file zip whose headers say its file holds `by` bytes fewer than it does (the local header's and the central
 * directory's uncompressed size both).
 */
function lyingAboutSize(by: number): Uint8Array {
  const bytes = zipSync({ 'big.js': strToU8('x'.repeat(10_000)) }, { level: 6 });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 4 <= bytes.length; at++) {
    const signature = view.getUint32(at, true);
    const field = signature === 0x04034b50 ? at + 22 : signature === 0x02014b50 ? at + 24 : -1;
    if (field >= 0) view.setUint32(field, view.getUint32(field, true) - by, true);
  }
  return bytes;
}

type Unpack = (bytes: Uint8Array, cacheRoot: string, zipPath?: string) => Promise<string>;

describe.each<[string, Unpack]>([
  ['unpackZip (on the main thread)', async (bytes, root, zipPath) => unpackZip(bytes, root, zipPath)],
  ['unpackZipAsync (inflated by zlib off the main thread)', unpackZipAsync],
])('Module: lambda/code, %s: function artifacts unpacked once per content hash', (_name, unpack) => {
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

  it('unpacks every file of the zip into one directory named by its bytes, once', async () => {
    // Act
    const dir = await unpack(bundle, cache, 'fanout.zip');
    const again = await unpack(bundle, cache, 'fanout.zip');
    const other = await unpack(zipSync({ 'index.js': strToU8('module.exports = 3;\n') }), cache, 'other.zip');

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
  ])('refuses %s with an ArtifactError naming the artifact, leaving nothing behind', async (_, bytes) => {
    // Act
    let failed: unknown;
    try {
      await unpack(bytes, cache, 'bad.zip');
    } catch (error) {
      failed = error;
    }

    // Assess
    expect(failed).toBeInstanceOf(ArtifactError);
    expect((failed as Error).message).toContain('bad.zip');
    expect(readdirSync(cache)).toEqual([]);
  });

  it('gives back any tree of files it was given', async () => {
    const name = fc.stringMatching(/^[a-z0-9_-]{1,8}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.array(name, { minLength: 1, maxLength: 3 }).map((parts) => `${parts.join('/')}.js`),
          fc.string({ maxLength: 300 }),
          { minKeys: 1, maxKeys: 8 },
        ),
        // a file's name ends in .js and a directory's never does, so no path is also another's directory
        async (files) => {
          const bytes = zipSync(Object.fromEntries(Object.entries(files).map(([p, text]) => [p, strToU8(text)])));
          const dir = await unpack(bytes, cache);
          const { '.complete': _, ...got } = tree(dir);
          expect(got).toEqual(files);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Module: lambda/code, unpackZipAsync', () => {
  let cache: string;

  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'lambda-code-'));
  });

  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  it('leaves one directory and no staging when the same bytes are asked for twice at once', async () => {
    // Arrange
    const bytes = zipSync({ 'index.js': strToU8('module.exports = 4;\n') });

    // Act
    const [a, b] = await Promise.all([unpackZipAsync(bytes, cache), unpackZipAsync(bytes, cache)]);

    // Assess: one directory, no staging left
    expect(a).toBe(b);
    expect(readdirSync(cache)).toEqual([relative(cache, a)]);
  });

  it.each([
    ['more', 1],
    ['fewer', -1],
  ])('refuses a file that inflates to %s bytes than its zip says, leaving nothing behind', async (_, by) => {
    // Act
    const failed = await unpackZipAsync(lyingAboutSize(by), cache, 'lying.zip').catch((error: unknown) => error);

    // Assess
    expect(failed).toBeInstanceOf(ArtifactError);
    expect((failed as Error).message).toContain('lying.zip');
    expect(readdirSync(cache)).toEqual([]);
  });
});
