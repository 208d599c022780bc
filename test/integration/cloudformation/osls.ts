/**
 * The Serverless Framework as a user runs it against the twin, for the integration tests that deploy with it: a
 * copy of the project holding the package the other integration tests share, and `osls <command>` run in it.
 *
 * The bundles hold the paths of their sources relative to where they were built (source maps), so the copy sits as
 * deep under the repository as the shared package's directory (.fanout/package/dev): functions whose sources did
 * not change get the same bytes, as they would in the user's one project directory.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePackaged, stageProject } from '../../../local/package';
import { ROOT } from '../twin/project';

const run = promisify(execFile);

/** Where the copy holds the shared package (the framework reads a package given with --package from a directory not named .serverless, copying it in). */
export const SHARED_PACKAGE = 'package-dev';

/** A copy of the project under `<repo>/.fanout/osls/`, with the shared package in it as SHARED_PACKAGE. */
export async function frameworkProject(): Promise<string> {
  const { templatePath } = await ensurePackaged({ projectDir: ROOT });
  mkdirSync(join(ROOT, '.fanout', 'osls'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.fanout', 'osls', 'run-'));
  stageProject(ROOT, dir);
  cpSync(dirname(templatePath), join(dir, SHARED_PACKAGE), { recursive: true });
  return dir;
}

/** `osls <args> --stage dev` in `dir` against the twin at `endpoint`; its stdout and stderr. */
export async function osls(dir: string, endpoint: string, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await run(
    process.execPath,
    [join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), ...args, '--stage', 'dev'],
    {
      cwd: dir,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'us-east-1',
        // the engine the shared package was made with (local/package.ts)
        FANOUT_ENGINE: process.env['FANOUT_ENGINE'] || 'kinesis-analytics',
        // the framework polls stack events every 5 s by default
        SLS_AWS_MONITORING_FREQUENCY: '200',
        SLS_TELEMETRY_DISABLED: '1',
        FORCE_COLOR: '0',
      },
    },
  );
  return `${stdout}${stderr}`;
}
