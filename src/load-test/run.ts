/**
 * One load test: generate records, put them at the target rate, read every output back as a consumer would, and
 * report what arrived where and when.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { destinationNameOf } from '../destinations/arn';
import type { CompiledApplication, SourceSchema } from '../streaming-sql';
import type { RecordEncoding } from './encoding';
import { compileForLoadTest, computeExpectation } from './expected';
import { tagOf } from './identity';
import { consume, countSdkThrottles, listShards, openShards, produce } from './kinesis-io';
import { DEFAULT_KEYS_PER_SHARD, MAX_KEYS_PER_SHARD, newRunId, partitionKeysForShards } from './partition-keys';
import { type OutputClients, outputWait, readOutput } from './readers';
import type { RecordSourceSpec } from './records';
import { RecordSource } from './source';
import type { LoadTestReport, OutputBinding, ProgressLog, RunContext, Timer } from './types';
import { systemTimer } from './types';
import { Verifier } from './verifier';
import { warningsOf } from './warnings';

export interface LoadTestOptions {
  /** The application SQL (sql/fanout.sql): the expected destinations come from it. */
  sql: string;
  /** The input schema the application was created with (DiscoverSchema's result). */
  schema: SourceSchema;
  inputStreamArn: string;
  /** Each in-application output stream and the Kinesis stream it feeds. */
  outputs: readonly OutputBinding[];
  records: number;
  /** Target records per second. */
  rate: number;
  /**
   * How long to wait for the outputs after the last record was put; for a Firehose output, this plus its buffering
   * interval (the report says so when that wait is needed).
   */
  timeoutSeconds: number;
  /** Pad each record to this many bytes. */
  recordSize?: number;
  /** Share of negative amounts, 0..1 (default 0.5). */
  negativeShare?: number;
  runId?: string;
  /** Partition keys per input shard (default DEFAULT_KEYS_PER_SHARD: 100). */
  keysPerShard?: number;
  /** Where the records come from (default: synthetic records from the schema). */
  source?: RecordSourceSpec;
  /** What ran (engine, stage, execution, applications), carried into the report. */
  context?: RunContext;
  /** How records travel in Kinesis records (default: one each). */
  encoding?: RecordEncoding;
}

export interface LoadTestDependencies {
  timer?: Timer;
  log?: ProgressLog;
  /**
   * Time (of `timer`) by which the report must be back, e.g. the Lambda function's own limit less a margin: sending
   * and waiting stop early enough, and the report says the run was cut short.
   */
  deadline?: number;
  /** Clients that read Firehose and Lambda outputs (needed only when there are some). */
  readers?: OutputClients;
}

/** The options of a load test are out of range. */
export class LoadTestInputError extends Error {
  override name = 'LoadTestInputError';
}

/** Records a run may carry: the sequence must fit an INTEGER column. */
export const MAX_RECORDS = 2_000_000_000;
/** After everything expected arrived (or the timeout), keep reading this long at most to catch late extras. */
const DRAIN_MAX_MS = 5000;
/** Time kept before the deadline for reading the input's arrival times and building the report. */
const RESERVE_MS = 15_000;
/** Clock skew allowance between this process and Kinesis when reading AT_TIMESTAMP. */
export const SKEW_MS = 5000;
/** Synthetic records checked for truncated values (user records: all of them, up to this many more). */
const TRUNCATION_PROBE = 200;
const TRUNCATION_PROBE_USER = 5000;

function check(condition: boolean, message: string): void {
  if (!condition) throw new LoadTestInputError(message);
}

