/**
 * A durable, append-only journal: what a twin service appends is on disk, checksummed, before `commit()`
 * resolves, and comes back in order when the journal is opened again. Appends made while a write is in flight
 * gather into the next one (group commit: one write and one fdatasync for every caller waiting), so many callers
 * cost little more than one. See docs/architecture.md, "Durable state (--data-dir)".
 *
 *   const journal = Journal.open(dir, (entry) => apply(entry));  // replays the last snapshot and the log after it
 *   journal.append(TYPE, bytes);                                  // buffered
 *   await journal.commit();                                       // durable now; answer the caller
 *   if (journal.logBytes > limit) void journal.snapshot(entriesOfTheStateNow());
 *   await journal.close();
 *
 * On open, a torn tail (the last write of a twin that was killed, never acknowledged) is cut with a warning that
 * names the file and what was dropped; any other damage throws `JournalCorruptError` naming file and offset.
 */
import { closeSync, fdatasync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { JournalWriteError } from './errors';
import { list, lock, remove, segmentName, snapshotName, syncDir, unlock, writeAllSync } from './files';
import {
  batchHeader,
  END_OF_SNAPSHOT,
  ENTRY_HEADER,
  type Entry,
  entryHeader,
  FILE_HEADER,
  fileHeader,
  SEGMENT_MAGIC,
} from './frame';
import { recover } from './recovery';
import { writeSnapshot } from './snapshot';

export type { Entry } from './frame';

export interface JournalOptions {
  /**
   * true (default): `commit()` resolves once the batch is written and fdatasync'd (survives a crash of the
   * machine). false: once it is written to the file (survives a crash of the process, not of the machine).
   */
  fsync?: boolean;
  /** Past this size a segment is closed and the next begun (default 64 MiB). */
  segmentBytes?: number;
  /** Where a torn tail cut on open is reported (default: standard error). */
  warn?: (message: string) => void;
}

/** An entry for `append` or a snapshot: a type (1-255) and its bytes, in one piece or several. */
export interface NewEntry {
  type: number;
  parts: readonly Uint8Array[];
}

interface Group {
  parts: Uint8Array[];
  bytes: number;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Set when a snapshot waits for the segment to end after this group; gets the new segment's offset. */
  roll?: (offset: number) => void;
}

const DEFAULT_SEGMENT_BYTES = 64 << 20;
const RESOLVED = Promise.resolve();

function group(): Group {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // a batch nobody awaits (a background change) must not become an unhandled rejection
  done.catch(() => undefined);
  return { parts: [], bytes: 0, done, resolve, reject };
}

export class Journal {
  private open = group();
  private inflight: Promise<void> | undefined;
  private writing = false;
  private failure: JournalWriteError | undefined;
  private snapshotting: Promise<void> | undefined;
  private closed = false;
  private fd: number;
  private segmentSize: number;
  /** Journal offset the next batch takes. */
  private offset: number;
  private snapshotOffset: number;

  private constructor(
    readonly dir: string,
    private readonly opts: Required<Omit<JournalOptions, 'warn'>>,
    at: { segmentStart: number; size: number; offset: number; snapshot: number },
  ) {
    this.segmentSize = at.size;
    this.offset = at.offset;
    this.snapshotOffset = at.snapshot;
    this.fd = openSync(join(dir, segmentName(at.segmentStart)), 'r+');
  }

  /**
   * Opens the journal in `dir` (created if missing; one process at a time), hands every entry of its last
   * snapshot and of the log after it to `replay` in the order they were appended, and cuts a torn tail.
   * Payloads are views into the files' bytes: copy what you keep.
   */
  static open(dir: string, replay: (entry: Entry) => void, opts: JournalOptions = {}): Journal {
    lock(dir);
    try {
      const warn = opts.warn ?? ((m: string) => process.stderr.write(`${m}\n`));
      const at = recover(dir, replay, warn);
      return new Journal(
        dir,
        { fsync: opts.fsync ?? true, segmentBytes: opts.segmentBytes ?? DEFAULT_SEGMENT_BYTES },
        at,
      );
    } catch (error) {
      unlock(dir);
      throw error;
    }
  }

  /** Bytes of log since the last snapshot: what the next snapshot lets go of. */
  get logBytes(): number {
    return this.offset - this.snapshotOffset;
  }

  /** Buffers an entry for the next batch. */
  append(type: number, parts: Uint8Array | readonly Uint8Array[]): void {
    const list = parts instanceof Uint8Array ? [parts] : parts;
    let length = 0;
    for (const p of list) length += p.length;
    const g = this.open;
    g.parts.push(entryHeader(type, length), ...list);
    g.bytes += ENTRY_HEADER + length;
  }

  /** Resolves once everything appended so far is durable; rejects with JournalWriteError if it cannot be. */
  commit(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.open.bytes === 0 && this.open.roll === undefined) return this.inflight ?? RESOLVED;
    const done = this.open.done;
    this.kick();
    return done;
  }

  private kick(): void {
    if (this.writing) return;
    this.writing = true;
    void this.pump();
  }

  private async pump(): Promise<void> {
    let g: Group | undefined;
    try {
      while (this.open.bytes > 0 || this.open.roll !== undefined) {
        g = this.open;
        this.open = group();
        this.inflight = g.done;
        if (g.bytes > 0) await this.write(g);
        if (g.roll !== undefined || this.segmentSize >= this.opts.segmentBytes) this.roll(g.roll);
        g.resolve();
      }
    } catch (error) {
      this.failure = new JournalWriteError(`Cannot write the journal in ${this.dir}`, { cause: error });
      g?.reject(this.failure);
      this.open.reject(this.failure);
    } finally {
      this.writing = false;
      this.inflight = undefined;
    }
  }

  private async write(g: Group): Promise<void> {
    const total = writeAllSync(this.fd, [batchHeader(g.parts, g.bytes, this.offset), ...g.parts], this.segmentSize);
    // the sync takes milliseconds: off the event loop, while the next group gathers
    if (this.opts.fsync) await new Promise<void>((res, rej) => fdatasync(this.fd, (e) => (e ? rej(e) : res())));
    this.segmentSize += total;
    this.offset += total;
  }

  /** Ends the segment (synced) and begins the next at the current offset. */
  private roll(then?: (offset: number) => void): void {
    if (!this.opts.fsync) fsyncSync(this.fd);
    closeSync(this.fd);
    const name = segmentName(this.offset);
    const fd = openSync(join(this.dir, name), 'w+');
    writeSync(fd, fileHeader(SEGMENT_MAGIC, this.offset));
    fsyncSync(fd);
    syncDir(this.dir);
    this.fd = fd;
    this.segmentSize = FILE_HEADER;
    then?.(this.offset);
  }

  /**
   * Writes a snapshot: `entries`, taken now, stand for everything appended so far. The segment ends after what
   * was appended; once the snapshot file is durable, the segments and snapshots before it are deleted. One
   * snapshot at a time (a second call while one is written gets the first one's promise).
   */
  snapshot(entries: readonly NewEntry[]): Promise<void> {
    if (this.snapshotting) return this.snapshotting;
    if (this.failure) return Promise.reject(this.failure);
    const rolled = new Promise<number>((resolve) => {
      this.open.roll = resolve;
    });
    this.kick();
    const all = [...entries, { type: END_OF_SNAPSHOT, parts: [] }];
    this.snapshotting = rolled
      .then(async (offset) => {
        await writeSnapshot(this.dir, offset, all);
        const old = list(this.dir);
        remove(this.dir, [
          ...old.segments.filter((s) => s < offset).map(segmentName),
          ...old.snapshots.filter((s) => s < offset).map(snapshotName),
        ]);
        this.snapshotOffset = offset;
      })
      .finally(() => {
        this.snapshotting = undefined;
      });
    return this.snapshotting;
  }

  /** Writes what is buffered, waits for a snapshot being written, and releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.commit();
      await this.snapshotting;
    } finally {
      closeSync(this.fd);
      unlock(this.dir);
    }
  }
}
