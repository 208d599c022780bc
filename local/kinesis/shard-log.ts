/**
 * The records of one shard: segments (local/kinesis/segment.ts) of up to SEGMENT_RECORDS records or about
 * SEGMENT_BYTES each, addressed by their index in the shard (the tail of their sequence number). Retention trims
 * whole segments from the front. A million 100-byte records with 9-byte keys take about 115 MB.
 *
 * Two ends: `tail` is the index the next append gets; `next` is where readers stop. They are the same unless a
 * journal holds the log (`hold`), in which case records become readable only once the journal has made them
 * durable (`publish`), so no reader ever sees a record that a crash could take back. After a restart the
 * indexes may jump (`skipTo`): sequence numbers never go back, even past records that were lost unacknowledged.
 */
import { SEGMENT_RECORDS, Segment } from './segment';

/** Told when a held log takes records, so the journal can write them. */
export interface LogSink {
  appended(log: ShardLog): void;
}

/** A run of records that lie back to back in one segment, for a journal to write as they are. */
export interface EncodedRun {
  /** Index of the first record. */
  first: number;
  count: number;
  /** The records, each `[key length][key][data]`. */
  bytes: Buffer;
  /** End of each record in `bytes`. */
  ends: Uint32Array;
  /** Arrival times as runs: records from `runAt[r]` (counted from `first`) on arrived at `runTime[r]`. */
  runAt: Uint32Array;
  runTime: Float64Array;
}

export class ShardLog {
  private segments: Segment[] = [];
  /** Index the next append gets. */
  tail: number;
  /** Readers see the records below this index. */
  next: number;
  /** Index of the first record still held. */
  first: number;
  lastTime = 0;
  /** Data bytes held. */
  bytes = 0;
  private sink: LogSink | undefined;
  /** Set while the sink has been told of records it has not taken yet. */
  pending = false;

  constructor(start = 0) {
    this.tail = start;
    this.next = start;
    this.first = start;
  }

  /** From now on records wait for `publish` before readers see them; `sink` hears of each append. */
  hold(sink: LogSink): void {
    this.sink = sink;
  }

  get held(): boolean {
    return this.sink !== undefined;
  }

  /** How many records the log holds (readable or not); indexes may have gaps, so not `tail - first`. */
  get size(): number {
    let n = 0;
    for (const seg of this.segments) n += seg.count;
    const head = this.segments[0];
    return head ? n - Math.min(head.count, Math.max(0, this.first - head.base)) : 0;
  }

  /** The bytes the segments hold: each record's data with its partition key and key length. */
  get storedBytes(): number {
    let n = 0;
    for (const seg of this.segments) n += seg.used;
    return n;
  }

  /** Lets readers see the records below `upTo` (a journal calls it once they are durable). */
  publish(upTo: number): void {
    if (upTo > this.next) this.next = Math.min(upTo, this.tail);
  }

  /** Appends a record given as bytes or as base64 text (decoded straight into the log); returns its index. */
  append(data: Uint8Array | string, key: string, time: number): number {
    const room = 2 + key.length * 3 + (typeof data === 'string' ? Math.ceil((data.length * 3) / 4) : data.length);
    if (time < this.lastTime) time = this.lastTime;
    this.bytes += this.open(room).append(data, key, time);
    return this.appended(time);
  }

  /** Appends a record encoded as the journal holds it (`[key length][key][data]`); returns its index. */
  appendEncoded(record: Uint8Array, time: number): number {
    if (time < this.lastTime) time = this.lastTime;
    this.bytes += this.open(record.length).appendEncoded(record, time);
    return this.appended(time);
  }

  private open(room: number): Segment {
    const last = this.segments[this.segments.length - 1];
    if (last?.fits(room) && last.base + last.count === this.tail) return last;
    last?.seal();
    // the next segment is twice the last one (up to SEGMENT_BYTES): a busy shard's segments grow without copies
    const seg = last
      ? new Segment(this.tail, Math.max(last.nextBytes, room), Math.min(last.count * 2, SEGMENT_RECORDS))
      : new Segment(this.tail, room);
    this.segments.push(seg);
    return seg;
  }

  private appended(time: number): number {
    this.lastTime = time;
    const index = this.tail++;
    if (this.sink === undefined) this.next = this.tail;
    else if (!this.pending) {
      this.pending = true;
      this.sink.appended(this);
    }
    return index;
  }

  /** Makes the next record take index `index` or later (sequence numbers resume past a gap after a restart). */
  skipTo(index: number): void {
    if (index <= this.tail) return;
    if (this.first === this.tail) this.first = index;
    if (this.next === this.tail) this.next = index;
    this.tail = index;
  }

