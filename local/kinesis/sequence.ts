/**
 * Sequence numbers: 56 decimal digits, like AWS's, that increase per shard and say where they come from:
 * `49` + stream creation time (15 digits, ms) + shard index (6 digits) + record index in the shard plus one
 * (33 digits). Reading the record index straight out of the number makes AT/AFTER_SEQUENCE_NUMBER an O(1)
 * lookup; the plus one leaves the shard's StartingSequenceNumber (tail 0) below its first record, as on AWS.
 */
const PREFIX_LENGTH = 23;
export const SEQUENCE_LENGTH = 56;

export function shardPrefix(streamCreatedMs: number, shardIndex: number): string {
  return `49${String(streamCreatedMs).padStart(15, '0')}${String(shardIndex).padStart(6, '0')}`;
}

const TAIL_ZEROS = '0'.repeat(SEQUENCE_LENGTH - PREFIX_LENGTH);

export function sequenceNumber(prefix: string, index: number): string {
  // slicing a string of zeros costs a fifth of padStart, once per record read or written
  const digits = String(index + 1);
  return prefix + TAIL_ZEROS.slice(digits.length) + digits;
}

/** The shard's StartingSequenceNumber: just below its first record. */
export function startingSequenceNumber(prefix: string): string {
  return sequenceNumber(prefix, -1);
}

export interface ParsedSequence {
  streamCreatedMs: number;
  shardIndex: number;
  /** Record index; -1 for a shard's StartingSequenceNumber. */
  index: number;
}

/** undefined when the string is not a sequence number this twin issued. */
export function parseSequence(value: string): ParsedSequence | undefined {
  if (value.length !== SEQUENCE_LENGTH || !value.startsWith('49') || !/^\d+$/.test(value)) return undefined;
  const tail = Number(value.slice(PREFIX_LENGTH));
  if (!Number.isSafeInteger(tail)) return undefined;
  return {
    streamCreatedMs: Number(value.slice(2, 17)),
    shardIndex: Number(value.slice(17, PREFIX_LENGTH)),
    index: tail - 1,
  };
}

export function shardIdOf(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}

/** Shard index from `shardId-000000000003` (or a bare `3`, which Kinesis also accepts); undefined otherwise. */
export function shardIndexOf(shardId: string): number | undefined {
  const m = /^(?:shardId-)?(\d{1,12})$/.exec(shardId);
  return m ? Number(m[1]) : undefined;
}
