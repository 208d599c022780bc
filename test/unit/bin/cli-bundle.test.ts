/**
 * The CLI's bundle (bin/cli-bundle.cjs) in a project of its own: what runs is what the sources say, each module sees
 * its own directory, a change to any source builds it again, TypeScript required at run time still loads, a source
 * that does not compile is reported as tsx reports it, and the bundles of deleted clones are removed.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '..', '..', '..');
const LAUNCHER = join(ROOT, 'bin', 'cli-bundle.cjs');
const { upToDate } = require(LAUNCHER) as {
  upToDate(root: string, cacheDir: string, name: string): string | undefined;
};

let project: string;
let cacheDir: string;

/** Runs `entry.ts` of the project through the launcher, as bin/fanout.cjs runs bin/fanout.ts. */
async function launch(env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `require(${JSON.stringify(LAUNCHER)}).run(${JSON.stringify(project)}, 'entry.ts', { cacheDir: ${JSON.stringify(cacheDir)}, name: 'cli' })`;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: project,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout: string; stderr: string };
    return { code: e.code ?? 1, stdout: e.stdout, stderr: e.stderr };
  }
}

function write(file: string, text: string): void {
  mkdirSync(join(project, file, '..'), { recursive: true });
  writeFileSync(join(project, file), text);
}

beforeEach(() => {
  project = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
  cacheDir = join(project, 'cache');
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
  write('package.json', '{"private": true}\n');
  write('tsconfig.json', '{}\n');
  write('lib/where.ts', 'export const where: string = __dirname;\nexport const file: string = __filename;\n');
  write(
    'entry.ts',
    [
      "import { where, file } from './lib/where';",
      "import { greeting } from './lib/greeting';",
      "console.log(greeting + ' from ' + where + ' ' + file + ' entry ' + __dirname);",
      'const generator = process.env.GENERATOR;',
      "if (generator) console.log('generated ' + (require(generator) as { default: (n: number) => number }).default(2));",
      "if (process.env.FAIL) throw new Error('failed on purpose');",
      '',
    ].join('\n'),
  );
  write('lib/greeting.ts', "export const greeting: string = 'hello';\n");
});

afterEach(() => {
  rmSync(project, { recursive: true, force: true });
});

it('runs the sources as they are, each module with its own directory, and builds again when one changes', async () => {
  expect(upToDate(project, cacheDir, 'cli')).toBeUndefined();
  const first = await launch();
  expect(first.stderr).toBe('');
  expect(first.stdout.trim()).toBe(
    `hello from ${join(project, 'lib')} ${join(project, 'lib', 'where.ts')} entry ${project}`,
  );
  const bundle = upToDate(project, cacheDir, 'cli');
  expect(bundle).toBe(join(cacheDir, 'cli.cjs'));

  // an edit of the same size, within the same second: the time alone tells
  write('lib/greeting.ts', "export const greeting: string = 'howdy';\n");
  const later = new Date(Date.now() + 2000);
  utimesSync(join(project, 'lib', 'greeting.ts'), later, later);
  expect(upToDate(project, cacheDir, 'cli')).toBeUndefined();
  expect((await launch()).stdout).toMatch(/^howdy from /);
  expect(upToDate(project, cacheDir, 'cli')).toBe(bundle);

  // the settings esbuild reads are inputs too
  write('tsconfig.json', '{ "compilerOptions": {} }\n');
  expect(upToDate(project, cacheDir, 'cli')).toBeUndefined();
});

it('hands TypeScript required at run time to tsx, and maps errors to the sources', async () => {
  write('gen.ts', 'export default (n: number): number => n * 21;\n');
  const out = await launch({ GENERATOR: join(project, 'gen.ts'), FAIL: '1' });
  expect(out.stdout).toMatch(/^generated 42$/m);
  expect(out.code).not.toBe(0);
  expect(out.stderr).toContain('failed on purpose');
  expect(out.stderr).toContain(`${join(project, 'entry.ts')}:6:`);
});

it('runs under tsx when the sources do not bundle, which reports the error', async () => {
  write('lib/greeting.ts', 'export const greeting: string = ;\n');
  const out = await launch();
  expect(out.code).not.toBe(0);
  expect(out.stderr).toContain('greeting.ts');
  expect(existsSync(join(cacheDir, 'cli.cjs'))).toBe(false);
});

it('removes the bundles of project directories that are gone when it builds', async () => {
  mkdirSync(cacheDir, { recursive: true });
  const gone = join(project, 'deleted-clone');
  writeFileSync(join(cacheDir, 'cli-old.inputs.json'), JSON.stringify({ root: gone, signature: '', inputs: [] }));
  writeFileSync(join(cacheDir, 'cli-old.cjs'), '');
  writeFileSync(join(cacheDir, 'cli-kept.inputs.json'), JSON.stringify({ root: project, signature: '', inputs: [] }));
  await launch();
  expect(readdirSync(cacheDir).sort()).toEqual(['cli-kept.inputs.json', 'cli.cjs', 'cli.cjs.map', 'cli.inputs.json']);
  expect(JSON.parse(readFileSync(join(cacheDir, 'cli.inputs.json'), 'utf8')).root).toBe(project);
});
