/**
 * The Firehose twin's durable state under `<dataDir>/firehose/`, on the shared journal (local/storage): a stream's
 * settings, its deletion, the records it took (before PutRecord/PutRecordBatch answers) and how many of them were
 * delivered. Reopened, the journal gives back every stream with the records it still owed S3, which are delivered
 * then. A crash between an object's write and the journal's note of it delivers those records again (Firehose is
 * at-least-once too); an acknowledged record is never lost.
 */
import { join } from 'node:path';
import { type Entry, Journal, type NewEntry } from '../storage/journal';
import {
  type BufferedRecord,
  type FirehoseJournalPort,
  type FirehoseStore,
  type StreamSettings,
  settingsOf,
} from './store';

const STREAM = 1;
const DELETED = 2;
const RECORDS = 3;
const DELIVERED = 4;
/** Past this much log the journal is compacted into a snapshot of the streams and their buffers. */
const SNAPSHOT_BYTES = 64 << 20;

function nameBytes(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(1);
  header.writeUInt8(bytes.length);
  return Buffer.concat([header, bytes]);
}

function readName(buf: Buffer): [name: string, rest: number] {
  const length = buf.readUInt8(0);
  return [buf.toString('utf8', 1, 1 + length), 1 + length];
}

function recordsEntry(name: string, records: readonly BufferedRecord[]): NewEntry {
  const parts: Buffer[] = [nameBytes(name)];
  for (const r of records) {
    const header = Buffer.alloc(12);
    header.writeDoubleLE(r.arrival, 0);
    header.writeUInt32LE(r.data.length, 8);
    parts.push(header, r.data);
  }
  return { type: RECORDS, parts };
}

export class FirehoseJournal implements FirehoseJournalPort {
  private readonly journal: Journal;

  constructor(
    dataDir: string,
    private readonly store: FirehoseStore,
    opts: { fsync?: boolean } = {},
  ) {
    this.journal = Journal.open(join(dataDir, 'firehose'), (entry) => this.replay(entry), opts);
  }

  private replay(entry: Entry): void {
    const buf = Buffer.from(entry.payload);
    if (entry.type === STREAM) {
      const settings = JSON.parse(buf.toString('utf8')) as StreamSettings;
      const old = this.store.streams.get(settings.name);
      if (old) Object.assign(old, settings);
      else
        this.store.streams.set(settings.name, {
          ...settings,
          status: 'ACTIVE',
          buffer: [],
          bufferBytes: 0,
          failures: 0,
          objects: 0,
          window: [0, 0, 0, 0],
        });
      return;
    }
    const [name, at] = readName(buf);
    const stream = this.store.streams.get(name);
    if (entry.type === DELETED) this.store.streams.delete(name);
    else if (stream && entry.type === RECORDS) {
      for (let i = at; i < buf.length; ) {
        const arrival = buf.readDoubleLE(i);
        const length = buf.readUInt32LE(i + 8);
        const data = Buffer.from(buf.subarray(i + 12, i + 12 + length));
        stream.buffer.push({ data, arrival });
        stream.bufferBytes += length;
        i += 12 + length;
      }
    } else if (stream && entry.type === DELIVERED) {
      const gone = stream.buffer.splice(0, buf.readUInt32LE(at));
      for (const r of gone) stream.bufferBytes -= r.data.length;
    }
  }

  streamPut(stream: StreamSettings): void {
    this.journal.append(STREAM, Buffer.from(JSON.stringify(stream), 'utf8'));
  }

  streamDeleted(name: string): void {
    this.journal.append(DELETED, nameBytes(name));
  }

  buffered(name: string, records: readonly BufferedRecord[]): void {
    this.journal.append(RECORDS, recordsEntry(name, records).parts);
  }

  delivered(name: string, count: number): void {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(count);
    this.journal.append(DELIVERED, [nameBytes(name), n]);
    void this.commit().catch(() => undefined);
  }

  /** Resolves once every change so far is on disk; compacts the log when it has grown. */
  async commit(): Promise<void> {
    await this.journal.commit();
    if (this.journal.logBytes > SNAPSHOT_BYTES) void this.journal.snapshot(this.entries()).catch(() => undefined);
  }

  private entries(): NewEntry[] {
    const entries: NewEntry[] = [];
    for (const s of this.store.streams.values()) {
      entries.push({ type: STREAM, parts: [Buffer.from(JSON.stringify(settingsOf(s)))] });
      if (s.buffer.length > 0) entries.push(recordsEntry(s.name, s.buffer));
    }
    return entries;
  }

  async close(): Promise<void> {
    await this.journal.close();
  }
}
