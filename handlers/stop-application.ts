/** StopApplication: stops one application; one that is not running, or gone, is left as it is. */
import type { StopResult } from '../src/engines';
import { applicationEvent, applicationName, stepContext } from './runtime';
import { step } from './step';

export const handler = step('Application stop', applicationEvent, async (input): Promise<StopResult> => {
  const { config, engine } = stepContext(input);
  return engine.stop(applicationName(input.name, config));
});
