/**
 * A Kinesis event source mapping of the Lambda twin: one reader per shard (readers.ts: GetRecords polling, or an
 * enhanced fan-out subscription) from the starting position or the checkpoint hands batches of up to BatchSize
 * records to the function in the event shape Lambda uses (delivery.ts), one batch per shard at a time (or, with a
 * ParallelizationFactor above 1, one batch per lane of the shard's partition keys: lanes.ts), and checkpoints only
 * what the function processed. Records of a shard stay in order (with lanes, records of a partition key).
 */
import { randomUUID } from 'node:crypto';
import type { EventSourceMappingConfiguration } from '@aws-sdk/client-lambda';
import { type Clock, delay } from '../../clock';
import type { RequestContext } from '../../service';
import { deliver } from './delivery';
import { kinesisEventJson } from './event';
import { readInLanes } from './lanes';
import { shardReader } from './readers';
import { kinesisSourceOf } from './source';
import type { KinesisRecord, KinesisSource, MappingSettings, MappingState, MappingStats } from './types';

export interface MappingDeps {
  kinesis: KinesisSource;
  clock: Clock;
  region: string;
  accountId: string;
  /** Invokes the mapped function; resolves to the payload (JSON text) and whether the function failed. */
  invoke: (functionArn: string, payload: string) => Promise<{ payload: string; failed: boolean }>;
  /** Poll period of an idle shard. Lambda polls each shard about once a second. */
  pollIntervalMs: number;
  /** Pause before retrying a failed batch. */
  retryDelayMs: number;
  roleArn?: string;
  /** Told when a shard's checkpoint moves (the persistence seam). */
  onCheckpoint?: (shardId: string, sequenceNumber: string) => void;
  /** Told of each batch as it is handed to the function (the CloudWatch twin's IteratorAge). */
  onBatch?: (batch: MappingBatch) => void;
}

/** A batch a mapping hands its function: IteratorAge is the age of its last record when Lambda got it. */
export interface MappingBatch {
  functionArn: string;
  eventSourceArn: string;
  records: number;
  iteratorAgeMs: number;
}

/** A mapping and its shard readers. */
export class EventSourceMapping {
  readonly uuid: string;
  state: MappingState = 'Creating';
  stateTransitionReason = 'USER_INITIATED';
  lastModified: number;
  lastProcessingResult = 'No records processed';
  readonly stats: MappingStats = {
    batches: 0,
    records: 0,
    invocations: 0,
    functionErrors: 0,
    retries: 0,
    bisections: 0,
    partialFailures: 0,
    discardedRecords: 0,
  };
  /** Last sequence number processed, per shard: where a restarted reader resumes. */
  readonly checkpoints = new Map<string, string>();
  private generation = 0;
  private readers: Promise<void>[] = [];
  private stopping = new AbortController();

  constructor(
    public settings: MappingSettings,
    private readonly deps: MappingDeps,
    /** A mapping kept across a restart (--data-dir) keeps its UUID. */
    uuid: string = randomUUID(),
  ) {
    this.uuid = uuid;
    this.lastModified = deps.clock.now();
  }

  get streamName(): string {
    const source = kinesisSourceOf(this.settings.eventSourceArn);
    // a mapping is made only for a Kinesis source (createEventSourceMapping checks it)
    if (!source) throw new Error(`Not a Kinesis event source: ${this.settings.eventSourceArn}`);
    return source.streamName;
  }

  private get ctx(): RequestContext {
    return { region: this.deps.region, accountId: this.deps.accountId, headers: {} };
  }

  /** Starts reading every shard of the stream. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    this.stopping = new AbortController();
    const shards = (await this.deps.kinesis.handle('ListShards', { StreamName: this.streamName }, this.ctx)) as {
      Shards: { ShardId: string }[];
    };
    if (generation !== this.generation) return;
    this.readers = shards.Shards.map((s) => this.readShard(s.ShardId, generation));
  }

  /** Stops the readers; the current batch of each shard finishes first. Checkpoints are kept. */
  async stop(): Promise<void> {
    this.generation++;
    this.stopping.abort();
    await Promise.all(this.readers);
    this.readers = [];
  }

  private running(generation: number): boolean {
    return generation === this.generation;
  }

  private sleep(ms: number, generation: number): Promise<void> {
    if (!this.running(generation)) return Promise.resolve();
    return delay(this.deps.clock, ms, this.stopping.signal);
  }

