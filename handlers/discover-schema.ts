/**
 * DiscoverSchema: infers the input stream's schema (putting a labelled sample first when the stream is empty) and
 * plans the applications the Map state creates, one per group of outputs the engine allows per application.
 */
import type { ApplicationPlan, SourceSchema } from '../src/engines';
import { eventObject, logger, stepContext } from './runtime';

/** A few parsed records are enough to show in the console; the state payload stays small. */
const PARSED_RECORDS_SHOWN = 5;

export interface DiscoverSchemaResult {
  schema: SourceSchema;
  samplePut: number;
  parsedRecords: (readonly string[])[];
  applications: ApplicationPlan[];
}

export async function handler(event: unknown): Promise<DiscoverSchemaResult> {
  const { engine } = stepContext(eventObject(event));
  const discovery = await engine.discover();
  const applications = engine.plan();
  logger.info('Schema discovered', {
    engine: engine.name,
    samplePut: discovery.samplePut,
    columns: discovery.schema.RecordColumns.map((c) => `${c.Name} ${c.SqlType}`),
    applications: applications.map((a) => a.name),
  });
  return {
    schema: discovery.schema,
    samplePut: discovery.samplePut,
    parsedRecords: discovery.parsedRecords.slice(0, PARSED_RECORDS_SHOWN),
    applications,
  };
}
