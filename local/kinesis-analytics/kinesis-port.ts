/**
 * What the Kinesis Analytics twin uses of the Kinesis twin (local/kinesis): its wire operations for shards and
 * iterators, and its in-process PutRecords/GetRecords (bytes, no base64). `KinesisTwin` satisfies it; tests can
 * hand in anything else that does.
 */
import { isStreamArn, parseStreamArn as parseArn } from '../../src/arn';
import type { RequestContext } from '../service';

export type PutRecordsResultEntry =
  | { SequenceNumber: string; ShardId: string }
  | { ErrorCode: string; ErrorMessage: string };

export interface KinesisPort {
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  putRecords(
    stream: { StreamName?: string; StreamARN?: string },
    records: { data: Uint8Array; partitionKey: string; explicitHashKey?: string }[],
  ):
    | { FailedRecordCount?: number; Records: PutRecordsResultEntry[] }
    | Promise<{ FailedRecordCount?: number; Records: PutRecordsResultEntry[] }>;
  getRecords(shardIterator: string, limit?: number): GetRecordsResult | Promise<GetRecordsResult>;
  /** Optional: PutRecords answered once the records are durable (a Kinesis twin with a data directory). */
  putRecordsDurably?(
    stream: { StreamName?: string; StreamARN?: string },
    records: { data: Uint8Array; partitionKey: string; explicitHashKey?: string }[],
  ): Promise<{ FailedRecordCount?: number; Records: PutRecordsResultEntry[] }>;
  /**
   * Optional: calls `listener` after records land in the stream, so readers wake at once instead of waiting for
   * their next poll. Returns the unsubscribe function.
   */
  onRecords?(streamName: string, listener: () => void): () => void;
}

export interface GetRecordsResult {
  Records: { SequenceNumber: string; ApproximateArrivalTimestamp: number; Data: Uint8Array; PartitionKey: string }[];
  NextShardIterator?: string;
  MillisBehindLatest: number;
}

export interface ShardInfo {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
}

/**
 * The port whose PutRecords answers once the records are durable, where the Kinesis side can say so: what a
 * runner writes is then on disk before its checkpoint moves past the input it came from.
 */
export function durableOutput(kinesis: KinesisPort): KinesisPort {
  const durably = kinesis.putRecordsDurably;
  if (!durably) return kinesis;
  return {
    handle: (operation, input, ctx) => kinesis.handle(operation, input, ctx),
    putRecords: (stream, records) => durably.call(kinesis, stream, records),
    getRecords: (iterator, limit) => kinesis.getRecords(iterator, limit),
    ...(kinesis.onRecords
      ? { onRecords: (name: string, listener: () => void) => kinesis.onRecords!(name, listener) }
      : {}),
  };
}

export function isKinesisStreamArn(arn: string): boolean {
  return isStreamArn(arn);
}

/** The parts of a stream ARN the configuration already checked; throws on anything else. */
export function parseStreamArn(arn: string): { region: string; accountId: string; name: string } {
  const parts = parseArn(arn);
  if (!parts || parts.consumer) throw new Error(`${arn} is not a Kinesis stream ARN`);
  return { region: parts.region, accountId: parts.accountId, name: parts.streamName };
}

export function contextFor(arn: string): RequestContext {
  const { region, accountId } = parseStreamArn(arn);
  return { region, accountId, headers: {} };
}

/** Every shard of a stream (ListShards, all pages). */
export async function listShards(kinesis: KinesisPort, streamArn: string): Promise<ShardInfo[]> {
  const ctx = contextFor(streamArn);
  const name = parseStreamArn(streamArn).name;
  const shards: ShardInfo[] = [];
  let token: string | undefined;
  do {
    const page = (await kinesis.handle('ListShards', token ? { NextToken: token } : { StreamName: name }, ctx)) as {
      Shards?: ShardInfo[];
      NextToken?: string;
    };
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}

export type IteratorStart =
  | { type: 'TRIM_HORIZON' }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  | { type: 'AT_TIMESTAMP'; timestamp: number /* ms */ };

export async function shardIterator(
  kinesis: KinesisPort,
  streamArn: string,
  shardId: string,
  start: IteratorStart,
): Promise<string> {
  const input: Record<string, unknown> = {
    StreamName: parseStreamArn(streamArn).name,
    ShardId: shardId,
    ShardIteratorType: start.type,
  };
  if (start.type === 'AFTER_SEQUENCE_NUMBER') input['StartingSequenceNumber'] = start.sequenceNumber;
  if (start.type === 'AT_TIMESTAMP') input['Timestamp'] = start.timestamp / 1000;
  const out = (await kinesis.handle('GetShardIterator', input, contextFor(streamArn))) as { ShardIterator: string };
  return out.ShardIterator;
}

/** True for errors a reader waits out (throttling, a stream still being created). */
export function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'ProvisionedThroughputExceededException' || name === 'LimitExceededException';
}
