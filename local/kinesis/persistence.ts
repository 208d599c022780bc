/**
 * --data-dir: the Kinesis twin's state in a journal (local/storage) at `<dataDir>/kinesis/journal`. Every change
 * is appended before it is acknowledged: the streams' metadata as one JSON entry whenever it changes (create,
 * delete, reshard, retention, tags, consumers, settings), and records as binary runs (`[key length][key][data]`
 * back to back, as the shard logs hold them). A PutRecord/PutRecords answers once its records are durable; they
 * are readable only from then on. Replay rebuilds the streams entry by entry; records are placed by index, so
 * a run written twice (once in a snapshot, once in the log) is taken once.
 *
 * Sequence numbers never go back: before a shard hands out an index, the metadata promises it (`reserved`, a
 * million ahead), and after a crash the shard resumes past what was promised. A clean close promises exactly
 * what was used, so a restart after one leaves no gap.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Entry, Journal, type NewEntry } from '../storage/journal';
import type { EncodedRun, LogSink } from './shard-log';
import { ShardLog } from './shard-log';
import type { KinesisState } from './state';
import { type Consumer, Shard, Stream, type StreamMode, type StreamStatus } from './store';

const META = 1;
const RECORDS = 2;
/** Indexes a shard may use past what the journal holds. */
const RESERVE = 1_000_000;
/** A snapshot is written once the log holds this much more than the live records. */
const SNAPSHOT_SLACK_BYTES = 64 << 20;

interface SavedShard {
  index: number;
  startHash: string;
  endHash: string;
  closed?: boolean;
  parent?: string;
  adjacentParent?: string;
  /** Indexes below this may have been handed out. */
  reserved: number;
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

/** What the journal knows of a shard's log. */
interface Held {
  stream: Stream;
  shard: Shard;
  /** Records below this index are in the journal. */
  framed: number;
  reserved: number;
}

export interface KinesisJournalOptions {
  /** Acknowledge after fdatasync (default) or once written to the file. */
  fsync?: boolean;
  warn?: (message: string) => void;
  /** A snapshot is written once the log holds this many bytes more than the live records (default 64 MiB). */
  snapshotSlackBytes?: number;
  /** Called with the names of the streams whose new records just became readable. */
  onDurable?: (streams: Set<string>) => void;
}

export class KinesisJournal implements LogSink {
  private readonly journal: Journal;
  private readonly held = new Map<ShardLog, Held>();
  private dirty: ShardLog[] = [];
  private metaVersion = -1;
  private scheduled = false;
  /** The last write's promise: durable and published when it resolves. */
  private last: Promise<void> = Promise.resolve();
  private readonly warn: (message: string) => void;
  private readonly slack: number;
  private readonly onDurable: ((streams: Set<string>) => void) | undefined;
  /** Reservations read back, by log, until replay is over. */
  private replayed: Map<ShardLog, number> | undefined = new Map();

  constructor(
    dataDir: string,
    private readonly state: KinesisState,
    opts: KinesisJournalOptions = {},
  ) {
    this.warn = opts.warn ?? ((m) => process.stderr.write(`${m}\n`));
    this.slack = opts.snapshotSlackBytes ?? SNAPSHOT_SLACK_BYTES;
    this.onDurable = opts.onDurable;
    const legacy = join(dataDir, 'kinesis', 'streams.json');
    if (existsSync(legacy)) {
      throw new PersistenceError(
        `${legacy} holds streams of an older twin (format 2, without a journal); this twin keeps them in ` +
          `${join(dataDir, 'kinesis', 'journal')}. Move ${join(dataDir, 'kinesis')} away or use another --data-dir`,
      );
    }
    this.journal = Journal.open(join(dataDir, 'kinesis', 'journal'), (e) => this.replay(e), {
      fsync: opts.fsync ?? true,
      warn: this.warn,
    });
    const reserved = this.replayed!;
    this.replayed = undefined;
    for (const stream of state.streams.values()) {
      for (const shard of stream.shards) {
        const log = shard.log;
        // past every index the journal promised: a crash may have handed out some that were never written
        log.skipTo(reserved.get(log) ?? log.tail);
        log.trim(state.retentionCutoff(stream));
      }
    }
    this.discover();
    this.metaVersion = state.version;
    state.observer = this;
  }

  /** A held log took records (LogSink). */
  appended(log: ShardLog): void {
    this.dirty.push(log);
    this.schedule();
  }

