/**
 * Reading an output back, the one place that knows output kinds: a Kinesis stream is read shard by shard from the
 * run's start (./kinesis-io.ts), a Firehose delivery stream by the objects it delivers to S3 (./firehose-io.ts), a
 * Lambda function by the rows its log group shows it received (./function-io.ts). Each hands the verifier the same
 * arrivals, so every kind gets the same missing/duplicate/misroute/latency report.
 */

import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { destinationKindOf, destinationNameOf } from '../destinations/arn';
import type { RecordEncoding } from './encoding';
import { consumeFirehose, deliveryTarget } from './firehose-io';
import { consumeFunctionLog } from './function-io';
import { type ConsumedRecord, consume } from './kinesis-io';
import type { ProgressLog, Timer } from './types';

/** The output kind an ARN names is not one the load test can read, or no client to read it was given. */
export class UnsupportedOutputError extends Error {
  override name = 'UnsupportedOutputError';
}

/** The clients that read the outputs other than Kinesis streams (each needed only for outputs of its kind). */
export interface OutputClients {
  readonly firehose?: Pick<FirehoseClient, 'send'>;
  readonly s3?: S3Client;
  readonly logs?: Pick<CloudWatchLogsClient, 'send'>;
}

export interface ReadOptions {
  from: Date;
  timer: Timer;
  state: () => 'go' | 'drain' | 'stop';
  onRecords: (records: ConsumedRecord[]) => void;
  onThrottle: () => void;
  encoding?: RecordEncoding;
}

/** The kind of output an ARN names: `kinesis`, `firehose` or `lambda`, else the ARN's service. */
export function outputKindOf(arn: string): string {
  const kind = destinationKindOf(arn);
  if (kind) return kind;
  try {
    return parseArn(arn).service;
  } catch {
    return 'unknown';
  }
}

/**
 * How much longer than the timeout the load test waits for an output: a Firehose delivery stream's buffering
 * interval (DescribeDeliveryStream; its objects appear up to that long after their rows went in), 0 for the other
 * kinds. 0 too when no Firehose client was given (the reader then says why it cannot read).
 */
export async function bufferMsOf(arn: string, clients: OutputClients = {}): Promise<number> {
  if (outputKindOf(arn) !== 'firehose' || !clients.firehose) return 0;
  return (await deliveryTarget(clients.firehose, arn)).bufferSeconds * 1000;
}

export interface OutputWait {
  /**
   * Whether every output still waited for is past its wait, `sinceEnd` ms after the last put (or the live window's
   * end): the timeout, and for a Firehose output the timeout plus its buffering interval. The first time only a
   * buffer is left to wait for, the progress log says so ("waiting for the Firehose buffer").
   */
  over(sinceEnd: number): boolean;
  /** For the verifier's report: each output's buffer (absent when no output has one). */
  readonly facts: { bufferMs?: readonly number[] };
}

/** The wait for the outputs of a run, from their kinds (each Firehose output described once). */
export async function outputWait(
  outputs: readonly { streamArn: string }[],
  options: {
    timeoutSeconds: number;
    outstandingOf: (output: number) => number;
    log: ProgressLog;
    clients?: OutputClients;
  },
): Promise<OutputWait> {
  const { log, outstandingOf } = options;
  const bufferMs = await Promise.all(
    outputs.map((o) =>
      bufferMsOf(o.streamArn, options.clients).catch((error: unknown) => {
        log('delivery stream not described; waiting the timeout alone for it', {
          output: destinationNameOf(o.streamArn),
          error: String(error),
        });
        return 0;
      }),
    ),
  );
  const timeoutMs = options.timeoutSeconds * 1000;
  let noted = false;
  return {
    facts: bufferMs.some((ms) => ms > 0) ? { bufferMs } : {},
    over(sinceEnd) {
      if (sinceEnd < timeoutMs) return false;
      const buffered = bufferMs.flatMap((ms, o) =>
        ms > 0 && outstandingOf(o) > 0 && sinceEnd < timeoutMs + ms ? [{ o, ms }] : [],
      );
      if (buffered.length > 0 && !noted) {
        noted = true;
        log('waiting for the Firehose buffer', {
          outputs: buffered.map((w) => destinationNameOf(outputs[w.o]!.streamArn)),
          timeoutSeconds: options.timeoutSeconds,
          bufferSeconds: Math.max(...buffered.map((w) => w.ms)) / 1000,
          outstanding: buffered.reduce((n, w) => n + outstandingOf(w.o), 0),
        });
      }
      return buffered.length === 0;
    },
  };
}

/** Reads an output until `state` says stop; throws UnsupportedOutputError for a kind it cannot read. */
export async function readOutput(
  kinesis: KinesisClient,
  arn: string,
  options: ReadOptions,
  clients: OutputClients = {},
): Promise<void> {
  const kind = outputKindOf(arn);
  const { from, timer, state, onRecords } = options;
  if (kind === 'kinesis') {
    await consume(kinesis, { streamArn: arn, ...options });
    return;
  }
  if (kind === 'firehose') {
    if (!clients.firehose || !clients.s3)
      throw new UnsupportedOutputError(`no Firehose and S3 clients to read the delivery stream ${arn}`);
    return consumeFirehose({ firehose: clients.firehose, s3: clients.s3 }, arn, { from, timer, state, onRecords });
  }
  if (kind === 'lambda') {
    if (!clients.logs) throw new UnsupportedOutputError(`no CloudWatch Logs client to read what ${arn} received`);
    return consumeFunctionLog(clients.logs, arn, { from, timer, state, onRecords });
  }
  throw new UnsupportedOutputError(
    `the load test reads Kinesis streams, Firehose delivery streams and Lambda functions; ${arn} is a ${kind} resource`,
  );
}
