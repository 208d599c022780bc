/**
 * What the package's own index.d.ts leaves out: RecordAggregator, the synchronous aggregator index.js exports
 * (lib/kpl-agg.js). Only the members src/kpl uses.
 */
export {};

declare module 'aws-kinesis-agg' {
  export interface AggregatorUserRecord {
    data: Buffer;
    partitionKey: string;
    explicitHashKey?: string;
  }

  export class RecordAggregator {
    /** Bytes of the protobuf so far (magic and checksum not counted). */
    totalBytes: number;
    /** What `record` would add to the protobuf. */
    calculateUserRecordSize(record: AggregatorUserRecord): number;
    /** @throws Error when the record does not fit */
    addUserRecord(record: AggregatorUserRecord): void;
    /** The aggregate of the records added so far (then empty again); undefined when there were none. */
    build(): { partitionKey: string; data: Buffer; ExplicitHashKey?: string } | undefined;
  }
}
