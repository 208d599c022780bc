/**
 * Tests that need a tool outside node_modules (the AWS CLI, cfn-lint): when it is missing they are skipped with the
 * reason in their title, so jest's count shows them as skipped, never as a test that passed without running.
 *
 * ```ts
 * const awsCli = tool('aws');
 * awsCli.it(awsCli.title('answers the AWS CLI'), async () => { ... });
 * ```
 */
import { spawnSync } from 'node:child_process';

export interface Tool {
  /** Whether `<command> --version` ran and exited 0. */
  readonly available: boolean;
  /** `it`, or `it.skip` when the tool is missing. */
  readonly it: jest.It;
  /** `describe`, or `describe.skip` when the tool is missing. */
  readonly describe: jest.Describe;
  /** The title, with `(skipped: ... is not on PATH)` when the tool is missing. */
  title(text: string): string;
}

/**
 * Probes a command once (synchronously, so the choice is made while jest collects the tests).
 *
 * @param command - the executable, looked up on PATH
 * @param args - the arguments of the probe; `--version` by default
 */
export function tool(command: string, args: readonly string[] = ['--version']): Tool {
  const probe = spawnSync(command, args, { stdio: 'ignore' });
  const available = probe.error === undefined && probe.status === 0;
  return {
    available,
    it: available ? it : it.skip,
    describe: available ? describe : describe.skip,
    title: (text) => (available ? text : `${text} (skipped: \`${command}\` is not on PATH)`),
  };
}

/**
 * The environment the AWS CLI runs in against a twin: test keys, us-east-1, and none of the machine's config or
 * credentials files (a profile there must not change what a test sends).
 */
export function awsCliEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}
