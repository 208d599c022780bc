/**
 * The events Kinesis Analytics sends to Lambda functions and the answers it expects (lambda-preprocessing.md,
 * how-it-works-output-lambda.md; field names as AWS's Java and .NET event classes spell them). Data is base64.
 */

/** To an input preprocessing function, for a Kinesis stream source. */
export interface StreamsPreprocessingEvent {
  invocationId: string;
  /** Absent when DiscoverInputSchema has the samples processed. */
  applicationArn?: string | undefined;
  streamArn: string;
  records: {
    /** Based on the Kinesis record's sequence number. */
    recordId: string;
    kinesisStreamRecordMetadata: {
      sequenceNumber: string;
      partitionKey: string;
      shardId: string;
      /** Milliseconds since the epoch. */
      approximateArrivalTimestamp: number;
    };
    data: string;
  }[];
}

/** Every record of the event must come back with its recordId, a result, and (for Ok) the new data. */
export interface PreprocessingResponse {
  records: { recordId: string; result: 'Ok' | 'Dropped' | 'ProcessingFailed'; data?: string }[];
}

/** Lambda's limit on a synchronous invocation's request payload (6 MB). */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** What a record adds to an event besides its base64 data (ids and metadata, as JSON): a safe upper bound. */
const RECORD_OVERHEAD_BYTES = 512;

/** Splits items into invocations whose events stay under the payload limit (each takes at least one item). */
export function invocationChunks<T>(items: readonly T[], dataBytes: (item: T) => number): T[][] {
  const limit = MAX_INVOKE_PAYLOAD_BYTES - 4096;
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const bytes = Math.ceil(dataBytes(item) / 3) * 4 + RECORD_OVERHEAD_BYTES;
    if (current.length > 0 && size + bytes > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The function's answer as JSON, or undefined when it is not an object. */
export function parseAnswer(payload: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(payload);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
