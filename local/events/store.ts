/**
 * The state of the EventBridge twin: rules of the default event bus, their targets and their next firing. Every
 * change goes through `changed()`, the one seam a durable journal (issue 11 §3) will hook into.
 */
import type { Target } from '@aws-sdk/client-eventbridge';
import type { Clock } from '../clock';
import { errors } from './errors';
import type { NextFire } from './schedule';

export interface Rule {
  name: string;
  arn: string;
  scheduleExpression?: string;
  eventPattern?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  roleArn?: string;
  /** By Id, in the order they were put. */
  targets: Map<string, Target>;
  next?: NextFire;
  /** The Clock timer of the next firing, while scheduled. */
  timer?: unknown;
  /** Times it fired on its schedule. */
  fired: number;
}

export type StoreChange = { type: 'rule-put'; name: string } | { type: 'rule-deleted'; name: string };

export interface Journal {
  append(change: StoreChange): void;
}

export interface StoreOptions {
  clock: Clock;
  region: string;
  accountId: string;
  journal?: Journal;
}

export class EventsStore {
  readonly rules = new Map<string, Rule>();

  constructor(readonly opts: StoreOptions) {}

  get clock(): Clock {
    return this.opts.clock;
  }

  ruleArn(name: string): string {
    return `arn:aws:events:${this.opts.region}:${this.opts.accountId}:rule/${name}`;
  }

  rule(name: string): Rule {
    const rule = this.rules.get(name);
    if (!rule) throw errors.noRule(name);
    return rule;
  }

  changed(change: StoreChange): void {
    this.opts.journal?.append(change);
  }
}
