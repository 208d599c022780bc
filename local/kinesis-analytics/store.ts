/**
 * The applications of one twin, by name, optionally persisted as one JSON file under `dataDir` so applications and
 * their checkpoints survive a restart. Writes are coalesced (checkpoints move many times a second) and flushed on
 * close.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ApplicationState } from './application';

const FILE_VERSION = 1;

export class ApplicationStore {
  private readonly apps = new Map<string, ApplicationState>();
  private readonly file: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    dataDir?: string,
    private readonly saveDelayMs = 200,
  ) {
    this.file = dataDir ? join(dataDir, 'kinesis-analytics', 'applications.json') : undefined;
    if (this.file) this.load(this.file);
  }

  get(name: string): ApplicationState | undefined {
    return this.apps.get(name);
  }

  /** Every application, sorted by name (ListApplications order). */
  list(): ApplicationState[] {
    return [...this.apps.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  get size(): number {
    return this.apps.size;
  }

  put(app: ApplicationState): void {
    this.apps.set(app.name, app);
    this.changed();
  }

  delete(name: string): void {
    this.apps.delete(name);
    this.changed();
  }

  /** Records that an application held here was modified in place. */
  changed(): void {
    if (!this.file || this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.saveDelayMs);
    this.timer.unref();
  }

  /** Writes the file now (atomically: temporary file, then rename). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: FILE_VERSION, applications: [...this.apps.values()] }, null, 1));
    renameSync(tmp, this.file);
  }

  private load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let parsed: { version?: number; applications?: ApplicationState[] };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      throw new StoreCorruptError(`${file} is not valid JSON; move it away to start afresh`, { cause: error });
    }
    if (parsed.version !== FILE_VERSION || !Array.isArray(parsed.applications)) {
      throw new StoreCorruptError(`${file} has an unknown layout (version ${parsed.version}); move it away`);
    }
    for (const app of parsed.applications) this.apps.set(app.name, app);
  }
}

export class StoreCorruptError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreCorruptError';
  }
}
