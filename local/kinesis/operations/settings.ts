/**
 * Stream settings that change no data path on the twin but show in descriptions, as on AWS:
 * Start/StopStreamEncryption (KMS, any key id accepted) and Enable/DisableEnhancedMonitoring.
 */
import { invalidArgument, streamNotActive } from '../errors';
import { type KinesisState, str } from '../state';
import type { Stream } from '../store';

type Input = Record<string, unknown>;

const ALL_METRICS = [
  'IncomingBytes',
  'IncomingRecords',
  'OutgoingBytes',
  'OutgoingRecords',
  'WriteProvisionedThroughputExceeded',
  'ReadProvisionedThroughputExceeded',
  'IteratorAgeMilliseconds',
];

function active(state: KinesisState, input: Input): Stream {
  const stream = state.find(input);
  if (stream.status !== 'ACTIVE') throw streamNotActive(stream.name, stream.status);
  return stream;
}

export function startStreamEncryption(state: KinesisState, input: Input): Record<string, never> {
  const stream = active(state, input);
  if (str(input, 'EncryptionType') !== 'KMS') throw invalidArgument('EncryptionType must be KMS.');
  stream.encryption = { type: 'KMS', keyId: str(input, 'KeyId')! };
  state.touch();
  return {};
}

export function stopStreamEncryption(state: KinesisState, input: Input): Record<string, never> {
  const stream = active(state, input);
  stream.encryption = { type: 'NONE' };
  state.touch();
  return {};
}

function metrics(input: Input): string[] {
  const asked = input['ShardLevelMetrics'] as string[];
  return asked.includes('ALL') ? ALL_METRICS : asked;
}

function monitoringOutput(stream: Stream, before: string[]): unknown {
  return {
    StreamName: stream.name,
    StreamARN: stream.arn,
    CurrentShardLevelMetrics: before,
    DesiredShardLevelMetrics: [...stream.shardLevelMetrics],
  };
}

export function enableEnhancedMonitoring(state: KinesisState, input: Input): unknown {
  const stream = active(state, input);
  const before = [...stream.shardLevelMetrics];
  for (const m of metrics(input)) stream.shardLevelMetrics.add(m);
  state.touch();
  return monitoringOutput(stream, before);
}

export function disableEnhancedMonitoring(state: KinesisState, input: Input): unknown {
  const stream = active(state, input);
  const before = [...stream.shardLevelMetrics];
  for (const m of metrics(input)) stream.shardLevelMetrics.delete(m);
  state.touch();
  return monitoringOutput(stream, before);
}

/** Raises or lowers the largest record the stream takes (1 to 10 MiB). */
export function updateMaxRecordSize(state: KinesisState, input: Input): Record<string, never> {
  const stream = active(state, { StreamARN: input['StreamARN'] });
  stream.maxRecordKiB = input['MaxRecordSizeInKiB'] as number;
  state.touch();
  return {};
}
