/** CreateApplication: creates one planned application, or reuses or updates the one that exists. */
import { type ApplicationPlan, type CreateResult, InvalidInputError } from '../src/engines';
import { applicationName, eventObject, logger, sourceSchema, stepContext } from './runtime';

export async function handler(event: unknown): Promise<CreateResult> {
  const input = eventObject(event);
  const { config, engine } = stepContext(input);
  const application = eventObject(input['application']);
  const name = applicationName(application, config);
  const outputs = application['outputs'];
  if (!Array.isArray(outputs) || outputs.length === 0) {
    throw new InvalidInputError(`application.outputs must be a non-empty array, got ${JSON.stringify(outputs)}`);
  }
  // Only outputs of this stage's configuration: the state input cannot point an application at any other stream.
  const known = outputs.map((output: unknown) => {
    const wanted = eventObject(output);
    const match = config.outputs.find(
      (o) => o.sqlStream === wanted['sqlStream'] && o.streamArn === wanted['streamArn'],
    );
    if (!match)
      throw new InvalidInputError(`application.outputs names an output not configured: ${JSON.stringify(output)}`);
    return match;
  });
  const plan: ApplicationPlan = { name, outputs: known };
  const result = await engine.create(plan, sourceSchema(input['schema']));
  logger.info('Application ready to start', { ...result });
  return result;
}
