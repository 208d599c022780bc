/**
 * How the load test's records travel in Kinesis records: the one place that packs them for the producer and unpacks
 * what the readers get. Today every user record is one Kinesis record (`plain`); a KPL-aggregated encoding (several
 * user records in one Kinesis record) plugs in here without touching the producer, the readers or the verifier.
 */

/** One entry of a PutRecords call and the run's records it carries. */
export interface PackedEntry {
  data: Uint8Array;
  partitionKey: string;
  /** The sequence numbers (of the run) of the user records inside. */
  seqs: number[];
}

export interface RecordEncoding {
  readonly name: string;
  /** Packs records, in order, into Kinesis entries. */
  pack(records: readonly { seq: number; data: Uint8Array; partitionKey: string }[]): PackedEntry[];
  /** The user records one Kinesis record holds, in order. */
  unpack(data: Uint8Array): Uint8Array[];
}

/** One user record per Kinesis record. */
export const plainEncoding: RecordEncoding = {
  name: 'plain',
  pack: (records) => records.map((r) => ({ data: r.data, partitionKey: r.partitionKey, seqs: [r.seq] })),
  unpack: (data) => [data],
};
