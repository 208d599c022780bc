/**
 * What every step handler shares: configuration from the environment, SDK clients built once per container, the
 * engine the event asks for, and the zod pieces of the events (handlers/step.ts wraps them); the logger is
 * handlers/logger.ts.
 */
import * as z from 'zod';
import { createEngineClients, type EngineClients } from '../src/aws';
import { engineNameOf, type FanoutConfig, loadConfig } from '../src/config';
import { createEngine, type Engine, InvalidInputError, type SourceSchema, STARTING_POSITIONS } from '../src/engines';

const clientsByRegion = new Map<string, EngineClients>();

function clientsFor(region: string): EngineClients {
  let clients = clientsByRegion.get(region);
  if (!clients) {
    clients = createEngineClients(region);
    clientsByRegion.set(region, clients);
  }
  return clients;
}

export interface StepContext {
  readonly config: FanoutConfig;
  readonly engine: Engine;
}

/** Reads the configuration and builds the engine named by the event (or the configured one). */
export function stepContext(event: { readonly engine?: unknown }): StepContext {
  const config = loadConfig();
  const engine = createEngine(engineNameOf(event.engine, config.engine), config, clientsFor(config.region));
  return { config, engine };
}

/** The event as an object; `{}` for an absent event, so every field stays optional. */
export function eventObject(event: unknown): Record<string, unknown> {
  if (event === undefined || event === null) return {};
  if (typeof event !== 'object' || Array.isArray(event)) {
    throw new InvalidInputError(`The event must be a JSON object, got ${JSON.stringify(event)}`);
  }
  return event as Record<string, unknown>;
}

/** An application name of this stage: `${APPLICATION_PREFIX}-<n>`. */
export function applicationName(name: unknown, config: FanoutConfig): string {
  if (typeof name !== 'string' || !name.startsWith(`${config.applicationPrefix}-`)) {
    throw new InvalidInputError(
      `name must be an application of this stage (${config.applicationPrefix}-<n>), got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** A SourceSchema as DiscoverSchema returned it; checked for shape, not rewritten. */
export function sourceSchema(value: unknown): SourceSchema {
  const schema = value as Partial<SourceSchema> | undefined;
  const format = schema?.RecordFormat?.RecordFormatType;
  const columns = schema?.RecordColumns;
  if (
    (format !== 'JSON' && format !== 'CSV') ||
    !Array.isArray(columns) ||
    columns.length === 0 ||
    !columns.every((c) => typeof c?.Name === 'string' && typeof c?.SqlType === 'string')
  ) {
    throw new InvalidInputError(
      'schema must be a SourceSchema (RecordFormat.RecordFormatType JSON or CSV, RecordColumns of {Name, SqlType}) as DiscoverSchema returns it',
    );
  }
  return schema as SourceSchema;
}

// ---- the zod pieces of the step events ---------------------------------------------------------------------

/** The engine is parsed by `stepContext` (engineNameOf), which names the engines this build has. */
export const engineField = z.unknown().optional();

/** A SourceSchema, as `sourceSchema` checks it. */
export const schemaField = z.unknown().transform((value, ctx): SourceSchema => {
  try {
    return sourceSchema(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const startingPositionField = z.enum(STARTING_POSITIONS).optional();

/** The event of a step on one application of the stage (describe, start, stop, delete). */
export const applicationEvent = z.object({ engine: engineField, name: z.string() });
