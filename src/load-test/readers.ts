/**
 * Reading an output back, the one place that knows output kinds: today every output is a Kinesis stream, read
 * shard by shard from the run's start. A Firehose delivery stream or a Lambda destination plugs in here with a reader
 * of its own that hands the verifier the same arrivals.
 */

import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import type { RecordEncoding } from './encoding';
import { type ConsumedRecord, consume } from './kinesis-io';
import type { Timer } from './types';

/** The output kind an ARN names is not one the load test can read yet. */
export class UnsupportedOutputError extends Error {
  override name = 'UnsupportedOutputError';
}

export interface ReadOptions {
  from: Date;
  timer: Timer;
  state: () => 'go' | 'drain' | 'stop';
  onRecords: (records: ConsumedRecord[]) => void;
  onThrottle: () => void;
  encoding?: RecordEncoding;
}

/** The kind of output an ARN names: `kinesis` for a Kinesis stream. */
export function outputKindOf(arn: string): string {
  try {
    const parsed = parseArn(arn);
    return parsed.service === 'kinesis' && parsed.resource.startsWith('stream/') ? 'kinesis' : parsed.service;
  } catch {
    return 'unknown';
  }
}

/** Reads an output until `state` says stop; throws UnsupportedOutputError for a kind it cannot read. */
export async function readOutput(kinesis: KinesisClient, arn: string, options: ReadOptions): Promise<void> {
  const kind = outputKindOf(arn);
  if (kind !== 'kinesis')
    throw new UnsupportedOutputError(`the load test reads Kinesis stream outputs only; ${arn} is a ${kind} resource`);
  await consume(kinesis, { streamArn: arn, ...options });
}
