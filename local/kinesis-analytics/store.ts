/**
 * The applications of one twin, by name. Every change goes through here and on to the persistence seam
 * (persistence.ts): `put` after an application was created or changed, `delete`, and `moveCheckpoints` when a
 * runner's outputs have landed; `commit()` resolves once all of it is durable (with `--data-dir`).
 */
import {
  type ApplicationPersistence,
  inMemory,
  JournalPersistence,
  type JournalPersistenceOptions,
} from './persistence';
import type { ApplicationState, Checkpoint } from './state';

export { StoreCorruptError } from './persistence';

export class ApplicationStore {
  private readonly apps = new Map<string, ApplicationState>();
  private readonly persistence: ApplicationPersistence;

  /** `dataDir`: keep the applications there (a journal); or any persistence; default memory only. */
  constructor(keep?: string | ApplicationPersistence, opts?: JournalPersistenceOptions) {
    this.persistence = typeof keep === 'string' ? new JournalPersistence(keep, opts) : (keep ?? inMemory);
    for (const app of this.persistence.load()) this.apps.set(app.name, app);
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

  /** Keeps `app` as it is now: a new application, or one whose configuration or status changed. */
  put(app: ApplicationState): void {
    this.apps.set(app.name, app);
    this.persistence.record({ type: 'put', application: app });
  }

  delete(name: string): void {
    this.apps.delete(name);
    this.persistence.record({ type: 'delete', name });
  }

  /**
   * Moves the checkpoints of `app` (shard id -> where it resumes) on the input `stream`; `replace` starts the map
   * afresh (a run from NOW or TRIM_HORIZON, or another stream).
   */
  moveCheckpoints(app: ApplicationState, stream: string, moved: Record<string, Checkpoint>, replace = false): void {
    app.checkpoints = replace ? { ...moved } : { ...app.checkpoints, ...moved };
    app.checkpointStream = stream;
    if (this.apps.get(app.name) !== app) return;
    this.persistence.record({ type: 'checkpoints', name: app.name, stream, checkpoints: app.checkpoints });
  }

  /** Resolves once every change so far is durable (at once without a data directory). */
  commit(): Promise<void> {
    return this.persistence.commit();
  }

  /** Writes everything recorded and lets go of the data directory (the twin is closing). */
  close(): Promise<void> {
    return this.persistence.close();
  }
}
