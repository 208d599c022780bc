/**
 * How the load test's records travel in Kinesis records: the one place that packs them for the producer and unpacks
 * what the readers get. `plain`: every user record is one Kinesis record; `kplEncoding(n)`: KPL aggregates of up to
 * n user records (src/kpl), what a producer on the Kinesis Producer Library writes (execution input
 * `"aggregate": true`).
 */
import { aggregate, deaggregate, KplFormatError } from '../kpl';

/** One entry of a PutRecords call and the run's records it carries. */
export interface PackedEntry {
  data: Uint8Array;
  partitionKey: string;
  /** The sequence numbers (of the run) of the user records inside. */
  seqs: number[];
}

export interface RecordEncoding {
  readonly name: string;
  /** User records per Kinesis record at most, for an aggregating encoding (the report names it). */
  readonly aggregate?: number;
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

/**
 * KPL aggregates of up to `perRecord` user records. As the KPL aggregates only records bound for one shard, an
 * aggregate holds records of one partition key (the producer's lanes keep a key's records in one lane, in order), so
 * a key's records keep their order. Unpacking reads aggregates and plain records alike; a corrupt aggregate is
 * handed on whole, as one record (the verifier then counts it foreign, nothing is thrown).
 */
export function kplEncoding(perRecord: number): RecordEncoding {
  if (!Number.isInteger(perRecord) || perRecord < 1) throw new RangeError(`perRecord must be a positive integer`);
  return {
    name: `kpl-${perRecord}`,
    aggregate: perRecord,
    pack(records) {
      const byKey = new Map<string, (typeof records)[number][]>();
      for (const r of records) {
        const group = byKey.get(r.partitionKey);
        if (group) group.push(r);
        else byKey.set(r.partitionKey, [r]);
      }
      const entries: PackedEntry[] = [];
      for (const group of byKey.values()) {
        let next = 0;
        for (const packed of aggregate(group, { maxRecords: perRecord })) {
          const seqs = group.slice(next, next + packed.count).map((r) => r.seq);
          entries.push({ data: packed.data, partitionKey: packed.partitionKey, seqs });
          next += packed.count;
        }
      }
      return entries;
    },
    unpack(data) {
      try {
        return deaggregate({ data, partitionKey: '' }).map((user) => user.data);
      } catch (error) {
        if (error instanceof KplFormatError) return [data];
        throw error;
      }
    },
  };
}
