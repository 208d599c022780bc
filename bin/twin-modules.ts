/**
 * The twin's modules, loaded by the commands that run a twin when they run, not when the CLI starts: local/up and
 * local/twin load every service and the SDK clients they use (about a second here), which `fanout --help`, `init`,
 * `plan`, `sql`, `status` and `smoke` need none of.
 */
import type * as TwinModule from '../local/twin';
import type * as UpModule from '../local/up';

/** local/up: deploy the packaged service on a twin, run and follow executions. */
export function twinUp(): typeof UpModule {
  return require('../local/up') as typeof UpModule;
}

/** local/twin: the bare twin. */
export function twinServices(): typeof TwinModule {
  return require('../local/twin') as typeof TwinModule;
}
