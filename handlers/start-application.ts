/** StartApplication: starts one application at the starting position of the input (TRIM_HORIZON by default). */
import { type StartResult, startingPositionOf } from '../src/engines';
import { applicationName, eventObject, logger, stepContext } from './runtime';

export async function handler(event: unknown): Promise<StartResult> {
  const input = eventObject(event);
  const { config, engine } = stepContext(input);
  const name = applicationName(input, config);
  const position = startingPositionOf(input['startingPosition']);
  const result = await engine.start(name, position);
  logger.info('Application start', { ...result, startingPosition: position });
  return result;
}
