/**
 * The journal's bytes. A file (segment or snapshot) starts with a 16-byte header: magic, format version, and the
 * journal offset it begins at. Then batches, one per group commit:
 *
 *   magic u32 | payload length u32 | CRC-32 u32 | journal offset u64 | payload
 *
 * The CRC covers the length, the offset and the payload, so a batch reads back whole and in its place or not at
 * all. The payload is entries, each `type u8 | length u32 | bytes`. Integers are little-endian.
 */
import { crc32 } from 'node:zlib';

export const FILE_HEADER = 16;
export const BATCH_HEADER = 20;
export const ENTRY_HEADER = 5;
const BATCH_MAGIC = 0x424a464b; // 'KFJB'
export const SEGMENT_MAGIC = 0x534a464b; // 'KFJS'
export const SNAPSHOT_MAGIC = 0x504a464b; // 'KFJP'
const VERSION = 1;
/** Entry type the journal keeps for itself: the last entry of a complete snapshot. */
export const END_OF_SNAPSHOT = 0;

export function fileHeader(magic: number, offset: number): Buffer {
  const b = Buffer.alloc(FILE_HEADER);
  b.writeUInt32LE(magic, 0);
  b.writeUInt32LE(VERSION, 4);
  b.writeBigUInt64LE(BigInt(offset), 8);
  return b;
}

/** The offset a file header names, or a reason it is not one of `magic`. */
export function readFileHeader(buf: Buffer, magic: number): number | string {
  if (buf.length < FILE_HEADER) return 'the file header is incomplete';
  if (buf.readUInt32LE(0) !== magic) return 'the file does not start with a journal header';
  if (buf.readUInt32LE(4) !== VERSION) return `format version ${buf.readUInt32LE(4)} (this twin reads ${VERSION})`;
  return Number(buf.readBigUInt64LE(8));
}

export function entryHeader(type: number, length: number): Buffer {
  const b = Buffer.alloc(ENTRY_HEADER);
  b.writeUInt8(type, 0);
  b.writeUInt32LE(length, 1);
  return b;
}

/** The header of a batch whose payload is `parts`, placed at journal offset `offset`. */
export function batchHeader(parts: readonly Uint8Array[], length: number, offset: number): Buffer {
  const h = Buffer.alloc(BATCH_HEADER);
  h.writeUInt32LE(BATCH_MAGIC, 0);
  h.writeUInt32LE(length, 4);
  h.writeBigUInt64LE(BigInt(offset), 12);
  let crc = crc32(h.subarray(12, 20), crc32(h.subarray(4, 8)));
  for (const p of parts) crc = crc32(p, crc);
  h.writeUInt32LE(crc, 8);
  return h;
}

export interface Entry {
  type: number;
  /** A view into the file's bytes: copy what you keep. */
  payload: Buffer;
}

export type BatchCheck = { end: number; offset: number } | { damage: string };

/** Checks the batch at `at`: whole, right checksum, entries that fill it exactly. */
export function checkBatch(buf: Buffer, at: number): BatchCheck {
  if (buf.length - at < BATCH_HEADER) return { damage: `${buf.length - at} bytes, too few for a batch header` };
  if (buf.readUInt32LE(at) !== BATCH_MAGIC) return { damage: 'no batch starts here' };
  const length = buf.readUInt32LE(at + 4);
  const end = at + BATCH_HEADER + length;
  if (end > buf.length)
    return { damage: `a batch of ${length} bytes of which ${buf.length - at - BATCH_HEADER} are there` };
  let crc = crc32(buf.subarray(at + 12, at + 20), crc32(buf.subarray(at + 4, at + 8)));
  crc = crc32(buf.subarray(at + BATCH_HEADER, end), crc);
  if (crc !== buf.readUInt32LE(at + 8)) return { damage: `a batch of ${length} bytes that fails its checksum` };
  for (let e = at + BATCH_HEADER; e < end; ) {
    if (end - e < ENTRY_HEADER || e + ENTRY_HEADER + buf.readUInt32LE(e + 1) > end) {
      return { damage: 'a batch whose entries do not fill it' };
    }
    e += ENTRY_HEADER + buf.readUInt32LE(e + 1);
  }
  return { end, offset: Number(buf.readBigUInt64LE(at + 12)) };
}

/** The entries of a batch that `checkBatch` found whole. */
export function* entriesOf(buf: Buffer, at: number, end: number): Generator<Entry> {
  for (let e = at + BATCH_HEADER; e < end; ) {
    const length = buf.readUInt32LE(e + 1);
    yield { type: buf[e]!, payload: buf.subarray(e + ENTRY_HEADER, e + ENTRY_HEADER + length) };
    e += ENTRY_HEADER + length;
  }
}

/** True when a whole batch with a right checksum starts anywhere after `from`. */
export function wholeBatchAfter(buf: Buffer, from: number): boolean {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(BATCH_MAGIC, 0);
  for (let at = buf.indexOf(magic, from + 1); at !== -1; at = buf.indexOf(magic, at + 1)) {
    if ('end' in checkBatch(buf, at)) return true;
  }
  return false;
}

export interface Scan {
  /** Where the whole batches end. */
  end: number;
  /** Journal offset at `end`. */
  offset: number;
  /** Why the bytes at `end` (if any are left) are not a whole batch. */
  damage?: string;
}

/**
 * Reads the batches of a file from its header on, handing each entry of each whole batch to `onEntry`, and stops
 * at the first bytes that are not a whole batch at its expected journal offset.
 */
export function scanFile(buf: Buffer, start: number, onEntry: (entry: Entry) => void): Scan {
  let at = FILE_HEADER;
  let offset = start;
  while (at < buf.length) {
    const check = checkBatch(buf, at);
    if ('damage' in check) return { end: at, offset, damage: check.damage };
    if (check.offset !== offset) {
      return { end: at, offset, damage: `a batch for journal offset ${check.offset} where ${offset} was due` };
    }
    for (const entry of entriesOf(buf, at, check.end)) onEntry(entry);
    offset += check.end - at;
    at = check.end;
  }
  return { end: at, offset };
}
