/**
 * The Kinesis Data Streams twin: AWS JSON 1.1 `Kinesis_20131202.*` for SDKs and the CLI, and an in-process API
 * (putRecords / getRecords / getShardIterator) for the other services of the twin, with the same validation and
 * per-shard limits.
 */
import { type Clock, systemClock } from '../clock';
import type { Authorizer } from '../iam';
import { type AwsJsonService, AwsServiceError, JsonText, type RequestContext } from '../service';
import { ACCOUNT } from './errors';
import { KinesisInspector } from './inspect';
import { LIMITS } from './limits';
import {
  deregisterStreamConsumer,
  describeStreamConsumer,
  listStreamConsumers,
  registerStreamConsumer,
} from './operations/consumers';
import { getRecordsInProcess, getRecordsJson, getRecordsObjects, type InProcessRecord } from './operations/get-records';
import {
  getShardIterator,
  type PutRecordsOutput,
  putRecord,
  putRecordsInProcess,
  putRecordsJson,
} from './operations/records';
import { mergeShards, splitShard, updateShardCount, updateStreamMode } from './operations/resharding';
import {
  disableEnhancedMonitoring,
  enableEnhancedMonitoring,
  startStreamEncryption,
  stopStreamEncryption,
  updateMaxRecordSize,
} from './operations/settings';
import {
  createStream,
  decreaseRetention,
  deleteStream,
  describeLimits,
  describeStream,
  describeStreamSummary,
  increaseRetention,
  listShards,
  listStreams,
} from './operations/streams';
import { subscribeToShard } from './operations/subscribe';
import {
  addTagsToStream,
  listTagsForResource,
  listTagsForStream,
  removeTagsFromStream,
  tagResource,
  untagResource,
} from './operations/tags';
import { KinesisJournal, type KinesisJournalOptions } from './persistence';
import { KinesisState, type TrafficObserver } from './state';
import { isModelOperation, kinesisModel, validateInput } from './validation';

export { LIMITS } from './limits';
export type { InProcessRecord } from './operations/get-records';
export type { PutRecordsOutput } from './operations/records';
export type { TrafficObserver } from './state';

export interface KinesisTwinOptions {
  clock?: Clock;
  /** Per-shard throughput limits and account quotas; default true. */
  limits?: boolean;
  /** Keep streams here across restarts. */
  dataDir?: string;
  region?: string;
  accountId?: string;
  /** CREATING -> ACTIVE (and DELETING -> gone) after this many ms of the clock; default 0. */
  createDelayMs?: number;
  /** Shards per account; default 500. */
  shardLimit?: number;
  /**
   * With dataDir: acknowledge once records are fdatasync'd (true, the default: they survive a crash of the
   * machine) or once they are written to the journal file (false: they survive a crash of the twin).
   */
  fsync?: boolean;
  /** With dataDir: the journal's options beyond fsync (tests). */
  journal?: KinesisJournalOptions;
  /** Checks each call of a role session (a function's, or a service's in process) before it runs. */
  iam?: Authorizer;
}

type Operation = (state: KinesisState, input: Record<string, unknown>) => unknown;

const operations: Record<string, Operation> = {
  CreateStream: createStream,
  DeleteStream: deleteStream,
  DescribeStream: describeStream,
  DescribeStreamSummary: describeStreamSummary,
  ListStreams: listStreams,
  ListShards: listShards,
  IncreaseStreamRetentionPeriod: increaseRetention,
  DecreaseStreamRetentionPeriod: decreaseRetention,
  DescribeLimits: describeLimits,
  UpdateShardCount: updateShardCount,
  SplitShard: splitShard,
  MergeShards: mergeShards,
  UpdateStreamMode: updateStreamMode,
  StartStreamEncryption: startStreamEncryption,
  StopStreamEncryption: stopStreamEncryption,
  EnableEnhancedMonitoring: enableEnhancedMonitoring,
  DisableEnhancedMonitoring: disableEnhancedMonitoring,
  UpdateMaxRecordSize: updateMaxRecordSize,
  PutRecord: putRecord,
  PutRecords: (state, input) => new JsonText(putRecordsJson(state, input)),
  GetShardIterator: getShardIterator,
  GetRecords: (state, input) => new JsonText(getRecordsJson(state, input)),
  AddTagsToStream: addTagsToStream,
  RemoveTagsFromStream: removeTagsFromStream,
  ListTagsForStream: listTagsForStream,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  RegisterStreamConsumer: registerStreamConsumer,
  DescribeStreamConsumer: describeStreamConsumer,
  ListStreamConsumers: listStreamConsumers,
  DeregisterStreamConsumer: deregisterStreamConsumer,
  SubscribeToShard: subscribeToShard,
};

export class KinesisTwin implements AwsJsonService {
  readonly targetPrefix = 'Kinesis_20131202';
  readonly jsonVersion = '1.1' as const;
  /** The API model: validation, and the CBOR protocol's blobs and timestamps. */
  readonly model = kinesisModel;
  readonly region: string;
  private readonly state: KinesisState;
  private readonly journal: KinesisJournal | undefined;
  /** Read-only views for the twin's console (streams, shard counters, latest records; no read limit spent). */
  readonly inspect: KinesisInspector;
  private readonly iam: Authorizer | undefined;

  /** Told of every put, read and push: the CloudWatch twin's AWS/Kinesis metrics. */
  set traffic(observer: TrafficObserver | undefined) {
    this.state.traffic = observer;
  }

