/**
 * `fanout status [--stage S] [--region R] [--endpoint URL] [--minutes N] [--watch [SECONDS]] [--json]`: one screen of a
 * running stage, on AWS or on a twin: its applications, the input's lag, records in and out per output, error-stream
 * rows and throttles, the last lifecycle and teardown executions and the next scheduled teardown. Read through the
 * SDK as on AWS (bin/status/collect.ts); `--watch` reads it again every few seconds.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type * as Collect from '../status/collect';
import { renderStatus } from '../status/render';

export interface StatusCommandOptions {
  stage: string;
  region: string;
  endpoint?: string;
  minutes: number;
  watch?: number | true;
  json?: boolean;
}

/** The status collector and its SDK clients, loaded when the command runs (not by every command's start). */
function collect(): typeof Collect {
  return require('../status/collect') as typeof Collect;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a number above 0');
  return n;
}

/** Runs the command: once, or every `watch` seconds until interrupted. */
export async function runStatus(
  options: StatusCommandOptions,
  write: (text: string) => void = (t) => process.stdout.write(t),
  clients: Collect.StatusClients = collect().statusClients(options.region, options.endpoint),
  signal?: AbortSignal,
): Promise<void> {
  const once = async (): Promise<void> => {
    const report = await collect().collectStatus(clients, {
      stage: options.stage,
      region: options.region,
      windowMinutes: options.minutes,
      projectDir: process.cwd(),
    });
    if (options.json) write(`${JSON.stringify(report, null, 2)}\n`);
    else write(renderStatus(report));
  };
  if (options.watch === undefined) return once();
  const seconds = options.watch === true ? 5 : options.watch;
  const tty = process.stdout.isTTY === true && !options.json;
  while (!signal?.aborted) {
    if (tty) write('\x1b[2J\x1b[H');
    await once();
    if (!tty) write('\n');
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
    });
  }
}

export function register(program: Command): void {
  program
    .command('status')
    .description('one screen of a running stage: applications, lag, records in and out, errors, executions')
    .option('--stage <stage>', 'the stage', 'dev')
    .option('--region <region>', 'AWS region', process.env['AWS_REGION'] ?? 'us-east-1')
    .option('--endpoint <url>', 'a twin (http://127.0.0.1:4566) instead of AWS')
    .option('--minutes <n>', 'minutes of metrics to sum', positive, 5)
    .option('--watch [seconds]', 'read it again every few seconds (default 5)', positive)
    .option('--json', 'the report as JSON, for scripts')
    .action(async (o: StatusCommandOptions) => {
      if (o.endpoint !== undefined) {
        // a twin takes any credentials, but some
        process.env['AWS_ACCESS_KEY_ID'] ??= 'test';
        process.env['AWS_SECRET_ACCESS_KEY'] ??= 'test';
      }
      await runStatus(o);
    });
}
