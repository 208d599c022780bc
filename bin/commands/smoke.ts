/**
 * `fanout smoke [--stage S] [--region R] [--records N] [--endpoint URL]`: runs the lifecycle of a deployed stage
 * (on AWS, or on a running twin with --endpoint) and judges it by its load-test report; exits non-zero unless the
 * verdict is pass.
 */
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type Command, InvalidArgumentError } from 'commander';
import { findStateMachine, StateMachineNotFoundError } from '../../src/executions';
import type { LoadTestReport } from '../../src/load-test/types';
import { Progress } from '../progress';
import { executeAndReport } from '../session';

export interface SmokeOptions {
  stage: string;
  region: string;
  records?: number;
  rate?: number;
  timeoutSeconds?: number;
  /** Partition keys per input shard the load test spreads its records over. */
  keysPerShard?: number;
  endpoint?: string;
  /** Directory of report.json and report.html. */
  out: string;
  /** Give up following the execution after this long. */
  maxWaitSeconds: number;
  pollMs?: number;
}

export interface SmokeClients {
  sfn: SFNClient;
  cloudFormation: CloudFormationClient;
}

export interface SmokeResult {
  executionArn: string;
  status: string;
  report?: LoadTestReport;
  passed: boolean;
}

/** The smoke run could not find or follow the lifecycle. */
export class SmokeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SmokeError';
  }
}

const STACK_OUTPUT = 'LifecycleStateMachineArn';

export function stackNameOf(stage: string): string {
  return `kinesis-fanout-${stage}`;
}

async function fromStack(cloudFormation: CloudFormationClient, stage: string): Promise<string> {
  const stackName = stackNameOf(stage);
  let outputs: Output[];
  try {
    const res = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = res.Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    throw new SmokeError(
      `cannot read the stack ${stackName}: ${(error as Error).message} (deploy it first: npx osls deploy --stage ${stage})`,
      { cause: error },
    );
  }
  const arn = outputs.find((o) => o.OutputKey === STACK_OUTPUT)?.OutputValue;
  if (!arn) throw new SmokeError(`the stack ${stackName} has no output ${STACK_OUTPUT}`);
  return arn;
}

/**
 * The lifecycle state machine of a stage: from the stack's outputs on AWS; on a twin, by its name
 * (`kinesis-fanout-<stage>-lifecycle`) and then from the stack outputs if the twin serves them.
 */
export async function findLifecycle(
  clients: SmokeClients,
  options: Pick<SmokeOptions, 'stage' | 'endpoint'>,
): Promise<string> {
  if (options.endpoint === undefined) return fromStack(clients.cloudFormation, options.stage);
  const name = `${stackNameOf(options.stage)}-lifecycle`;
  try {
    return await findStateMachine(clients.sfn, name);
  } catch (error) {
    if (!(error instanceof StateMachineNotFoundError)) {
      throw new SmokeError(
        `cannot list state machines at ${options.endpoint}: ${(error as Error).message} (is \`fanout up\` running?)`,
        { cause: error },
      );
    }
  }
  try {
    return await fromStack(clients.cloudFormation, options.stage);
  } catch (error) {
    throw new SmokeError(
      `no state machine ${name} at ${options.endpoint}: is the stage ${options.stage} deployed there (\`fanout up\`)?`,
      {
        cause: error,
      },
    );
  }
}

/** A stream that hands each write to `write` (no terminal: one line per event, no colours). */
function textStream(write: (text: string) => void): NodeJS.WriteStream {
  return {
    isTTY: false,
    columns: 120,
    write: (text: string) => {
      write(text);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
}

/**
 * Starts the lifecycle, shows each state as it runs and then the load-test report, as `fanout run` does; returns the
 * execution's end and its report.
 */
export async function runSmoke(
  clients: SmokeClients,
  options: SmokeOptions,
  write?: (text: string) => void,
): Promise<SmokeResult> {
  const stateMachineArn = await findLifecycle(clients, options);
  const input: Record<string, number> = {};
  if (options.records !== undefined) input['records'] = options.records;
  if (options.rate !== undefined) input['rate'] = options.rate;
  if (options.timeoutSeconds !== undefined) input['timeoutSeconds'] = options.timeoutSeconds;
  if (options.keysPerShard !== undefined) input['keysPerShard'] = options.keysPerShard;
  const name = `smoke-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const progress = new Progress(write ? textStream(write) : process.stdout);
  try {
    const result = await executeAndReport(progress, clients.sfn, stateMachineArn, input, {
      name,
      reportDir: options.out,
      pollMs: options.pollMs ?? 1000,
      signal: AbortSignal.timeout(options.maxWaitSeconds * 1000),
      what: 'smoke run',
    });
    if (result.status === 'RUNNING')
      throw new SmokeError(`the execution is still running after ${options.maxWaitSeconds} s: ${result.executionArn}`);
    if (!result.report) progress.line('No load-test report: the execution ended before the LoadTest step finished.');
    return {
      executionArn: result.executionArn,
      status: result.status,
      ...(result.report ? { report: result.report } : {}),
      passed: result.passed && result.report?.verdict === 'pass',
    };
  } finally {
    progress.close();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function register(program: Command): void {
  program
    .command('smoke')
    .description('run the lifecycle of a deployed stage and fail unless its load test passes')
    .option('--stage <stage>', 'stage to run', 'dev')
    .option('--region <region>', 'AWS region of the stage', process.env['AWS_REGION'] ?? 'us-east-1')
    .option('--records <n>', "records to load-test with (default: the stack's)", positiveInt)
    .option('--rate <n>', "records per second (default: the stack's)", positiveInt)
    .option('--timeout <seconds>', "how long the load test waits for the outputs (default: the stack's)", positiveInt)
    .option('--keys-per-shard <n>', "partition keys per input shard (default: the stack's)", positiveInt)
    .option('--endpoint <url>', 'a running twin instead of AWS (e.g. http://127.0.0.1:4566)')
    .option('--out <dir>', 'directory of report.json and report.html', '.fanout')
    .option('--max-wait <seconds>', 'give up following the execution after this long', positiveInt, 1800)
    .action(
      async (opts: {
        stage: string;
        region: string;
        records?: number;
        rate?: number;
        timeout?: number;
        keysPerShard?: number;
        endpoint?: string;
        out: string;
        maxWait: number;
      }) => {
        const config = {
          region: opts.region,
          ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
          // The twin accepts any signature; spare the user from configuring credentials for it.
          ...(opts.endpoint !== undefined && !process.env['AWS_ACCESS_KEY_ID']
            ? { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
            : {}),
        };
        const result = await runSmoke(
          { sfn: new SFNClient(config), cloudFormation: new CloudFormationClient(config) },
          {
            stage: opts.stage,
            region: opts.region,
            out: opts.out,
            maxWaitSeconds: opts.maxWait,
            ...(opts.records !== undefined ? { records: opts.records } : {}),
            ...(opts.rate !== undefined ? { rate: opts.rate } : {}),
            ...(opts.timeout !== undefined ? { timeoutSeconds: opts.timeout } : {}),
            ...(opts.keysPerShard !== undefined ? { keysPerShard: opts.keysPerShard } : {}),
            ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
          },
        );
        if (!result.passed) {
          const why = result.report ? `verdict ${result.report.verdict}` : `execution ${result.status}`;
          throw new SmokeError(`smoke run failed (${why}): ${result.executionArn}`);
        }
      },
    );
}
