/**
 * Kinesis event source mappings of the Lambda twin: one poller per shard reads from the starting position (or the
 * checkpoint), hands batches of up to BatchSize records to the function in the event shape Lambda uses, and
 * checkpoints only what the function processed. Function errors are retried (MaximumRetryAttempts, -1 = until the
 * records expire, which on the twin means forever), optionally bisected (BisectBatchOnFunctionError), and partial
 * failures honoured (FunctionResponseTypes: ReportBatchItemFailures). Records of a shard stay in order.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import type { RequestContext } from '../service';

/** What the poller needs of the Kinesis twin (contract C): its wire operations and the in-process GetRecords. */
export interface KinesisSource {
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  getRecords(shardIterator: string, limit?: number): SourceRecords | Promise<SourceRecords>;
}

/** The in-process GetRecords answer of the Kinesis twin (timestamps in ms). */
export interface SourceRecords {
  Records: {
    SequenceNumber: string;
    ApproximateArrivalTimestamp: number;
    Data: Uint8Array;
    PartitionKey: string;
  }[];
  NextShardIterator?: string;
  MillisBehindLatest: number;
}

/** Most records one GetRecords call returns; Lambda asks for that many and cuts them into batches. */
const READ_LIMIT = 10_000;
/** 5 GetRecords calls a second per shard. */
const EFO_POLL_MS = 200;

export type MappingState = 'Creating' | 'Enabling' | 'Enabled' | 'Disabling' | 'Disabled' | 'Updating' | 'Deleting';

/** The settings of a mapping, with the defaults Lambda applies. */
export interface MappingSettings {
  eventSourceArn: string;
  functionArn: string;
  batchSize: number;
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  startingPositionTimestamp?: number;
  maximumBatchingWindowInSeconds: number;
  maximumRetryAttempts: number;
  bisectBatchOnFunctionError: boolean;
  functionResponseTypes: string[];
  parallelizationFactor: number;
  maximumRecordAgeInSeconds: number;
  destinationConfig?: unknown;
}

interface KinesisRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
  Data: Uint8Array;
  PartitionKey: string;
}

/** Counters a test or the CLI can read. */
export interface MappingStats {
  batches: number;
  records: number;
  invocations: number;
  functionErrors: number;
  retries: number;
  bisections: number;
  partialFailures: number;
  discardedRecords: number;
}

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
}

/** A mapping and its pollers. */
export class EventSourceMapping {
  readonly uuid = randomUUID();
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
  /** Last sequence number processed, per shard: where a restarted poller resumes. */
  readonly checkpoints = new Map<string, string>();
  private generation = 0;
  private pollers: Promise<void>[] = [];
  private readonly wake = new Set<() => void>();

  constructor(
    public settings: MappingSettings,
    private readonly deps: MappingDeps,
  ) {
    this.lastModified = deps.clock.now();
  }

  get streamName(): string {
    return streamNameOfSource(this.settings.eventSourceArn);
  }

  private get ctx(): RequestContext {
    return { region: this.deps.region, accountId: this.deps.accountId, headers: {} };
  }

  /** Starts polling every shard of the stream. */
  async start(): Promise<void> {
    const generation = ++this.generation;
    const shards = (await this.deps.kinesis.handle('ListShards', { StreamName: this.streamName }, this.ctx)) as {
      Shards: { ShardId: string }[];
    };
    if (generation !== this.generation) return;
    this.pollers = shards.Shards.map((s) => this.pollShard(s.ShardId, generation));
  }

  /** Stops the pollers; the current batch of each shard finishes first. Checkpoints are kept. */
  async stop(): Promise<void> {
    this.generation++;
    for (const w of [...this.wake]) w();
    await Promise.all(this.pollers);
    this.pollers = [];
  }

  private running(generation: number): boolean {
    return generation === this.generation;
  }

