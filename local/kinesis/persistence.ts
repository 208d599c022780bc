/**
 * --data-dir: streams survive a restart. Each shard's records live in an append-only file
 * (`records/<stream>/<shardId>.bin`); metadata (streams, shards, tags, consumers, and where each shard file
 * starts and ends) in `streams.json`, rewritten through a temporary file and a rename. A flush appends only the
 * records put since the last one, so a busy twin never rewrites what it already wrote; a shard file is rewritten
 * whole only when retention has made most of it dead, or when its stream was recreated. Records a crash left in a
 * file past the metadata's end are ignored on load.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ShardLog } from './shard-log';
import type { KinesisState } from './state';
import { type Consumer, Shard, Stream, type StreamMode, type StreamStatus } from './store';

interface SavedShard {
  index: number;
  startHash: string;
  endHash: string;
  /** First record index still held. */
  first: number;
  /** Index the next record gets (records up to here are in the file). */
  next: number;
  /** Index of the first record in the file. */
  fileFirst: number;
  closed?: boolean;
  parent?: string;
  adjacentParent?: string;
}

interface SavedStream {
  name: string;
  arn: string;
  createdMs: number;
  mode: StreamMode;
  status: StreamStatus;
  retentionHours: number;
  maxRecordKiB: number;
  tags: Record<string, string>;
  encryption?: Stream['encryption'];
  shardLevelMetrics?: string[];
  consumers: Consumer[];
  shards: SavedShard[];
}

export class PersistenceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PersistenceError';
  }
}

const WRITE_CHUNK = 1 << 20;
const FORMAT_VERSION = 2;

/** What is on disk for one shard: its file starts at `fileFirst` and holds records up to `written`. */
interface FileState {
  fileFirst: number;
  written: number;
}

export class ShardFiles {
  private readonly root: string;
  private readonly files = new WeakMap<Shard, FileState>();

  constructor(dir: string) {
    this.root = join(dir, 'kinesis');
  }

  private shardPath(stream: string, shardId: string): string {
    return join(this.root, 'records', stream, `${shardId}.bin`);
  }

