import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { ensurePackaged, hashInputs, LOCK_STALE_MS, PackageError, packageDir } from '../../../../local/package';

/**
 * A stand-in for `osls package` with what matters here: it deletes `.serverless` in its working directory first,
 * as the framework does, then writes a template and a zip there, and notes how it was called.
 */
const FAKE_OSLS = `
const fs = require('node:fs');
fs.rmSync('.serverless', { recursive: true, force: true });
fs.mkdirSync('.serverless');
fs.copyFileSync(${JSON.stringify('__ZIP__')}, '.serverless/fn.zip');
fs.writeFileSync('.serverless/cloudformation-template-update-stack.json', JSON.stringify({ Resources: { Fn: {
  Type: 'AWS::Lambda::Function',
  Properties: { Handler: 'handlers/fn.handler', Code: { S3Bucket: 'b', S3Key: 'serverless/s/x/fn.zip' } } } } }));
fs.appendFileSync(${JSON.stringify('__CALLS__')}, JSON.stringify({ cwd: process.cwd(), argv: process.argv.slice(2),
  config: process.env.FANOUT_CONFIG, sources: fs.readdirSync('.').sort() }) + '\\n');
`;

describe('Function: ensurePackaged (a package directory per stage)', () => {
  // each package runs a node child process: seconds apiece on a loaded machine, over jest's 5 s default
  jest.setTimeout(60_000);
  let dir: string;
  let calls: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'package-dir-'));
    calls = join(dir, 'calls.jsonl');
    const bin = join(dir, 'node_modules', 'osls', 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'fn.zip'), zipSync({ 'handlers/fn.js': strToU8('exports.handler = 1') }));
    writeFileSync(
      join(bin, 'serverless.js'),
      FAKE_OSLS.replace('__ZIP__', join(bin, 'fn.zip')).replace('__CALLS__', calls),
    );
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(dir, 'serverless.yml'), 'service: s\n');
    writeFileSync(join(dir, 'package.json'), '{"name":"s"}\n');
    // what the framework's own osls package or deploy left in the project
    mkdirSync(join(dir, '.serverless'));
    writeFileSync(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), '{"framework": true}');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const called = (): { cwd: string; argv: string[]; config: string; sources: string[] }[] =>
    existsSync(calls)
      ? readFileSync(calls, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
      : [];

  it("packages a copy of the inputs in .fanout/package/<stage>, leaving the project's .serverless alone", async () => {
    // Act
    const first = await ensurePackaged({
      projectDir: dir,
      stage: 'local',
      params: { teardownSchedule: 'rate(1 minute)' },
    });

    // Assess
    expect(first.packaged).toBe(true);
    expect(first.templatePath).toBe(
      join(dir, '.fanout', 'package', 'local', '.serverless', 'cloudformation-template-update-stack.json'),
    );
    expect(readFileSync(join(dir, '.serverless', 'cloudformation-template-update-stack.json'), 'utf8')).toBe(
      '{"framework": true}',
    );
    const [call] = called();
    expect(call!.cwd).toBe(packageDir(dir, 'local'));
    expect(call!.argv).toEqual(['package', '--stage', 'local', '--param', 'teardownSchedule=rate(1 minute)']);
    expect(call!.config).toBe(join(dir, 'fanout.yml'));
    expect(call!.sources).toEqual(expect.arrayContaining(['node_modules', 'package.json', 'serverless.yml', 'src']));
    expect(lstatSync(join(packageDir(dir, 'local'), 'node_modules')).isSymbolicLink()).toBe(true);
  });

  it('says when the packager runs, while it runs, so the caller can work meanwhile; not for a cached package', async () => {
    // Prepare: what the caller sees of the packager when it is told
    const seen: boolean[] = [];
    const onPackagerStarted = () => seen.push(existsSync(calls));

    // Act
    await ensurePackaged({ projectDir: dir, stage: 'local', onPackagerStarted });
    await ensurePackaged({ projectDir: dir, stage: 'local', onPackagerStarted });

    // Assess: told once, before the packager had got as far as writing anything
    expect(seen).toEqual([false]);
  });

  it('reuses a package whatever the framework does to .serverless, and packages again for other params or stages', async () => {
    // Prepare
    await ensurePackaged({ projectDir: dir, stage: 'local' });

    // Act
    rmSync(join(dir, '.serverless'), { recursive: true, force: true }); // what `osls package` in the project does
    const again = await ensurePackaged({ projectDir: dir, stage: 'local' });
    const otherParams = await ensurePackaged({ projectDir: dir, stage: 'local', params: { shardCount: '2' } });
    const dev = await ensurePackaged({ projectDir: dir });
    const localAgain = await ensurePackaged({ projectDir: dir, stage: 'local', params: { shardCount: '2' } });

    // Assess
    expect(again.packaged).toBe(false);
    expect(otherParams.packaged).toBe(true);
    expect(dev.packaged).toBe(true);
    expect(dev.templatePath).toContain(join('.fanout', 'package', 'dev'));
    expect(localAgain.packaged).toBe(false);
    expect(called()).toHaveLength(3);
  });

  it('copies the inputs afresh: a file removed from the project is gone from the next package', async () => {
    // Prepare
    writeFileSync(join(dir, 'src', 'old.ts'), 'export const old = 1;\n');
    await ensurePackaged({ projectDir: dir });

    // Act
    rmSync(join(dir, 'src', 'old.ts'));
    await ensurePackaged({ projectDir: dir });

    // Assess
    expect(existsSync(join(packageDir(dir), 'src', 'old.ts'))).toBe(false);
    expect(existsSync(join(packageDir(dir), 'src', 'a.ts'))).toBe(true);
  });

  it('makes a second packager of the project wait for the first, saying so once, then reuse its package', async () => {
    // Prepare
    const lines: string[] = [];
    const onLine = (line: string) => lines.push(line);

    // Act
    const [a, b] = await Promise.all([
      ensurePackaged({ projectDir: dir, onLine }),
      ensurePackaged({ projectDir: dir, onLine }),
    ]);

    // Assess
    expect([a.packaged, b.packaged].sort()).toEqual([false, true]);
    expect(called()).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('waiting for another packager'))).toHaveLength(1);
    expect(existsSync(join(dir, '.fanout', 'package.lock'))).toBe(false);
  });

  it('takes over the lock of a packager that died holding it, without waiting for it', async () => {
    // Prepare: the lock directory a packager killed mid-package left, untouched since (the old lock waited 5 minutes)
    const lock = join(dir, '.fanout', 'package.lock');
    mkdirSync(lock, { recursive: true });
    const then = new Date(Date.now() - LOCK_STALE_MS - 5_000);
    utimesSync(lock, then, then);
    const lines: string[] = [];

    // Act
    const result = await ensurePackaged({ projectDir: dir, onLine: (line) => lines.push(line) });

    // Assess
    expect(result.packaged).toBe(true);
    expect(lines.filter((l) => l.startsWith('waiting'))).toEqual([]);
    expect(existsSync(lock)).toBe(false);
  });

  it('refuses a stage that is not a name (it names a directory)', async () => {
    // Act
    const error = await ensurePackaged({ projectDir: dir, stage: '../../x' }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(PackageError);
    expect((error as Error).message).toContain('Invalid stage "../../x"');
  });

  it('hashes params by name and value, in any order', () => {
    // Assess
    expect(hashInputs(dir, 'dev', undefined, { a: '1', b: '2' })).toBe(
      hashInputs(dir, 'dev', undefined, { b: '2', a: '1' }),
    );
    expect(hashInputs(dir, 'dev', undefined, { a: '1' })).not.toBe(hashInputs(dir, 'dev', undefined, { a: '2' }));
    expect(hashInputs(dir, 'dev', undefined, {})).toBe(hashInputs(dir));
  });
});
