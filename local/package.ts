/**
 * `osls package`, only when something it reads changed: serverless.yml and its resolver, the fan-out file in use
 * (and the SQL it names), statemachines/, handlers/, src/, sql/ and package-lock.json are hashed, with the stage,
 * the params and the engine, and the hash is kept beside the packaged template. Packaging needs no AWS account, but
 * the framework wants credentials to exist: the child process gets dummy ones.
 *
 * Each stage is packaged in a directory of its own, `.fanout/package/<stage>/`: a copy of the inputs (node_modules
 * linked) where `osls package` runs, so the template lands in `.fanout/package/<stage>/.serverless/`. The project's
 * own `.serverless/` stays the framework's (`osls package` deletes it first, `osls deploy` replaces it): neither
 * tramples the other, and stages do not replace each other's package.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { unzipSync } from 'fflate';
import { lock as takeLock } from 'proper-lockfile';
import { configFileOf, configInputs } from '../src/fanout-config/load';

/** What packaging depends on, relative to the project. */
export const PACKAGE_INPUTS = [
  'serverless.yml',
  'serverless.resolver.js',
  'serverless.one-build.js',
  'fanout.yml',
  'statemachines',
  'handlers',
  'src',
  'sql',
  'package-lock.json',
];

/** Besides the inputs, what the packager reads from the project (esbuild's settings, the package's). */
const STAGED_FILES = ['package.json', 'tsconfig.json'];

/** The packaged template, relative to the directory `osls package` runs in. */
export const TEMPLATE_FILE = join('.serverless', 'cloudformation-template-update-stack.json');
const HASH_FILE = join('.serverless', '.fanout-package-hash');

/** Stage names as the framework accepts them (they name a directory here, and the stack). */
const STAGE = /^[a-zA-Z0-9-]+$/;

/** Where the package of `stage` is made and kept: `<project>/.fanout/package/<stage>`. */
export function packageDir(projectDir: string, stage = 'dev'): string {
  if (!STAGE.test(stage)) throw new PackageError(`Invalid stage "${stage}": letters, digits and hyphens only`, '');
  return join(projectDir, '.fanout', 'package', stage);
}

/** Raised when `osls package` fails; carries the tail of its output. */
export class PackageError extends Error {
  constructor(
    message: string,
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PackageError';
  }
}

export interface PackageOptions {
  projectDir: string;
  stage?: string;
  /** The framework's params (`osls package --param name=value`), e.g. `{ teardownSchedule: 'rate(1 minute)' }`. */
  params?: Readonly<Record<string, string>>;
  /** The fan-out file (`--config`); default FANOUT_CONFIG, else fanout.yml. */
  config?: string;
  /** Package even when nothing changed. */
  force?: boolean;
  /** Receives the packager's output lines as they come. */
  onLine?: (line: string) => void;
  /**
   * Called once the packager runs (a child process, seconds of it): work the caller can do meanwhile, such as
   * loading the twin's modules. Not called when the cached package is used.
   */
  onPackagerStarted?: () => void;
}

export interface PackageResult {
  templatePath: string;
  /** false when the cached package was reused. */
  packaged: boolean;
  hash: string;
  durationMs: number;
}

/** Hash of every file packaging reads (paths and contents), the stage, params and engine, in a stable order. */
export function hashInputs(
  projectDir: string,
  stage = 'dev',
  config = configFileOf(projectDir),
  params: Readonly<Record<string, string>> = {},
): string {
  const h = createHash('sha256').update(`stage=${stage}\nengine=${twinEngine()}\nconfig=${config}\n`);
  for (const name of Object.keys(params).sort()) h.update(`param=${JSON.stringify([name, params[name]])}\n`);
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort())
        if (name !== 'node_modules' && !name.startsWith('.')) walk(join(path, name));
      return;
    }
    h.update(`${relative(projectDir, path)}\n`);
    h.update(readFileSync(path));
  };
  for (const input of PACKAGE_INPUTS) walk(join(projectDir, input));
  for (const input of configInputs(config)) walk(input);
  return h.digest('hex');
}

/**
 * Packages the service unless the last package was made from the same inputs. Callers in this project (CLI, tests,
 * benchmarks) take turns through a lock, since two packagers in one tree spoil each other's artifacts.
 */
export async function ensurePackaged(opts: PackageOptions): Promise<PackageResult> {
  return withLock(join(opts.projectDir, '.fanout', 'package.lock'), () => packageUnlocked(opts), opts.onLine);
}

/**
 * How long a lock stands without its holder touching it (proper-lockfile refreshes its time every quarter of
 * this): a packager that was killed, or a run whose output pipe closed, loses its lock within seconds instead of
 * leaving the next run waiting, silent, for minutes.
 */
export const LOCK_STALE_MS = 10_000;

