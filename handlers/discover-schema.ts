/**
 * DiscoverSchema: infers the input stream's schema (putting a labelled sample first when the stream is empty) and
 * plans the applications the Map state creates, one per group of outputs the engine allows per application.
 */
import * as z from 'zod';
import type { ApplicationPlan, SourceSchema } from '../src/engines';
import { withVarcharHeadroom } from '../src/streaming-sql';
import { engineField, stepContext } from './runtime';
import { step } from './step';

/** A few parsed records are enough to show in the console; the state payload stays small. */
const PARSED_RECORDS_SHOWN = 5;

export interface DiscoverSchemaResult {
  schema: SourceSchema;
  samplePut: number;
  parsedRecords: (readonly string[])[];
  applications: ApplicationPlan[];
}

export const handler = step(
  'Schema discovery',
  z.object({ engine: engineField }),
  async (event): Promise<DiscoverSchemaResult> => {
    const { engine } = stepContext(event);
    const discovery = await engine.discover();
    return {
      // Discovered VARCHAR sizes fit the samples exactly; later values would be cut silently (withVarcharHeadroom).
      schema: withVarcharHeadroom(discovery.schema),
      samplePut: discovery.samplePut,
      parsedRecords: discovery.parsedRecords.slice(0, PARSED_RECORDS_SHOWN),
      applications: engine.plan(),
    };
  },
  {
    summary: (r) => ({
      samplePut: r.samplePut,
      columns: r.schema.RecordColumns.map((c) => `${c.Name} ${c.SqlType}`),
      applications: r.applications.map((a) => a.name),
    }),
  },
);
