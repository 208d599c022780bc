/** CreateApplication: creates one planned application, or reuses or updates the one that exists. */
import * as z from 'zod';
import { type ApplicationPlan, type CreateResult, InvalidInputError } from '../src/engines';
import { applicationName, engineField, schemaField, stepContext } from './runtime';
import { step } from './step';

const event = z.object({
  engine: engineField,
  application: z.object({
    name: z.string(),
    outputs: z
      .array(z.object({ sqlStream: z.string(), streamArn: z.string() }))
      .min(1, 'application.outputs must be a non-empty array'),
  }),
  schema: schemaField,
});

export const handler = step('Application create', event, async (input): Promise<CreateResult> => {
  const { config, engine } = stepContext(input);
  const name = applicationName(input.application.name, config);
  // Only outputs of this stage's configuration: the state input cannot point an application at any other stream.
  const known = input.application.outputs.map((wanted) => {
    const match = config.outputs.find((o) => o.sqlStream === wanted.sqlStream && o.streamArn === wanted.streamArn);
    if (!match)
      throw new InvalidInputError(`application.outputs names an output not configured: ${JSON.stringify(wanted)}`);
    return match;
  });
  const plan: ApplicationPlan = { name, outputs: known };
  return engine.create(plan, input.schema);
});
