/** StopApplication: stops one application; one that is not running, or gone, is left as it is. */
import type { StopResult } from '../src/engines';
import { applicationName, eventObject, logger, stepContext } from './runtime';

export async function handler(event: unknown): Promise<StopResult> {
  const input = eventObject(event);
  const { config, engine } = stepContext(input);
  const result = await engine.stop(applicationName(input, config));
  logger.info('Application stop', { ...result });
  return result;
}
