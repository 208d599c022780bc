/**
 * The fan-out file a command uses (`--config FILE`, default FANOUT_CONFIG, else fanout.yml), checked before anything
 * is packaged, so a bad file stops run, up, invoke, plan and init on its one line. `configOption` is plan's and
 * init's flag; the packaging commands take theirs from `serviceOptions` (bin/commands/service.ts).
 */
import { Option } from 'commander';
import type { EngineName } from '../src/config';
import type { Checked } from '../src/fanout-config/checks';
import { configFileOf, loadFanoutFile } from '../src/fanout-config/load';

export function configOption(): Option {
  return new Option('--config <file>', 'the fan-out file (default: FANOUT_CONFIG, else fanout.yml)');
}

/**
 * Checks the fan-out file the command uses and makes it the one packaging reads (FANOUT_CONFIG).
 *
 * @param projectDir - the project
 * @param named - the --config value
 * @param engine - whose limits apply (the twin packages for kinesis-analytics, the stricter)
 * @returns the checked file; its warnings are printed to stderr
 * @throws FanoutConfigError on the file's first problem
 */
export function useConfig(projectDir: string, named: string | undefined, engine?: EngineName): Checked {
  const file = configFileOf(projectDir, named);
  const checked = loadFanoutFile(file, { projectDir, ...(engine ? { engine } : {}) });
  for (const warning of checked.warnings) process.stderr.write(`${checked.definition.file}: warning: ${warning}\n`);
  process.env['FANOUT_CONFIG'] = file;
  return checked;
}
