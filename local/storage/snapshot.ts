/**
 * Writing a snapshot file: batches of entries (the same framing as segments) ending with END_OF_SNAPSHOT,
 * written to `<name>.tmp`, synced, then renamed into place and the directory synced: a snapshot file either is
 * whole or does not exist under its name.
 */
import { closeSync, fsync, openSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotName, syncDir, writeAll } from './files';
import { BATCH_HEADER, batchHeader, ENTRY_HEADER, entryHeader, fileHeader, SNAPSHOT_MAGIC } from './frame';
import type { NewEntry } from './journal';

/** Bytes gathered into one batch (and one write) of a snapshot. */
const BATCH_BYTES = 4 << 20;

export async function writeSnapshot(dir: string, offset: number, entries: readonly NewEntry[]): Promise<void> {
  const final = join(dir, snapshotName(offset));
  const tmp = `${final}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let position = await writeAll(fd, [fileHeader(SNAPSHOT_MAGIC, offset)], 0);
    let batchOffset = offset;
    let parts: Uint8Array[] = [];
    let bytes = 0;
    const flush = async (): Promise<void> => {
      position += await writeAll(fd, [batchHeader(parts, bytes, batchOffset), ...parts], position);
      batchOffset += BATCH_HEADER + bytes;
      parts = [];
      bytes = 0;
    };
    for (const entry of entries) {
      let length = 0;
      for (const p of entry.parts) length += p.length;
      parts.push(entryHeader(entry.type, length), ...entry.parts);
      bytes += ENTRY_HEADER + length;
      if (bytes >= BATCH_BYTES) await flush();
    }
    if (parts.length > 0) await flush();
    await new Promise<void>((res, rej) => fsync(fd, (e) => (e ? rej(e) : res())));
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, final);
  syncDir(dir);
}