  /** The streams' metadata changed (KinesisState observer): new shard logs are held from now on. */
  changed(): void {
    this.discover();
    this.schedule();
  }

  /** Writes what changed since the last call; resolves once it is durable (undefined when nothing changed). */
  sync(): Promise<void> | undefined {
    const dirty = this.dirty;
    this.dirty = [];
    let meta = this.state.version !== this.metaVersion;
    for (const log of dirty) {
      const h = this.held.get(log);
      if (h && log.tail > h.reserved) {
        h.reserved = log.tail + RESERVE;
        meta = true;
      }
    }
    if (meta) this.appendMeta();
    const publish: [ShardLog, number][] = [];
    for (const log of dirty) {
      log.pending = false;
      const h = this.held.get(log);
      if (!h || h.framed >= log.tail) continue;
      for (const run of log.encoded(h.framed)) this.journal.append(RECORDS, encodeRun(h, run));
      h.framed = log.tail;
      publish.push([log, log.tail]);
    }
    if (!meta && publish.length === 0) return undefined;
    const done = this.journal.commit().then(() => {
      const streams = new Set<string>();
      for (const [log, upTo] of publish) {
        log.publish(upTo);
        const h = this.held.get(log);
        if (h) streams.add(h.stream.name);
      }
      if (streams.size > 0) this.onDurable?.(streams);
      this.maybeSnapshot();
    });
    this.last = done;
    return done;
  }

  /** Resolves once everything appended so far (also by earlier calls to `sync`) is durable and readable. */
  async flush(): Promise<void> {
    await this.sync();
    await this.last;
  }

  /** Writes everything, promises no index beyond those used, and closes the journal. */
  async close(): Promise<void> {
    this.state.observer = undefined;
    await this.flush();
    for (const [log, h] of this.held) h.reserved = log.tail;
    this.appendMeta();
    await this.journal.close();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.sync()?.catch((error: unknown) => this.warn(`Kinesis journal: ${(error as Error).message}`));
    });
  }

  /** Holds the logs of shards the journal has not seen yet, and forgets those of streams that are gone. */
  private discover(): void {
    const live = new Set<ShardLog>();
    for (const stream of this.state.streams.values()) {
      for (const shard of stream.shards) {
        live.add(shard.log);
        if (this.held.has(shard.log)) continue;
        shard.log.hold(this);
        this.held.set(shard.log, { stream, shard, framed: shard.log.tail, reserved: shard.log.tail });
      }
    }
    for (const log of this.held.keys()) if (!live.has(log)) this.held.delete(log);
  }

  private appendMeta(): void {
    this.journal.append(META, Buffer.from(JSON.stringify({ streams: this.saved() }), 'utf8'));
    this.metaVersion = this.state.version;
  }

  private saved(): SavedStream[] {
    const out: SavedStream[] = [];
    for (const stream of this.state.streams.values()) {
      if (stream.status === 'DELETING') continue;
      out.push({
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
          reserved: this.held.get(s.log)?.reserved ?? s.log.tail,
          ...(s.closed ? { closed: true } : {}),
          ...(s.parentShardId !== undefined ? { parent: s.parentShardId } : {}),
          ...(s.adjacentParentShardId !== undefined ? { adjacentParent: s.adjacentParentShardId } : {}),
        })),
      });
    }
    return out;
  }

  private maybeSnapshot(): void {
    let live = 0;
    for (const log of this.held.keys()) live += log.bytes;
    if (this.journal.logBytes < live + this.slack) return;
    const entries: NewEntry[] = [{ type: META, parts: [Buffer.from(JSON.stringify({ streams: this.saved() }))] }];
    for (const [log, h] of this.held) {
      for (const run of log.encoded(log.first, h.framed)) entries.push({ type: RECORDS, parts: encodeRun(h, run) });
    }
    this.journal.snapshot(entries).catch((error: unknown) => {
      this.warn(`Kinesis journal: a snapshot could not be written (${(error as Error).message}); the log is kept`);
    });
  }

  private replay(entry: Entry): void {
    if (entry.type === META) this.applyMeta(JSON.parse(entry.payload.toString('utf8')) as { streams: SavedStream[] });
    else if (entry.type === RECORDS) applyRun(this.state, entry.payload);
    else throw new PersistenceError(`The Kinesis journal holds an entry of unknown type ${entry.type}`);
  }

  private applyMeta(saved: { streams: SavedStream[] }): void {
    const state = this.state;
    const now = state.now();
    const names = new Set<string>();
    for (const s of saved.streams) {
      names.add(s.name);
      let stream = state.streams.get(s.name);
      if (!stream || stream.createdMs !== s.createdMs) {
        stream = new Stream(s.name, s.arn, s.createdMs, s.mode);
        state.streams.set(s.name, stream);
      }
      stream.mode = s.mode;
      stream.status = s.status === 'CREATING' || s.status === 'UPDATING' ? 'ACTIVE' : s.status;
      stream.retentionHours = s.retentionHours;
      stream.maxRecordKiB = s.maxRecordKiB;
      stream.tags.clear();
      for (const [k, v] of Object.entries(s.tags)) stream.tags.set(k, v);
      stream.encryption = s.encryption ?? { type: 'NONE' };
      stream.shardLevelMetrics.clear();
      for (const m of s.shardLevelMetrics ?? []) stream.shardLevelMetrics.add(m);
      stream.consumers.clear();
      for (const c of s.consumers) {
        if (c.status !== 'DELETING') stream.consumers.set(c.name, { ...c, status: 'ACTIVE' });
      }
      for (const sh of s.shards) {
        let shard = stream.shards[sh.index];
        if (!shard) {
          shard = new Shard(sh.index, BigInt(sh.startHash), BigInt(sh.endHash), s.createdMs, new ShardLog(), now);
          stream.shards[sh.index] = shard;
        }
        shard.closed = sh.closed === true;
        shard.parentShardId = sh.parent;
        shard.adjacentParentShardId = sh.adjacentParent;
        this.replayed!.set(shard.log, sh.reserved);
      }
      stream.refreshOpen();
    }
    for (const name of [...state.streams.keys()]) if (!names.has(name)) state.streams.delete(name);
  }
}

