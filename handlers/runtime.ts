/**
 * What every step handler shares: configuration from the environment, SDK clients built once per container, the
 * engine the event asks for, a structured logger, and validation of the event's fields.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { type AwsClients, createClients } from '../src/aws';
import { engineNameOf, type FanoutConfig, loadConfig } from '../src/config';
import { createEngine, type Engine, InvalidInputError, type SourceSchema } from '../src/engines';

export const logger = new Logger({ serviceName: process.env['POWERTOOLS_SERVICE_NAME'] ?? 'kinesis-fanout' });

const clientsByRegion = new Map<string, AwsClients>();

function clientsFor(region: string): AwsClients {
  let clients = clientsByRegion.get(region);
  if (!clients) {
    clients = createClients(region);
    clientsByRegion.set(region, clients);
  }
  return clients;
}

export interface StepContext {
  readonly config: FanoutConfig;
  readonly engine: Engine;
}

/** Reads the configuration and builds the engine named by the event (or the configured one). */
export function stepContext(event: Record<string, unknown>): StepContext {
  const config = loadConfig();
  const engine = createEngine(engineNameOf(event['engine'], config.engine), config, clientsFor(config.region));
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
export function applicationName(event: Record<string, unknown>, config: FanoutConfig): string {
  const name = event['name'];
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
