/**
 * `fanout run [--records N] [--keep] [--engine E]` (= `npm start`): the whole lifecycle on the local twin. Packages
 * (cached), starts the twin, deploys the packaged template, starts the lifecycle state machine with
 * @aws-sdk/client-sfn, shows each state as it runs, then the load-test report. Exits 0 only when the execution
 * succeeded and the verdict passed.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { IamMode } from '../../local/iam';
import { useConfig } from '../config-option';
import { interrupted } from '../interrupt';
import { Progress } from '../progress';
import { bringUp, executeAndReport, iamSummary } from '../session';
import { twinUp } from '../twin-modules';
import { type ServiceFlags, serviceOf, serviceOptions } from './service';
import { accessOf, allowOriginOption, authOption, iamOption } from './twin';

export interface RunOptions extends Partial<ServiceFlags> {
  records?: number;
  mode?: 'synthetic' | 'live';
  liveSeconds?: number;
  /** Synthetic load test: partition keys per input shard. */
  keysPerShard?: number;
  /** KPL aggregates of this many user records per Kinesis record (`--aggregate [n]`, 10 without n). */
  aggregate?: number | boolean;
  rate?: number;
  timeoutSeconds?: number;
  keep?: boolean;
  engine?: string;
  port: number;
  limits: boolean;
  fast: boolean;
  stateMachine: string;
  verbose?: boolean;
  reportDir: string;
  /** --auth (default on) and --allow-origin. */
  auth?: boolean;
  allowOrigin?: string[];
  /** --iam (default enforce). */
  iam?: IamMode;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** A count that may be 0 (`--records 0` skips the load test). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer, 0 or more');
  return n;
}

/** The load test's mode: synthetic records, or the live traffic of the input. */
export function loadTestMode(value: string): 'synthetic' | 'live' {
  if (value !== 'synthetic' && value !== 'live') throw new InvalidArgumentError('expected synthetic or live');
  return value;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('expected a port 0-65535');
  return port;
}

/** Runs the lifecycle on the twin; returns the exit code. */
export async function run(opts: RunOptions, projectDir = process.cwd()): Promise<number> {
  const progress = new Progress();
  const c = progress.colors;
  progress.line(c.bold('kinesis-fanout') + c.dim(' · the lifecycle on the local twin'));
  let session: Awaited<ReturnType<typeof bringUp>> | undefined;
  try {
    // A bad fan-out file stops here, on its one line, before anything is packaged.
    useConfig(projectDir, opts.config, opts.engine === 'lambda' ? 'lambda' : 'kinesis-analytics');
    session = await bringUp(progress, {
      projectDir,
      port: opts.port,
      limits: opts.limits,
      fast: opts.fast,
      access: accessOf(opts),
      ...serviceOf(opts),
      ...(opts.iam ? { iam: opts.iam } : {}),
      ...(opts.verbose ? { verbose: true } : {}),
    });
    const { findStateMachine, sfnClient } = twinUp();
    const client = sfnClient(session.twin.endpoint, session.twin.region);
    const stateMachineArn = await findStateMachine(client, opts.stateMachine);
    const input: Record<string, unknown> = {};
    if (opts.records !== undefined) input['records'] = opts.records;
    if (opts.mode !== undefined) input['mode'] = opts.mode;
    if (opts.liveSeconds !== undefined) input['liveSeconds'] = opts.liveSeconds;
    if (opts.keysPerShard !== undefined) input['keysPerShard'] = opts.keysPerShard;
    if (opts.aggregate !== undefined) input['aggregate'] = opts.aggregate;
    if (opts.rate !== undefined) input['rate'] = opts.rate;
    if (opts.timeoutSeconds !== undefined) input['timeoutSeconds'] = opts.timeoutSeconds;
    if (opts.keep) input['keep'] = true;
    if (opts.engine !== undefined) input['engine'] = opts.engine;
    const result = await executeAndReport(progress, client, stateMachineArn, input, {
      reportDir: opts.reportDir,
      what: 'lifecycle',
    });
    client.destroy();
    progress.line(c.dim(iamSummary(session.twin.iam.mode, session.twin.iam.stats)));
    if (result.passed && !result.report) {
      progress.line(c.yellow('The execution succeeded but produced no load-test report.'));
      return 1;
    }
    return result.passed ? 0 : 1;
  } finally {
    progress.close();
    if (session && opts.keep && process.stdout.isTTY && process.env['CI'] !== 'true') {
      const stopped = interrupted();
      process.stdout.write(
        `--keep: the application keeps running on the twin at ${session.twin.endpoint}; Ctrl-C stops it.\n`,
      );
      await stopped;
    }
    await session?.close();
  }
}

export function register(program: Command): void {
  const command = program
    .command('run')
    .description('run the whole lifecycle on the local twin (the default: npm start) and print the load-test report')
    .option('--records <n>', 'load-test records (0 skips the load test)', nonNegativeInt)
    .option(
      '--mode <mode>',
      'load test: synthetic (put test records) or live (verify the traffic flowing)',
      loadTestMode,
    )
    .option('--live-seconds <n>', 'live mode: how long to watch the input', positiveInt)
    .option(
      '--keys-per-shard <n>',
      "load test: partition keys per input shard (default: fanout.yml's loadTest.keysPerShard, else 100)",
      positiveInt,
    )
    .option('--aggregate [n]', 'load test: put KPL aggregates of n user records each (10 without n)', positiveInt)
    .option('--rate <n>', 'load-test records per second', positiveInt)
    .option('--timeout-seconds <n>', 'load-test timeout', positiveInt)
    .option('--keep', 'keep the application running after the load test (skips teardown)')
    .option('--engine <name>', 'kinesis-analytics or lambda')
    .option('--port <n>', 'twin port (0 = any free port)', parsePort, 0)
    .option('--no-limits', 'turn off Kinesis throughput limits on the twin')
    .option('--fast', 'zero delays for status transitions on the twin')
    .option('--state-machine <name>', 'the state machine to run', 'lifecycle')
    .option('--verbose', "print the functions' logs")
    .option('--report-dir <dir>', 'where report.json and report.html go', '.fanout')
    .addOption(authOption())
    .addOption(allowOriginOption())
    .addOption(iamOption());
  serviceOptions(command).action(async (o: RunOptions & { fast?: boolean }) => {
    process.exitCode = await run({ ...o, fast: o.fast ?? false });
  });
}
