/**
 * Firehose's quotas as the twin enforces them (the Amazon Data Firehose developer guide, "Quota"; the defaults of
 * us-east-1, us-west-2 and eu-west-1 for a Direct PUT stream), and the defaults of the API model's documentation.
 */
export const LIMITS = {
  /** Firehose streams per account and region. */
  streamsPerAccount: 5000,
  /** PutRecordBatch: records per call, and bytes per call (the model says 4 MiB). */
  batchRecords: 500,
  batchBytes: 4 * 1024 * 1024,
  /** A record's data before base64 (1,000 KiB). */
  recordBytes: 1_024_000,
  /** Direct PUT throughput per stream, per second. */
  requestsPerSecond: 2000,
  recordsPerSecond: 500_000,
  bytesPerSecond: 5 * 1024 * 1024,
  /** Buffering defaults of an S3 destination (BufferingHints). */
  defaultSizeMiB: 5,
  defaultIntervalSeconds: 300,
  /** Tags per stream. */
  tagsPerStream: 50,
} as const;
