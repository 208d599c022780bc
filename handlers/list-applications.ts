/** ListApplications: every application of this stage (by name prefix), for the scheduled teardown. */
import { eventObject, logger, stepContext } from './runtime';

export interface ListApplicationsResult {
  names: string[];
}

export async function handler(event: unknown): Promise<ListApplicationsResult> {
  const { engine } = stepContext(eventObject(event));
  const names = await engine.list();
  logger.info('Applications of the stage', { engine: engine.name, names });
  return { names };
}
