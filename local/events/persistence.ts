/**
 * The EventBridge twin's rules under `--data-dir` (issue 11 §3), in one journal (`<dataDir>/events/journal`, a
 * DurableMap of local/storage): each rule (`r/<name>`: schedule or pattern, state, description, role, targets) as
 * the store's journal (`changed()`) writes it. On start the rules come back and enabled schedules are armed again
 * for their next firing after now (firings missed while the twin was down are not made up, as EventBridge does
 * not deliver a schedule's past firings either).
 */

import { join } from 'node:path';
import type { Target } from '@aws-sdk/client-eventbridge';
import { DurableMap, type DurableMapOptions } from '../storage/durable-map';
import { parseSchedule } from './schedule';
import type { Scheduler } from './scheduler';
import type { EventsStore, Journal, Rule, StoreChange } from './store';

interface SavedRule {
  name: string;
  arn: string;
  scheduleExpression?: string;
  eventPattern?: string;
  state: Rule['state'];
  description?: string;
  roleArn?: string;
  targets: Target[];
  fired: number;
}

export class EventsPersistence implements Journal {
  readonly dir: string;
  private readonly map: DurableMap<SavedRule>;
  private store: EventsStore | undefined;

  constructor(dataDir: string, opts: DurableMapOptions = {}) {
    this.dir = join(dataDir, 'events', 'journal');
    this.map = DurableMap.open<SavedRule>(this.dir, opts);
  }

  append(change: StoreChange): void {
    if (change.type === 'rule-deleted') this.map.delete(`r/${change.name}`);
    else {
      const rule = this.store?.rules.get(change.name);
      if (!rule) return;
      const { timer: _timer, next: _next, targets, ...kept } = rule;
      this.map.set(`r/${rule.name}`, { ...kept, targets: [...targets.values()] });
    }
    void this.map.commit().catch(() => undefined);
  }

  commit(): Promise<void> {
    return this.map.commit();
  }

  close(): Promise<void> {
    return this.map.close();
  }

  /** Builds the kept rules into the (empty) store, arms their schedules, and writes the store's changes from now. */
  restore(store: EventsStore, scheduler: Scheduler): void {
    this.store = store;
    for (const [, saved] of this.map.entries()) {
      const next = saved.scheduleExpression === undefined ? undefined : parseSchedule(saved.scheduleExpression);
      const rule: Rule = {
        ...saved,
        targets: new Map(saved.targets.map((t) => [t.Id!, t])),
        ...(next ? { next } : {}),
      };
      store.rules.set(rule.name, rule);
      scheduler.arm(rule);
    }
  }
}
