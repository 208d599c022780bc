/**
 * From a file that has the right shape (schema.ts) to a fan-out that can be deployed (definition.ts): the rules that
 * look across fields, at the SQL and at the engine. Each failure names the field it is about.
 */
import { parseFunctionArn, streamNameOf } from '../arn';
import type { EngineName } from '../config';
import { parseDeliveryStreamArn } from '../destinations/arn';
import type { Statement } from '../streaming-sql/ast';
import { SqlCompileError } from '../streaming-sql/errors';
import { parse } from '../streaming-sql/parser';
import {
  type ApplicationSource,
  AWS_MANAGED_KINESIS_KEY,
  type Capacity,
  COPY_STREAM,
  DELIVERY_DEFAULTS,
  DESTINATION_HANDLER,
  type FanoutDefinition,
  type FirehoseOutput,
  type FunctionOutput,
  LOAD_TEST_DEFAULTS,
  type LoadTestDefinition,
  type OutputDefinition,
  type OutputPrefix,
  type StreamSource,
} from './definition';
import type { FieldPath } from './errors';
import { ENGINE_LIMITS, maxOutputs } from './limits';
import type { SampleRead } from './sample';
import type {
  FanoutFile,
  FirehoseOutputEntry,
  FunctionOutputEntry,
  InputEntry,
  KinesisOutputEntry,
  LoadTestEntry,
} from './schema';

/** A rule the file breaks, at a field; the loader turns it into a FanoutConfigError with the line. */
export class FieldError extends Error {
  constructor(
    readonly path: FieldPath,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'FieldError';
  }
}

export interface CheckContext {
  /** The file's path relative to the project, as the definition records it. */
  readonly file: string;
  /** The engine the stage runs by default: its limits apply. */
  readonly engine: EngineName;
  /** Reads the SQL file named by `sql:` (relative to the fan-out file); undefined when it does not exist. */
  readonly readSql: (path: string) => { text: string; projectPath: string } | undefined;
  /** Reads `loadTest.sample` (relative to the fan-out file); absent: a sample is refused. */
  readonly readSample?: (path: string) => SampleRead & { readonly projectPath: string; readonly absolute: string };
}

export interface Checked {
  readonly definition: FanoutDefinition;
  readonly warnings: string[];
  /** `loadTest.sample`'s records, or the generator module's absolute path: compiled into the load-test function. */
  readonly loadTestSource?:
    | { readonly kind: 'sample'; readonly records: readonly unknown[] }
    | { readonly kind: 'generator'; readonly module: string };
}

/**
 * The base of a stream's CloudFormation names: its name in PascalCase, letters and digits only
 * (`positive-transactions` -> `PositiveTransactions`).
 */
