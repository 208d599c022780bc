/**
 * `osls package`, only when something it reads changed: serverless.yml, statemachines/, handlers/, src/, sql/ and
 * package-lock.json are hashed, and the hash is kept beside the packaged template. Packaging needs no AWS account,
 * but the framework wants credentials to exist: the child process gets dummy ones.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What packaging depends on, relative to the project. */
export const PACKAGE_INPUTS = ['serverless.yml', 'statemachines', 'handlers', 'src', 'sql', 'package-lock.json'];

export const TEMPLATE_FILE = join('.serverless', 'cloudformation-template-update-stack.json');
const HASH_FILE = join('.serverless', '.fanout-package-hash');

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
  /** Package even when nothing changed. */
  force?: boolean;
  /** Receives the packager's output lines as they come. */
  onLine?: (line: string) => void;
}

export interface PackageResult {
  templatePath: string;
  /** false when the cached package was reused. */
  packaged: boolean;
  hash: string;
  durationMs: number;
}

/** Hash of every file packaging reads (paths and contents), in a stable order. */
export function hashInputs(projectDir: string, stage = 'dev'): string {
  const h = createHash('sha256').update(`stage=${stage}\nengine=${twinEngine()}\n`);
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
  return h.digest('hex');
}

/** Packages the service unless the last package was made from the same inputs. */
export async function ensurePackaged(opts: PackageOptions): Promise<PackageResult> {
  const started = Date.now();
  const stage = opts.stage ?? 'dev';
  const hash = hashInputs(opts.projectDir, stage);
  const templatePath = join(opts.projectDir, TEMPLATE_FILE);
  const hashPath = join(opts.projectDir, HASH_FILE);
  const cached = existsSync(templatePath) && existsSync(hashPath) && readFileSync(hashPath, 'utf8').trim() === hash;
  if (cached && !opts.force) return { templatePath, packaged: false, hash, durationMs: Date.now() - started };
  await runPackager(opts.projectDir, stage, opts.onLine);
  if (!existsSync(templatePath)) throw new PackageError(`osls package wrote no ${TEMPLATE_FILE}`, '');
  writeFileSync(hashPath, `${hash}\n`);
  return { templatePath, packaged: true, hash, durationMs: Date.now() - started };
}

/**
 * The engine param the twin packages with (serverless.yml: `engine: ${env:FANOUT_ENGINE, 'lambda'}`): AWS stages
 * default to lambda, the twin to kinesis-analytics unless FANOUT_ENGINE says otherwise.
 */
function twinEngine(): string {
  return process.env['FANOUT_ENGINE'] || 'kinesis-analytics';
}

function runPackager(projectDir: string, stage: string, onLine?: (line: string) => void): Promise<void> {
  const bin = join(projectDir, 'node_modules', 'osls', 'bin', 'serverless.js');
  if (!existsSync(bin)) throw new PackageError(`osls is not installed in ${projectDir}: run npm ci`, '');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'package', '--stage', stage], {
      cwd: projectDir,
      env: {
        ...process.env,
        // packaging talks to no AWS endpoint, but the framework insists on credentials being present
        AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'] ?? 'test',
        AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'test',
        AWS_REGION: process.env['AWS_REGION'] ?? 'us-east-1',
        FANOUT_ENGINE: twinEngine(),
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
