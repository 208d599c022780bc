/** DescribeApplication: the status of one application (NOT_FOUND when there is none), for the wait loops. */
import type { ApplicationStatus } from '../src/engines';
import { applicationEvent, applicationName, stepContext } from './runtime';
import { step } from './step';

export interface DescribeApplicationResult {
  name: string;
  status: ApplicationStatus;
}

export const handler = step(
  'Application status',
  applicationEvent,
  async (input): Promise<DescribeApplicationResult> => {
    const { config, engine } = stepContext(input);
    const name = applicationName(input.name, config);
    return { name, status: await engine.status(name) };
  },
);