  /** Drops whole segments whose records all arrived before `cutoff`, and moves `first` past older records. */
  trim(cutoff: number): void {
    let drop = 0;
    while (drop < this.segments.length - 1 && this.segments[drop]!.lastTime < cutoff) {
      this.bytes -= this.segments[drop]!.bytes;
      drop++;
    }
    if (drop > 0) this.segments = this.segments.slice(drop);
    const seg = this.segments[0];
    if (!seg) return;
    const from = seg.firstAtOrAfter(cutoff);
    if (from === seg.count && this.tail === this.next) {
      // every record has expired (none is waiting for the journal either)
      this.bytes -= seg.bytes;
      this.segments = [];
      this.first = this.tail;
      return;
    }
    this.first = Math.min(Math.max(this.first, seg.base + from), this.tail);
  }

  /** First index whose arrival time is >= `time` (`next` when none). */
  indexAtTime(time: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segs[mid]!.lastTime < time) lo = mid + 1;
      else hi = mid;
    }
    const seg = segs[lo];
    if (!seg) return this.next;
    return Math.min(this.next, Math.max(this.first, seg.base + seg.firstAtOrAfter(time)));
  }

  timeAt(index: number): number | undefined {
    if (index < this.first || index >= this.next) return undefined;
    const seg = this.segments[this.segmentIndexOf(index)];
    if (!seg || index < seg.base || index >= seg.base + seg.count) return undefined;
    return seg.timeOf(index - seg.base);
  }

  /**
   * Calls `fn` for readable records from `from` on, at most `limit` of them, stopping once `maxBytes` is passed
   * (the record that passes it is still delivered, as Kinesis does). `fn` gets the segment's buffer and where the
   * record's data starts and ends in it. Returns the index to read from next.
   */
  read(
    from: number,
    limit: number,
    maxBytes: number,
    fn: (data: Buffer, start: number, end: number, time: number, key: string, index: number) => void,
  ): number {
    let index = Math.max(from, this.first);
    const stop = this.next;
    if (index >= stop) return index;
    const segs = this.segments;
    let count = 0;
    let bytes = 0;
    for (let si = this.segmentIndexOf(index); si < segs.length; si++) {
      const seg = segs[si]!;
      if (index < seg.base) index = seg.base;
      if (index >= stop) return stop;
      let i = index - seg.base;
      const end = Math.min(seg.count, stop - seg.base);
      if (i >= end) continue;
      let run = seg.runOf(i);
      let nextRun = run + 1 < seg.runs ? seg.runAt[run + 1]! : seg.count;
      const data = seg.data;
      const ends = seg.ends;
      for (; i < end; i++) {
        if (i >= nextRun) {
          run++;
          nextRun = run + 1 < seg.runs ? seg.runAt[run + 1]! : seg.count;
        }
        const at = i === 0 ? 0 : ends[i - 1]!;
        const e = ends[i]!;
        // the key's length, then the key, then the data (see segment.ts)
        const h = data[at]!;
        const ks = h < 0x80 ? at + 1 : at + 2;
        const s = ks + (h < 0x80 ? h : (h & 0x7f) | (data[at + 1]! << 7));
        fn(data, s, e, seg.runTime[run]!, data.toString('utf8', ks, s), index);
        index++;
        bytes += e - s;
        if (++count >= limit || bytes >= maxBytes) return index;
      }
    }
    return stop;
  }

  /** The held records from `from` (up to `tail`), as runs a journal can write without decoding them. */
  *encoded(from: number, to = this.tail): Generator<EncodedRun> {
    const segs = this.segments;
    let index = Math.max(from, this.first);
    for (let si = this.segmentIndexOf(index); si < segs.length && index < to; si++) {
      const seg = segs[si]!;
      if (index < seg.base) index = seg.base;
      const i0 = index - seg.base;
      const i1 = Math.min(seg.count, to - seg.base);
      if (i0 >= i1) continue;
      const start = seg.start(i0);
      const ends = new Uint32Array(i1 - i0);
      for (let i = i0; i < i1; i++) ends[i - i0] = seg.ends[i]! - start;
      const r0 = seg.runOf(i0);
      const r1 = seg.runOf(i1 - 1) + 1;
      const runAt = new Uint32Array(r1 - r0);
      const runTime = seg.runTime.slice(r0, r1);
      for (let r = r0; r < r1; r++) runAt[r - r0] = Math.max(0, seg.runAt[r]! - i0);
      yield {
        first: index,
        count: i1 - i0,
        bytes: seg.data.subarray(start, seg.ends[i1 - 1]!),
        ends,
        runAt,
        runTime,
      };
      index = seg.base + i1;
    }
  }

  /** Last segment whose base is at or below `index` (0 when none is). */
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
}
