/**
 * The one seam through which the Kinesis Analytics twin keeps state across restarts (`--data-dir`): every change
 * of an application (created, configured, status) and every move of its checkpoints is recorded here, in order,
 * into a journal (local/storage's DurableMap, `<dataDir>/kinesis-analytics/journal`). `commit()` resolves once
 * every change recorded so far is durable: the twin answers a changing call only then. Checkpoints are kept
 * apart from the application (`c/<name>` beside `a/<name>`), so that a checkpoint move writes a few bytes, not
 * the whole application.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DurableMap } from '../storage/durable-map';
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
  /** Records one change (in memory now, durable once `commit()` resolves). */
  record(change: ApplicationChange): void;
  /** Resolves once every change recorded so far is durable. */
  commit(): Promise<void>;
  /** Writes everything recorded so far and lets go of the files (the twin is closing). */
  close(): Promise<void>;
}

/** No `--data-dir`: nothing is kept. */
export const inMemory: ApplicationPersistence = {
  load: () => [],
  record() {},
  commit: async () => {},
  close: async () => {},
};

type Kept = ApplicationState | { stream: string; checkpoints: Record<string, Checkpoint> };

export interface JournalPersistenceOptions {
  /** true (default): durable once fdatasync'd; false: once written to the file. */
  fsync?: boolean;
  warn?: (message: string) => void;
}

/** `<dataDir>/kinesis-analytics/journal`: applications (`a/<name>`) and their checkpoints (`c/<name>`). */
export class JournalPersistence implements ApplicationPersistence {
  readonly dir: string;
  private readonly map: DurableMap<Kept>;
  private readonly legacy: string;

  constructor(dataDir: string, opts: JournalPersistenceOptions = {}) {
    this.dir = join(dataDir, 'kinesis-analytics', 'journal');
    this.legacy = join(dataDir, 'kinesis-analytics', 'applications.json');
    this.map = DurableMap.open<Kept>(this.dir, {
      ...(opts.fsync !== undefined ? { fsync: opts.fsync } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
    });
  }

  load(): ApplicationState[] {
    if (this.map.size === 0 && existsSync(this.legacy)) return this.importLegacy();
    const apps: ApplicationState[] = [];
    for (const [key, value] of this.map.entries()) {
      if (!key.startsWith('a/')) continue;
      const app = value as ApplicationState;
      const moved = this.map.get(`c/${app.name}`) as { stream: string; checkpoints: Record<string, Checkpoint> };
      if (moved) {
        app.checkpoints = moved.checkpoints;
        app.checkpointStream = moved.stream;
      }
      apps.push(app);
    }
    return apps;
  }

  record(change: ApplicationChange): void {
    if (change.type === 'put') {
      // the application carries its checkpoints as they are now
      this.map.set(`a/${change.application.name}`, change.application);
      this.map.delete(`c/${change.application.name}`);
    } else if (change.type === 'delete') {
      this.map.delete(`a/${change.name}`);
      this.map.delete(`c/${change.name}`);
    } else {
      this.map.set(`c/${change.name}`, { stream: change.stream, checkpoints: { ...change.checkpoints } });
    }
    // a change made in the background (a status on the Clock, a checkpoint) is written without anyone waiting
    void this.map.commit().catch(() => undefined);
  }

  commit(): Promise<void> {
    return this.map.commit();
  }

  close(): Promise<void> {
    return this.map.close();
  }

  /**
   * A data directory of the twin before the journal kept `applications.json` (rewritten atomically, so whole):
   * its applications are taken into the journal once, and the file renamed `applications.json.imported`.
   */
  private importLegacy(): ApplicationState[] {
    let parsed: { version?: number; applications?: ApplicationState[] };
    try {
      parsed = JSON.parse(readFileSync(this.legacy, 'utf8')) as typeof parsed;
    } catch (error) {
      throw new StoreCorruptError(`${this.legacy} is not valid JSON; move it away to start afresh`, { cause: error });
    }
    if (parsed.version !== 1 || !Array.isArray(parsed.applications)) {
      throw new StoreCorruptError(`${this.legacy} has an unknown layout (version ${parsed.version}); move it away`);
    }
    for (const app of parsed.applications) this.map.set(`a/${app.name}`, app);
    // once in the journal (one batch: all or none), the old file is not read again
    void this.map.commit().then(
      () => renameSync(this.legacy, `${this.legacy}.imported`),
      () => undefined,
    );
    return parsed.applications;
  }
}

export class StoreCorruptError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreCorruptError';
  }
}
