/** DeleteApplication: deletes one application; one that does not exist counts as deleted. */
import type { DeleteResult } from '../src/engines';
import { applicationEvent, applicationName, stepContext } from './runtime';
import { step } from './step';

export const handler = step('Application delete', applicationEvent, async (input): Promise<DeleteResult> => {
  const { config, engine } = stepContext(input);
  return engine.delete(applicationName(input.name, config));
});
