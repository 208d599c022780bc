/**
 * A map of JSON values kept in a journal: what a twin service with small state (applications and their
 * checkpoints, event source mappings, executions) needs from --data-dir. `set` and `delete` change the map at
 * once and append the change; `commit()` resolves once every change so far is durable (answer the caller then).
 * Opening replays the map (a torn tail cut, corruption refused, as the journal does); a snapshot of the whole
 * map replaces the log once the log holds more than twice the live entries (and at least `snapshotSlackBytes`).
 *
 *   const applications = DurableMap.open<Application>(join(dataDir, 'kinesis-analytics'));
 *   applications.set(name, app);
 *   await applications.commit();
 */
import { Journal, type JournalOptions, type NewEntry } from './journal';

const PUT = 1;
const DELETE = 2;
const SLACK_BYTES = 1 << 20;

export interface DurableMapOptions extends JournalOptions {
  /** A snapshot is not written before the log holds this many bytes (default 1 MiB). */
  snapshotSlackBytes?: number;
}

export class DurableMap<V> {
  private readonly values = new Map<string, V>();
  /** Bytes of each entry's last put, to know how much of the log is live. */
  private readonly sizes = new Map<string, number>();
  private live = 0;
  private readonly journal: Journal;
  private readonly slack: number;

  private constructor(dir: string, opts: DurableMapOptions) {
    this.slack = opts.snapshotSlackBytes ?? SLACK_BYTES;
    this.journal = Journal.open(
      dir,
      (entry) => {
        if (entry.type === PUT) {
          const [key, value] = JSON.parse(entry.payload.toString('utf8')) as [string, V];
          this.put(key, value, entry.payload.length);
        } else if (entry.type === DELETE) this.remove(entry.payload.toString('utf8'));
      },
      opts,
    );
  }

  /** Opens (or creates) the map kept in `dir`, with what was committed before. */
  static open<V>(dir: string, opts: DurableMapOptions = {}): DurableMap<V> {
    return new DurableMap<V>(dir, opts);
  }

  get size(): number {
    return this.values.size;
  }

  get(key: string): V | undefined {
    return this.values.get(key);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  keys(): IterableIterator<string> {
    return this.values.keys();
  }

  entries(): IterableIterator<[string, V]> {
    return this.values.entries();
  }

  /** Sets `key` now; durable once `commit()` resolves. `value` is written as JSON, as it is at this call. */
  set(key: string, value: V): void {
    const bytes = Buffer.from(JSON.stringify([key, value]), 'utf8');
    this.journal.append(PUT, bytes);
    this.put(key, value, bytes.length);
  }

  delete(key: string): void {
    if (!this.values.has(key)) return;
    this.journal.append(DELETE, Buffer.from(key, 'utf8'));
    this.remove(key);
  }

  /** Resolves once every change so far is durable; may write a snapshot afterwards. */
  async commit(): Promise<void> {
    await this.journal.commit();
    if (this.journal.logBytes > Math.max(this.slack, 2 * this.live)) {
      const entries: NewEntry[] = [];
      for (const [key, value] of this.values) {
        entries.push({ type: PUT, parts: [Buffer.from(JSON.stringify([key, value]), 'utf8')] });
      }
      await this.journal.snapshot(entries);
    }
  }

  async close(): Promise<void> {
    await this.journal.close();
  }

  private put(key: string, value: V, bytes: number): void {
    this.live += bytes - (this.sizes.get(key) ?? 0);
    this.sizes.set(key, bytes);
    this.values.set(key, value);
  }

  private remove(key: string): void {
    this.live -= this.sizes.get(key) ?? 0;
    this.sizes.delete(key);
    this.values.delete(key);
  }
}
