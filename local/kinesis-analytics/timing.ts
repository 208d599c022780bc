/** How a running application paces its reading and its retries; every wait is on the twin's Clock. */

export interface RunnerTiming {
  /** How long an idle reader waits before polling the shards again, when the stream cannot tell it of puts. */
  pollIntervalMs: number;
  /**
   * The same when puts on the input stream wake the reader: only a safety net, well under the 5 reads a second a
   * shard allows, so a reader woken by a put finds read capacity left (Kinesis Analytics reads about once a second).
   */
  notifiedPollIntervalMs: number;
  /**
   * How long a shard read to its tip is left alone, puts or not: Kinesis Analytics "reads a streaming source
   * approximately once per second per application" (best-practices.md) and faster only while it is behind, so the
   * other consumers of the shard keep the rest of its 5 reads a second. 0 without limits (nothing to share).
   */
  caughtUpReadIntervalMs: number;
  /** How long a shard whose GetRecords was throttled is left alone. */
  throttledReadBackoffMs: number;
  /** How often the SQL's windows are advanced to the clock when no record arrives. */
  advanceIntervalMs: number;
  /** First and largest wait between delivery (and preprocessing) retries. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a stop waits for undelivered rows before leaving them to the next run (checkpoint unmoved). */
  drainTimeoutMs: number;
  /** How often the input's shard list is refreshed. */
  shardRefreshMs: number;
}

export const DEFAULT_TIMING: RunnerTiming = {
  pollIntervalMs: 50,
  notifiedPollIntervalMs: 1000,
  caughtUpReadIntervalMs: 1000,
  throttledReadBackoffMs: 100,
  advanceIntervalMs: 100,
  retryBaseMs: 25,
  retryMaxMs: 1000,
  drainTimeoutMs: 10_000,
  shardRefreshMs: 2000,
};

/** What `--fast` changes: quicker polling and retries. */
export const FAST_TIMING: Partial<RunnerTiming> = { pollIntervalMs: 20, retryBaseMs: 10 };

/**
 * The pause before retry number `retry` (1, 2, ...) of a Lambda invocation: exponential with full jitter, capped,
 * as the PutRecords writer (src/fanout/writer.ts) pauses between its rounds.
 */
export function retryDelayMs(timing: RunnerTiming, retry: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(timing.retryMaxMs, timing.retryBaseMs * 2 ** (retry - 1)));
}
