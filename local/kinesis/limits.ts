/**
 * Kinesis quotas. Per shard: writes 1 MiB/s and 1,000 records/s, reads 2 MiB/s and 5 GetRecords calls/s, each
 * kept as a token bucket over the injected Clock (full at start, refilled continuously). Reads may overdraw the
 * byte bucket, as on AWS: a large GetRecords succeeds and the calls after it are throttled until it refills.
 */
export const MiB = 1024 * 1024;

export const LIMITS = {
  writeRecordsPerSecond: 1000,
  writeBytesPerSecond: MiB,
  readCallsPerSecond: 5,
  readBytesPerSecond: 2 * MiB,
  /** Largest GetRecords response. */
  getRecordsMaxBytes: 10 * MiB,
  getRecordsMaxLimit: 10_000,
  putRecordsMaxRecords: 500,
  putRecordsMaxBytes: 5 * MiB,
  /** Default MaxRecordSizeInKiB of a stream. */
  defaultMaxRecordKiB: 1024,
  shardsPerAccount: 500,
  onDemandStreamsPerAccount: 50,
  consumersPerStream: 20,
  tagsPerStream: 50,
  onDemandShards: 4,
  iteratorTtlMs: 5 * 60 * 1000,
  minRetentionHours: 24,
  maxRetentionHours: 8760,
} as const;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private capacity: number,
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.perSecond) / 1000);
      this.last = now;
    }
  }

  /** Changes the burst size; a larger bucket starts with the extra tokens. */
  resize(capacity: number): void {
    if (capacity > this.capacity) this.tokens += capacity - this.capacity;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  /** Takes `n` tokens if they are all there. */
  take(n: number, now: number): boolean {
    this.refill(now);
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** True while the bucket holds anything (reads may overdraw it). */
  positive(now: number): boolean {
    this.refill(now);
    return this.tokens > 0;
  }

  spend(n: number): void {
    this.tokens -= n;
  }

  /** Gives back tokens taken for work that did not happen. */
  refund(n: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + n);
  }
}

export class ShardThrottle {
  readonly writeRecords: TokenBucket;
  readonly writeBytes: TokenBucket;
  readonly readCalls: TokenBucket;
  readonly readBytes: TokenBucket;

  constructor(now: number) {
    this.writeRecords = new TokenBucket(LIMITS.writeRecordsPerSecond, LIMITS.writeRecordsPerSecond, now);
    this.writeBytes = new TokenBucket(LIMITS.writeBytesPerSecond, LIMITS.writeBytesPerSecond, now);
    this.readCalls = new TokenBucket(LIMITS.readCallsPerSecond, LIMITS.readCallsPerSecond, now);
    this.readBytes = new TokenBucket(LIMITS.readBytesPerSecond, LIMITS.readBytesPerSecond, now);
  }

  private writeBurst: number = LIMITS.writeBytesPerSecond;

  /** Records over 1 MiB (streams with a larger MaxRecordSizeInKiB) need a bucket that holds one of them. */
  setWriteBurst(bytes: number): void {
    const burst = Math.max(LIMITS.writeBytesPerSecond, bytes);
    if (burst === this.writeBurst) return;
    this.writeBurst = burst;
    this.writeBytes.resize(burst);
  }

  /** One record of `bytes` (data + partition key) may be written now; takes its tokens if so. */
  admitWrite(bytes: number, now: number): boolean {
    if (!this.writeRecords.take(1, now)) return false;
    if (!this.writeBytes.take(bytes, now)) {
      this.writeRecords.refund(1);
      return false;
    }
    return true;
  }
}
