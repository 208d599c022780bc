/**
 * The journal's directory: segment files `<offset>.log`, snapshots `snapshot-<offset>.snap` (offsets as 20
 * digits, so names sort as numbers do), a `LOCK` holding the owner's pid, and the few file operations the
 * journal needs, with the directory synced after a file is created, renamed or removed.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writev,
  writevSync,
} from 'node:fs';
import { join } from 'node:path';
import { JournalLockedError } from './errors';

const SEGMENT = /^(\d{20})\.log$/;
const SNAPSHOT = /^snapshot-(\d{20})\.snap$/;

export function segmentName(offset: number): string {
  return `${String(offset).padStart(20, '0')}.log`;
}

export function snapshotName(offset: number): string {
  return `snapshot-${String(offset).padStart(20, '0')}.snap`;
}

export interface Listing {
  /** Start offsets of the segments, in order. */
  segments: number[];
  /** Offsets of the complete snapshots, in order. */
  snapshots: number[];
  /** Files a crash left half-made (`*.tmp`). */
  temporary: string[];
}

export function list(dir: string): Listing {
  const out: Listing = { segments: [], snapshots: [], temporary: [] };
  for (const name of readdirSync(dir)) {
    const seg = SEGMENT.exec(name);
    const snap = SNAPSHOT.exec(name);
    if (seg) out.segments.push(Number(seg[1]));
    else if (snap) out.snapshots.push(Number(snap[1]));
    else if (name.endsWith('.tmp')) out.temporary.push(name);
  }
  out.segments.sort((a, b) => a - b);
  out.snapshots.sort((a, b) => a - b);
  return out;
}

/** Makes a file's directory entry durable (after a create, rename or unlink). */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function remove(dir: string, names: string[]): void {
  if (names.length === 0) return;
  for (const name of names) rmSync(join(dir, name), { force: true });
  syncDir(dir);
}

/** Directories this process holds a lock on. */
const held = new Set<string>();

/** Takes `dir/LOCK` for this process; a lock whose process is gone (a crash) is taken over. */
export function lock(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'LOCK');
  let owner: number | undefined;
  try {
    owner = Number(readFileSync(file, 'utf8').trim());
  } catch {
    owner = undefined;
  }
  if (owner !== undefined && Number.isSafeInteger(owner) && owner > 0) {
    if (owner === process.pid ? held.has(dir) : alive(owner)) throw new JournalLockedError(dir, owner);
  }
  writeFileSync(file, `${process.pid}\n`);
  held.add(dir);
}

export function unlock(dir: string): void {
  held.delete(dir);
  try {
    unlinkSync(join(dir, 'LOCK'));
  } catch {
    // already gone: nothing to release
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes `buffers` back to back at `position` of `fd`, however many calls that takes. */
export async function writeAll(fd: number, buffers: Uint8Array[], position: number): Promise<number> {
  let total = 0;
  for (const b of buffers) total += b.length;
  let written = 0;
  while (written < total) {
    const todo = written === 0 ? buffers : rest(buffers, written);
    written += await new Promise<number>((resolve, reject) =>
      writev(fd, todo, position + written, (error, n) => (error ? reject(error) : resolve(n))),
    );
  }
  return total;
}

/**
 * The same, synchronously: a batch is copied to the page cache at once (tens of microseconds), which spares it a
 * round trip through the thread pool that a loaded machine can stretch to milliseconds.
 */
export function writeAllSync(fd: number, buffers: Uint8Array[], position: number): number {
  let total = 0;
  for (const b of buffers) total += b.length;
  let written = 0;
  while (written < total) {
    written += writevSync(fd, written === 0 ? buffers : rest(buffers, written), position + written);
  }
  return total;
}

/** The buffers that remain after the first `skip` bytes (after a short write). */
function rest(buffers: Uint8Array[], skip: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const b of buffers) {
    if (skip >= b.length) skip -= b.length;
    else {
      out.push(skip > 0 ? b.subarray(skip) : b);
      skip = 0;
    }
  }
  return out;
}
