/**
 * Live mode: verifies the traffic already flowing through a fan-out instead of putting records of its own (the
 * default for an input stream the user brings, which a load test must not pollute). It reads the input from the
 * moment the applications run, for `liveSeconds`, runs what arrived through the same compiled SQL to know what each
 * output should hold, reads the outputs, and matches their rows by content.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { streamNameOf } from '../config';
import { destinationNameOf } from '../destinations/arn';
import type { SourceSchema } from '../streaming-sql';
import type { RecordEncoding } from './encoding';
import { compileForLoadTest, computeExpectation } from './expected';
import { type ConsumedRecord, consume, countSdkThrottles, type ShardRead } from './kinesis-io';
import { newRunId } from './partition-keys';
import { type OutputClients, outputWait, readOutput } from './readers';
import type { LoadTestReport, OutputBinding, ProgressLog, RunContext, Timer } from './types';
import { systemTimer } from './types';
import { plural, Verifier } from './verifier';
import { warningsOf } from './warnings';

export interface LiveOptions {
  sql: string;
  schema: SourceSchema;
  inputStreamArn: string;
  outputs: readonly OutputBinding[];
  /** How long to watch the input (default 30). */
  liveSeconds: number;
  /** How long to wait for the outputs after the window closed. */
  timeoutSeconds: number;
  runId?: string;
  context?: RunContext;
  encoding?: RecordEncoding;
  /** The most input records one run holds (default 200,000): a busier stream needs a shorter window. */
  maxRecords?: number;
}

export interface LiveDependencies {
  timer?: Timer;
  log?: ProgressLog;
  /** Time (of `timer`) by which the report must be back. */
  deadline?: number;
  /** Clients that read Firehose and Lambda outputs (needed only when there are some). */
  readers?: OutputClients;
}

/** The options of a live run are out of range. */
export class LiveInputError extends Error {
  override name = 'LiveInputError';
}

const DEFAULT_MAX_RECORDS = 200_000;
/**
 * The input is also read this long before the window: those records' rows may still be arriving when the window
 * opens, and a row of the same content as one of the window must not count as the window's.
 */
const LEAD_MS = 10_000;
const DRAIN_MAX_MS = 5000;
const RESERVE_MS = 15_000;

/**
 * Up to when (exclusive) every shard of the input was read: a shard that ended early (`stopped`) was read only
 * to its last record; the others were read past the window or to their tip.
 */
function readThrough(reads: readonly ShardRead[], from: number): number {
  let end = Number.POSITIVE_INFINITY;
  for (const read of reads) if (read.ended === 'stopped') end = Math.min(end, read.lastArrivalMs ?? from);
  return end;
}

