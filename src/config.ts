/**
 * Service configuration: the environment of a function (set by serverless.yml on AWS, and by the twin from the
 * packaged template) turned into a typed, validated object. Nothing else in src/ or handlers/ reads process.env.
 */

import { isStreamArn, streamNameOf } from './arn';

/** The engines that can make a fan-out application real (see src/engines). */
export const ENGINE_NAMES = ['kinesis-analytics', 'lambda'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** One output of the fan-out: the in-application stream of the SQL that feeds one output Kinesis stream. */
export interface OutputBinding {
  /** In-application stream name as written in sql/fanout.sql, e.g. `POSITIVE_TRANSACTIONS`. */
  readonly sqlStream: string;
  /** ARN of the Kinesis stream that receives its rows. */
  readonly streamArn: string;
}

export interface LoadTestDefaults {
  readonly records: number;
  readonly rate: number;
  readonly timeoutSeconds: number;
}

export interface FanoutConfig {
  readonly stage: string;
  readonly region: string;
  readonly engine: EngineName;
  /** Every application of the stage is named `${applicationPrefix}-<n>`; teardown deletes by this prefix. */
  readonly applicationPrefix: string;
  readonly inputStreamArn: string;
  readonly outputs: readonly OutputBinding[];
  /** Role the Kinesis Analytics service assumes to read the input and write the outputs. */
  readonly analyticsRoleArn: string;
  readonly loadTest: LoadTestDefaults;
}

/** The environment is missing a variable or holds a value that cannot be used. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
// Kinesis Analytics application names allow 1-128 of [a-zA-Z0-9_.-]; leave room for the `-<n>` suffix.
const APPLICATION_PREFIX = /^[a-zA-Z0-9_.-]{1,120}$/;
const SQL_STREAM = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

type Env = Record<string, string | undefined>;

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`Environment variable ${name} is not set`);
  return value;
}

function matching(env: Env, name: string, pattern: RegExp | ((value: string) => boolean), what: string): string {
  const value = required(env, name);
  const ok = typeof pattern === 'function' ? pattern(value) : pattern.test(value);
  if (!ok) throw new ConfigError(`${name} must be ${what}, got ${JSON.stringify(value)}`);
  return value;
}

function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return value;
}

// ARNs have one home, src/arn.ts; these two stay exported here for the modules that import them from config.
export { isStreamArn, streamNameOf };

function parseOutputs(raw: string): OutputBinding[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`OUTPUTS must be JSON, got ${JSON.stringify(raw)}`, { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError('OUTPUTS must be a non-empty JSON array of {"sqlStream","streamArn"}');
  }
  const outputs = parsed.map((item: unknown, index): OutputBinding => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const sqlStream = entry['sqlStream'];
    const streamArn = entry['streamArn'];
    if (typeof sqlStream !== 'string' || !SQL_STREAM.test(sqlStream)) {
      throw new ConfigError(
        `OUTPUTS[${index}].sqlStream must be an in-application stream name, got ${JSON.stringify(sqlStream)}`,
      );
    }
    if (!isStreamArn(streamArn)) {
      throw new ConfigError(
        `OUTPUTS[${index}].streamArn must be a Kinesis stream ARN, got ${JSON.stringify(streamArn)}`,
      );
    }
    return { sqlStream, streamArn };
  });
  const seen = new Set<string>();
  for (const { sqlStream } of outputs) {
    // In-application stream names are case-insensitive unless quoted; the SQL quotes them, the API compares upper case.
    const key = sqlStream.toUpperCase();
    if (seen.has(key)) throw new ConfigError(`OUTPUTS names the in-application stream ${sqlStream} twice`);
    seen.add(key);
  }
  return outputs;
}

/**
 * Validates the environment and returns the typed configuration.
 *
 * @param env - the environment to read, `process.env` by default
 * @throws ConfigError naming the first variable that is missing or malformed
 */
export function loadConfig(env: Env = process.env): FanoutConfig {
  const engine = env['ENGINE']?.trim() || 'kinesis-analytics';
  if (!(ENGINE_NAMES as readonly string[]).includes(engine)) {
    throw new ConfigError(`ENGINE must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(engine)}`);
  }
  const region = env['AWS_REGION']?.trim() || env['AWS_DEFAULT_REGION']?.trim();
  if (!region) throw new ConfigError('Environment variable AWS_REGION is not set');
  return {
    stage: required(env, 'STAGE'),
    region,
    engine: engine as EngineName,
    applicationPrefix: matching(env, 'APPLICATION_PREFIX', APPLICATION_PREFIX, '1-120 characters of [a-zA-Z0-9_.-]'),
    inputStreamArn: matching(env, 'INPUT_STREAM_ARN', isStreamArn, 'a Kinesis stream ARN'),
    outputs: parseOutputs(required(env, 'OUTPUTS')),
    analyticsRoleArn: matching(env, 'ANALYTICS_ROLE_ARN', ROLE_ARN, 'an IAM role ARN'),
    loadTest: {
      records: positiveInteger(env, 'LOAD_TEST_RECORDS', 500),
      rate: positiveInteger(env, 'LOAD_TEST_RATE', 1000),
      timeoutSeconds: positiveInteger(env, 'LOAD_TEST_TIMEOUT_SECONDS', 60),
    },
  };
}

/** Parses an engine name coming from an execution input, falling back to the configured engine. */
export function engineNameOf(value: unknown, fallback: EngineName): EngineName {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && (ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName;
  throw new ConfigError(`engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
}
