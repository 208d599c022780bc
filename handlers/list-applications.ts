/** ListApplications: every application of this stage (by name prefix), for the scheduled teardown. */
import { z } from 'zod';
import { engineField, stepContext } from './runtime';
import { step } from './step';

export interface ListApplicationsResult {
  names: string[];
}

export const handler = step(
  'Applications of the stage',
  z.object({ engine: engineField }),
  async (input): Promise<ListApplicationsResult> => {
    const { engine } = stepContext(input);
    return { names: await engine.list() };
  },
);
