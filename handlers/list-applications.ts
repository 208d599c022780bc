/**
 * ListApplications: every application of this stage (by name prefix) of each engine asked for (every engine, for
 * the scheduled teardown), with the engine that runs it. An engine that cannot be listed is reported, not fatal:
 * the applications of the others are still torn down, and the teardown fails at the end naming it.
 */
import * as z from 'zod';
import { ENGINE_NAMES, type EngineName } from '../src/config';
import { logger } from './logger';
import { stepContext } from './runtime';
import { step } from './step';

export interface ListedApplication {
  readonly engine: EngineName;
  readonly name: string;
}

export interface ListApplicationsResult {
  applications: ListedApplication[];
  failures: { engine: EngineName; error: { Error: string; Cause: string } }[];
}

const event = z.object({ engines: z.array(z.enum(ENGINE_NAMES)).min(1).optional(), engine: z.unknown().optional() });

export const handler = step('Applications of the stage', event, async (input): Promise<ListApplicationsResult> => {
  const engines = input.engines ?? [stepContext(input).engine.name];
  const result: ListApplicationsResult = { applications: [], failures: [] };
  for (const name of engines) {
    try {
      const { engine } = stepContext({ engine: name });
      for (const application of await engine.list()) result.applications.push({ engine: name, name: application });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      logger.warn('Could not list the applications of an engine', { engine: name, error: e });
      result.failures.push({ engine: name, error: { Error: e.name, Cause: e.message } });
    }
  }
  return result;
});
