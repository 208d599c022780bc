/** StartApplication: starts one application at the starting position of the input (TRIM_HORIZON by default). */
import * as z from 'zod';
import { type StartResult, startingPositionOf } from '../src/engines';
import { applicationEvent, applicationName, stepContext } from './runtime';
import { step } from './step';

const event = applicationEvent.extend({ startingPosition: z.unknown().optional() });

export const handler = step('Application start', event, async (input): Promise<StartResult> => {
  const { config, engine } = stepContext(input);
  return engine.start(applicationName(input.name, config), startingPositionOf(input.startingPosition));
});