  constructor(opts: KinesisTwinOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.iam = opts.iam;
    this.state = new KinesisState({
      clock: opts.clock ?? systemClock,
      limits: opts.limits ?? true,
      region: this.region,
      accountId: opts.accountId ?? ACCOUNT,
      createDelayMs: opts.createDelayMs ?? 0,
      shardLimit: opts.shardLimit ?? LIMITS.shardsPerAccount,
    });
    this.inspect = new KinesisInspector(this.state);
    if (opts.dataDir !== undefined) {
      this.journal = new KinesisJournal(opts.dataDir, this.state, {
        ...opts.journal,
        ...(opts.fsync !== undefined ? { fsync: opts.fsync } : {}),
        // readers woken at a put find nothing until it is durable: wake them again then
        onDurable: (streams) => {
          for (const name of streams) this.wake(name);
        },
      });
    }
  }

  /**
   * Runs one wire operation; `input` is the JSON body (or the CBOR one, blobs as bytes). Operations without an
   * output shape answer undefined: an empty 200 body, as Kinesis sends. With dataDir, answers once what the
   * operation changed is durable.
   */
  async handle(operation: string, input: Record<string, unknown>, ctx?: RequestContext): Promise<unknown> {
    if (ctx?.principal && this.iam && Object.hasOwn(operations, operation)) {
      this.iam.authorize(ctx.principal, 'kinesis', operation, input, { region: ctx.region });
    }
    if (operation === 'GetRecords' && ctx?.encoding === 'cbor') {
      validateInput(operation, input);
      return getRecordsObjects(this.state, input);
    }
    const output = this.call(operation, input);
    const durable = this.journal?.sync();
    if (durable) await durable;
    return kinesisModel.hasOutput(operation) ? output : undefined;
  }

  /** The synchronous core of `handle`, for in-process callers that want AWS shapes without a promise. */
  call(operation: string, input: Record<string, unknown>): unknown {
    const op = operations[operation];
    if (!op) {
      throw new AwsServiceError(
        'UnknownOperationException',
        isModelOperation(operation)
          ? `The Kinesis twin does not implement ${operation}.`
          : `Unknown operation Kinesis_20131202.${operation}.`,
      );
    }
    validateInput(operation, input);
    const output = op(this.state, input);
    if (this.state.hasRecordListeners && (operation === 'PutRecords' || operation === 'PutRecord')) this.notify(input);
    return output;
  }

  /**
   * Calls `listener` after records land in `streamName` (PutRecord/PutRecords, on the wire or in process), so
   * readers inside the twin (Kinesis Analytics runners) wake at once instead of waiting for their next poll.
   * Returns the unsubscribe function.
   */
  onRecords(streamName: string, listener: () => void): () => void {
    return this.state.onRecords(streamName, listener);
  }

  private notify(stream: { StreamName?: unknown; StreamARN?: unknown }): void {
    this.wake(this.state.nameOf(stream));
  }

  private wake(name: string): void {
    this.state.recordsLanded(name);
  }

  /**
   * PutRecords in process: bytes in, per-record results (ProvisionedThroughputExceededException inside). With
   * dataDir the records become readable once durable; `putRecordsDurably` also waits for that.
   */
  putRecords(
    stream: { StreamName?: string; StreamARN?: string },
    records: { data: Uint8Array; partitionKey: string; explicitHashKey?: string }[],
  ): PutRecordsOutput {
    const output = putRecordsInProcess(this.state, stream, records);
    if (this.state.hasRecordListeners) this.notify(stream);
    return output;
  }

  /** PutRecords in process, answered once the records are durable (at once without dataDir). */
  async putRecordsDurably(
    stream: { StreamName?: string; StreamARN?: string },
    records: { data: Uint8Array; partitionKey: string; explicitHashKey?: string }[],
  ): Promise<PutRecordsOutput> {
    const output = this.putRecords(stream, records);
    await this.flush();
    return output;
  }

  /** GetRecords in process; ApproximateArrivalTimestamp in ms, Data a read-only view of the stored bytes. */
  getRecords(
    shardIterator: string,
    limit?: number,
  ): { Records: InProcessRecord[]; NextShardIterator?: string; MillisBehindLatest: number } {
    return getRecordsInProcess(this.state, shardIterator, limit);
  }

  /** GetShardIterator in process. `timestamp` is ms since the epoch, for AT_TIMESTAMP. */
  getShardIterator(
    stream: { StreamName?: string; StreamARN?: string },
    shardId: string,
    type: 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP',
    opts: { sequenceNumber?: string; timestamp?: number } = {},
  ): string {
    const input: Record<string, unknown> = { ...stream, ShardId: shardId, ShardIteratorType: type };
    if (opts.sequenceNumber !== undefined) input['StartingSequenceNumber'] = opts.sequenceNumber;
    if (opts.timestamp !== undefined) input['Timestamp'] = opts.timestamp / 1000;
    return getShardIterator(this.state, input).ShardIterator;
  }

  /** Shard ids of a stream, in order. */
  shardIds(stream: { StreamName?: string; StreamARN?: string }): string[] {
    return this.state.find(stream).shards.map((s) => s.id);
  }

  /** `arn:aws:kinesis:<region>:000000000000:stream/<name>`. */
  streamArn(name: string): string {
    return this.state.arnOf(name);
  }

  /** Resolves once every change so far is durable (at once without dataDir). */
  async flush(): Promise<void> {
    await this.journal?.flush();
  }

  async close(): Promise<void> {
    for (const stream of this.state.streams.values()) {
      if (stream.timer !== undefined) this.state.clock.clearTimeout(stream.timer);
    }
    await this.journal?.close();
  }
}
