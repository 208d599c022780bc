/**
 * The records of one shard, stored without an object per record: segments of up to SEGMENT_RECORDS records,
 * each with one data buffer (zero-filled when allocated: no byte of it is ever old process memory), one Float64Array of arrival times, one Uint32Array of end offsets and an array of
 * partition keys. A million 100-byte records cost about 150 MB. Records are addressed by their index in the
 * shard (the tail of their sequence number); retention trims whole segments from the front.
 */
const SEGMENT_RECORDS = 4096;
const SEGMENT_BYTES = 1 << 20;
const INITIAL_BYTES = 8 << 10;
const INITIAL_RECORDS = 64;

class Segment {
  count = 0;
  used = 0;
  times: Float64Array;
  ends: Uint32Array;
  data: Buffer;
  keys: string[] = [];

  constructor(
    readonly base: number,
    firstSize: number,
  ) {
    this.times = new Float64Array(INITIAL_RECORDS);
    this.ends = new Uint32Array(INITIAL_RECORDS);
    this.data = Buffer.alloc(Math.max(INITIAL_BYTES, firstSize));
  }

  /** Room for one more record of `size` bytes without passing the segment's caps. */
  fits(size: number): boolean {
    return this.count < SEGMENT_RECORDS && (this.used + size <= SEGMENT_BYTES || this.count === 0);
  }

  reserve(size: number): number {
    if (this.count === this.times.length) {
      const n = Math.min(this.times.length * 2, SEGMENT_RECORDS);
      const times = new Float64Array(n);
      times.set(this.times);
      this.times = times;
      const ends = new Uint32Array(n);
      ends.set(this.ends);
      this.ends = ends;
    }
    const need = this.used + size;
    if (need > this.data.length) {
      const data = Buffer.alloc(Math.max(Math.min(this.data.length * 2, SEGMENT_BYTES), need));
      this.data.copy(data, 0, 0, this.used);
      this.data = data;
    }
    return this.used;
  }

  commit(size: number, time: number, key: string): void {
    this.used += size;
    this.times[this.count] = time;
    this.ends[this.count] = this.used;
    this.keys.push(key);
    this.count++;
  }

  /** Gives back the unused tail of a full segment. */
  seal(): void {
    if (this.data.length > this.used + (this.used >> 4)) {
      const data = Buffer.alloc(this.used);
      this.data.copy(data, 0, 0, this.used);
      this.data = data;
    }
    if (this.times.length > this.count) {
      this.times = this.times.slice(0, this.count);
      this.ends = this.ends.slice(0, this.count);
    }
  }

  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }
}

/** One record read back; `data` is a view into the log, valid until the record is trimmed. */
export interface LogRecord {
  index: number;
  time: number;
  key: string;
  data: Buffer;
}

export class ShardLog {
  private segments: Segment[] = [];
  /** Index the next record gets. */
  next: number;
  /** Index of the first record still held. */
  first: number;
  lastTime = 0;
  bytes = 0;

  constructor(start = 0) {
    this.next = start;
    this.first = start;
  }

  get size(): number {
    return this.next - this.first;
  }

  /**
   * Appends a record given as bytes or as base64 text (decoded straight into the log); returns its index. The
   * record is exactly the bytes written: base64 text takes what it decodes to, never a length its caller claims,
   * so no byte of the log that was not written can be read back.
   */
  append(data: Uint8Array | string, key: string, time: number): number {
    // base64 never decodes to more than 3 bytes for each 4 characters
    const room = typeof data === 'string' ? Math.ceil((data.length * 3) / 4) : data.length;
    let seg = this.segments[this.segments.length - 1];
    if (!seg?.fits(room)) {
      seg?.seal();
      seg = new Segment(this.next, room);
      this.segments.push(seg);
    }
    const at = seg.reserve(room);
    let size: number;
    if (typeof data === 'string') size = seg.data.write(data, at, room, 'base64');
    else {
      seg.data.set(data, at);
      size = data.length;
    }
    if (time < this.lastTime) time = this.lastTime;
    seg.commit(size, time, key);
    this.lastTime = time;
    this.bytes += size;
    return this.next++;
  }

  /** Drops whole segments whose records all arrived before `cutoff`, and moves `first` past older records. */
  trim(cutoff: number): void {
    let drop = 0;
    while (drop < this.segments.length - 1) {
      const seg = this.segments[drop]!;
      if (seg.times[seg.count - 1]! >= cutoff) break;
      this.bytes -= seg.used;
      drop++;
    }
    if (drop > 0) this.segments = this.segments.slice(drop);
    const seg = this.segments[0];
    if (!seg) return;
    // partly expired head segment: skip its old records without copying
    let lo = Math.max(0, this.first - seg.base);
    let hi = seg.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seg.times[mid]! < cutoff) lo = mid + 1;
      else hi = mid;
    }
    this.first = Math.max(this.first, seg.base + lo);
    if (this.first === this.next && seg.count > 0 && seg.times[seg.count - 1]! < cutoff) {
      this.bytes -= seg.used;
      this.segments = [];
    }
  }

  /** First index whose arrival time is >= `time` (`next` when none). */
  indexAtTime(time: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = segs[mid]!;
      if (s.times[s.count - 1]! < time) lo = mid + 1;
      else hi = mid;
    }
    const seg = segs[lo];
    if (!seg) return this.next;
    let a = 0;
    let b = seg.count;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (seg.times[mid]! < time) a = mid + 1;
      else b = mid;
    }
    return Math.max(this.first, seg.base + a);
  }

  timeAt(index: number): number | undefined {
    const seg = this.segmentOf(index);
    return seg ? seg.times[index - seg.base] : undefined;
  }

  /**
   * Calls `fn` for records from `from` on, at most `limit` of them, stopping once `maxBytes` is passed (the
   * record that passes it is still delivered, as Kinesis does). Returns the index after the last one visited.
   */
  read(
    from: number,
    limit: number,
    maxBytes: number,
    fn: (data: Buffer, start: number, end: number, time: number, key: string, index: number) => void,
  ): number {
    let index = Math.max(from, this.first);
    const stop = Math.min(this.next, index + limit);
    let bytes = 0;
    let si = this.segmentIndexOf(index);
    while (index < stop && si < this.segments.length) {
      const seg = this.segments[si]!;
      let i = index - seg.base;
      while (i < seg.count && index < stop) {
        const start = i === 0 ? 0 : seg.ends[i - 1]!;
        const end = seg.ends[i]!;
        fn(seg.data, start, end, seg.times[i]!, seg.keys[i]!, index);
        bytes += end - start;
        i++;
        index++;
        if (bytes >= maxBytes) return index;
      }
      si++;
    }
    return index;
  }

  private segmentIndexOf(index: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid]!.base <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private segmentOf(index: number): Segment | undefined {
    if (index < this.first || index >= this.next) return undefined;
    return this.segments[this.segmentIndexOf(index)];
  }

  /** Every record held from index `from` on, for persistence. */
  *records(from = this.first): Generator<LogRecord> {
    const start = Math.max(from, this.first);
    for (const seg of this.segments) {
      if (seg.base + seg.count <= start) continue;
      for (let i = Math.max(0, start - seg.base); i < seg.count; i++) {
        yield {
          index: seg.base + i,
          time: seg.times[i]!,
          key: seg.keys[i]!,
          data: seg.data.subarray(seg.start(i), seg.ends[i]!),
        };
      }
    }
  }
}
