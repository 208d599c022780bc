/**
 * The fan-out application the function runs: the SQL, the input schema, the outputs (named streams and stream-name
 * prefixes) and where error-stream rows go. It comes with the deployment (the fan-out compiled into the function's
 * code, src/fanout-config/deployed.ts; settings in its environment from the template), plus the two things only the
 * lifecycle knows, which the lambda engine puts in the environment of the function version it publishes for the
 * application: its name (`FANOUT_APPLICATION_NAME`) and the discovered schema (`FANOUT_SCHEMA`). The function reads
 * it once per cold start. See docs/architecture.md, "The lambda engine".
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { isStreamArn } from '../arn';
import { loadConfig, type OutputBinding } from '../config';
import { applicationSqlOf } from '../fanout-config/application-sql';
import type { SourceSchema } from '../streaming-sql';

/** The variable of a published version that names its application. */
export const APPLICATION_NAME_VARIABLE = 'FANOUT_APPLICATION_NAME';
/** The variable of a published version that holds the discovered schema (JSON, or gzip+base64 when large). */
export const SCHEMA_VARIABLE = 'FANOUT_SCHEMA';
/** The prefix of a compressed schema: JSON never starts with it. */
const GZIP = 'gz:';
/** Past this, the schema goes compressed: the 4 KB of the environment are shared with the deployment's variables. */
const PLAIN_SCHEMA_BYTES = 1024;

/** Lambda allows 4 KB for all environment variables of a function together (keys and values). */
export const ENVIRONMENT_LIMIT_BYTES = 4096;

/** Every Kinesis stream whose name starts with `streamNamePrefix` receives a copy of `sqlStream`'s rows. */
export interface OutputPrefix {
  readonly sqlStream: string;
  readonly streamNamePrefix: string;
}

/** Where the rows of the in-application error stream go: the function's log, or a Kinesis stream. */
export type ErrorDestination = { readonly type: 'log' } | { readonly type: 'stream'; readonly streamArn: string };

export interface FanoutApplication {
  /** The application name (`${APPLICATION_PREFIX}-1`). */
  readonly name: string;
  /** The stream the application reads; never an output, even when a prefix matches it. */
  readonly inputStreamArn: string;
  readonly sql: string;
  readonly schema: SourceSchema;
  readonly outputs: readonly OutputBinding[];
  readonly outputPrefixes: readonly OutputPrefix[];
  readonly errorDestination: ErrorDestination;
}

/** The application in the environment is missing or malformed. */
export class ApplicationConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApplicationConfigError';
  }
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApplicationConfigError(`${what} must be a JSON object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ApplicationConfigError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Parses an error destination: `log` or a Kinesis stream ARN.
 *
 * @param value - the configured destination; absent means the log
 */
export function parseErrorDestination(value: string | undefined): ErrorDestination {
  const trimmed = value?.trim();
  if (!trimmed || trimmed === 'log') return { type: 'log' };
  if (isStreamArn(trimmed)) return { type: 'stream', streamArn: trimmed };
  throw new ApplicationConfigError(
    `The error destination must be "log" or a Kinesis stream ARN, got ${JSON.stringify(trimmed)}`,
  );
}

/** The schema as the lambda engine stores it in a version's environment: compact JSON, gzip+base64 when large. */
export function encodeSchema(schema: SourceSchema): string {
  const json = JSON.stringify(schema);
  if (Buffer.byteLength(json) <= PLAIN_SCHEMA_BYTES) return json;
  return GZIP + gzipSync(json, { level: 9 }).toString('base64');
}

/**
 * Reads a schema stored by `encodeSchema`.
 *
 * @throws ApplicationConfigError when it is missing or malformed
 */
export function decodeSchema(value: string | undefined): SourceSchema {
  if (!value?.trim()) {
    throw new ApplicationConfigError(
      `${SCHEMA_VARIABLE} is not set: this function version carries no application. The lambda engine publishes a ` +
        'version for each application and maps the input stream to it: run the lifecycle (CreateApplication) first',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      value.startsWith(GZIP) ? gunzipSync(Buffer.from(value.slice(GZIP.length), 'base64')).toString() : value,
    );
  } catch (error) {
    throw new ApplicationConfigError(`${SCHEMA_VARIABLE} is not a stored schema`, { cause: error });
  }
  const schema = record(parsed, SCHEMA_VARIABLE) as unknown as SourceSchema;
  const format = schema.RecordFormat?.RecordFormatType;
  if (
    (format !== 'JSON' && format !== 'CSV') ||
    !Array.isArray(schema.RecordColumns) ||
    schema.RecordColumns.length === 0
  ) {
    throw new ApplicationConfigError(
      `${SCHEMA_VARIABLE} must be a SourceSchema with a JSON or CSV record format and columns`,
    );
  }
  return schema;
}

/**
 * The application of this function version, from its environment and the bundled SQL.
 *
 * @param env - the function's environment
 * @param sql - the application code; by default the fan-out's compiled into the code (`applicationSqlOf`)
 * @throws ApplicationConfigError (or ConfigError) naming what is missing or malformed
 */
export function applicationFromEnvironment(env: Record<string, string | undefined>, sql?: string): FanoutApplication {
  const schema = decodeSchema(env[SCHEMA_VARIABLE]);
  const name = text(env[APPLICATION_NAME_VARIABLE], APPLICATION_NAME_VARIABLE);
  const config = loadConfig(env);
  return {
    name,
    inputStreamArn: config.inputStreamArn,
    // the fan-out compiled into the code: its SQL file, or the copy application for the discovered columns
    sql: sql ?? applicationSqlOf(config.fanout, schema.RecordColumns),
    schema,
    outputs: config.outputs,
    // fanout.yml's outputPrefix, compiled into the code with the rest of the fan-out
    outputPrefixes: config.fanout.outputPrefix
      ? [{ sqlStream: config.fanout.outputPrefix.sqlStream, streamNamePrefix: config.fanout.outputPrefix.prefix }]
      : [],
    errorDestination: parseErrorDestination(env['FANOUT_ERROR_DESTINATION']),
  };
}

/** Bytes Lambda counts for an environment: every key and value, UTF-8. */
export function environmentSize(variables: Record<string, string>): number {
  let size = 0;
  for (const [key, value] of Object.entries(variables)) size += Buffer.byteLength(key) + Buffer.byteLength(value);
  return size;
}
