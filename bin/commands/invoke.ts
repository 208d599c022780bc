/**
 * `fanout invoke <stateMachine> [--data JSON] [--endpoint URL]`: the local counterpart of `osls invoke stepf`.
 * Starts an execution, shows each state as it runs and then the load-test report, as `fanout run` does (`--json`
 * prints the raw output instead); exits non-zero when it does not succeed. With --endpoint it talks to a running
 * twin (`fanout up`); without, it brings the service up on a twin of its own for the one execution.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { Up } from '../../local/up';
import { useConfig } from '../config-option';
import { Progress } from '../progress';
import { bringUp, executeAndReport } from '../session';
import { twinUp } from '../twin-modules';
import { type ServiceFlags, serviceOf, serviceOptions } from './service';

function parseJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`--data is not JSON: ${(error as Error).message}`);
  }
}

export interface InvokeOptions extends Partial<ServiceFlags> {
  data?: unknown;
  endpoint?: string;
  region: string;
  fast?: boolean;
  /** Print the execution's output as JSON on stdout (progress and report go to stderr). */
  json?: boolean;
  reportDir?: string;
}

/** Runs one execution, shows its progress and report; returns the exit code. */
export async function invoke(stateMachine: string, o: InvokeOptions, projectDir = process.cwd()): Promise<number> {
  const progress = new Progress(o.json ? process.stderr : process.stdout);
  let session: Up | undefined;
  try {
    let endpoint = o.endpoint;
    if (endpoint && (o.param || o.config))
      throw new InvalidArgumentError(
        '--param and --config shape the service a twin of its own deploys: leave out --endpoint, or deploy with them (fanout up, osls deploy)',
      );
    if (!endpoint) {
      // A bad fan-out file stops here, on its one line, before anything is packaged.
      useConfig(projectDir, o.config);
      session = await bringUp(progress, {
        projectDir,
        port: 0,
        limits: true,
        fast: o.fast ?? false,
        ...serviceOf(o),
      });
      endpoint = session.twin.endpoint;
    }
    const { findStateMachine, sfnClient } = twinUp();
    const client = sfnClient(endpoint, o.region);
    const arn = await findStateMachine(client, stageQualified(stateMachine, o.stage));
    const result = await executeAndReport(progress, client, arn, o.data ?? {}, { reportDir: o.reportDir ?? '.fanout' });
    client.destroy();
    progress.close();
    if (o.json && result.output !== undefined)
      process.stdout.write(`${JSON.stringify(JSON.parse(result.output), null, 2)}\n`);
    return result.passed ? 0 : 1;
  } finally {
    progress.close();
    await session?.close();
  }
}

/**
 * A short name (`lifecycle`) qualified by the stage (`dev-lifecycle`, which matches `kinesis-fanout-dev-lifecycle`),
 * so a twin that holds several stages (fanout up, osls deploy --stage) runs the one asked for. ARNs and names that
 * already carry the stage are left as they are.
 */
export function stageQualified(name: string, stage: string | undefined): string {
  if (!stage || name.startsWith('arn:') || name.includes(`-${stage}-`)) return name;
  return `${stage}-${name}`;
}

export function register(program: Command): void {
  const command = program
    .command('invoke')
    .description('start an execution of a state machine (like osls invoke stepf), show its progress and report')
    .argument('<stateMachine>', 'name (lifecycle, teardown, or the full name) or ARN')
    .option('--data <json>', 'execution input', parseJson)
    .option('--endpoint <url>', 'a running twin (fanout up), or any Step Functions endpoint')
    .option('--region <region>', 'region', process.env['AWS_REGION'] ?? 'us-east-1')
    .option('--fast', 'zero delays for status transitions on the twin (without --endpoint)')
    .option('--json', 'also print the execution output as JSON on stdout (progress goes to stderr)')
    .option('--report-dir <dir>', 'where report.json and report.html go', '.fanout');
  serviceOptions(command, { forEndpoint: true }).action(async (stateMachine: string, o: InvokeOptions) => {
    process.exitCode = await invoke(stateMachine, o);
  });
}
