/** DeleteApplication: deletes one application; one that does not exist counts as deleted. */
import type { DeleteResult } from '../src/engines';
import { applicationName, eventObject, logger, stepContext } from './runtime';

export async function handler(event: unknown): Promise<DeleteResult> {
  const input = eventObject(event);
  const { config, engine } = stepContext(input);
  const result = await engine.delete(applicationName(input, config));
  logger.info('Application delete', { ...result });
  return result;
}
