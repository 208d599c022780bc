/**
 * --data-dir: streams survive a restart. The twin writes a snapshot (streams.json for the metadata, one binary
 * file per shard for its records) when it closes and every few seconds while something changed; it reads the
 * snapshot back when it starts. Files are written to a temporary name and renamed, so a crash mid-write keeps
 * the previous snapshot.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ShardLog } from './shard-log';
import type { KinesisState } from './state';
import { type Consumer, Shard, Stream, type StreamMode, type StreamStatus } from './store';

interface SavedShard {
  index: number;
  startHash: string;
  endHash: string;
  first: number;
  next: number;
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

function shardFile(root: string, stream: string, shardId: string): string {
  return join(root, 'records', stream, `${shardId}.bin`);
}

export function saveSnapshot(state: KinesisState, dir: string): void {
  const root = join(dir, 'kinesis');
  mkdirSync(root, { recursive: true });
  const saved: SavedStream[] = [];
  rmSync(join(root, 'records.new'), { recursive: true, force: true });
  mkdirSync(join(root, 'records.new'));
  for (const stream of state.streams.values()) {
    if (stream.status === 'DELETING') continue;
    mkdirSync(join(root, 'records.new', stream.name), { recursive: true });
    for (const shard of stream.shards) writeShard(join(root, 'records.new', stream.name, `${shard.id}.bin`), shard.log);
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
      shards: stream.shards.map((s) => ({
        index: s.index,
        startHash: s.startHash.toString(),
        endHash: s.endHash.toString(),
        first: s.log.first,
        next: s.log.next,
        closed: s.closed,
        ...(s.parentShardId !== undefined ? { parent: s.parentShardId } : {}),
        ...(s.adjacentParentShardId !== undefined ? { adjacentParent: s.adjacentParentShardId } : {}),
      })),
    });
  }
  rmSync(join(root, 'records.old'), { recursive: true, force: true });
  if (existsSync(join(root, 'records'))) renameSync(join(root, 'records'), join(root, 'records.old'));
  renameSync(join(root, 'records.new'), join(root, 'records'));
  const tmp = join(root, 'streams.json.tmp');
  const fd = openSync(tmp, 'w');
  writeSync(fd, JSON.stringify({ version: 1, streams: saved }));
  closeSync(fd);
  renameSync(tmp, join(root, 'streams.json'));
  rmSync(join(root, 'records.old'), { recursive: true, force: true });
}

/** Record layout: f64 arrival ms, u16 key length, key (utf8), u32 data length, data. */
function writeShard(path: string, log: ShardLog): void {
  const fd = openSync(path, 'w');
  try {
    let buf = Buffer.allocUnsafe(WRITE_CHUNK);
    let at = 0;
    const flush = (): void => {
      if (at > 0) writeSync(fd, buf, 0, at);
      at = 0;
    };
    for (const r of log.records()) {
      const keyLen = Buffer.byteLength(r.key, 'utf8');
      const need = 14 + keyLen + r.data.length;
      if (at + need > buf.length) flush();
      if (need > buf.length) buf = Buffer.allocUnsafe(need);
      at = buf.writeDoubleLE(r.time, at);
      at = buf.writeUInt16LE(keyLen, at);
      at += buf.write(r.key, at, 'utf8');
      at = buf.writeUInt32LE(r.data.length, at);
      at += r.data.copy(buf, at);
    }
    flush();
  } finally {
    closeSync(fd);
  }
}

export function loadSnapshot(state: KinesisState, dir: string): void {
  const root = join(dir, 'kinesis');
  const file = join(root, 'streams.json');
  if (!existsSync(file)) return;
  let saved: { streams: SavedStream[] };
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as { streams: SavedStream[] };
  } catch (error) {
    throw new PersistenceError(`Cannot read the Kinesis snapshot ${file}`, { cause: error });
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
      const path = shardFile(root, s.name, `shardId-${String(sh.index).padStart(12, '0')}`);
      if (existsSync(path)) readShard(path, log);
      if (log.next !== sh.next) {
        throw new PersistenceError(
          `Snapshot of ${s.name}/${sh.index} holds ${log.next - sh.first} records, expected ${sh.next - sh.first}`,
        );
      }
      const shard = new Shard(sh.index, BigInt(sh.startHash), BigInt(sh.endHash), s.createdMs, log, now);
      shard.closed = sh.closed === true;
      shard.parentShardId = sh.parent;
      shard.adjacentParentShardId = sh.adjacentParent;
      return shard;
    });
    stream.refreshOpen();
    state.streams.set(stream.name, stream);
  }
}

function readShard(path: string, log: ShardLog): void {
  const buf = readFileSync(path);
  let at = 0;
  while (at < buf.length) {
    const time = buf.readDoubleLE(at);
    const keyLen = buf.readUInt16LE(at + 8);
    const key = buf.toString('utf8', at + 10, at + 10 + keyLen);
    at += 10 + keyLen;
    const size = buf.readUInt32LE(at);
    at += 4;
    log.append(buf.subarray(at, at + size), size, key, time);
    at += size;
  }
}
