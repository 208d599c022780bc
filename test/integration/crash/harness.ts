/**
 * What the SIGKILL tests share: a data directory, a directory for unpacked function code under the project (bundles
 * resolve the AWS SDK from its node_modules), the child twin of the moment and the SDK clients to close. Created
 * before the file's tests and removed, with the child killed, after them.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from '../kinesis/crash';
import { ROOT } from '../twin/project';

export interface CrashRun {
  dataDir: string;
  codeDir: string;
  child: Child | undefined;
  readonly clients: { destroy(): void }[];
}

/** Registers the file's beforeAll/afterAll; `prefix` names the temporary directories. */
export function crashRun(prefix: string): CrashRun {
  const run: CrashRun = { dataDir: '', codeDir: '', child: undefined, clients: [] };
  beforeAll(() => {
    run.dataDir = mkdtempSync(join(tmpdir(), prefix));
    mkdirSync(join(ROOT, '.fanout', 'osls'), { recursive: true });
    run.codeDir = mkdtempSync(join(ROOT, '.fanout', 'osls', prefix));
  });
  afterAll(async () => {
    for (const c of run.clients) c.destroy();
    await run.child?.kill();
    rmSync(run.dataDir, { recursive: true, force: true });
    rmSync(run.codeDir, { recursive: true, force: true });
  });
  return run;
}
