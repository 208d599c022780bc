/**
 * Opening a journal: the newest snapshot, then every segment from its offset on, each batch checked whole and
 * in its place before its entries are replayed. The last write of a twin that was killed can be torn; it was
 * never acknowledged (a batch is acknowledged only once it is written, and the next is written only after), so
 * a damaged tail of the last segment after which no whole batch follows is cut, with a warning. Damage anywhere
 * else, or followed by a whole batch, would drop acknowledged data: `JournalCorruptError`.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { JournalCorruptError } from './errors';
import { list, remove, segmentName, snapshotName, syncDir } from './files';
import {
  END_OF_SNAPSHOT,
  type Entry,
  FILE_HEADER,
  fileHeader,
  readFileHeader,
  SEGMENT_MAGIC,
  SNAPSHOT_MAGIC,
  scanFile,
  wholeBatchAfter,
} from './frame';

export interface Position {
  /** Start offset of the segment appends go to. */
  segmentStart: number;
  /** Its size in bytes (where the next batch goes). */
  size: number;
  /** Journal offset the next batch takes. */
  offset: number;
  /** Offset of the snapshot the log resumes from (0 without one). */
  snapshot: number;
}

export function recover(dir: string, replay: (entry: Entry) => void, warn: (message: string) => void): Position {
  const files = list(dir);
  remove(dir, files.temporary);
  const snapshot = files.snapshots[files.snapshots.length - 1] ?? 0;
  if (files.snapshots.length > 0) readSnapshot(join(dir, snapshotName(snapshot)), snapshot, replay);
  // what a snapshot made obsolete but a crash left behind
  remove(dir, [
    ...files.segments.filter((s) => s < snapshot).map(segmentName),
    ...files.snapshots.filter((s) => s < snapshot).map(snapshotName),
  ]);
  const segments = files.segments.filter((s) => s >= snapshot);
  if (segments.length === 0) {
    createSegment(dir, snapshot);
    return { segmentStart: snapshot, size: FILE_HEADER, offset: snapshot, snapshot };
  }
  let expected = snapshot;
  for (let i = 0; i < segments.length; i++) {
    const start = segments[i]!;
    const path = join(dir, segmentName(start));
    const last = i === segments.length - 1;
    if (start !== expected) {
      throw new JournalCorruptError(path, 0, `it begins at journal offset ${start} where ${expected} was due`);
    }
    const buf = readFileSync(path);
    const head = readFileHeader(buf, SEGMENT_MAGIC);
    if (typeof head === 'string') {
      if (!last || buf.length >= FILE_HEADER) throw new JournalCorruptError(path, 0, head);
      // a segment the twin had just begun when it stopped
      warn(`${path}: a segment begun but not written (${buf.length} bytes) was started again`);
      createSegment(dir, start);
      return { segmentStart: start, size: FILE_HEADER, offset: start, snapshot };
    }
    if (head !== start) throw new JournalCorruptError(path, 8, `its header names journal offset ${head}`);
    const scan = scanFile(buf, start, replay);
    if (scan.damage !== undefined) {
      if (!last) throw new JournalCorruptError(path, scan.end, `${scan.damage}, and later segments follow`);
      if (wholeBatchAfter(buf, scan.end)) {
        throw new JournalCorruptError(path, scan.end, `${scan.damage}, and whole batches follow it`);
      }
      cut(path, scan.end);
      warn(
        `${path}: cut ${buf.length - scan.end} bytes at offset ${scan.end} (${scan.damage}): the last write of a ` +
          'twin that stopped before it finished, never acknowledged',
      );
    }
    if (last) return { segmentStart: start, size: scan.end, offset: scan.offset, snapshot };
    expected = scan.offset;
  }
  throw new Error('unreachable');
}

function readSnapshot(path: string, offset: number, replay: (entry: Entry) => void): void {
  const buf = readFileSync(path);
  const head = readFileHeader(buf, SNAPSHOT_MAGIC);
  if (typeof head === 'string') throw new JournalCorruptError(path, 0, head);
  if (head !== offset) throw new JournalCorruptError(path, 8, `its header names journal offset ${head}`);
  let ended = false;
  const scan = scanFile(buf, offset, (entry) => {
    if (ended) throw new JournalCorruptError(path, 0, 'entries follow its end');
    if (entry.type === END_OF_SNAPSHOT) ended = true;
    else replay(entry);
  });
  // a snapshot is renamed into place only once it is whole and synced: any damage is corruption
  if (scan.damage !== undefined) throw new JournalCorruptError(path, scan.end, scan.damage);
  if (!ended) throw new JournalCorruptError(path, scan.end, 'the snapshot has no end');
}

function createSegment(dir: string, offset: number): void {
  const fd = openSync(join(dir, segmentName(offset)), 'w');
  try {
    writeSync(fd, fileHeader(SEGMENT_MAGIC, offset));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDir(dir);
}

function cut(path: string, size: number): void {
  const fd = openSync(path, 'r+');
  try {
    ftruncateSync(fd, size);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