/** Validates options; throws LoadTestInputError naming the first bad one. */
export function validateLoadTestOptions(o: LoadTestOptions): void {
  check(
    Number.isInteger(o.records) && o.records >= 1 && o.records <= MAX_RECORDS,
    `records must be an integer from 1 to ${MAX_RECORDS}, got ${o.records}`,
  );
  check(Number.isFinite(o.rate) && o.rate > 0, `rate must be a positive number of records per second, got ${o.rate}`);
  check(
    Number.isFinite(o.timeoutSeconds) && o.timeoutSeconds > 0,
    `timeoutSeconds must be positive, got ${o.timeoutSeconds}`,
  );
  check(
    o.recordSize === undefined || (Number.isInteger(o.recordSize) && o.recordSize >= 0 && o.recordSize <= 1_000_000),
    `recordSize must be an integer from 0 to 1000000 bytes, got ${o.recordSize}`,
  );
  check(
    o.negativeShare === undefined || (o.negativeShare >= 0 && o.negativeShare <= 1),
    `negativeShare must be between 0 and 1, got ${o.negativeShare}`,
  );
  check(
    o.runId === undefined || /^[A-Za-z0-9_.-]{1,80}$/.test(o.runId),
    `runId must be 1-80 letters, digits, '_', '.' or '-', got ${o.runId}`,
  );
  check(
    o.keysPerShard === undefined ||
      (Number.isInteger(o.keysPerShard) && o.keysPerShard >= 1 && o.keysPerShard <= MAX_KEYS_PER_SHARD),
    `keysPerShard must be an integer from 1 to ${MAX_KEYS_PER_SHARD}, got ${o.keysPerShard}`,
  );
  check(o.outputs.length > 0, 'at least one output stream is needed');
  check(
    Array.isArray(o.schema?.RecordColumns) && o.schema.RecordFormat !== undefined,
    'schema must be a SourceSchema with RecordFormat and RecordColumns',
  );
}

/**
 * Runs a load test against the input stream and reads back every output stream. Never throws for a failing
 * verdict: the report says why; throws only when the test itself cannot run (bad options, missing streams).
 */
