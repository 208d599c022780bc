/**
 * Which service `fanout run`, `up` and `invoke` bring up on the twin, named as the framework names it:
 * `--stage <stage>` and `--param <name=value>` (repeatable, as `osls deploy --param "teardownSchedule=rate(1 minute)"`),
 * and the fan-out file `--config <file>`. They reach `osls package` (and its cache key) unchanged.
 */
import { type Command, InvalidArgumentError } from 'commander';

export interface ServiceFlags {
  stage?: string;
  param?: Record<string, string>;
  config?: string;
}

/** A stage as the framework accepts it. */
export function parseStage(value: string): string {
  if (!/^[a-zA-Z0-9-]+$/.test(value)) throw new InvalidArgumentError('expected letters, digits and hyphens');
  return value;
}

/** One `name=value`, added to those before it (a later one of the same name wins, as with the framework). */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0)
    throw new InvalidArgumentError(`expected name=value (e.g. "teardownSchedule=rate(1 minute)"), got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/**
 * Adds --stage (default dev; with `forEndpoint`, no default, so that against a running twin any stage's machine
 * is found unless one is named), --param and --config.
 */
export function serviceOptions(command: Command, opts: { forEndpoint?: boolean } = {}): Command {
  const stage = 'the stage to package and deploy, as with osls';
  return (
    opts.forEndpoint
      ? command.option('--stage <stage>', `${stage} (default dev); with --endpoint, the stage to run`, parseStage)
      : command.option('--stage <stage>', stage, parseStage, 'dev')
  )
    .option('--param <name=value>', 'a framework param, as with osls (repeat for more)', collectParam)
    .option('--config <file>', 'the fan-out file (default: FANOUT_CONFIG, else fanout.yml)');
}

/** The flags as SessionOptions takes them (stage dev unless given). */
export function serviceOf(o: ServiceFlags): { stage: string; params?: Record<string, string>; config?: string } {
  return {
    stage: o.stage ?? 'dev',
    ...(o.param ? { params: o.param } : {}),
    ...(o.config ? { config: o.config } : {}),
  };
}
