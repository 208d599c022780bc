/**
 * The one seam through which the Kinesis Analytics twin keeps state across restarts (`--data-dir`): every change
 * of an application (created, configured, status) and every move of its checkpoints is recorded here, in order.
 * Today the changes are kept as a JSON snapshot written a little later (coalesced: checkpoints move many times a
 * second) and on close; a durable log (local/storage) can take the same changes as records instead.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApplicationState, Checkpoint } from './state';

/** One change to the kept state. `application` is the live object: an implementation that keeps it copies it now. */
export type ApplicationChange =
  | { readonly type: 'put'; readonly application: ApplicationState }
  | { readonly type: 'delete'; readonly name: string }
  | {
      readonly type: 'checkpoints';
      readonly name: string;
      readonly stream: string;
      readonly checkpoints: Readonly<Record<string, Checkpoint>>;
    };

export interface ApplicationPersistence {
  /** The applications kept, read once when the twin starts. */
  load(): ApplicationState[];
  /** Records one change; `all` gives every application as it is after the change (for snapshot writers). */
  record(change: ApplicationChange, all: () => readonly ApplicationState[]): void;
  /** Writes everything recorded so far (the twin is closing). */
  flush(all: () => readonly ApplicationState[]): void;
}

/** No `--data-dir`: nothing is kept. */
export const inMemory: ApplicationPersistence = { load: () => [], record() {}, flush() {} };

const FILE_VERSION = 1;

/** `<dataDir>/kinesis-analytics/applications.json`, rewritten atomically (temporary file, then rename). */
export class JsonSnapshotPersistence implements ApplicationPersistence {
  readonly file: string;
  private timer: NodeJS.Timeout | undefined;
  private pending: (() => readonly ApplicationState[]) | undefined;

  constructor(
    dataDir: string,
    /** Real milliseconds a write waits for more changes: file I/O, not a delay of the twin's clock. */
    private readonly saveDelayMs = 200,
  ) {
    this.file = join(dataDir, 'kinesis-analytics', 'applications.json');
  }

  load(): ApplicationState[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    let parsed: { version?: number; applications?: ApplicationState[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      throw new StoreCorruptError(`${this.file} is not valid JSON; move it away to start afresh`, { cause: error });
    }
    if (parsed.version !== FILE_VERSION || !Array.isArray(parsed.applications)) {
      throw new StoreCorruptError(`${this.file} has an unknown layout (version ${parsed.version}); move it away`);
    }
    return parsed.applications;
  }

  record(_change: ApplicationChange, all: () => readonly ApplicationState[]): void {
    this.pending = all;
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(all), this.saveDelayMs);
    this.timer.unref();
  }

  flush(all: () => readonly ApplicationState[]): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const applications = (this.pending ?? all)();
    this.pending = undefined;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: FILE_VERSION, applications }, null, 1));
    renameSync(tmp, this.file);
  }
}

export class StoreCorruptError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreCorruptError';
  }
}
