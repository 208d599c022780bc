/**
 * LoadTest step: puts generated records into the input stream, reads every output back and returns the report.
 * A failing verdict is a result, not an error: the state machine tears down first and fails on `report.verdict`.
 */
import { applicationSql } from '../src/application';
import { createClients } from '../src/aws';
import { type FanoutConfig, loadConfig } from '../src/config';
import { LoadTestInputError, type LoadTestReport, runLoadTest } from '../src/load-test';
import type { SourceSchema } from '../src/streaming-sql';
import { eventObject, logger, sourceSchema } from './runtime';

export interface LoadTestEvent {
  runId?: string | null;
  records?: number | string | null;
  rate?: number | string | null;
  timeoutSeconds?: number | string | null;
  recordSize?: number | string | null;
  negativeShare?: number | string | null;
  /** DiscoverSchema's result: a SourceSchema, or the API's `{ InputSchema }`. */
  schema: SourceSchema | { InputSchema: SourceSchema };
}

let config: FanoutConfig | undefined;
let clients: ReturnType<typeof createClients> | undefined;

function numberOf(event: LoadTestEvent, key: keyof LoadTestEvent, fallback?: number): number | undefined {
  const value = event[key];
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new LoadTestInputError(`${key} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/** DiscoverSchema's result, bare or as the API's `{ InputSchema }`. */
function schemaOf(event: LoadTestEvent): SourceSchema {
  const raw = event.schema as { InputSchema?: unknown } | undefined;
  return sourceSchema(raw?.InputSchema ?? raw);
}

/** Time kept after the report is back for the function to log it and return. */
const RETURN_MARGIN_MS = 5000;

export const handler = async (
  raw: LoadTestEvent,
  context?: { getRemainingTimeInMillis?: () => number },
): Promise<LoadTestReport> => {
  const event = eventObject(raw) as unknown as LoadTestEvent;
  const remaining = context?.getRemainingTimeInMillis?.();
  config ??= loadConfig();
  clients ??= createClients(config.region);
  const defaults = config.loadTest;
  const recordSize = numberOf(event, 'recordSize');
  const negativeShare = numberOf(event, 'negativeShare');
  // The execution name becomes the run id; Step Functions allows characters a USERNAME tag should not carry.
  const runId =
    typeof event.runId === 'string' && event.runId !== ''
      ? event.runId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 80)
      : undefined;
  const report = await runLoadTest(
    clients.kinesis,
    {
      sql: applicationSql,
      schema: schemaOf(event),
      inputStreamArn: config.inputStreamArn,
      outputs: config.outputs,
      records: numberOf(event, 'records', defaults.records)!,
      rate: numberOf(event, 'rate', defaults.rate)!,
      timeoutSeconds: numberOf(event, 'timeoutSeconds', defaults.timeoutSeconds)!,
      ...(recordSize === undefined ? {} : { recordSize }),
      ...(negativeShare === undefined ? {} : { negativeShare }),
      ...(runId === undefined ? {} : { runId }),
    },
    {
      log: (message, fields) => logger.info(message, fields ?? {}),
      // A report cut short beats a function killed at its limit, which would lose the report altogether.
      ...(remaining === undefined ? {} : { deadline: Date.now() + remaining - RETURN_MARGIN_MS }),
    },
  );
  // The histogram and timeline stay in the returned report; the log line carries the summary only.
  const { histogram: _h, timeline: _t, ...summary } = report;
  logger.info('load test report', summary);
  return report;
};