export async function runLoadTest(
  kinesis: KinesisClient,
  options: LoadTestOptions,
  deps: LoadTestDependencies = {},
): Promise<LoadTestReport> {
  validateLoadTestOptions(options);
  const timer = deps.timer ?? systemTimer;
  const log: ProgressLog = deps.log ?? (() => {});
  const runId = options.runId ?? newRunId(timer.now());
  const total = options.records;
  const names = options.outputs.map((o) => destinationNameOf(o.streamArn));
  const tag = tagOf(runId);

  // Without ListShards on the input the keys are still spread, by chance rather than by construction.
  const inputShards = await listShards(kinesis, options.inputStreamArn).then(openShards, (error: unknown) => {
    log('input shards not listed; partition keys spread at random', { error: String(error) });
    return [];
  });
  const app = compileForLoadTest(options.sql, options.schema, options.outputs);
  const planStart = timer.now();
  const plannedMs = (seq: number) => planStart + (seq * 1000) / options.rate;
  let source: RecordSource;
  try {
    source = new RecordSource(options.source ?? { kind: 'synthetic' }, {
      runId,
      tag,
      schema: options.schema,
      partitionKeys: partitionKeysForShards(tag, inputShards, options.keysPerShard ?? DEFAULT_KEYS_PER_SHARD),
      plannedMs,
      ...(options.recordSize === undefined ? {} : { recordSize: options.recordSize }),
      ...(options.negativeShare === undefined ? {} : { negativeShare: options.negativeShare }),
    });
  } catch (error) {
    throw new LoadTestInputError((error as Error).message, { cause: error });
  }
  if (source.kind !== 'synthetic') source.setCarriers(safeCarriers(app, source, Math.min(total, 200), plannedMs));
  const expectation = computeExpectation({
    app,
    outputs: options.outputs,
    total,
    record: (seq) => source.record(seq),
    arrivalMs: plannedMs,
    tag,
    truncation: {
      sql: options.sql,
      schema: options.schema,
      records: source.kind === 'synthetic' ? TRUNCATION_PROBE : TRUNCATION_PROBE_USER,
    },
  });
  const verifier = new Verifier({
    runId,
    tag,
    total,
    outputs: names,
    expectations: expectation.outputs,
    partitionKeyOf: (seq) => source.partitionKeyOf(seq),
  });
  log('load test planned', {
    runId,
    records: total,
    rate: options.rate,
    inputShards: inputShards.length,
    outputs: names,
    matchedBy: expectation.outputs.map((o) => o.by),
  });
  // Where each acknowledged record sits on the input, to find its arrival time there.
  /** The run's records in each input Kinesis record (`shard/sequence`), in their order inside it. */
  const inputPosition = new Map<string, number[]>();

  const throttles = { put: 0, get: 0 };
  const removeCounter = countSdkThrottles(kinesis, (command) => {
    if (command.startsWith('PutRecords')) throttles.put++;
    else throttles.get++;
  });
  try {
    // a Firehose output's rows appear in S3 up to its buffering interval after they went in: waited for on top of the timeout
    const wait = await outputWait(options.outputs, {
      timeoutSeconds: options.timeoutSeconds,
      outstandingOf: (o) => verifier.outstandingOf(o),
      log,
      ...(deps.readers ? { clients: deps.readers } : {}),
    });
    const startedAt = timer.now();
    const from = new Date(startedAt - SKEW_MS);
    let sendEndedAt: number | undefined;
    let drainSince: number | undefined;
    let cutShort = false;
    const deadline = deps.deadline ?? Number.POSITIVE_INFINITY;
    // Outputs are read until here at the latest; sending stops a little earlier still.
    const readUntil = deadline - RESERVE_MS;
    const abort = new AbortController();
    const state = (): 'go' | 'drain' | 'stop' => {
      if (abort.signal.aborted) return 'stop';
      const now = timer.now();
      if (now >= readUntil) {
        cutShort ||= !verifier.complete || sendEndedAt === undefined;
        return 'stop';
      }
      if (sendEndedAt === undefined) return 'go';
      if (drainSince === undefined && (verifier.complete || wait.over(now - sendEndedAt))) drainSince = now;
      if (drainSince === undefined) return 'go';
      return now - drainSince > DRAIN_MAX_MS ? 'stop' : 'drain';
    };
    // Every expected row is in once the sending ended and the verifier has nothing outstanding: the applications are
    // done with the input then, and it is read while the outputs drain.
    let outputsIn!: () => void;
    const allIn = new Promise<void>((resolve) => {
      outputsIn = resolve;
    });
    const readers = Promise.all(
      options.outputs.map((output, o) =>
        readOutput(
          kinesis,
          output.streamArn,
          {
            ...(options.encoding ? { encoding: options.encoding } : {}),
            from,
            timer,
            state,
            onThrottle: () => throttles.get++,
            onRecords: (records) => {
              for (const r of records) verifier.output(o, r);
              if (sendEndedAt !== undefined && verifier.complete) outputsIn();
            },
          },
          deps.readers,
        ),
      ),
    ).catch((error: unknown) => {
      abort.abort();
      throw error;
    });
    // Attach the handler now so a reader's failure during sending is not an unhandled rejection.
    readers.catch(() => {});
    const sending = await produce(kinesis, {
      streamArn: options.inputStreamArn,
      total,
      rate: options.rate,
      record: (seq) => source.record(seq),
      partitionKeyOf: (seq) => source.partitionKeyOf(seq),
      keyCount: source.keyCount,
      ...(options.encoding ? { encoding: options.encoding } : {}),
      onSent: (seq, ackMs, shardId, sequenceNumber) => {
        verifier.sent(seq, ackMs);
        if (shardId !== undefined && sequenceNumber !== undefined) {
          const key = `${shardId}/${sequenceNumber}`;
          const seqs = inputPosition.get(key);
          if (seqs) seqs.push(seq);
          else inputPosition.set(key, [seq]);
        }
      },
      onThrottle: (n) => {
        throttles.put += n;
      },
      timer,
      signal: abort.signal,
      stopAt: readUntil - 5000,
    });
    sendEndedAt = sending.endedAt;
    if (verifier.complete) outputsIn();
    if (sending.sent + sending.failed < total) cutShort = true;
    log('records sent', { sent: sending.sent, failed: sending.failed, ms: sending.endedAt - sending.startedAt });

    // Input arrival times, read once the application is done with the input (every row in, or the outputs read as
    // far as they will be) so the verifier takes no read capacity from it while it runs.
    const inputRead = Promise.race([allIn, readers]).then(() => {
      const inputCap = Math.min(timer.now() + Math.max(10_000, total / 2), deadline - 2000);
      // Without read access to the input, latency counts from each put's acknowledgement instead.
      return consume(kinesis, {
        streamArn: options.inputStreamArn,
        from,
        timer,
        state: () => (abort.signal.aborted || verifier.inputComplete || timer.now() > inputCap ? 'stop' : 'drain'),
        onThrottle: () => throttles.get++,
        ...(options.encoding ? { encoding: options.encoding } : {}),
        onRecords: (records) => {
          for (const r of records) {
            const seq = inputPosition.get(`${r.shardId}/${r.sequenceNumber}`)?.[r.subSequenceNumber];
            if (seq !== undefined) verifier.input(seq, r.arrivalMs);
          }
        },
      }).catch((error: unknown) =>
        log('input stream not read; latency counted from the puts', { error: String(error) }),
      );
    });
    // a reader's failure is the run's (readers rejects, inputRead ends at the abort)
    inputRead.catch(() => {});
    await readers;
    log('outputs read', { outstanding: verifier.outstandingCount });
    await inputRead;
    const report = verifier.report({
      startedAt,
      sendEndedAt: sending.endedAt,
      endedAt: timer.now(),
      timeoutSeconds: options.timeoutSeconds,
      ...wait.facts,
      requested: total,
      targetRate: options.rate,
      throttles,
      failedToSend: sending.failed,
      ...(sending.firstError === undefined ? {} : { firstSendError: sending.firstError }),
      rejected: expectation.rejected,
      ...(expectation.firstRejection === undefined ? {} : { firstRejection: expectation.firstRejection }),
      cutShort,
    });
    report.mode = 'synthetic';
    if (options.context) report.run = options.context;
    report.records = {
      source: source.kind,
      ...(source.name === undefined ? {} : { name: source.name }),
      tag,
      carriers: source.carriers.map((i) => source.columns[i]!.name),
      ...(options.encoding?.aggregate === undefined ? {} : { aggregate: options.encoding.aggregate }),
    };
    if (expectation.truncated.length > 0) report.truncated = expectation.truncated;
    report.warnings = warningsOf(report);
    log('load test done', { verdict: report.verdict, reasons: report.reasons, warnings: report.warnings });
    return report;
  } finally {
    removeCounter();
  }
}

/**
 * The text columns of the user's records that can carry the run's token: those where writing it changes no
 * record's routing (the rows each output gets) over the first `probe` records. All of them if that holds together,
 * else the first one alone, else none (the outputs are then matched by content).
 */
export function safeCarriers(
  app: CompiledApplication,
  source: RecordSource,
  probe: number,
  plannedMs: (seq: number) => number,
): number[] {
  const routing = (carriers: number[]): string => {
    const runner = app.createRunner();
    const counts: string[] = [];
    for (let seq = 0; seq < probe; seq++) {
      const r = source.record(seq, carriers);
      const { rows, errors } = runner.push([
        { data: r.data, arrivalTime: plannedMs(seq), partitionKey: r.partitionKey },
      ]);
      const per = new Map<string, number>();
      for (const row of rows) per.set(row.stream, (per.get(row.stream) ?? 0) + 1);
      counts.push(`${[...per].sort().join(',')}|${errors.length}`);
    }
    return counts.join(';');
  };
  const base = routing([]);
  const safe = source.textColumns().filter((c) => routing([c]) === base);
  if (safe.length <= 1 || routing(safe) === base) return safe;
  return safe.slice(0, 1);
}
