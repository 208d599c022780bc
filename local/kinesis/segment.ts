/**
 * One run of a shard's records, stored without an object per record. The records lie back to back in one
 * buffer, each as `[key length: 1 or 2 bytes][partition key, UTF-8][data]`; `ends[i]` is where record `i` ends.
 * Arrival times are kept as runs (a PutRecords batch shares one time), so a record costs its bytes plus about
 * five: its end offset and its key length. Buffers are zero-filled when allocated, and a record only ever spans
 * bytes that were written, so nothing else of the process's memory can be read through a segment.
 */
export const SEGMENT_BYTES = 1 << 20;
export const SEGMENT_RECORDS = 16_384;
const INITIAL_BYTES = 8 << 10;
const INITIAL_RECORDS = 64;
/** Keys of fewer UTF-16 units than this take under 128 bytes of UTF-8, so a one-byte length. */
const SHORT_KEY = 42;

/**
 * Writes a key of fewer than SHORT_KEY characters as UTF-8 at `at`; returns its bytes. An ASCII key byte by byte
 * (about 33 ns for `pk-<n>` against 95 through Buffer's write, which crosses into C++), any other through it.
 */
function writeShortKey(buf: Buffer, key: string, at: number): number {
  const n = key.length;
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return buf.write(key, at, 'utf8');
    buf[at + i] = c;
  }
  return n;
}

export class Segment {
  count = 0;
  /** Bytes of `data` in use. */
  used = 0;
  /** Data bytes held (keys and length bytes not counted). */
  bytes = 0;
  data: Buffer;
  ends: Uint32Array;
  /** Record `runAt[r]` and the ones after it, up to the next run, arrived at `runTime[r]`. */
  runAt: Uint32Array;
  runTime: Float64Array;
  runs = 0;

  constructor(
    readonly base: number,
    bytes = INITIAL_BYTES,
    records = INITIAL_RECORDS,
  ) {
    this.data = Buffer.alloc(Math.max(bytes, INITIAL_BYTES));
    this.ends = new Uint32Array(Math.min(Math.max(records, INITIAL_RECORDS), SEGMENT_RECORDS));
    this.runAt = new Uint32Array(8);
    this.runTime = new Float64Array(8);
  }

  /**
   * Room for one more record of up to `room` encoded bytes in the buffer as it is: a segment's buffer never grows
   * once it holds a record (the shard log starts a larger segment instead, so no byte is copied to make room).
   * An empty segment takes any record, a record larger than its buffer too.
   */
  fits(room: number): boolean {
    return this.count === 0 || (this.count < SEGMENT_RECORDS && this.used + room <= this.data.length);
  }

  /** The buffer's size for the segment after this one: twice this one's, up to SEGMENT_BYTES. */
  get nextBytes(): number {
    // filled by its record count, not its bytes: the next one fills alike
    if (this.count >= SEGMENT_RECORDS) return Math.min(this.used, SEGMENT_BYTES);
    return Math.min(this.data.length * 2, SEGMENT_BYTES);
  }

  /** Appends one record; returns how many data bytes it holds (what base64 text decoded to). */
  append(data: Uint8Array | string, key: string, time: number): number {
    const dataRoom = typeof data === 'string' ? Math.ceil((data.length * 3) / 4) : data.length;
    this.reserve(2 + key.length * 3 + dataRoom);
    const buf = this.data;
    let at = this.used;
    if (key.length < SHORT_KEY) {
      const n = writeShortKey(buf, key, at + 1);
      buf[at] = n;
      at += 1 + n;
    } else {
      const n = Buffer.byteLength(key, 'utf8');
      at = writeLength(buf, at, n);
      at += buf.write(key, at, n, 'utf8');
    }
    let size: number;
    if (typeof data === 'string') size = buf.write(data, at, dataRoom, 'base64');
    else {
      buf.set(data, at);
      size = data.length;
    }
    this.commit(at + size, size, time);
    return size;
  }

  /** Appends a record already encoded as `[key length][key][data]` (from a journal); returns its data bytes. */
  appendEncoded(record: Uint8Array, time: number): number {
    this.reserve(record.length);
    this.data.set(record, this.used);
    const size = record.length - dataOffset(this.data, this.used);
    this.commit(this.used + record.length, size, time);
    return size;
  }

  private commit(end: number, size: number, time: number): void {
    const i = this.count;
    this.ends[i] = end;
    this.used = end;
    this.bytes += size;
    if (this.runs === 0 || this.runTime[this.runs - 1] !== time) {
      if (this.runs === this.runAt.length) {
        this.runAt = grow(this.runAt, this.runs * 2) as Uint32Array;
        this.runTime = grow(this.runTime, this.runs * 2) as Float64Array;
      }
      this.runAt[this.runs] = i;
      this.runTime[this.runs] = time;
      this.runs++;
    }
    this.count = i + 1;
  }

  private reserve(room: number): void {
    if (this.count === this.ends.length) this.ends = grow(this.ends, this.count * 2) as Uint32Array;
    const need = this.used + room;
    if (need > this.data.length) {
      const data = Buffer.alloc(Math.max(Math.min(this.data.length * 2, SEGMENT_BYTES), need));
      this.data.copy(data, 0, 0, this.used);
      this.data = data;
    }
  }

  /** Gives back the unused room of a segment that takes no more records. */
  seal(): void {
    if (this.data.length > this.used + (this.used >> 4)) {
      const data = Buffer.alloc(this.used);
      this.data.copy(data, 0, 0, this.used);
      this.data = data;
    }
    if (this.ends.length > this.count) this.ends = this.ends.slice(0, this.count);
    if (this.runAt.length > this.runs) {
      this.runAt = this.runAt.slice(0, this.runs);
      this.runTime = this.runTime.slice(0, this.runs);
    }
  }

  /** Where record `i` starts (its key length). */
  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  get lastTime(): number {
    return this.runTime[this.runs - 1]!;
  }

  /** The run that record `i` belongs to. */
  runOf(i: number): number {
    let lo = 0;
    let hi = this.runs - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runAt[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  timeOf(i: number): number {
    return this.runTime[this.runOf(i)]!;
  }

  /** First record (in this segment) that arrived at or after `time`; `count` when none did. */
  firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.runs;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.runTime[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.runs ? this.count : this.runAt[lo]!;
  }

  /** Partition key of the record that starts at `at`. */
  keyAt(at: number): string {
    const d = this.data;
    const n = d[at]!;
    if (n < 0x80) return d.toString('utf8', at + 1, at + 1 + n);
    const len = (n & 0x7f) | (d[at + 1]! << 7);
    return d.toString('utf8', at + 2, at + 2 + len);
  }
}

/** Offset of the data within an encoded record that starts at `at` (past its key). */
export function dataOffset(buf: Uint8Array, at: number): number {
  const n = buf[at]!;
  return n < 0x80 ? 1 + n : 2 + ((n & 0x7f) | (buf[at + 1]! << 7));
}

/** Writes a key length (under 2^14) as one or two bytes; returns the offset after it. */
function writeLength(buf: Buffer, at: number, n: number): number {
  if (n < 0x80) {
    buf[at] = n;
    return at + 1;
  }
  buf[at] = 0x80 | (n & 0x7f);
  buf[at + 1] = n >> 7;
  return at + 2;
}

function grow(a: Uint32Array | Float64Array, n: number): Uint32Array | Float64Array {
  const b = a instanceof Uint32Array ? new Uint32Array(Math.min(n, SEGMENT_RECORDS)) : new Float64Array(n);
  b.set(a);
  return b;
}
