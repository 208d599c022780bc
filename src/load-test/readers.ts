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
import { destinationKindOf } from '../destinations/arn';
import type { RecordEncoding } from './encoding';
import { consumeFirehose } from './firehose-io';
import { consumeFunctionLog } from './function-io';
import { type ConsumedRecord, consume } from './kinesis-io';
import type { Timer } from './types';

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

/** Reads an output until `state` says stop; throws UnsupportedOutputError for a kind it cannot read. */
export async function readOutput(
  kinesis: KinesisClient,
  arn: string,
  options: ReadOptions,
  clients: OutputClients = {},
): Promise<void> {
  const kind = outputKindOf(arn);
  const { from, timer, state, onRecords } = options;
  if (kind === 'kinesis') return consume(kinesis, { streamArn: arn, ...options });
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