  private async readShard(shardId: string, generation: number): Promise<void> {
    const reader = shardReader({
      kinesis: this.deps.kinesis,
      clock: this.deps.clock,
      ctx: this.ctx,
      settings: this.settings,
      streamName: this.streamName,
      shardId,
      checkpoint: () => this.checkpoints.get(shardId),
      pollIntervalMs: this.deps.pollIntervalMs,
      signal: this.stopping.signal,
      problem: (text) => {
        this.lastProcessingResult = text;
      },
    });
    try {
      if (this.settings.parallelizationFactor > 1) {
        await readInLanes({
          factor: this.settings.parallelizationFactor,
          batchSize: this.settings.batchSize,
          next: () => reader.next(),
          deliver: (batch, processed) => this.deliver(shardId, batch, generation, processed),
          checkpoint: (record) => this.checkpoint(shardId, [record]),
          running: () => this.running(generation),
        });
        return;
      }
      while (this.running(generation)) {
        const batch = await reader.next();
        if (!batch) return;
        await this.deliver(shardId, batch, generation);
      }
    } finally {
      reader.close();
    }
  }

  /** Hands a batch to the function; `processed` (lanes) takes what it is done with, else the checkpoint moves. */
  private deliver(
    shardId: string,
    records: KinesisRecord[],
    generation: number,
    processed: (records: KinesisRecord[]) => void = (batch) => this.checkpoint(shardId, batch),
  ): Promise<void> {
    const last = records.at(-1);
    if (last && this.deps.onBatch)
      this.deps.onBatch({
        functionArn: this.settings.functionArn,
        eventSourceArn: this.settings.eventSourceArn,
        records: records.length,
        iteratorAgeMs: Math.max(0, this.deps.clock.now() - last.ApproximateArrivalTimestamp),
      });
    return deliver(records, {
      settings: this.settings,
      stats: this.stats,
      invoke: (batch) => this.deps.invoke(this.settings.functionArn, this.eventJson(shardId, batch)),
      checkpoint: processed,
      pause: () => this.sleep(this.deps.retryDelayMs, generation),
      running: () => this.running(generation),
      result: (text) => {
        this.lastProcessingResult = text;
      },
    });
  }

  /** The event Lambda hands a function for a batch of Kinesis records, as JSON text (event.ts). */
  eventJson(shardId: string, records: KinesisRecord[]): string {
    return kinesisEventJson(shardId, records, {
      invokeIdentityArn: this.deps.roleArn ?? `arn:aws:iam::${this.deps.accountId}:role/lambda-role`,
      awsRegion: this.deps.region,
      eventSourceArn: this.settings.eventSourceArn,
    });
  }

  private checkpoint(shardId: string, records: KinesisRecord[]): void {
    const last = records.at(-1);
    if (!last) return;
    this.checkpoints.set(shardId, last.SequenceNumber);
    this.deps.onCheckpoint?.(shardId, last.SequenceNumber);
  }

  /** The SDK's EventSourceMappingConfiguration. */
  describe(): EventSourceMappingConfiguration {
    const s = this.settings;
    return {
      UUID: this.uuid,
      EventSourceMappingArn: `arn:aws:lambda:${this.deps.region}:${this.deps.accountId}:event-source-mapping:${this.uuid}`,
      StartingPosition: s.startingPosition,
      ...(s.startingPositionTimestamp !== undefined
        ? { StartingPositionTimestamp: new Date(s.startingPositionTimestamp) }
        : {}),
      BatchSize: s.batchSize,
      MaximumBatchingWindowInSeconds: s.maximumBatchingWindowInSeconds,
      ParallelizationFactor: s.parallelizationFactor,
      EventSourceArn: s.eventSourceArn,
      FunctionArn: s.functionArn,
      LastModified: new Date(this.lastModified),
      LastProcessingResult: this.lastProcessingResult,
      State: this.state,
      StateTransitionReason: this.stateTransitionReason,
      DestinationConfig: (s.destinationConfig ?? {
        OnFailure: {},
      }) as EventSourceMappingConfiguration['DestinationConfig'],
      MaximumRecordAgeInSeconds: s.maximumRecordAgeInSeconds,
      BisectBatchOnFunctionError: s.bisectBatchOnFunctionError,
      MaximumRetryAttempts: s.maximumRetryAttempts,
      TumblingWindowInSeconds: 0,
      FunctionResponseTypes: s.functionResponseTypes as EventSourceMappingConfiguration['FunctionResponseTypes'],
    };
  }
}