/** Runs `fn` holding the lock directory `lock`; while another process holds it, says so once and waits. */
async function withLock<T>(lock: string, fn: () => Promise<T>, onWait?: (line: string) => void): Promise<T> {
  mkdirSync(dirname(lock), { recursive: true });
  let release: () => Promise<void>;
  for (let told = false; ; ) {
    try {
      release = await takeLock(lock, {
        lockfilePath: lock,
        realpath: false,
        stale: LOCK_STALE_MS,
        update: LOCK_STALE_MS / 4,
        // the lock was removed or its time changed under us: the artifacts are checked after packaging anyway
        onCompromised: (error) => onWait?.(`the package lock was taken from this run: ${error.message}`),
      });
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'ELOCKED') throw error;
      if (!told) onWait?.(`waiting for another packager of this project to finish (${lock})`);
      told = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

async function packageUnlocked(opts: PackageOptions): Promise<PackageResult> {
  const started = Date.now();
  const stage = opts.stage ?? 'dev';
  const params = opts.params ?? {};
  const config = configFileOf(opts.projectDir, opts.config);
  const hash = hashInputs(opts.projectDir, stage, config, params);
  const dir = packageDir(opts.projectDir, stage);
  const templatePath = join(dir, TEMPLATE_FILE);
  const hashPath = join(dir, HASH_FILE);
  const cached =
    existsSync(templatePath) &&
    existsSync(hashPath) &&
    readFileSync(hashPath, 'utf8').trim() === hash &&
    artifactProblems(templatePath).length === 0;
  if (cached && !opts.force) return { templatePath, packaged: false, hash, durationMs: Date.now() - started };
  stageProject(opts.projectDir, dir);
  await runPackager(opts.projectDir, dir, { stage, params, config }, opts.onLine, opts.onPackagerStarted);
  if (!existsSync(templatePath)) throw new PackageError(`osls package wrote no ${TEMPLATE_FILE}`, '');
  const problems = artifactProblems(templatePath);
  if (problems.length > 0)
    throw new PackageError(
      `osls package produced incomplete artifacts (was another osls package running in ${dir}?):\n  ${problems.join('\n  ')}`,
      '',
    );
  writeFileSync(hashPath, `${hash}\n`);
  return { templatePath, packaged: true, hash, durationMs: Date.now() - started };
}

/**
 * Copies what packaging reads from `projectDir` into `dir` (what was there from the last package is replaced;
 * inputs the project no longer has are removed) and links the project's node_modules.
 */
export function stageProject(projectDir: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const input of [...PACKAGE_INPUTS, ...STAGED_FILES]) {
    const from = join(projectDir, input);
    const to = join(dir, input);
    rmSync(to, { recursive: true, force: true });
    if (!existsSync(from)) continue;
    if (statSync(from).isDirectory()) cpSync(from, to, { recursive: true });
    else copyFileSync(from, to);
  }
  const modules = join(dir, 'node_modules');
  // a link left by a project that moved points nowhere: made again
  if (lstatSync(modules, { throwIfNoEntry: false })) rmSync(modules, { force: true });
  symlinkSync(join(projectDir, 'node_modules'), modules, 'dir');
}

/**
 * The engine param the twin packages with (serverless.yml: `engine: ${env:FANOUT_ENGINE, 'lambda'}`): AWS stages
 * default to lambda, the twin to kinesis-analytics unless FANOUT_ENGINE says otherwise.
 */
function twinEngine(): string {
  return process.env['FANOUT_ENGINE'] || 'kinesis-analytics';
}

/**
 * What is wrong with the artifacts the template names: each function's zip must exist beside the template and hold
 * its handler's file. Reads only the zips' directories.
 */
export function artifactProblems(templatePath: string): string[] {
  const problems: string[] = [];
  let template: { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> };
  try {
    template = JSON.parse(readFileSync(templatePath, 'utf8'));
  } catch (error) {
    return [`cannot read ${templatePath}: ${(error as Error).message}`];
  }
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const key = (r.Properties?.['Code'] as { S3Key?: unknown } | undefined)?.S3Key;
    const handler = r.Properties?.['Handler'];
    if (typeof key !== 'string' || typeof handler !== 'string') continue;
    const zip = join(dirname(templatePath), basename(key));
    if (!existsSync(zip)) {
      problems.push(`${id}: ${zip} is missing`);
      continue;
    }
    const names: string[] = [];
    try {
      unzipSync(readFileSync(zip), {
        filter: (file) => {
          names.push(file.name);
          return false;
        },
      });
    } catch (error) {
      problems.push(`${id}: ${zip} is not a zip (${(error as Error).message})`);
      continue;
    }
    const file = handler.slice(0, handler.lastIndexOf('.'));
    if (!names.some((n) => n === `${file}.js` || n === `${file}.cjs` || n === `${file}.mjs`))
      problems.push(`${id}: ${zip} does not hold ${file}.js (it holds ${names.length} files)`);
  }
  return problems;
}

function runPackager(
  projectDir: string,
  dir: string,
  opts: { stage: string; params: Readonly<Record<string, string>>; config: string },
  onLine?: (line: string) => void,
  onStarted?: () => void,
): Promise<void> {
  const bin = join(projectDir, 'node_modules', 'osls', 'bin', 'serverless.js');
  if (!existsSync(bin)) throw new PackageError(`osls is not installed in ${projectDir}: run npm ci`, '');
  const params = Object.entries(opts.params).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'package', '--stage', opts.stage, ...params], {
      cwd: dir,
      env: {
        ...process.env,
        // packaging talks to no AWS endpoint, but the framework insists on credentials being present
        AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'] ?? 'test',
        AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'test',
        AWS_REGION: process.env['AWS_REGION'] ?? 'us-east-1',
        FANOUT_ENGINE: twinEngine(),
        FANOUT_CONFIG: opts.config,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        SLS_DEPRECATION_DISABLE: '*',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let partial = '';
    const take = (chunk: Buffer): void => {
      const text = chunk.toString('utf8');
      output = (output + text).slice(-8000);
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine?.(line.trim());
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) =>
      reject(new PackageError(`Cannot run osls: ${error.message}`, output, { cause: error })),
    );
    // the child runs on its own from here: its output waits in the pipe while the caller works
    onStarted?.();
    child.on('close', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new PackageError(
            `osls package failed (exit ${code}):\n${output.trim().split('\n').slice(-25).join('\n')}`,
            output,
          ),
        );
    });
  });
}
