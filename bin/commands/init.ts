/**
 * `fanout init [--input NAME | --input-arn ARN] [--copies N | --outputs a,b,c] [--sql FILE] [--consumers] [--force]`:
 * writes a fan-out file (fanout.yml, or --config FILE) from flags, then prints its plan. The text is checked as the
 * packager will check it before it is written, and an existing file is kept unless --force says otherwise.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { isStreamArn, streamNameOf } from '../../src/arn';
import { parseFanout } from '../../src/fanout-config/load';
import { STREAM_NAME } from '../../src/fanout-config/schema';
import { SqlCompileError } from '../../src/streaming-sql/errors';
import { parse } from '../../src/streaming-sql/parser';
import { configOption } from '../config-option';
import { addPlanOptions, formatPlan, type PlanFlags, planFor } from './plan';
import { positiveInt } from './run';

export interface InitFlags extends PlanFlags {
  input?: string;
  inputArn?: string;
  shards: number;
  copies?: number;
  outputs?: string[];
  sql?: string;
  consumers?: boolean;
  force?: boolean;
}

/** The fan-out file init writes, from its flags. */
export class InitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InitError';
  }
}

function list(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected names or ARNs separated by commas');
  return items;
}

/** The in-application streams a SQL file creates, in order. */
function sqlStreamsOf(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InitError(`--sql: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return parse(text).flatMap((s) => (s.kind === 'create-stream' ? [s.name] : []));
  } catch (error) {
    if (error instanceof SqlCompileError) throw new InitError(`--sql: ${file} ${error.message}`, { cause: error });
    throw error;
  }
}

/** `positive_transactions` -> `positive-transactions`: an in-application stream as a stream name. */
const streamNameFor = (sqlStream: string): string => sqlStream.toLowerCase().replace(/_/g, '-');

/** One YAML line for a stream: `stream: NAME` or `arn: ARN`. */
function where(value: string): string {
  if (isStreamArn(value)) return `arn: ${value}`;
  if (/^arn:/.test(value)) throw new InitError(`${value} is not a Kinesis stream ARN`);
  if (!STREAM_NAME.test(value))
    throw new InitError(`${value} is not a Kinesis stream name (1-128 of a-z A-Z 0-9 _ . -)`);
  return `stream: ${value}`;
}

/**
 * The text of the fan-out file for these flags (checked by the caller with the loader).
 *
 * @param flags - init's flags
 * @param configDir - where the file goes (the SQL path is written relative to it)
 */
export function fanoutText(flags: InitFlags, configDir: string): string {
  if (flags.input !== undefined && flags.inputArn !== undefined) {
    throw new InitError('give --input NAME (a stream the stack creates) or --input-arn ARN (yours), not both');
  }
  if (flags.copies !== undefined && flags.outputs !== undefined) {
    throw new InitError('give --copies N or --outputs a,b,c, not both');
  }
  if (flags.inputArn !== undefined && !isStreamArn(flags.inputArn)) {
    throw new InitError(
      `--input-arn: ${flags.inputArn} is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)`,
    );
  }
  const inputName = flags.inputArn !== undefined ? streamNameOf(flags.inputArn) : (flags.input ?? 'Input');
  const sqlStreams = flags.sql !== undefined ? sqlStreamsOf(resolve(flags.sql)) : undefined;
  let outputs: string[];
  if (flags.outputs !== undefined) outputs = flags.outputs;
  else if (flags.copies !== undefined)
    outputs = Array.from({ length: flags.copies }, (_, i) => `${inputName}-copy-${i + 1}`);
  else if (sqlStreams !== undefined) outputs = sqlStreams.map(streamNameFor);
  else throw new InitError('say what to fan out to: --copies N, or --outputs a,b,c (names, or ARNs of your streams)');
  if (sqlStreams !== undefined && outputs.length > sqlStreams.length) {
    throw new InitError(
      `--sql: ${flags.sql} creates ${sqlStreams.length} in-application stream${sqlStreams.length === 1 ? '' : 's'} ` +
        `(${sqlStreams.join(', ')}) for ${outputs.length} outputs: each output receives one, in order`,
    );
  }

  const lines = [
    '# The fan-out: one input stream, its outputs, and the SQL between them (written by `npx fanout init`).',
    '# `npx fanout plan` shows what it creates and what it costs; serverless.yml builds the stack from it.',
    'input:',
  ];
  if (flags.inputArn !== undefined) {
    lines.push(
      `  arn: ${flags.inputArn}   # your stream: the stack creates none and the load test watches live traffic`,
    );
  } else {
    lines.push(`  ${where(inputName)}`, `  shards: ${flags.shards}`);
  }
  if (flags.sql !== undefined) {
    const sqlPath = relative(configDir, resolve(flags.sql)).split('\\').join('/');
    lines.push(`sql: ${sqlPath}`);
  } else {
    lines.push('# no sql: every output is a plain copy of every record');
  }
  lines.push('outputs:');
  outputs.forEach((output, i) => {
    lines.push(`  - ${where(output)}`);
    if (sqlStreams !== undefined) lines.push(`    sqlStream: ${sqlStreams[i]}`);
    if (flags.consumers) lines.push('    consumer: true');
  });
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  addPlanOptions(
    program
      .command('init')
      .description('write a fan-out file (fanout.yml) from flags and print its plan')
      .addOption(configOption())
      .option('--input <name>', 'the input stream the stack creates (default Input)')
      .option('--input-arn <arn>', 'an existing input stream: the stack creates none')
      .option('--shards <n>', 'shards of the input stream the stack creates', positiveInt, 1)
      .option('--copies <n>', 'N outputs, each a copy of every record (<input>-copy-1...)', positiveInt)
      .option('--outputs <list>', 'output streams, by name (created) or ARN (yours), separated by commas', list)
      .option('--sql <file>', 'application code: output i receives the i-th in-application stream it creates')
      .option('--consumers', 'deploy the logging consumer function for every output')
      .option('--force', 'overwrite an existing file'),
  ).action((flags: InitFlags) => {
    const projectDir = process.cwd();
    const named = flags.config ?? 'fanout.yml';
    const file = isAbsolute(named) ? named : resolve(projectDir, named);
    const shown = relative(projectDir, file) || file;
    if (existsSync(file) && !flags.force) {
      throw new InitError(`${shown} exists: not overwritten (--force replaces it)`);
    }
    const text = fanoutText(flags, dirname(file));
    // Checked as the packager will check it, for the engine planned: a file init writes is a file that packages.
    parseFanout(text, file, { projectDir, engine: flags.engine });
    writeFileSync(file, text);
    process.stdout.write(`wrote ${shown}\n\n`);
    const { plan, file: planned } = planFor(projectDir, { ...flags, config: file });
    process.stdout.write(formatPlan(plan, planned, !!process.stdout.isTTY));
  });
}
