/**
 * The asynchronous state changes of event source mappings, each after a delay on the twin's Clock:
 * Creating -> Enabled | Disabled, Enabling -> Enabled, Disabling -> Disabled, Updating -> Enabled | Disabled (the
 * readers restarted with the new settings), Deleting -> gone.
 */
import type { Clock } from '../clock';
import type { EventSourceMapping } from './mapping/event-source-mapping';
import type { LambdaStore } from './store';

export class MappingLifecycle {
  private readonly timers = new Set<unknown>();

  constructor(
    private readonly store: LambdaStore,
    private readonly clock: Clock,
    /** Delay of every transition (Lambda takes seconds; the twin defaults to 0). */
    private readonly delayMs: number,
  ) {}

  private later(fn: () => Promise<void>): void {
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(handle);
      void fn();
    }, this.delayMs);
    this.timers.add(handle);
  }

  private live(m: EventSourceMapping): boolean {
    return this.store.mappings.has(m.uuid) && m.state !== 'Deleting';
  }

  /** Enabled (reading) or Disabled; `restart` re-reads with new settings when it stays enabled. */
  settle(m: EventSourceMapping, to: 'Enabled' | 'Disabled', restart = false): void {
    this.later(async () => {
      if (!this.live(m)) return;
      if (to === 'Enabled') {
        if (restart) await m.stop();
        if (restart || m.state !== 'Enabled') await m.start().catch(() => undefined);
      } else await m.stop();
      if (this.live(m)) m.state = to;
    });
  }

  /** Deleting, then gone. */
  delete(m: EventSourceMapping): void {
    m.state = 'Deleting';
    this.later(() => this.drop(m));
  }

  /** Removes a mapping at once, its readers stopped. */
  async drop(m: EventSourceMapping): Promise<void> {
    this.store.mappings.delete(m.uuid);
    this.store.changed({ type: 'mapping-deleted', uuid: m.uuid });
    await m.stop();
  }

  close(): void {
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
  }
}
