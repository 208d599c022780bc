/**
 * `fanout sql --sql FILE [--schema FILE | --discover] --records FILE [--format json|csv] [--print-schema]`: runs
 * application code over a file of records (one per line), offline, like the old console's SQL editor. Prints each
 * output row as a JSON line `{"stream": "...", "record": ...}`, then the error-stream rows, then a summary on stderr.
 */
import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  type CompiledApplication,
  compile,
  discoverSchema,
  type InputRecord,
  type SourceSchema,
  SqlCompileError,
  serializeRow,
} from '../../src/streaming-sql';

interface SqlOptions {
  sql?: string;
  schema?: string;
  discover?: boolean;
  records: string;
  format: 'json' | 'csv';
  printSchema?: boolean;
  namePrefix: string;
  start: number;
  stepMs: number;
}

class SqlCommandError extends Error {
  override name = 'SqlCommandError';
}

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new SqlCommandError(`cannot read the ${what} file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** A schema file holds a SourceSchema, or a DiscoverInputSchema answer ({ InputSchema }). */
function readSchema(path: string): SourceSchema {
  let parsed: unknown;
  try {
    parsed = JSON.parse(read(path, 'schema'));
  } catch (error) {
    if (error instanceof SqlCommandError) throw error;
    throw new SqlCommandError(`the schema file ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const p = parsed as { InputSchema?: SourceSchema } & Partial<SourceSchema>;
  const schema = p.InputSchema ?? (p as SourceSchema);
  if (!schema || !Array.isArray(schema.RecordColumns) || !schema.RecordFormat)
    throw new SqlCommandError(`the schema file ${path} holds no SourceSchema (RecordFormat and RecordColumns)`);
  return schema;
}

function parseNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

function parseStart(value: string): number {
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw new InvalidArgumentError('expected an ISO-8601 time or ms since the epoch');
  return t;
}

/** The compile error with the offending line and a caret under the column. */
function showCompileError(file: string, sql: string, error: SqlCompileError): string {
  const line = sql.split('\n')[error.line - 1] ?? '';
  return `${file}:${error.line}:${error.column}: ${error.name}: ${error.reason}\n  ${line}\n  ${' '.repeat(Math.max(0, error.column - 1))}^\n`;
}

function run(opts: SqlOptions): void {
  if (opts.schema !== undefined && opts.discover)
    throw new SqlCommandError('give either --schema FILE or --discover, not both');
  if (opts.schema === undefined && !opts.discover)
    throw new SqlCommandError('give the source schema: --schema FILE, or --discover to infer it');
  if (opts.sql === undefined && !opts.printSchema)
    throw new SqlCommandError('give the application code with --sql FILE');
  const lines = read(opts.records, 'records')
    .split(/\r?\n/)
    .filter((l) => l.length > 0);
  const data = lines.map((l) => Buffer.from(l, 'utf8'));

  let schema: SourceSchema;
  if (opts.discover) schema = discoverSchema(data).InputSchema;
  else schema = readSchema(opts.schema!);
  if (opts.printSchema) {
    const text = `${JSON.stringify(schema, null, 2)}\n`;
    // alone it is the output; beside rows it goes to stderr so stdout stays JSON lines
    if (opts.sql === undefined) {
      process.stdout.write(text);
      return;
    }
    process.stderr.write(text);
  }

  const sql = read(opts.sql!, 'SQL');
  let app: CompiledApplication;
  try {
    app = compile(sql, { schema, namePrefix: opts.namePrefix });
  } catch (error) {
    if (error instanceof SqlCompileError) {
      process.stderr.write(showCompileError(opts.sql!, sql, error));
      process.exitCode = 1;
      return;
    }
    throw error;
  }

  const records: InputRecord[] = data.map((d, i) => ({
    data: d,
    arrivalTime: opts.start + i * opts.stepMs,
    partitionKey: String(i),
  }));
  const runner = app.createRunner();
  const pushed = runner.push(records);
  // the file is all there is: let every open window close
  const closed = runner.advance(Number.MAX_SAFE_INTEGER);
  const rows = [...pushed.rows, ...closed.rows];
  const errors = [...pushed.errors, ...closed.errors];

  const columns = new Map(app.outputs.map((o) => [o.name, o.columns]));
  const destination = { RecordFormatType: opts.format === 'csv' ? 'CSV' : 'JSON' } as const;
  const counts = new Map<string, number>(app.outputs.map((o) => [o.name, 0]));
  let out = '';
  for (const row of rows) {
    const text = serializeRow(row, destination, columns.get(row.stream)!).toString('utf8');
    const record = opts.format === 'csv' ? JSON.stringify(text.replace(/\n$/, '')) : text;
    out += `{"stream":${JSON.stringify(row.stream)},"record":${record}}\n`;
    counts.set(row.stream, (counts.get(row.stream) ?? 0) + 1);
  }
  for (const e of errors) out += `${JSON.stringify(e)}\n`;
  process.stdout.write(out);
  const perStream = [...counts].map(([name, n]) => `${name}: ${n}`).join(', ');
  process.stderr.write(
    `${lines.length} records -> ${rows.length} rows (${perStream}), ${errors.length} error-stream rows\n`,
  );
}

export function register(program: Command): void {
  program
    .command('sql')
    .description('run Kinesis Analytics SQL application code over a file of records, offline')
    .option('--sql <file>', 'application code (CREATE STREAM / CREATE PUMP statements)')
    .option('--schema <file>', 'source schema JSON (SourceSchema, or a DiscoverInputSchema answer)')
    .option('--discover', 'infer the source schema from the records')
    .requiredOption('--records <file>', 'records, one per line (JSON objects or CSV lines)')
    .addOption(
      new Option('--format <format>', 'destination format of the printed records')
        .choices(['json', 'csv'])
        .default('json'),
    )
    .option('--print-schema', 'print the source schema (to stdout alone, to stderr beside rows)')
    .option('--name-prefix <prefix>', 'input stream name prefix', 'SOURCE_SQL_STREAM')
    .option(
      '--start <time>',
      'ROWTIME of the first record (ISO-8601 or ms)',
      parseStart,
      Date.parse('2026-01-01T00:00:00Z'),
    )
    .option('--step-ms <ms>', 'ROWTIME step between records', parseNumber, 1000)
    .action((opts: SqlOptions) => {
      run(opts);
    });
}
