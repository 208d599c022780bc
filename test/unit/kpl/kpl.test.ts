import { createHash } from 'node:crypto';
import {
  aggregate,
  deaggregate,
  isAggregated,
  KPL_MAGIC,
  KplAggregationError,
  KplFormatError,
  MAX_KINESIS_RECORD_BYTES,
} from '../../../src/kpl';

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest();

/**
 * An aggregate written byte by byte from the KPL's aggregation-format.md, independently of the library:
 * partition_key_table ["a", "b"], records [{0, "x"}, {1, "yz"}].
 */
function handMadeAggregate(protobuf = Buffer.from('0a01610a01621a0508001a01781a0608011a02797a', 'hex')): Buffer {
  return Buffer.concat([KPL_MAGIC, protobuf, md5(protobuf)]);
}

const users = (n: number, keys = 3) =>
  Array.from({ length: n }, (_, i) => ({ data: Buffer.from(`{"n":${i}}`), partitionKey: `key-${i % keys}` }));

describe('KPL aggregation format', () => {
  it('reads an aggregate written from the format description: user records, keys and sub-sequence numbers', () => {
    // Act
    const records = deaggregate({ data: handMadeAggregate(), partitionKey: 'outer' });

    // Assess
    expect(records.map((r) => [r.data.toString(), r.partitionKey, r.subSequenceNumber])).toEqual([
      ['x', 'a', 0],
      ['yz', 'b', 1],
    ]);
  });

  it('gives back every user record with its own partition key, in order, after aggregation', () => {
    // Prepare
    const input = users(25);

    // Act
    const packed = aggregate(input, { maxRecords: 10 });
    const back = packed.flatMap((p) => deaggregate(p));

    // Assess
    expect(packed.map((p) => p.count)).toEqual([10, 10, 5]);
    expect(packed.every((p) => isAggregated(p.data))).toBe(true);
    expect(packed[0]!.partitionKey).toBe('key-0');
    expect(back.map((r) => [r.data.toString(), r.partitionKey])).toEqual(
      input.map((r) => [r.data.toString(), r.partitionKey]),
    );
    expect(back.slice(0, 10).map((r) => r.subSequenceNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('passes a record that is not an aggregate through as itself, with no sub-sequence number', () => {
    // Act
    const [record, ...rest] = deaggregate({ data: Buffer.from('{"n":1}'), partitionKey: 'pk' });

    // Assess
    expect(rest).toEqual([]);
    expect(record).toEqual({ data: Buffer.from('{"n":1}'), partitionKey: 'pk' });
    expect(record!.subSequenceNumber).toBeUndefined();
  });

  it('refuses an aggregate whose MD5 does not match, as a whole', () => {
    // Prepare: one byte of the last user record changed after the checksum was taken
    const data = handMadeAggregate();
    data[data.length - 17] ^= 0x01;

    // Act / Assess
    expect(() => deaggregate({ data, partitionKey: 'p' })).toThrow(KplFormatError);
    expect(() => deaggregate({ data, partitionKey: 'p' })).toThrow(/checksum/);
  });

  it('refuses an aggregate whose protobuf is cut short, even with a matching MD5', () => {
    // Prepare
    const protobuf = Buffer.from('0a01610a01621a0508001a01781a0608011a02', 'hex');

    // Act / Assess
    expect(() => deaggregate({ data: handMadeAggregate(protobuf), partitionKey: 'p' })).toThrow(KplFormatError);
  });

  it('refuses a user record whose partition key index is outside the table', () => {
    // Prepare: one key in the table, the record names index 3
    const protobuf = Buffer.from('0a01611a0508031a0178', 'hex');

    // Act / Assess
    expect(() => deaggregate({ data: handMadeAggregate(protobuf), partitionKey: 'p' })).toThrow(
      /names no partition key/,
    );
  });

  it('refuses magic bytes with no room for a checksum', () => {
    expect(() => deaggregate({ data: Buffer.from([...KPL_MAGIC, 1, 2]), partitionKey: 'p' })).toThrow(
      /at least 20 bytes/,
    );
  });

  it('keeps every aggregate, outer partition key included, within the byte limit it is given', () => {
    // Prepare: 300 records of 1 KB
    const input = Array.from({ length: 300 }, (_, i) => ({
      data: Buffer.alloc(1000, 0x61 + (i % 26)),
      partitionKey: `a-rather-long-partition-key-${i % 7}`,
    }));

    // Act
    const packed = aggregate(input, { maxBytes: 64 * 1024 });

    // Assess
    expect(packed.length).toBeGreaterThan(1);
    for (const p of packed) expect(p.data.length + Buffer.byteLength(p.partitionKey)).toBeLessThanOrEqual(64 * 1024);
    expect(packed.reduce((n, p) => n + p.count, 0)).toBe(300);
    expect(packed.flatMap((p) => deaggregate(p)).map((r) => r.data[0])).toEqual(input.map((r) => r.data[0]));
  });

  it('refuses a user record too large for a Kinesis record of its own, and one without a partition key', () => {
    expect(() => aggregate([{ data: Buffer.alloc(MAX_KINESIS_RECORD_BYTES), partitionKey: 'k' }])).toThrow(
      KplAggregationError,
    );
    expect(() => aggregate([{ data: Buffer.from('x'), partitionKey: '' }])).toThrow(/no partition key/);
  });
});