export function idOf(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function streamSource(entry: InputEntry | KinesisOutputEntry, defaultKey: string): StreamSource {
  if (entry.arn !== undefined) {
    const name = streamNameOf(entry.arn);
    return { created: false, name, arn: entry.arn, ...(entry.kmsKey ? { kmsKey: entry.kmsKey } : {}) };
  }
  const capacity: Capacity =
    entry.mode === 'ON_DEMAND' ? { mode: 'ON_DEMAND' } : { mode: 'PROVISIONED', shards: entry.shards ?? 1 };
  return { created: true, name: entry.stream!, capacity, kmsKey: entry.kmsKey ?? defaultKey };
}

/** Names the SQL creates, and the ones its pumps write. */
function sqlStreams(statements: Statement[]): { created: string[]; written: string[] } {
  const created: string[] = [];
  const written: string[] = [];
  for (const s of statements) {
    if (s.kind === 'create-stream') created.push(s.name);
    else if (!written.includes(s.target)) written.push(s.target);
  }
  return { created, written };
}

interface Application {
  readonly source: ApplicationSource;
  /** In-application streams the SQL creates, and the ones its pumps write (none for the copy application). */
  readonly created: readonly string[];
  readonly written: readonly string[];
}

function application(file: FanoutFile, ctx: CheckContext): Application {
  if (file.sql === undefined) return { source: { kind: 'copy' }, created: [], written: [] };
  const read = ctx.readSql(file.sql);
  if (!read) throw new FieldError(['sql'], `the SQL file ${file.sql} does not exist`);
  let statements: Statement[];
  try {
    statements = parse(read.text);
  } catch (error) {
    if (error instanceof SqlCompileError) throw new FieldError(['sql'], `${file.sql} ${error.message}`);
    throw error;
  }
  const { created, written } = sqlStreams(statements);
  if (created.length === 0) throw new FieldError(['sql'], `${file.sql} creates no in-application stream`);
  return { source: { kind: 'sql', path: read.projectPath, sql: read.text }, created, written };
}

function unknownSqlStream(name: string, created: readonly string[], sqlPath: string): string {
  const other = created.find((c) => c.toUpperCase() === name.toUpperCase());
  const hint = other ? `; did you mean ${other}? (unquoted names are upper case in the SQL)` : '';
  return `${sqlPath} creates no in-application stream ${name} (it creates ${created.join(', ')})${hint}`;
}

/**
 * Checks the parsed file and returns the definition, with warnings for what works but is likely a mistake.
 *
 * @throws FieldError naming the first field that breaks a rule
 */
export function check(file: FanoutFile, ctx: CheckContext): Checked {
  const warnings: string[] = [];
  const defaultKey = file.kmsKey ?? AWS_MANAGED_KINESIS_KEY;
  const { source, created, written } = application(file, ctx);

  if (file.outputs.length === 0 && file.outputPrefix === undefined) {
    throw new FieldError(['outputs'], 'at least one output is needed (or an outputPrefix)');
  }
  const limit = maxOutputs(ctx.engine);
  if (file.outputs.length > limit) {
    throw new FieldError(
      ['outputs'],
      `${file.outputs.length} outputs: the ${ctx.engine} engine takes at most ${limit} (${ENGINE_LIMITS[ctx.engine].source})`,
    );
  }

  const input = streamSource(file.input, defaultKey);
  const ids = new Map<string, string>([['Input', 'input']]);
  const names = new Map<string, string>();
  const remember = (stream: StreamSource, at: string, path: FieldPath): void => {
    const key = stream.created ? `name:${stream.name}` : `arn:${stream.arn}`;
    const seen = names.get(key);
    if (seen) {
      const what = stream.created ? `stream ${stream.name}` : `arn ${stream.arn}`;
      throw new FieldError(path, `${what} is already ${seen}; every stream may appear once`);
    }
    names.set(key, at);
  };
  remember(input, 'the input', ['input', file.input.arn !== undefined ? 'arn' : 'stream']);

  const sqlStreamOf = (entry: { sqlStream?: string | undefined }, index: number): string => {
    if (source.kind === 'copy') {
      if (entry.sqlStream !== undefined) {
        throw new FieldError(['outputs', index, 'sqlStream'], 'only with sql: without it every output is a plain copy');
      }
      return COPY_STREAM;
    }
    if (entry.sqlStream === undefined) {
      throw new FieldError(['outputs', index, 'sqlStream'], `required with sql: the in-application stream it receives`);
    }
    if (!created.includes(entry.sqlStream)) {
      throw new FieldError(['outputs', index, 'sqlStream'], unknownSqlStream(entry.sqlStream, created, source.path));
    }
    return entry.sqlStream;
  };
  const claimId = (id: string, name: string, path: FieldPath, resource: string): void => {
    const clash = ids.get(id);
    if (clash)
      throw new FieldError(path, `${name} and ${clash} give the same CloudFormation name ${id}${resource}; rename one`);
    ids.set(id, name);
  };
  const firehoseOutput = (entry: FirehoseOutputEntry, index: number): FirehoseOutput => {
    const path: FieldPath = ['outputs', index, 'firehose'];
    const existing = parseDeliveryStreamArn(entry.firehose);
    const name = existing ?? entry.firehose;
    const key = existing === undefined ? `firehose:${name}` : `firehose-arn:${entry.firehose}`;
    if (names.has(key))
      throw new FieldError(
        path,
        `delivery stream ${entry.firehose} is already ${names.get(key)}; every destination may appear once`,
      );
    names.set(key, `outputs[${index}]`);
    const id = `${idOf(name)}Firehose`;
    claimId(id, name, path, 'DeliveryStream');
    const deliveryStream: FirehoseOutput['deliveryStream'] =
      existing !== undefined
        ? { created: false, name, arn: entry.firehose, ...(entry.bucket ? { bucket: entry.bucket } : {}) }
        : {
            created: true,
            name,
            bucket: entry.bucket === undefined ? { created: true } : { created: false, name: entry.bucket },
            prefix: entry.prefix ?? '',
            bufferSeconds: entry.bufferSeconds ?? DELIVERY_DEFAULTS.bufferSeconds,
            bufferMiB: entry.bufferMiB ?? DELIVERY_DEFAULTS.bufferMiB,
            compression: entry.compression ?? DELIVERY_DEFAULTS.compression,
          };
    return { kind: 'firehose', index, id, deliveryStream, sqlStream: sqlStreamOf(entry, index) };
  };
  const functionOutput = (entry: FunctionOutputEntry, index: number): FunctionOutput => {
    const path: FieldPath = ['outputs', index, 'function'];
    const arn = parseFunctionArn(entry.function);
    const key = `function:${entry.function}`;
    if (names.has(key))
      throw new FieldError(
        path,
        `function ${entry.function} is already ${names.get(key)}; every destination may appear once`,
      );
    names.set(key, `outputs[${index}]`);
    const id = `${idOf(arn ? arn.functionName : entry.function)}Function`;
    claimId(id, entry.function, path, '');
    const fn: FunctionOutput['function'] = arn
      ? { ofService: false, arn: entry.function }
      : { ofService: true, key: entry.function, handler: entry.handler ?? DESTINATION_HANDLER };
    return { kind: 'function', index, id, function: fn, sqlStream: sqlStreamOf(entry, index) };
  };

  const outputs: OutputDefinition[] = file.outputs.map((entry, index): OutputDefinition => {
    if (entry.kind === 'firehose') return firehoseOutput(entry, index);
    if (entry.kind === 'function') return functionOutput(entry, index);
    const stream = streamSource(entry, defaultKey);
    const field = entry.arn !== undefined ? 'arn' : 'stream';
    remember(stream, `outputs[${index}]`, ['outputs', index, field]);
    const id = idOf(stream.name);
    const clash = ids.get(id);
    if (clash) {
      throw new FieldError(
        ['outputs', index, field],
        `${stream.name} and ${clash} give the same CloudFormation name ${id}Stream; rename one`,
      );
    }
    ids.set(id, stream.name);
    const sqlStream = sqlStreamOf(entry, index);
    return { kind: 'kinesis', index, id, stream, sqlStream, consumer: entry.consumer ?? false };
  });

  let outputPrefix: OutputPrefix | undefined;
  if (file.outputPrefix !== undefined) {
    const given = typeof file.outputPrefix === 'string' ? { prefix: file.outputPrefix } : file.outputPrefix;
    if (source.kind === 'copy') {
      if (given.sqlStream !== undefined) {
        throw new FieldError(['outputPrefix', 'sqlStream'], 'only with sql: without it the prefix gets a plain copy');
      }
      outputPrefix = { prefix: given.prefix, sqlStream: COPY_STREAM };
    } else {
      if (given.sqlStream === undefined) {
        throw new FieldError(['outputPrefix'], 'with sql, give { prefix, sqlStream }: which in-application stream');
      }
      if (!created.includes(given.sqlStream)) {
        throw new FieldError(['outputPrefix', 'sqlStream'], unknownSqlStream(given.sqlStream, created, source.path));
      }
      outputPrefix = { prefix: given.prefix, sqlStream: given.sqlStream };
    }
    if (input.name.startsWith(outputPrefix.prefix)) {
      throw new FieldError(['outputPrefix'], `the input stream ${input.name} starts with ${outputPrefix.prefix}`);
    }
    if (ctx.engine !== 'lambda') {
      warnings.push(
        `outputPrefix: only the lambda engine writes streams found by prefix; the stage's engine is ${ctx.engine}`,
      );
    }
  }

  if (source.kind === 'sql') {
    const received = new Set([...outputs.map((o) => o.sqlStream), ...(outputPrefix ? [outputPrefix.sqlStream] : [])]);
    for (const name of written) {
      if (!received.has(name)) {
        warnings.push(`sql: ${source.path} writes the in-application stream ${name}, which no output receives`);
      }
    }
  }

  const { loadTest, loadTestSource } = loadTestOf(file.loadTest ?? {}, input, ctx, warnings);
  const definition: FanoutDefinition = {
    file: ctx.file,
    input,
    application: source,
    outputs,
    ...(outputPrefix ? { outputPrefix } : {}),
    ...(file.input.kplAggregated ? { kplAggregated: true as const } : {}),
    loadTest,
  };
  return { definition, warnings, ...(loadTestSource ? { loadTestSource } : {}) };
}

/** `loadTest:` with its defaults: live for an input the user brings, the sample read. */
function loadTestOf(
  entry: LoadTestEntry,
  input: StreamSource,
  ctx: CheckContext,
  warnings: string[],
): Pick<Checked, 'loadTestSource'> & { loadTest: LoadTestDefinition } {
  const off = entry.off ?? false;
  if (off) {
    for (const key of ['records', 'mode', 'sample'] as const) {
      if (entry[key] !== undefined) throw new FieldError(['loadTest', key], 'the load test is off (off: true)');
    }
  }
  const mode = entry.mode ?? (input.created ? 'synthetic' : 'live');
  const loadTest = {
    off,
    records: off ? 0 : (entry.records ?? LOAD_TEST_DEFAULTS.records),
    rate: entry.rate ?? LOAD_TEST_DEFAULTS.rate,
    timeoutSeconds: entry.timeoutSeconds ?? LOAD_TEST_DEFAULTS.timeoutSeconds,
    mode,
    liveSeconds: entry.liveSeconds ?? LOAD_TEST_DEFAULTS.liveSeconds,
    keysPerShard: entry.keysPerShard ?? LOAD_TEST_DEFAULTS.keysPerShard,
  };
  if (mode === 'synthetic' && !input.created && entry.mode !== undefined) {
    warnings.push(
      `loadTest.mode: synthetic puts test records into your stream ${input.name} and every output receives them`,
    );
  }
  if (mode === 'live' && entry.keysPerShard !== undefined) {
    warnings.push('loadTest.keysPerShard: live mode watches the traffic flowing and puts no records; it is unused');
  }
  if (entry.sample === undefined) return { loadTest };
  const read = ctx.readSample?.(entry.sample);
  if (!read) throw new FieldError(['loadTest', 'sample'], 'a sample cannot be read here');
  if ('problem' in read) throw new FieldError(['loadTest', 'sample'], read.problem);
  if (mode === 'live') {
    warnings.push('loadTest.sample: live mode watches the traffic flowing and puts no records; the sample is unused');
  }
  if (read.kind === 'generator') {
    return {
      loadTest: { ...loadTest, sample: { kind: 'generator', file: read.projectPath } },
      loadTestSource: { kind: 'generator', module: read.absolute },
    };
  }
  return {
    loadTest: { ...loadTest, sample: { kind: 'sample', file: read.projectPath, records: read.records.length } },
    loadTestSource: { kind: 'sample', records: read.records },
  };
}