/** Verifies live traffic; never throws for a failing verdict. */
export async function runLiveTest(
  kinesis: KinesisClient,
  options: LiveOptions,
  deps: LiveDependencies = {},
): Promise<LoadTestReport> {
  if (!Number.isFinite(options.liveSeconds) || options.liveSeconds <= 0 || options.liveSeconds > 600)
    throw new LiveInputError(`liveSeconds must be a number of seconds from 1 to 600, got ${options.liveSeconds}`);
  if (!Number.isFinite(options.timeoutSeconds) || options.timeoutSeconds <= 0)
    throw new LiveInputError(`timeoutSeconds must be positive, got ${options.timeoutSeconds}`);
  if (options.outputs.length === 0) throw new LiveInputError('at least one output stream is needed');
  const timer = deps.timer ?? systemTimer;
  const log: ProgressLog = deps.log ?? (() => {});
  const runId = options.runId ?? newRunId(timer.now());
  const names = options.outputs.map((o) => destinationNameOf(o.streamArn));
  const maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  const deadline = deps.deadline ?? Number.POSITIVE_INFINITY;
  const app = compileForLoadTest(options.sql, options.schema, options.outputs);
  const throttles = { put: 0, get: 0 };
  const removeCounter = countSdkThrottles(kinesis, () => throttles.get++);
  try {
    const startedAt = timer.now();
    const from = new Date(startedAt);
    const windowEnd = Math.min(startedAt + options.liveSeconds * 1000, deadline - RESERVE_MS - 5000);
    log('live mode: watching the input', {
      liveSeconds: options.liveSeconds,
      input: streamNameOf(options.inputStreamArn),
    });

    // 1. What arrives on the input during the window (and just before it, see LEAD_MS). A shard is read until a
    // record from after the window is read (or the shard is read to its tip): a producer keeps writing, so the input
    // is never caught up for good. Other consumers share a shard's 5 reads a second, so a throttled read may lag
    // behind the window: it is given the output timeout to catch up, and what it could not read is said, not guessed.
    let seen: ConsumedRecord[] = [];
    let overflow = false;
    const inputReadUntil = Math.min(
      windowEnd + Math.max(DRAIN_MAX_MS, options.timeoutSeconds * 1000),
      deadline - RESERVE_MS,
    );
    const shardReads = await consume(kinesis, {
      streamArn: options.inputStreamArn,
      from: new Date(startedAt - LEAD_MS),
      until: windowEnd,
      timer,
      ...(options.encoding ? { encoding: options.encoding } : {}),
      state: () => {
        const now = timer.now();
        if (overflow || now >= inputReadUntil) return 'stop';
        return now < windowEnd ? 'go' : 'drain';
      },
      onThrottle: () => throttles.get++,
      onRecords: (records) => {
        for (const r of records) {
          if (r.arrivalMs >= windowEnd) continue;
          if (seen.length >= maxRecords) overflow = true;
          else seen.push(r);
        }
      },
    });
    // The window verified: up to where every shard was read. A shard stopped short was read to its last record
    // (later records of that millisecond may be unread), so the verified window ends before it.
    const verifiedEnd = overflow ? windowEnd : Math.min(windowEnd, readThrough(shardReads, startedAt - LEAD_MS));
    if (verifiedEnd < windowEnd) seen = seen.filter((r) => r.arrivalMs < verifiedEnd);
    // In arrival order, as the application reads them (a stable sort keeps each shard's order).
    seen.sort((a, b) => a.arrivalMs - b.arrivalMs);
    const total = seen.length;
    const inWindow = (r: ConsumedRecord) => r.arrivalMs >= startedAt;
    const watched = seen.filter(inWindow).length;
    log('live mode: input read', { records: watched, before: total - watched });

    // 2. What each output should hold.
    const expectation = computeExpectation({
      app,
      outputs: options.outputs,
      total,
      record: (i) => ({ data: seen[i]!.data, partitionKey: seen[i]!.partitionKey }),
      arrivalMs: (i) => seen[i]!.arrivalMs,
      truncation: { sql: options.sql, schema: options.schema, records: total },
    });
    const verifier = new Verifier({
      runId,
      total,
      outputs: names,
      expectations: expectation.outputs,
      partitionKeyOf: (i) => seen[i]!.partitionKey,
      // numbered in arrival order: a record from just before the window (never "sent") and the window's compare
      inputOrderOf: (i) => i,
      liveUntil: verifiedEnd,
    });
    // Only the window's records are expected; those before it may only explain rows that arrive.
    seen.forEach((r, i) => {
      if (inWindow(r)) verifier.sent(i, r.arrivalMs);
      verifier.input(i, r.arrivalMs);
    });

    // 3. The outputs, from the window's start, until everything expected arrived or the timeout.
    const readUntil = deadline - RESERVE_MS;
    let drainSince: number | undefined;
    let cutShort = false;
    const waitFrom = Math.max(windowEnd, timer.now());
    // a Firehose output's rows appear in S3 up to its buffering interval after they went in: waited for on top of the timeout
    const wait = await outputWait(options.outputs, {
      timeoutSeconds: options.timeoutSeconds,
      outstandingOf: (o) => verifier.outstandingOf(o),
      log,
      ...(deps.readers ? { clients: deps.readers } : {}),
    });
    const state = (): 'go' | 'drain' | 'stop' => {
      const now = timer.now();
      if (now >= readUntil) {
        cutShort ||= !verifier.complete;
        return 'stop';
      }
      if (drainSince === undefined && (verifier.complete || wait.over(now - waitFrom))) drainSince = now;
      if (drainSince === undefined) return 'go';
      return now - drainSince > DRAIN_MAX_MS ? 'stop' : 'drain';
    };
    await Promise.all(
      options.outputs.map((output, o) =>
        readOutput(
          kinesis,
          output.streamArn,
          {
            from,
            timer,
            state,
            ...(options.encoding ? { encoding: options.encoding } : {}),
            onThrottle: () => throttles.get++,
            onRecords: (records) => {
              for (const r of records) verifier.output(o, r);
            },
          },
          deps.readers,
        ),
      ),
    );
    const report = verifier.report({
      startedAt,
      sendEndedAt: windowEnd,
      endedAt: timer.now(),
      timeoutSeconds: options.timeoutSeconds,
      ...wait.facts,
      requested: watched,
      throttles,
      rejected: expectation.rejected,
      ...(expectation.firstRejection === undefined ? {} : { firstRejection: expectation.firstRejection }),
      cutShort,
    });
    report.mode = 'live';
    // per second of the window verified (the whole window unless the input read stopped short)
    const verifiedSeconds = Math.max(0.1, (verifiedEnd - startedAt) / 1000);
    report.achievedRate = Math.round((watched / verifiedSeconds) * 10) / 10;
    if (options.context) report.run = options.context;
    report.records = { source: 'live' };
    if (expectation.truncated.length > 0) report.truncated = expectation.truncated;
    const input = streamNameOf(options.inputStreamArn);
    if (watched === 0) {
      report.reasons.unshift(
        verifiedEnd < windowEnd
          ? `no record of the ${options.liveSeconds} s window could be read from the input stream ${input} (GetRecords throttled ${plural(throttles.get, 'time')}: other consumers share a shard's 5 reads a second), so there was nothing to verify`
          : `no record arrived on the input stream ${input} in the ${options.liveSeconds} s window, so there was nothing to verify: is a producer writing? (mode: synthetic puts test records instead)`,
      );
      report.verdict = 'fail';
    }
    if (verifiedEnd < windowEnd) {
      const second = (ms: number) => `${(Math.max(0, ms - startedAt) / 1000).toFixed(1)} s`;
      report.warnings = [
        `the input ${input} could be read only to ${second(verifiedEnd)} of the ${options.liveSeconds} s window (GetRecords throttled ${plural(throttles.get, 'time')}: other consumers share a shard's 5 reads a second); what arrived after that was not verified`,
      ];
    }
    if (overflow)
      report.warnings = [
        `more than ${maxRecords.toLocaleString('en-US')} records arrived in the window; the first ${maxRecords.toLocaleString('en-US')} were verified (a shorter liveSeconds covers a busy stream whole)`,
      ];
    report.warnings = [...(report.warnings ?? []), ...warningsOf(report)];
    log('load test done', { verdict: report.verdict, reasons: report.reasons, warnings: report.warnings });
    return report;
  } finally {
    removeCounter();
  }
}
