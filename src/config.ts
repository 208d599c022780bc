/**
 * Service configuration: the fan-out the function was packaged with (src/fanout-config/deployed.ts) and its
 * environment (set per function by the resolver on AWS, and by the twin from the packaged template), turned into a
 * typed, validated object. The other readers of the environment, each for its own variables and each taking it as a
 * parameter (`process.env` by default): the lambda engine's settings (src/engines/lambda.ts, `FANOUT_FUNCTION_NAME`
 * ...), the fan-out processor's application (src/fanout/environment.ts, `FANOUT_APPLICATION_NAME`, `FANOUT_SCHEMA`,
 * `FANOUT_ERROR_DESTINATION`), the CLI's fan-out file (src/fanout-config/load.ts, `FANOUT_CONFIG`), the
 * handlers' Powertools names and region (handlers/runtime.ts, handlers/fanout.ts), and src/aws.ts, which asks only
 * whether `AWS_ENDPOINT_URL` is set (S3 by path on an endpoint of its own; the SDK reads the variable itself).
 */

import { isStreamArn, parseFunctionArn, streamNameOf } from './arn';
import { type FanoutDefinition, outputArnOf, streamArnOf } from './fanout-config/definition';
import { bundledDefinition, DEFINITION_VARIABLE, isDefinition } from './fanout-config/deployed';

/** The engines that can make a fan-out application real (see src/engines). */
export const ENGINE_NAMES = ['kinesis-analytics', 'lambda'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];

/** One output of the fan-out: the in-application stream of the SQL that feeds one output Kinesis stream. */
export interface OutputBinding {
  /** In-application stream name as written in sql/fanout.sql, e.g. `POSITIVE_TRANSACTIONS`. */
  readonly sqlStream: string;
  /** ARN of what receives its rows: a Kinesis stream, a Firehose delivery stream or a Lambda function. */
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
  /** The KPL preprocessor function the kinesis-analytics engine attaches (input.kplAggregated only). */
  readonly kplPreprocessorArn?: string;
  readonly loadTest: LoadTestDefaults;
  /**
   * The fan-out file, validated at package time: the SQL (or a copy fan-out, see `applicationSqlOf`), the output
   * prefix, and where each stream comes from. `inputStreamArn` and `outputs` are its streams' ARNs.
   */
  readonly fanout: FanoutDefinition;
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
/** `arn:PARTITION:kinesis:REGION:ACCOUNT:stream/`: the ARNs of the streams the stack creates start with it. */
const STREAM_ARN_PREFIX = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/$/;

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

/**
 * The fan-out this function was packaged with: bundled into its code, or, for code that is not bundled (tests, a
 * handler run by hand), the JSON in FANOUT_DEFINITION.
 */
export function deployedDefinition(env: Env = process.env): FanoutDefinition {
  const bundled = bundledDefinition();
  if (bundled) return bundled;
  const raw = env[DEFINITION_VARIABLE];
  if (!raw) {
    throw new ConfigError(
      `No fan-out definition: osls package bundles it into every function; unbundled code reads ${DEFINITION_VARIABLE}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`${DEFINITION_VARIABLE} must be JSON`, { cause: error });
  }
  if (!isDefinition(parsed)) throw new ConfigError(`${DEFINITION_VARIABLE} is not a fan-out definition`);
  return parsed;
}

/** The ARNs of the fan-out's streams: existing ones as given, created ones from the stack's prefix and their name. */
function streamArns(env: Env, definition: FanoutDefinition): Pick<FanoutConfig, 'inputStreamArn' | 'outputs'> {
  // what the stack creates (streams, delivery streams, functions of the service) is known by name: its ARN is built
  const created =
    definition.input.created ||
    definition.outputs.some((o) =>
      o.kind === 'kinesis' ? o.stream.created : o.kind === 'firehose' ? o.deliveryStream.created : o.function.ofService,
    );
  const prefix = created
    ? matching(env, 'FANOUT_STREAM_ARN_PREFIX', STREAM_ARN_PREFIX, 'arn:PARTITION:kinesis:REGION:ACCOUNT:stream/')
    : '';
  const functions = definition.outputs.some((o) => o.kind === 'function' && o.function.ofService)
    ? required(env, 'FANOUT_FUNCTION_PREFIX')
    : '';
  return {
    inputStreamArn: streamArnOf(definition.input, prefix),
    outputs: definition.outputs.map((o) => ({ sqlStream: o.sqlStream, streamArn: outputArnOf(o, prefix, functions) })),
  };
}

/**
 * Validates the environment and returns the typed configuration.
 *
 * @param env - the environment to read, `process.env` by default
 * @param fanout - the fan-out definition; the one bundled with the function by default
 * @throws ConfigError naming the first variable that is missing or malformed
 */
export function loadConfig(env: Env = process.env, fanout: FanoutDefinition = deployedDefinition(env)): FanoutConfig {
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
    ...streamArns(env, fanout),
    analyticsRoleArn: matching(env, 'ANALYTICS_ROLE_ARN', ROLE_ARN, 'an IAM role ARN'),
    ...(fanout.kplAggregated
      ? {
          kplPreprocessorArn: matching(
            env,
            'KPL_PREPROCESSOR_ARN',
            (value) => parseFunctionArn(value)?.qualifier === undefined && parseFunctionArn(value) !== undefined,
            'an unqualified Lambda function ARN',
          ),
        }
      : {}),
    loadTest: {
      records: positiveInteger(env, 'LOAD_TEST_RECORDS', 500),
      rate: positiveInteger(env, 'LOAD_TEST_RATE', 1000),
      timeoutSeconds: positiveInteger(env, 'LOAD_TEST_TIMEOUT_SECONDS', 60),
    },
    fanout,
  };
}

/** Parses an engine name coming from an execution input, falling back to the configured engine. */
export function engineNameOf(value: unknown, fallback: EngineName): EngineName {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && (ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName;
  throw new ConfigError(`engine must be one of ${ENGINE_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
}
