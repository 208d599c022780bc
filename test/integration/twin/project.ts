/**
 * The project as the integration tests deploy it: packaged with `osls package` (the cache `npm start` shares), or a
 * copy of it with changes (another SQL), packaged in a directory of its own so the repository is never touched.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ensurePackaged, stageProject } from '../../../local/package';

/** The project under test: this repository, or another checkout named by FANOUT_TEST_ROOT. */
export const ROOT = process.env['FANOUT_TEST_ROOT'] ?? resolve(__dirname, '..', '..', '..');

/** Packages the repository (cached) and returns the template path. */
export async function packagedProject(): Promise<string> {
  return (await ensurePackaged({ projectDir: ROOT })).templatePath;
}

/**
 * A packaged copy of the project with `files` replaced (paths relative to the project). The copy links the
 * repository's node_modules. Returns its directory and template path; `remove()` deletes it.
 */
export async function packagedCopy(
  files: Record<string, string>,
): Promise<{ dir: string; templatePath: string; remove: () => void }> {
  const { dir, remove } = projectCopy(files);
  const { templatePath } = await ensurePackaged({ projectDir: dir });
  return { dir, templatePath, remove };
}

/** A copy of the project with `files` replaced, not packaged (for commands run in it). */
export function projectCopy(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fanout-copy-'));
  stageProject(ROOT, dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
