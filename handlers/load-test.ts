/**
 * LoadTest step: puts generated records into the input stream (synthetic mode) or watches the traffic already flowing
 * (live mode), reads every output back and returns the report. A failing verdict is a result, not an error: the
 * state machine tears down first and fails on `report.verdict`. `records: 0` or `loadTest: "off"` skips it.
 */

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { createClients } from '../src/aws';
import { type FanoutConfig, loadConfig, type OutputBinding, streamNameOf } from '../src/config';
import { destinationNameOf } from '../src/destinations/arn';
import { listStreams } from '../src/fanout/outputs';
import { applicationSqlOf } from '../src/fanout-config/application-sql';
import {
  DEFAULT_KEYS_PER_SHARD,
  kplEncoding,
  LoadTestInputError,
  type LoadTestReport,
  type RecordSourceSpec,
  type RunContext,
  runLiveTest,
  runLoadTest,
} from '../src/load-test';
import { userSourceOf } from '../src/load-test/user-source';
import type { SourceSchema } from '../src/streaming-sql';
import { logger } from './logger';
import { sourceSchema } from './runtime';
import { step } from './step';

export interface LoadTestEvent {
  runId?: string | null;
  records?: number | string | null;
  rate?: number | string | null;
  timeoutSeconds?: number | string | null;
  recordSize?: number | string | null;
  negativeShare?: number | string | null;
  /** `synthetic` (put generated records) or `live` (verify the traffic flowing); default synthetic. */
  mode?: string | null;
  /** Live mode: how long to watch the input (default 30). */
  liveSeconds?: number | string | null;
  /** Synthetic mode: partition keys per input shard (default: fanout.yml's loadTest.keysPerShard, else 100). */
  keysPerShard?: number | string | null;
  /**
   * KPL-aggregated input: `true` (10 user records per Kinesis record), a number N (N per record), `false` (one
   * each). Default: true when fanout.yml says `input.kplAggregated: true`, else false.
   */
  aggregate?: boolean | number | string | null;
  /** `off` (or false) skips the load test. */
  loadTest?: string | boolean | null;
  /** What ran, for the report: the engine, the execution and the planned applications. */
  engine?: string | null;
  executionArn?: string | null;
  applications?: { name?: unknown; outputs?: { streamArn?: unknown }[] }[] | null;
  /** DiscoverSchema's result: a SourceSchema, or the API's `{ InputSchema }`. */
  schema: SourceSchema | { InputSchema: SourceSchema };
}

let config: FanoutConfig | undefined;
let clients: ReturnType<typeof createClients> | undefined;

export const MODES = ['synthetic', 'live'] as const;
export type LoadTestMode = (typeof MODES)[number];
const DEFAULT_LIVE_SECONDS = 30;

function numberOf(event: LoadTestEvent, key: keyof LoadTestEvent, fallback?: number): number | undefined {
  const value = event[key];
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n))
    throw new LoadTestInputError(`${key} must be a number, got ${JSON.stringify(value)}`);
  return n;
}

