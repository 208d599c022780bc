/**
 * Reading `fanout.yml` (or the file `--config` / `FANOUT_CONFIG` names): YAML, then the zod schema, then the rules
 * across fields. The first problem becomes one FanoutConfigError naming the file, the line and the field. Used by
 * the packager (serverless.resolver.js) and the CLI, never by a function: functions get the result bundled.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { EngineName } from '../config';
import { type Checked, check, FieldError } from './checks';
import { FanoutConfigError, type FieldPath } from './errors';
import { readSample } from './sample';
import { fanoutFileSchema } from './schema';

/** The file used when none is named. */
export const DEFAULT_CONFIG_FILE = 'fanout.yml';

export interface LoadOptions {
  /** The project the paths are relative to (default: the current directory). */
  readonly projectDir?: string;
  /** The stage's default engine, whose limits apply (default kinesis-analytics, the stricter). */
  readonly engine?: EngineName;
}

/**
 * The fan-out file in use: the one named, else `FANOUT_CONFIG`, else `fanout.yml`, relative to the project.
 *
 * @param projectDir - the project directory
 * @param named - a `--config` value
 * @param env - the environment (for FANOUT_CONFIG)
 */
export function configFileOf(
  projectDir: string,
  named?: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const file = named || env['FANOUT_CONFIG'] || DEFAULT_CONFIG_FILE;
  return isAbsolute(file) ? file : resolve(projectDir, file);
}

/** Where a field is in the document, 1-based, when the YAML has it. */
function locate(root: Node | null, path: FieldPath, lines: LineCounter): { line: number; column: number } | undefined {
  let node: Node | null | undefined = root;
  let offset = node?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === part);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part] as Node | undefined;
      offset = node?.range?.[0] ?? offset;
    } else break;
  }
  if (offset === undefined) return undefined;
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}

function describe(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return text && text.length <= 80 ? `, got ${text}` : '';
}

/** zod's first issue as a path and a reason a person reads. */
function firstIssue(error: z.ZodError, data: unknown): { path: FieldPath; reason: string } {
  // A misspelt key explains the "required" that comes with it: unknown keys first.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    return { path: [...path, issue.keys[0]!], reason: 'unknown key' };
  }
  let value: unknown = data;
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part];
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more)` : '';
  if (issue.code === 'invalid_type' && value === undefined) return { path, reason: `required${more}` };
  // Rules about a combination of keys say all there is to say; a value that breaks a rule is shown.
  const shown = issue.code === 'custom' && issue.params?.['combination'] ? '' : describe(value);
  return { path, reason: `${issue.message}${shown}${more}` };
}

/**
 * Validates the text of a fan-out file.
 *
 * @param text - the YAML
 * @param file - its path, absolute or relative to the project (for messages and for `sql:`)
 * @param options - project directory and engine
 * @throws FanoutConfigError naming the file, line and field of the first problem
 */
export function parseFanout(text: string, file: string, options: LoadOptions = {}): Checked {
  const projectDir = options.projectDir ?? process.cwd();
  const absolute = isAbsolute(file) ? file : resolve(projectDir, file);
  const shown = relative(projectDir, absolute) || absolute;
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const at = yamlError.linePos?.[0];
    throw new FanoutConfigError(`not valid YAML: ${yamlError.message.split('\n')[0]}`, {
      file: shown,
      ...(at ? { line: at.line, column: at.col } : {}),
    });
  }
  const data: unknown = doc.toJS();
  const fail = (path: FieldPath, reason: string): never => {
    throw new FanoutConfigError(reason, { file: shown, path, ...locate(doc.contents, path, lines) });
  };
  if (data === null || data === undefined) fail([], 'the file is empty: it needs input and outputs');
  const parsed = fanoutFileSchema.safeParse(data);
  if (!parsed.success) {
    const { path, reason } = firstIssue(parsed.error, data);
    return fail(path, reason);
  }
  const dir = dirname(absolute);
  try {
    return check(parsed.data, {
      file: shown,
      engine: options.engine ?? 'kinesis-analytics',
      readSql: (path) => {
        const sqlFile = isAbsolute(path) ? path : join(dir, path);
        if (!existsSync(sqlFile)) return undefined;
        return { text: readFileSync(sqlFile, 'utf8'), projectPath: relative(projectDir, sqlFile) || sqlFile };
      },
      readSample: (path) => {
        const absolute = isAbsolute(path) ? path : join(dir, path);
        return { ...readSample(absolute, path), projectPath: relative(projectDir, absolute) || absolute, absolute };
      },
    });
  } catch (error) {
    if (error instanceof FieldError) return fail(error.path, error.reason);
    throw error;
  }
}

/**
 * Reads and validates a fan-out file.
 *
 * @param file - absolute, or relative to the project
 * @throws FanoutConfigError when the file is missing or breaks a rule
 */
export function loadFanoutFile(file: string, options: LoadOptions = {}): Checked {
  const projectDir = options.projectDir ?? process.cwd();
  const absolute = isAbsolute(file) ? file : resolve(projectDir, file);
  if (!existsSync(absolute)) {
    throw new FanoutConfigError('the fan-out file does not exist (write one with npx fanout init)', {
      file: relative(projectDir, absolute) || absolute,
    });
  }
  return parseFanout(readFileSync(absolute, 'utf8'), absolute, options);
}

/**
 * The files a package depends on through the fan-out file: the file itself, the SQL and the load-test sample it
 * names (a generator's own imports are not followed: change the module itself, or package with --force). Hashed by the
 * packaging cache, so a change to any of them repackages.
 */
export function configInputs(file: string): string[] {
  if (!existsSync(file)) return [file];
  const inputs = [file];
  try {
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const sql = doc.get('sql');
    if (typeof sql === 'string') inputs.push(isAbsolute(sql) ? sql : join(dirname(file), sql));
    const sample = doc.getIn(['loadTest', 'sample']);
    if (typeof sample === 'string') inputs.push(isAbsolute(sample) ? sample : join(dirname(file), sample));
  } catch {
    // an unreadable file is refused by the loader; hashing it alone is enough here
  }
  return inputs;
}
