/** The shapes an event source mapping works with: its settings, counters, states and the Kinesis it reads. */
import type { RequestContext } from '../../service';

/** What a mapping needs of the Kinesis twin: its wire operations, the in-process reads and put notifications. */
export interface KinesisSource {
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  getRecords(shardIterator: string, limit?: number): SourceRecords | Promise<SourceRecords>;
  /** Calls `listener` after records land in the stream; returns the unsubscribe (push delivery, EFO). */
  onRecords?(streamName: string, listener: () => void): () => void;
}

/** The in-process GetRecords answer of the Kinesis twin (timestamps in ms). */
export interface SourceRecords {
  Records: { SequenceNumber: string; ApproximateArrivalTimestamp: number; Data: Uint8Array; PartitionKey: string }[];
  NextShardIterator?: string;
  MillisBehindLatest: number;
}

/** A record as a mapping hands it on: its bytes (GetRecords), or their base64 as pushed (SubscribeToShard). */
export interface KinesisRecord {
  SequenceNumber: string;
  /** ms epoch. */
  ApproximateArrivalTimestamp: number;
  Data?: Uint8Array;
  data64?: string;
  PartitionKey: string;
}

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