/** The event's mode, else the fan-out file's (`live` for an input the user brings), else synthetic. */
function modeOf(event: LoadTestEvent, cfg: FanoutConfig): LoadTestMode {
  const mode = event.mode;
  if (mode === undefined || mode === null || mode === '') return cfg.fanout.loadTest?.mode ?? 'synthetic';
  if ((MODES as readonly unknown[]).includes(mode)) return mode as LoadTestMode;
  throw new LoadTestInputError(`mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
}

/** User records per Kinesis record with `aggregate: true`. */
export const DEFAULT_RECORDS_PER_AGGREGATE = 10;

/** User records per KPL aggregate the producer writes; 0 for plain records. */
function aggregateOf(event: LoadTestEvent, cfg: FanoutConfig): number {
  const value = event.aggregate;
  if (value === undefined || value === null || value === '')
    return cfg.fanout.kplAggregated ? DEFAULT_RECORDS_PER_AGGREGATE : 0;
  if (value === true || value === 'true') return DEFAULT_RECORDS_PER_AGGREGATE;
  if (value === false || value === 'false') return 0;
  const n = typeof value === 'string' ? Number(value) : value;
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new LoadTestInputError(
      `aggregate must be true, false or the user records per Kinesis record (1-10000), got ${JSON.stringify(value)}`,
    );
  return n;
}

function sourceOf(fanout: FanoutConfig['fanout']): { source?: RecordSourceSpec } {
  const source = userSourceOf(fanout);
  return source ? { source } : {};
}

/** DiscoverSchema's result, bare or as the API's `{ InputSchema }`. */
function schemaOf(event: LoadTestEvent): SourceSchema {
  const raw = event.schema as { InputSchema?: unknown } | undefined;
  return sourceSchema(raw?.InputSchema ?? raw);
}

/** What ran, from the event and the configuration. */
function contextOf(event: LoadTestEvent, cfg: FanoutConfig): RunContext {
  const applications = Array.isArray(event.applications)
    ? event.applications
        .filter((a) => typeof a?.name === 'string')
        .map((a) => ({
          name: a.name as string,
          outputs: (a.outputs ?? [])
            .map((o) => (typeof o?.streamArn === 'string' ? destinationNameOf(o.streamArn) : undefined))
            .filter((name): name is string => name !== undefined),
        }))
    : undefined;
  return {
    engine: typeof event.engine === 'string' && event.engine !== '' ? event.engine : cfg.engine,
    stage: cfg.stage,
    input: streamNameOf(cfg.inputStreamArn),
    ...(typeof event.executionArn === 'string' && event.executionArn !== ''
      ? { executionArn: event.executionArn }
      : {}),
    ...(applications ? { applications } : {}),
  };
}

/**
 * The outputs to verify: the file's, and, on the lambda engine (the one that writes them), every stream its output
 * prefix matches now (never the input; a named output is not counted twice).
 */
async function outputsOf(
  cfg: FanoutConfig,
  engine: string | undefined,
  kinesis: KinesisClient,
): Promise<readonly OutputBinding[]> {
  const prefix = cfg.fanout.outputPrefix;
  if (!prefix || engine !== 'lambda') return cfg.outputs;
  const named = new Set([cfg.inputStreamArn, ...cfg.outputs.map((o) => o.streamArn)]);
  const found = (await listStreams(kinesis)).filter((s) => s.name.startsWith(prefix.prefix) && !named.has(s.arn));
  return [...cfg.outputs, ...found.map((s) => ({ sqlStream: prefix.sqlStream, streamArn: s.arn }))];
}

/** The report of a load test that was asked not to run. */
function skipped(runId: string, context: RunContext, why: string): LoadTestReport {
  return {
    verdict: 'skipped',
    reasons: [],
    warnings: [why],
    run: context,
    runId,
    sent: 0,
    durationMs: 0,
    startedAt: new Date().toISOString(),
    outputs: {},
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
    throttled: 0,
  };
}

/** Time kept after the report is back for the function to log it and return. */
const RETURN_MARGIN_MS = 5000;

/** Every field is optional and read (with its own messages) by the handler; the event must be an object. */
const eventSchema = z.looseObject({});

export const handler: (event: LoadTestEvent | unknown, context?: Context) => Promise<LoadTestReport> = step(
  'Load test',
  eventSchema,
  (event, context) => loadTest(event as unknown as LoadTestEvent, context),
  {
    // The histogram and timeline stay in the returned report; the log line carries the summary only.
    summary: ({ histogram: _h, timeline: _t, ...summary }) => summary,
  },
);

async function loadTest(event: LoadTestEvent, context: Context | undefined): Promise<LoadTestReport> {
  const remaining = context?.getRemainingTimeInMillis?.();
  config ??= loadConfig();
  clients ??= createClients(config.region);
  const defaults = config.loadTest;
  const recordSize = numberOf(event, 'recordSize');
  const negativeShare = numberOf(event, 'negativeShare');
  // The execution name becomes the run id; Step Functions allows characters a run id should not carry.
  const runId =
    typeof event.runId === 'string' && event.runId !== ''
      ? event.runId.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 80)
      : `lt${Date.now().toString(36)}`;
  const run = contextOf(event, config);
  const records = numberOf(event, 'records', defaults.records)!;
  if (event.loadTest === 'off' || event.loadTest === false)
    return skipped(runId, run, 'the load test is off (loadTest: off): nothing was verified');
  if (records === 0) {
    const why = config.fanout.loadTest?.off
      ? `the load test is off in ${config.fanout.file} (loadTest: off): nothing was verified`
      : 'records: 0 skips the load test: nothing was verified';
    return skipped(runId, run, why);
  }
  const mode = modeOf(event, config);
  const perAggregate = aggregateOf(event, config);
  if (perAggregate > 0 && run.engine === 'kinesis-analytics' && !config.kplPreprocessorArn) {
    throw new LoadTestInputError(
      'aggregate asks for KPL-aggregated records, but fanout.yml does not say input.kplAggregated: true, so the ' +
        'kinesis-analytics applications have no KPL preprocessor and would read each aggregate as one unreadable ' +
        'record: set it and deploy again, or use the lambda engine (it deaggregates whatever the setting)',
    );
  }
  const timeoutSeconds = numberOf(event, 'timeoutSeconds', defaults.timeoutSeconds)!;
  const deps = {
    log: (message: string, fields?: Record<string, unknown>) => logger.info(message, fields ?? {}),
    // A report cut short beats a function killed at its limit, which would lose the report altogether.
    ...(remaining === undefined ? {} : { deadline: Date.now() + remaining - RETURN_MARGIN_MS }),
    // Firehose outputs are read from their S3 objects, Lambda outputs from the function's log group
    readers: { firehose: clients.firehose, s3: clients.s3, logs: clients.logs },
  };
  const schema = schemaOf(event);
  const common = {
    sql: applicationSqlOf(config.fanout, schema.RecordColumns),
    schema,
    inputStreamArn: config.inputStreamArn,
    outputs: await outputsOf(config, run.engine, clients.kinesis),
    timeoutSeconds,
    runId,
    context: run,
    ...(perAggregate > 0 ? { encoding: kplEncoding(perAggregate) } : {}),
  };
  const report =
    mode === 'live'
      ? await runLiveTest(
          clients.kinesis,
          {
            ...common,
            liveSeconds: numberOf(event, 'liveSeconds', config.fanout.loadTest?.liveSeconds ?? DEFAULT_LIVE_SECONDS)!,
          },
          deps,
        )
      : await runLoadTest(
          clients.kinesis,
          {
            ...common,
            records,
            rate: numberOf(event, 'rate', defaults.rate)!,
            keysPerShard: numberOf(
              event,
              'keysPerShard',
              config.fanout.loadTest?.keysPerShard ?? DEFAULT_KEYS_PER_SHARD,
            )!,
            // the fan-out file's loadTest.sample (records or a generator), else records from the input schema
            ...sourceOf(config.fanout),
            ...(recordSize === undefined ? {} : { recordSize }),
            ...(negativeShare === undefined ? {} : { negativeShare }),
          },
          deps,
        );
  return report;
}
