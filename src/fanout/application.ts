/**
 * The fan-out application as the lambda engine stores it: the SQL, the input schema, the outputs (named streams and
 * stream-name prefixes) and where error-stream rows go. The engine writes it into the fan-out function's
 * environment (`FANOUT_APPLICATION`); the function reads it once per cold start. See docs/architecture.md.
 */
import { isStreamArn } from '../arn';
import type { OutputBinding } from '../config';
import type { SourceSchema } from '../streaming-sql';

/** The environment variable of the fan-out function that holds the application, as JSON. */
export const APPLICATION_VARIABLE = 'FANOUT_APPLICATION';

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

const STREAM_NAME_PREFIX = /^[a-zA-Z0-9_.-]{1,128}$/;
const SQL_STREAM = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

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

/**
 * Parses output prefixes, JSON `[{"sqlStream": "...", "streamNamePrefix": "..."}]`.
 *
 * @param value - the JSON text; absent or empty means none
 */
export function parseOutputPrefixes(value: string | undefined): OutputPrefix[] {
  const trimmed = value?.trim();
  if (!trimmed) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new ApplicationConfigError(`Output prefixes must be JSON, got ${JSON.stringify(trimmed)}`, { cause: error });
  }
  if (!Array.isArray(parsed)) {
    throw new ApplicationConfigError('Output prefixes must be a JSON array of {"sqlStream","streamNamePrefix"}');
  }
  return parsed.map((item, index) => outputPrefix(item, `outputPrefixes[${index}]`));
}

function outputPrefix(item: unknown, what: string): OutputPrefix {
  const entry = record(item, what);
  const sqlStream = text(entry['sqlStream'], `${what}.sqlStream`);
  const streamNamePrefix = text(entry['streamNamePrefix'], `${what}.streamNamePrefix`);
  if (!SQL_STREAM.test(sqlStream)) {
    throw new ApplicationConfigError(`${what}.sqlStream must be an in-application stream name, got "${sqlStream}"`);
  }
  if (!STREAM_NAME_PREFIX.test(streamNamePrefix)) {
    throw new ApplicationConfigError(
      `${what}.streamNamePrefix must be 1-128 characters of [a-zA-Z0-9_.-], got "${streamNamePrefix}"`,
    );
  }
  return { sqlStream, streamNamePrefix };
}

/** The JSON text the engine stores; the keys stay in one order so equal applications give equal text. */
export function encodeApplication(application: FanoutApplication): string {
  return JSON.stringify({
    name: application.name,
    inputStreamArn: application.inputStreamArn,
    sql: application.sql,
    schema: application.schema,
    outputs: application.outputs.map((o) => ({ sqlStream: o.sqlStream, streamArn: o.streamArn })),
    outputPrefixes: application.outputPrefixes.map((p) => ({
      sqlStream: p.sqlStream,
      streamNamePrefix: p.streamNamePrefix,
    })),
    errorDestination: application.errorDestination,
  });
}

/**
 * Parses and validates the application stored by the engine.
 *
 * @param value - the value of `FANOUT_APPLICATION`
 * @throws ApplicationConfigError saying what is missing or malformed
 */
export function decodeApplication(value: string | undefined): FanoutApplication {
  if (!value?.trim()) {
    throw new ApplicationConfigError(
      `${APPLICATION_VARIABLE} is not set: no application is configured on this function; ` +
        'run the lifecycle (CreateApplication) with the lambda engine first',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new ApplicationConfigError(`${APPLICATION_VARIABLE} is not JSON`, { cause: error });
  }
  const entry = record(parsed, APPLICATION_VARIABLE);
  const schema = record(entry['schema'], 'schema') as unknown as SourceSchema;
  const format = schema.RecordFormat?.RecordFormatType;
  if ((format !== 'JSON' && format !== 'CSV') || !Array.isArray(schema.RecordColumns)) {
    throw new ApplicationConfigError('schema must be a SourceSchema with a JSON or CSV record format and columns');
  }
  const outputs = entry['outputs'];
  if (!Array.isArray(outputs)) throw new ApplicationConfigError('outputs must be an array');
  const prefixes = entry['outputPrefixes'] ?? [];
  if (!Array.isArray(prefixes)) throw new ApplicationConfigError('outputPrefixes must be an array');
  const destination = record(entry['errorDestination'] ?? { type: 'log' }, 'errorDestination');
  const inputStreamArn = entry['inputStreamArn'];
  if (!isStreamArn(inputStreamArn)) throw new ApplicationConfigError('inputStreamArn must be a Kinesis stream ARN');
  return {
    name: text(entry['name'], 'name'),
    inputStreamArn,
    sql: text(entry['sql'], 'sql'),
    schema,
    outputs: outputs.map((item: unknown, index): OutputBinding => {
      const output = record(item, `outputs[${index}]`);
      const sqlStream = text(output['sqlStream'], `outputs[${index}].sqlStream`);
      const streamArn = output['streamArn'];
      if (!isStreamArn(streamArn)) {
        throw new ApplicationConfigError(`outputs[${index}].streamArn must be a Kinesis stream ARN`);
      }
      return { sqlStream, streamArn };
    }),
    outputPrefixes: prefixes.map((item: unknown, index) => outputPrefix(item, `outputPrefixes[${index}]`)),
    errorDestination:
      destination['type'] === 'stream' ? parseErrorDestination(String(destination['streamArn'])) : { type: 'log' },
  };
}

/** Bytes Lambda counts for an environment: every key and value, UTF-8. */
export function environmentSize(variables: Record<string, string>): number {
  let size = 0;
  for (const [key, value] of Object.entries(variables)) size += Buffer.byteLength(key) + Buffer.byteLength(value);
  return size;
}
