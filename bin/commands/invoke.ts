/**
 * `fanout invoke <stateMachine> [--data JSON] [--endpoint URL]`: the local counterpart of `osls invoke stepf`.
 * Starts an execution and prints its output; exits non-zero when it does not succeed. With --endpoint it talks to a
 * running twin (`fanout up`); without, it brings the service up on a twin of its own for the one execution.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { explainCause, findStateMachine, sfnClient, startExecution, type Up } from '../../local/up';
import { Progress } from '../progress';
import { bringUp, watchExecution } from '../session';

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`--data is not JSON: ${(error as Error).message}`);
  }
}

export interface InvokeOptions {
  data?: unknown;
  endpoint?: string;
  region: string;
  fast?: boolean;
}

/** Runs one execution and prints its output; returns the exit code. */
export async function invoke(stateMachine: string, o: InvokeOptions, projectDir = process.cwd()): Promise<number> {
  const progress = new Progress(process.stderr);
  const c = progress.colors;
  let session: Up | undefined;
  try {
    let endpoint = o.endpoint;
    if (!endpoint) {
      session = await bringUp(progress, { projectDir, port: 0, limits: true, fast: o.fast ?? false });
      endpoint = session.twin.endpoint;
    }
    const client = sfnClient(endpoint, o.region);
    const arn = await findStateMachine(client, stateMachine);
    const executionArn = await startExecution(client, arn, o.data ?? {});
    progress.line(`${c.cyan('▶')} ${executionArn}`);
    const result = await watchExecution(progress, client, executionArn);
    client.destroy();
    progress.close();
    if (result.status === 'SUCCEEDED') {
      process.stdout.write(`${JSON.stringify(JSON.parse(result.output ?? 'null'), null, 2)}\n`);
      return 0;
    }
    process.stderr.write(
      `${c.red(`execution ${result.status}`)}${result.error ? `\n  error: ${result.error}` : ''}${
        result.cause ? `\n  cause: ${explainCause(result.cause)}` : ''
      }\n`,
    );
    return 1;
  } finally {
    progress.close();
    await session?.close();
  }
}

export function register(program: Command): void {
  program
    .command('invoke')
    .description('start an execution of a state machine (like osls invoke stepf) and print its output')
    .argument('<stateMachine>', 'name (lifecycle, teardown, or the full name) or ARN')
    .option('--data <json>', 'execution input', parseJson)
    .option('--endpoint <url>', 'a running twin (fanout up), or any Step Functions endpoint')
    .option('--region <region>', 'region', process.env['AWS_REGION'] ?? 'us-east-1')
    .option('--fast', 'zero delays for status transitions on the twin (without --endpoint)')
    .action(async (stateMachine: string, o: InvokeOptions) => {
      process.exitCode = await invoke(stateMachine, o);
    });
}
