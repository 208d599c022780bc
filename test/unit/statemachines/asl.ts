/**
 * Loads a state machine of statemachines/ the way serverless.yml does: `${param:x}` from the default params of
 * serverless.yml, and `Fn::GetAtt: [function, Arn]` as a Lambda ARN. Also maps each Task state to its function,
 * so tests can stub functions rather than states.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadFanoutFile } from '../../../src/fanout-config/load';
import { type Pieces, piecesOf } from '../../../src/fanout-config/template/resolver';

const root = join(__dirname, '..', '..', '..');

export const FUNCTION_ARN_PREFIX = 'arn:aws:lambda:us-east-1:123456789012:function:';

/** serverless.yml's `provider.timeout`: the seconds of a function whose row in the functions table names none. */
export function providerTimeout(): number {
  const service = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { merge: true }) as {
    provider: { timeout: number };
  };
  return service.provider.timeout;
}

/**
 * The default params of serverless.yml, with `${env:NAME, 'fallback'}` resolved against `env` as the framework
 * resolves it (an empty environment by default: what a deploy from a clean shell gets).
 */
export function defaultParams(env: Record<string, string | undefined> = {}): Record<string, unknown> {
  const service = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { merge: true }) as {
    params: { default: Record<string, unknown> };
  };
  const resolved: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(service.params.default)) {
    // `${file(./serverless.resolver.js):loadTest.x}`: the load test's defaults from the default fanout.yml
    const fromFile =
      typeof value === 'string' ? /^\$\{file\(\.\/serverless\.resolver\.js\):loadTest\.(\w+)\}$/.exec(value) : null;
    resolved[name] = fromFile
      ? loadTestDefaults()[fromFile[1] as keyof Pieces['loadTest']]
      : typeof value === 'string'
        ? value.replace(
            /\$\{env:(\w+),\s*'([^']*)'\}/g,
            (_, variable: string, fallback: string) => env[variable] ?? fallback,
          )
        : value;
  }
  return resolved;
}

/** The resolver's `loadTest` piece for the project's fanout.yml. */
function loadTestDefaults(): Pieces['loadTest'] {
  const { definition } = loadFanoutFile('fanout.yml', { projectDir: root });
  return piecesOf(definition, { service: 'kinesis-fanout', stage: 'dev', applicationPrefix: 'kinesis-fanout-dev' })
    .loadTest;
}

export interface LoadedStateMachine {
  definition: Record<string, unknown>;
  /** Task state name -> function key of serverless.yml. */
  taskFunctions: Record<string, string>;
}

/**
 * A YAML file of the service with `${param:x}` replaced, and every value that is exactly `${file(path)}` replaced by
 * that file (path from the service root), as the framework resolves them.
 */
function loadYaml(path: string, params: Record<string, unknown>): unknown {
  const text = readFileSync(join(root, path), 'utf8').replace(/\$\{param:(\w+)\}/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`${path} uses \${param:${name}}, which serverless.yml does not define`);
    return String(params[name]);
  });
  const include = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const file = /^\$\{file\(([^)]+)\)\}$/.exec(value);
      return file ? loadYaml(file[1]!, params) : value;
    }
    if (Array.isArray(value)) return value.map(include);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, include(v)]));
  };
  return include(parse(text, { merge: true }));
}

export function loadStateMachine(file: string, params = defaultParams()): LoadedStateMachine {
  const taskFunctions: Record<string, string> = {};
  const resolve = (value: unknown, stateName?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => resolve(v));
    if (typeof value !== 'object' || value === null) return value;
    const object = value as Record<string, unknown>;
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'Arn') {
      if (stateName) taskFunctions[stateName] = String(getAtt[0]);
      return `${FUNCTION_ARN_PREFIX}${getAtt[0]}`;
    }
    const states = object['States'];
    const result: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(object)) {
      if (key === 'States' && states && typeof states === 'object') {
        result[key] = Object.fromEntries(
          Object.entries(states as Record<string, Record<string, unknown>>).map(([name, state]) => [
            name,
            Object.fromEntries(
              Object.entries(state).map(([k, v]) => [k, k === 'Resource' ? resolve(v, name) : resolve(v)]),
            ),
          ]),
        );
      } else {
        result[key] = resolve(child);
      }
    }
    return result;
  };
  return {
    definition: resolve(loadYaml(join('statemachines', file), params)) as Record<string, unknown>,
    taskFunctions,
  };
}
