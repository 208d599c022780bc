/** What the Firehose twin's operations share: the store, delivery to S3, and the twin's settings. */
import type { Delivery } from '../delivery';
import type { FirehoseStore } from '../store';

/**
 * Test-only fault injection, by delivery stream: shares (0..1, exact: 0.25 hits every 4th) of records failed with
 * ServiceUnavailableException, of calls throttled. A fault hits before the record is buffered, so a record it fails
 * is never delivered: a writer that sends it again delivers it once.
 */
export interface FirehoseFaults {
  /** Records of PutRecordBatch answered ErrorCode ServiceUnavailableException (a partial failure). */
  failRecords?: number;
  /** PutRecord/PutRecordBatch calls refused whole with ServiceUnavailableException. */
  throttleCalls?: number;
}

export interface OperationContext {
  store: FirehoseStore;
  delivery: Delivery;
  /** Per-stream throughput quotas (default true). */
  limits: boolean;
  /** CREATING -> ACTIVE and DELETING -> gone take this long on the Clock (ms). */
  statusDelayMs: number;
  /** By stream name, with the counters that make a share exact (0.1 hits every 10th). */
  faults: Map<string, { faults: FirehoseFaults; records: number; calls: number; injected: FaultCounts }>;
}

/** What fault injection did to a stream so far. */
export interface FaultCounts {
  /** Records answered ServiceUnavailableException (in a PutRecordBatch's FailedPutCount, or a PutRecord refused). */
  failedRecords: number;
  /** Calls refused whole with ServiceUnavailableException. */
  throttledCalls: number;
}
