/**
 * The statuses of an application and the delays between them, all on the twin's Clock:
 * READY -> STARTING -> RUNNING -> STOPPING -> READY; a configuration change of a running application goes through
 * UPDATING; DeleteApplication through DELETING. Each asynchronous status lasts its delay, and STOPPING (or DELETING
 * a running application) also lasts until the data plane has delivered what it read.
 */
import type { Clock } from '../clock';
import type { ApplicationState, StartingPosition } from './state';
import type { ApplicationStore } from './store';

/** How long each asynchronous status lasts, in milliseconds of the twin's clock. */
export interface StatusDelays {
  starting: number;
  stopping: number;
  updating: number;
  deleting: number;
}

/** Short enough for `npm start`, long enough that pollers see STARTING/STOPPING/UPDATING/DELETING. */
export const DEFAULT_DELAYS: StatusDelays = { starting: 1500, stopping: 1000, updating: 500, deleting: 500 };
export const FAST_DELAYS: StatusDelays = { starting: 0, stopping: 0, updating: 0, deleting: 0 };

/** What the lifecycle asks of the part that runs applications. */
export interface DataPlane {
  /** Throws `InvalidApplicationConfigurationException` when the application cannot run as configured. */
  check(app: ApplicationState): Promise<void>;
  /** Starts reading the input; `requestedAt` is the StartApplication time (NOW starts there). */
  start(app: ApplicationState, position: StartingPosition, requestedAt: number): void;
  /** Stops reading, delivers what was read, leaves the checkpoints where the next run resumes. */
  stop(app: ApplicationState): Promise<void>;
  /** Picks up a new configuration of a running application, resuming from its checkpoints. */
  reconfigure(app: ApplicationState): void;
  /** Forgets a deleted application. */
  remove(name: string): void;
}

export interface LifecycleOptions {
  store: ApplicationStore;
  clock: Clock;
  delays: StatusDelays;
  dataPlane?: DataPlane | undefined;
}

export class ApplicationLifecycle {
  private readonly timers = new Set<unknown>();

  constructor(private readonly opts: LifecycleOptions) {}

  get dataPlane(): DataPlane | undefined {
    return this.opts.dataPlane;
  }

  /** READY -> STARTING, then RUNNING after the delay, when the data plane starts reading at `position`. */
  start(app: ApplicationState, position: StartingPosition): void {
    const { store, clock, delays, dataPlane } = this.opts;
    const requestedAt = clock.now();
    app.startingPosition = position;
    this.set(app, 'STARTING');
    this.after(app, delays.starting, () => {
      this.set(app, 'RUNNING');
      try {
        dataPlane?.start(app, position, requestedAt);
      } catch (error) {
        // the configuration checked at StartApplication no longer holds (say, the stream was deleted meanwhile)
        app.status = 'READY';
        store.put(app);
        process.emitWarning(`Kinesis Analytics twin: application ${app.name} could not start: ${String(error)}`);
      }
    });
  }

  /** RUNNING -> STOPPING, then READY once the delay has passed and the data plane has delivered what it read. */
  stop(app: ApplicationState): void {
    this.set(app, 'STOPPING');
    const drained = this.opts.dataPlane?.stop(app) ?? Promise.resolve();
    void Promise.all([drained, this.wait(app, this.opts.delays.stopping)]).then(() => {
      if (this.opts.store.get(app.name) !== app || app.status !== 'STOPPING') return;
      this.set(app, 'READY');
    });
  }

  /** A new configuration: a running application is UPDATING for the delay, then its runner restarts with it. */
  updated(app: ApplicationState): void {
    if (app.status !== 'RUNNING') return;
    app.statusBeforeUpdate = 'RUNNING';
    this.set(app, 'UPDATING');
    this.after(app, this.opts.delays.updating, () => {
      const status = app.statusBeforeUpdate ?? 'READY';
      delete app.statusBeforeUpdate;
      this.set(app, status);
      if (status === 'RUNNING') this.opts.dataPlane?.reconfigure(app);
    });
  }

  /** A change of inputs, outputs or processing: a running application takes it at once. */
  reconfigured(app: ApplicationState): void {
    if (app.status === 'RUNNING') this.opts.dataPlane?.reconfigure(app);
  }

  /** -> DELETING, then gone once the delay has passed (and a running application has delivered what it read). */
  delete(app: ApplicationState): void {
    const { store, dataPlane, delays } = this.opts;
    const wasRunning = app.status === 'RUNNING' || app.status === 'STOPPING';
    this.set(app, 'DELETING');
    const drained = wasRunning ? (dataPlane?.stop(app) ?? Promise.resolve()) : Promise.resolve();
    void Promise.all([drained, this.wait(app, delays.deleting)]).then(() => {
      if (store.get(app.name) !== app) return;
      store.delete(app.name);
      dataPlane?.remove(app.name);
    });
  }

  /**
   * After a restart: statuses that were in flight settle (a deletion completes, STARTING runs, STOPPING stopped,
   * UPDATING returns), and RUNNING applications carry on from their checkpoints.
   */
  resume(): void {
    const { store, clock, dataPlane } = this.opts;
    for (const app of store.list()) {
      if (app.status === 'DELETING') {
        store.delete(app.name);
        continue;
      }
      if (app.status === 'UPDATING') app.status = app.statusBeforeUpdate ?? 'READY';
      delete app.statusBeforeUpdate;
      if (app.status === 'STARTING') app.status = 'RUNNING';
      if (app.status === 'STOPPING') app.status = 'READY';
      store.put(app);
      if (app.status === 'RUNNING') dataPlane?.start(app, 'LAST_STOPPED_POINT', clock.now());
    }
  }

  /** Cancels pending status changes (the twin is closing). */
  close(): void {
    for (const handle of this.timers) this.opts.clock.clearTimeout(handle);
    this.timers.clear();
  }

  private set(app: ApplicationState, status: ApplicationState['status']): void {
    app.status = status;
    this.opts.store.put(app);
  }

  private wait(app: ApplicationState, ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.after(app, ms, resolve));
  }

  /** Runs `fn` after `ms` of the clock, unless the application was deleted (or replaced) meanwhile. */
  private after(app: ApplicationState, ms: number, fn: () => void): void {
    const handle = this.opts.clock.setTimeout(() => {
      this.timers.delete(handle);
      if (this.opts.store.get(app.name) === app) fn();
    }, ms);
    this.timers.add(handle);
  }
}
