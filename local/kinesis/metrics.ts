/**
 * Per-shard counters, one bucket per second of the twin's clock over the last five minutes: what Kinesis reports
 * to CloudWatch as IncomingRecords/IncomingBytes, GetRecords.Records/Bytes (reads and SubscribeToShard events
 * together), WriteProvisionedThroughputExceeded and ReadProvisionedThroughputExceeded. The console draws them;
 * counting is a few array writes per record, cheap enough for the hot paths.
 */

import type { ShardSeries } from './views';

/** Seconds kept. */
export const METRIC_SECONDS = 300;

const KEYS = [
  'incomingRecords',
  'incomingBytes',
  'outgoingRecords',
  'outgoingBytes',
  'writeThrottled',
  'readThrottled',
] as const;

export class ShardMetrics {
  private readonly second = new Float64Array(METRIC_SECONDS).fill(-1);
  private readonly counts = KEYS.map(() => new Float64Array(METRIC_SECONDS));

  /** The bucket of `now`, emptied first when it still holds an older second. */
  private slot(now: number): number {
    const second = Math.floor(now / 1000);
    const i = second % METRIC_SECONDS;
    if (this.second[i] !== second) {
      this.second[i] = second;
      for (const c of this.counts) c[i] = 0;
    }
    return i;
  }

  wrote(bytes: number, now: number): void {
    const i = this.slot(now);
    this.counts[0]![i]! += 1;
    this.counts[1]![i]! += bytes;
  }

  read(records: number, bytes: number, now: number): void {
    if (records <= 0) return;
    const i = this.slot(now);
    this.counts[2]![i]! += records;
    this.counts[3]![i]! += bytes;
  }

  writeThrottled(now: number): void {
    this.counts[4]![this.slot(now)]! += 1;
  }

  readThrottled(now: number): void {
    this.counts[5]![this.slot(now)]! += 1;
  }

  /** The last `seconds` (at most five minutes) up to `now`, oldest first; seconds with nothing count 0. */
  series(now: number, seconds = METRIC_SECONDS): ShardSeries {
    const n = Math.min(seconds, METRIC_SECONDS);
    const last = Math.floor(now / 1000);
    const out = { start: (last - n + 1) * 1000 } as ShardSeries;
    KEYS.forEach((key, k) => {
      const values = new Array<number>(n);
      for (let j = 0; j < n; j++) {
        const second = last - n + 1 + j;
        const i = second % METRIC_SECONDS;
        values[j] = this.second[i] === second ? this.counts[k]![i]! : 0;
      }
      out[key] = values;
    });
    return out;
  }
}