  private sleep(ms: number, generation: number): Promise<void> {
    if (!this.running(generation)) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = (): void => {
        this.wake.delete(finish);
        this.deps.clock.clearTimeout(handle);
        resolve();
      };
      const handle = this.deps.clock.setTimeout(finish, ms);
      this.wake.add(finish);
    });
  }

  private async iterator(shardId: string): Promise<string> {
    const checkpoint = this.checkpoints.get(shardId);
    const input: Record<string, unknown> = { StreamName: this.streamName, ShardId: shardId };
    if (checkpoint) {
      input['ShardIteratorType'] = 'AFTER_SEQUENCE_NUMBER';
      input['StartingSequenceNumber'] = checkpoint;
    } else {
      input['ShardIteratorType'] = this.settings.startingPosition;
      if (this.settings.startingPosition === 'AT_TIMESTAMP')
        input['Timestamp'] = (this.settings.startingPositionTimestamp ?? 0) / 1000;
    }
    const out = (await this.deps.kinesis.handle('GetShardIterator', input, this.ctx)) as { ShardIterator: string };
    return out.ShardIterator;
  }

  /**
   * Idle pause between reads of a shard. An enhanced fan-out consumer has records pushed to it as they arrive
   * (SubscribeToShard), so its mapping looks again sooner, at the 5 reads a second a shard allows.
   */
  private get idleMs(): number {
    return this.settings.eventSourceArn.includes('/consumer/')
      ? Math.min(this.deps.pollIntervalMs, EFO_POLL_MS)
      : this.deps.pollIntervalMs;
  }

  private async pollShard(shardId: string, generation: number): Promise<void> {
    let iterator: string | undefined;
    let closed = false;
    // Lambda reads up to 10,000 records a call and cuts them into batches; what is read but not yet delivered
    // waits here (it is read again from the checkpoint when the iterator is made anew).
    let buffer: KinesisRecord[] = [];
    while (this.running(generation)) {
      try {
        if (!closed && iterator === undefined) {
          buffer = [];
          iterator = await this.iterator(shardId);
        }
        const windowEnds = this.deps.clock.now() + this.settings.maximumBatchingWindowInSeconds * 1000;
        while (iterator !== undefined && buffer.length < this.settings.batchSize) {
          const out = await this.deps.kinesis.getRecords(iterator, READ_LIMIT);
          buffer.push(...out.Records);
          iterator = out.NextShardIterator;
          if (iterator === undefined) closed = true;
          if (buffer.length >= this.settings.batchSize) break;
          if (this.deps.clock.now() >= windowEnds || !this.running(generation)) break;
          if (out.Records.length === 0) await this.sleep(this.idleMs, generation);
        }
        const batch = buffer.splice(0, this.settings.batchSize);
        if (batch.length > 0) await this.deliver(shardId, batch, generation);
        if (closed && buffer.length === 0) return; // the shard is closed and read to its end
        // a full batch means the shard has more: read on at once; otherwise wait for the next poll
        if (batch.length < this.settings.batchSize) await this.sleep(this.idleMs, generation);
      } catch (error) {
        const name = (error as { name?: string }).name;
        // an expired iterator is re-made from the checkpoint; throttling and other errors back off and retry
        if (name === 'ExpiredIteratorException' || name === 'InvalidArgumentException') iterator = undefined;
        if (name === 'ResourceNotFoundException') {
          this.lastProcessingResult = 'PROBLEM: Stream not found';
          return;
        }
        await this.sleep(this.deps.pollIntervalMs, generation);
      }
    }
  }

  /** The event Lambda hands a function for a batch of Kinesis records. */
  event(shardId: string, records: KinesisRecord[]): unknown {
    return {
      Records: records.map((r) => ({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: r.PartitionKey,
          sequenceNumber: r.SequenceNumber,
          data: Buffer.from(r.Data).toString('base64'),
          approximateArrivalTimestamp: r.ApproximateArrivalTimestamp / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `${shardId}:${r.SequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: this.deps.roleArn ?? `arn:aws:iam::${this.deps.accountId}:role/lambda-role`,
        awsRegion: this.deps.region,
        eventSourceARN: this.settings.eventSourceArn,
      })),
    };
  }

  /**
   * Delivers one batch until every record is processed or discarded. Returns early (without checkpointing the
   * rest) when the mapping is stopped, so the records are read again when it is enabled.
   */
  private async deliver(shardId: string, records: KinesisRecord[], generation: number): Promise<void> {
    this.stats.batches++;
    const queue: { records: KinesisRecord[]; attempts: number }[] = [{ records, attempts: 0 }];
    while (queue.length > 0) {
      if (!this.running(generation)) return;
      const item = queue[0]!;
      this.stats.invocations++;
      const result = await this.deps.invoke(
        this.settings.functionArn,
        JSON.stringify(this.event(shardId, item.records)),
      );
      let failedFrom = result.failed ? 0 : this.firstFailure(result.payload, item.records);
      if (result.failed) this.stats.functionErrors++;
      if (failedFrom < 0) {
        queue.shift();
        this.checkpoint(shardId, item.records);
        this.stats.records += item.records.length;
        this.lastProcessingResult = 'OK';
        continue;
      }
      if (!result.failed) this.stats.partialFailures++;
      this.lastProcessingResult = 'PROBLEM: Function call failed';
      // the records before the first reported failure are done
      if (failedFrom > 0) {
        this.checkpoint(shardId, item.records.slice(0, failedFrom));
        this.stats.records += failedFrom;
      }
      const rest = item.records.slice(failedFrom);
      failedFrom = 0;
      const attempts = item.attempts + 1;
      const max = this.settings.maximumRetryAttempts;
      if (max >= 0 && attempts > max) {
        queue.shift();
        this.stats.discardedRecords += rest.length;
        this.checkpoint(shardId, rest);
        continue;
      }
      this.stats.retries++;
      if (result.failed && this.settings.bisectBatchOnFunctionError && rest.length > 1) {
        this.stats.bisections++;
        const half = Math.ceil(rest.length / 2);
        queue.splice(0, 1, { records: rest.slice(0, half), attempts }, { records: rest.slice(half), attempts });
      } else {
        queue[0] = { records: rest, attempts };
      }
      await this.sleep(this.deps.retryDelayMs, generation);
    }
  }

  /** Index of the first record reported in `batchItemFailures`, or -1 when the whole batch succeeded. */
  private firstFailure(payload: string, records: KinesisRecord[]): number {
    if (!this.settings.functionResponseTypes.includes('ReportBatchItemFailures')) return -1;
    let response: unknown;
    try {
      response = JSON.parse(payload);
    } catch {
      return -1;
    }
    const failures = (response as { batchItemFailures?: unknown } | null)?.batchItemFailures;
    if (!Array.isArray(failures) || failures.length === 0) return -1;
    let first = records.length;
    for (const f of failures) {
      const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const index = records.findIndex((r) => r.SequenceNumber === id);
      // an identifier that is empty or not in the batch fails the whole batch, as Lambda does
      if (index < 0) return 0;
      first = Math.min(first, index);
    }
    return first;
  }

  private checkpoint(shardId: string, records: KinesisRecord[]): void {
    const last = records.at(-1);
    if (last) this.checkpoints.set(shardId, last.SequenceNumber);
  }

  /** The wire shape (EventSourceMappingConfiguration). */
  describe(): Record<string, unknown> {
    const s = this.settings;
    const out: Record<string, unknown> = {
      UUID: this.uuid,
      EventSourceMappingArn: `arn:aws:lambda:${this.deps.region}:${this.deps.accountId}:event-source-mapping:${this.uuid}`,
      StartingPosition: s.startingPosition,
      BatchSize: s.batchSize,
      MaximumBatchingWindowInSeconds: s.maximumBatchingWindowInSeconds,
      ParallelizationFactor: s.parallelizationFactor,
      EventSourceArn: s.eventSourceArn,
      FunctionArn: s.functionArn,
      LastModified: this.lastModified / 1000,
      LastProcessingResult: this.lastProcessingResult,
      State: this.state,
      StateTransitionReason: this.stateTransitionReason,
      DestinationConfig: s.destinationConfig ?? { OnFailure: {} },
      MaximumRecordAgeInSeconds: s.maximumRecordAgeInSeconds,
      BisectBatchOnFunctionError: s.bisectBatchOnFunctionError,
      MaximumRetryAttempts: s.maximumRetryAttempts,
      TumblingWindowInSeconds: 0,
      FunctionResponseTypes: s.functionResponseTypes,
    };
    if (s.startingPositionTimestamp !== undefined)
      out['StartingPositionTimestamp'] = s.startingPositionTimestamp / 1000;
    return out;
  }
}

/**
 * The stream an event source ARN reads: a stream ARN, or an enhanced fan-out consumer's
 * (`...:stream/<name>/consumer/<consumer>:<timestamp>`), whose records the twin reads from the same shards.
 */
export function streamNameOfSource(eventSourceArn: string): string {
  const name = eventSourceArn.slice(eventSourceArn.indexOf(':stream/') + ':stream/'.length);
  const consumer = name.indexOf('/consumer/');
  return consumer < 0 ? name : name.slice(0, consumer);
}
