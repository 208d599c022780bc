/** DescribeApplication: the status of one application (NOT_FOUND when there is none), for the wait loops. */
import type { ApplicationStatus } from '../src/engines';
import { applicationName, eventObject, logger, stepContext } from './runtime';

export interface DescribeApplicationResult {
  name: string;
  status: ApplicationStatus;
}

export async function handler(event: unknown): Promise<DescribeApplicationResult> {
  const input = eventObject(event);
  const { config, engine } = stepContext(input);
  const name = applicationName(input, config);
  const status = await engine.status(name);
  logger.info('Application status', { name, status });
  return { name, status };
}
