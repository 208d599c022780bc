/**
 * Firing rules on the twin's Clock: an enabled rule with a schedule has one timer, for its next firing; each firing
 * delivers the rule's event to every target (the target's constant Input, or the scheduled event EventBridge
 * sends) and schedules the next.
 */
import type { Target } from '@aws-sdk/client-eventbridge';
import type { EventsStore, Rule } from './store';

/** One event delivered to one target. */
export interface Delivery {
  rule: string;
  target: string;
  input: string;
  /** ms epoch: when the rule fired. */
  at: number;
}

/** Delivers one event to one target. */
export type TargetInvoker = (target: Target, input: string) => Promise<unknown>;

export class Scheduler {
  invoker: TargetInvoker | undefined;
  /** Every delivery made, in order. */
  readonly deliveries: Delivery[] = [];
  /** Told of each delivery as it is made, with the error when it failed. */
  readonly listeners = new Set<(delivery: Delivery, error?: unknown) => void>();

  constructor(
    private readonly store: EventsStore,
    /** Receives each failed delivery (EventBridge retries, then drops; the twin reports). */
    private readonly onError?: (rule: string, error: unknown) => void,
  ) {}

  /** (Re)arms the rule's timer for its next firing, or disarms it when disabled or unscheduled. */
  arm(rule: Rule): void {
    this.disarm(rule);
    if (rule.state !== 'ENABLED' || !rule.next) return;
    const clock = this.store.clock;
    const now = clock.now();
    const at = rule.next(now);
    if (at === undefined) return;
    rule.timer = clock.setTimeout(() => {
      rule.timer = undefined;
      if (this.store.rules.get(rule.name) !== rule) return;
      rule.fired++;
      this.arm(rule);
      void this.fire(rule, at);
    }, at - now);
  }

  disarm(rule: Rule): void {
    if (rule.timer !== undefined) this.store.clock.clearTimeout(rule.timer);
    rule.timer = undefined;
  }

  /** Delivers the rule's event to each of its targets, as one firing at `at`. */
  async fire(rule: Rule, at: number): Promise<Delivery[]> {
    const made: Delivery[] = [];
    for (const target of rule.targets.values()) {
      const input = target.Input ?? this.scheduledEvent(rule, at);
      const delivery: Delivery = { rule: rule.name, target: target.Arn!, input, at };
      this.deliveries.push(delivery);
      made.push(delivery);
      try {
        if (!this.invoker) throw new Error('No target invoker is connected to the events twin');
        await this.invoker(target, input);
        for (const l of this.listeners) l(delivery);
      } catch (error) {
        this.onError?.(rule.name, error);
        for (const l of this.listeners) l(delivery, error);
      }
    }
    return made;
  }

  private scheduledEvent(rule: Rule, at: number): string {
    return JSON.stringify({
      version: '0',
      id: `${rule.name}-${at}`,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.store.opts.accountId,
      time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.store.opts.region,
      resources: [rule.arn],
      detail: {},
    });
  }
}
