/** What the Firehose twin's operations share: the store, delivery to S3, and the twin's settings. */
import type { Delivery } from '../delivery';
import type { FirehoseStore } from '../store';

/** Test-only fault injection: shares (0..1) of records failed with ServiceUnavailableException, of calls throttled. */
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
  faults: Map<string, { faults: FirehoseFaults; records: number; calls: number }>;
}

/** True for the `n`th event of a share: a share of 0.25 hits the 4th, 8th, ... exactly. */
export function hits(share: number | undefined, n: number): boolean {
  return share !== undefined && share > 0 && Math.floor(n * share) > Math.floor((n - 1) * share);
}