  /** Writes what changed since the last flush. */
  flush(state: KinesisState): void {
    mkdirSync(join(this.root, 'records'), { recursive: true });
    const saved: SavedStream[] = [];
    const live = new Set<string>();
    for (const stream of state.streams.values()) {
      if (stream.status === 'DELETING') continue;
      live.add(stream.name);
      mkdirSync(join(this.root, 'records', stream.name), { recursive: true });
      saved.push({
        name: stream.name,
        arn: stream.arn,
        createdMs: stream.createdMs,
        mode: stream.mode,
        status: stream.status,
        retentionHours: stream.retentionHours,
        maxRecordKiB: stream.maxRecordKiB,
        tags: Object.fromEntries(stream.tags),
        encryption: stream.encryption,
        shardLevelMetrics: [...stream.shardLevelMetrics],
        consumers: [...stream.consumers.values()],
        shards: stream.shards.map((s) => this.flushShard(stream, s)),
      });
    }
    const tmp = join(this.root, 'streams.json.tmp');
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify({ version: FORMAT_VERSION, streams: saved }));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.root, 'streams.json'));
    for (const dir of readdirSync(join(this.root, 'records'))) {
      if (!live.has(dir)) rmSync(join(this.root, 'records', dir), { recursive: true, force: true });
    }
  }

  private flushShard(stream: Stream, shard: Shard): SavedShard {
    const log = shard.log;
    const path = this.shardPath(stream.name, shard.id);
    let file = this.files.get(shard);
    const dead = file ? log.first - file.fileFirst : 0;
    if (!file || !existsSync(path) || dead > log.next - log.first) {
      // first write for this shard object (new or recreated stream), or mostly expired: rewrite whole
      const tmp = `${path}.tmp`;
      writeRecords(tmp, log, log.first, 'w');
      renameSync(tmp, path);
      file = { fileFirst: log.first, written: log.next };
      this.files.set(shard, file);
    } else if (file.written < log.next) {
      writeRecords(path, log, file.written, 'a');
      file.written = log.next;
    }
    return {
      index: shard.index,
      startHash: shard.startHash.toString(),
      endHash: shard.endHash.toString(),
      first: log.first,
      next: log.next,
      fileFirst: file.fileFirst,
      closed: shard.closed,
      ...(shard.parentShardId !== undefined ? { parent: shard.parentShardId } : {}),
      ...(shard.adjacentParentShardId !== undefined ? { adjacentParent: shard.adjacentParentShardId } : {}),
    };
  }

  /** Reads the streams back into `state`. */
  load(state: KinesisState): void {
    const file = join(this.root, 'streams.json');
    if (!existsSync(file)) return;
    let saved: { version?: number; streams: SavedStream[] };
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; streams: SavedStream[] };
    } catch (error) {
      throw new PersistenceError(`Cannot read the Kinesis snapshot ${file}`, { cause: error });
    }
    if (saved.version !== FORMAT_VERSION) {
      throw new PersistenceError(
        `${file} was written by another version of the twin (format ${saved.version}, expected ${FORMAT_VERSION}); move the data directory away`,
      );
    }
    const now = state.now();
    for (const s of saved.streams) {
      const stream = new Stream(s.name, s.arn, s.createdMs, s.mode);
      stream.status = s.status === 'CREATING' || s.status === 'UPDATING' ? 'ACTIVE' : s.status;
      stream.retentionHours = s.retentionHours;
      stream.maxRecordKiB = s.maxRecordKiB;
      for (const [k, v] of Object.entries(s.tags)) stream.tags.set(k, v);
      if (s.encryption) stream.encryption = s.encryption;
      for (const m of s.shardLevelMetrics ?? []) stream.shardLevelMetrics.add(m);
      for (const c of s.consumers) {
        if (c.status !== 'DELETING') stream.consumers.set(c.name, { ...c, status: 'ACTIVE' });
      }
      stream.shards = s.shards.map((sh) => {
        const log = new ShardLog(sh.first);
        const id = `shardId-${String(sh.index).padStart(12, '0')}`;
        const path = this.shardPath(s.name, id);
        const extra = existsSync(path) ? readRecords(path, log, sh.fileFirst, sh.next) : 0;
        if (log.next !== sh.next) {
          throw new PersistenceError(
            `${path} holds records up to index ${log.next}, the snapshot expects ${sh.next}; the data directory is damaged`,
          );
        }
        const shard = new Shard(sh.index, BigInt(sh.startHash), BigInt(sh.endHash), s.createdMs, log, now);
        shard.closed = sh.closed === true;
        shard.parentShardId = sh.parent;
        shard.adjacentParentShardId = sh.adjacentParent;
        // a file with records past the snapshot (a crash between append and metadata) is rewritten on next flush
        if (extra === 0) this.files.set(shard, { fileFirst: sh.fileFirst, written: sh.next });
        return shard;
      });
      stream.refreshOpen();
      state.streams.set(stream.name, stream);
    }
  }
}

/** Record layout: f64 arrival ms, u16 key length, key (utf8), u32 data length, data. */
function writeRecords(path: string, log: ShardLog, from: number, flags: 'w' | 'a'): void {
  const fd = openSync(path, flags);
  try {
    let buf = Buffer.allocUnsafe(WRITE_CHUNK);
    let at = 0;
    const flush = (): void => {
      if (at > 0) writeSync(fd, buf, 0, at);
      at = 0;
    };
    log.read(from, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY, (data, start, end, time, key) => {
      const keyLen = Buffer.byteLength(key, 'utf8');
      const need = 14 + keyLen + end - start;
      if (at + need > buf.length) flush();
      if (need > buf.length) buf = Buffer.allocUnsafe(need);
      at = buf.writeDoubleLE(time, at);
      at = buf.writeUInt16LE(keyLen, at);
      at += buf.write(key, at, 'utf8');
      at = buf.writeUInt32LE(end - start, at);
      at += data.copy(buf, at, start, end);
    });
    flush();
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends the file's records with index in [log.first, next) to `log`; the file starts at index `fileFirst`.
 * Returns how many records the file holds past `next`.
 */
function readRecords(path: string, log: ShardLog, fileFirst: number, next: number): number {
  const buf = readFileSync(path);
  let at = 0;
  let index = fileFirst;
  let extra = 0;
  while (at < buf.length) {
    const time = buf.readDoubleLE(at);
    const keyLen = buf.readUInt16LE(at + 8);
    const keyAt = at + 10;
    at = keyAt + keyLen;
    const size = buf.readUInt32LE(at);
    at += 4;
    if (index >= next) extra++;
    else if (index >= log.first) log.append(buf.subarray(at, at + size), buf.toString('utf8', keyAt, at - 4), time);
    at += size;
    index++;
  }
  return extra;
}