/** A run of records as one entry: a header (stream, shard, indexes, times, record ends) and the records. */
function encodeRun(h: Held, run: EncodedRun): Uint8Array[] {
  const name = Buffer.from(h.stream.name, 'utf8');
  const runs = run.runAt.length;
  const head = Buffer.alloc(2 + name.length + 8 + 4 + 8 + 4 + 4 + runs * 12 + run.count * 4);
  let at = head.writeUInt16LE(name.length, 0);
  at += name.copy(head, at);
  at = head.writeDoubleLE(h.stream.createdMs, at);
  at = head.writeUInt32LE(h.shard.index, at);
  at = head.writeDoubleLE(run.first, at);
  at = head.writeUInt32LE(run.count, at);
  at = head.writeUInt32LE(runs, at);
  for (let r = 0; r < runs; r++) {
    at = head.writeUInt32LE(run.runAt[r]!, at);
    at = head.writeDoubleLE(run.runTime[r]!, at);
  }
  for (let i = 0; i < run.count; i++) at = head.writeUInt32LE(run.ends[i]!, at);
  return [head, run.bytes];
}

/** Places a run read back from the journal in its shard, skipping the records the shard already holds. */
function applyRun(state: KinesisState, p: Buffer): void {
  const nameLength = p.readUInt16LE(0);
  let at = 2 + nameLength;
  const name = p.toString('utf8', 2, at);
  const createdMs = p.readDoubleLE(at);
  const shardIndex = p.readUInt32LE(at + 8);
  const first = p.readDoubleLE(at + 12);
  const count = p.readUInt32LE(at + 20);
  const runs = p.readUInt32LE(at + 24);
  at += 28;
  const runsAt = at;
  const endsAt = runsAt + runs * 12;
  const bytesAt = endsAt + count * 4;
  const stream = state.streams.get(name);
  const log = stream?.createdMs === createdMs ? stream.shards[shardIndex]?.log : undefined;
  if (!log || first + count <= log.tail) return;
  if (first > log.tail) log.skipTo(first);
  let run = 0;
  for (let i = log.tail - first; i < count; i++) {
    while (run + 1 < runs && p.readUInt32LE(runsAt + (run + 1) * 12) <= i) run++;
    const start = i === 0 ? 0 : p.readUInt32LE(endsAt + (i - 1) * 4);
    const end = p.readUInt32LE(endsAt + i * 4);
    log.appendEncoded(p.subarray(bytesAt + start, bytesAt + end), p.readDoubleLE(runsAt + run * 12 + 4));
  }
}
