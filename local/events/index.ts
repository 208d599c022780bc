/**
 * The EventBridge twin (the default event bus): rules with their targets, in process with the SDK's request and
 * response types (the deployer creates the template's AWS::Events::Rule resources here). Schedule rules, rate() and
 * cron(), fire their targets on the twin's Clock, so a ManualClock drives them in tests; a target that is a state
 * machine gets StartExecution with the target's Input, as EventBridge does. `fireRule` fires one now.
 */
import type {
  DeleteRuleRequest,
  DescribeRuleRequest,
  DescribeRuleResponse,
  DisableRuleRequest,
  EnableRuleRequest,
  ListRulesRequest,
  ListRulesResponse,
  ListTargetsByRuleRequest,
  ListTargetsByRuleResponse,
  PutRuleRequest,
  PutRuleResponse,
  PutTargetsRequest,
  PutTargetsResponse,
  RemoveTargetsRequest,
  RemoveTargetsResponse,
} from '@aws-sdk/client-eventbridge';
import { type Clock, systemClock } from '../clock';
import type { Answer } from '../sdk-shapes';
import * as rules from './operations/rules';
import { EventsPersistence } from './persistence';
import { type Delivery, Scheduler, type TargetInvoker } from './scheduler';
import { EventsStore, type Journal } from './store';

export { parseSchedule, ScheduleExpressionError } from './schedule';
export type { Delivery, TargetInvoker } from './scheduler';

export interface EventsTwinOptions {
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Receives each failed delivery (EventBridge retries, then drops; the twin reports). */
  onError?: (rule: string, error: unknown) => void;
  /** Where state changes are kept (the persistence seam); with dataDir, the twin's own journal. */
  journal?: Journal;
  /** Keep rules and their targets here (`<dataDir>/events/journal`); schedules fire again after a restart. */
  dataDir?: string;
  /** With dataDir: a change is durable once fdatasync'd (true, default) or once written to the file. */
  fsync?: boolean;
}

/** A rule as the CLI shows it. */
export interface ScheduleSummary {
  name: string;
  arn: string;
  scheduleExpression: string | undefined;
  enabled: boolean;
  fired: number;
  /** ms epoch of the next firing, when enabled. */
  nextFire: number | undefined;
}

export class EventsTwin {
  readonly region: string;
  readonly accountId: string;
  readonly store: EventsStore;
  private readonly scheduler: Scheduler;
  private readonly persistence: EventsPersistence | undefined;

  constructor(opts: EventsTwinOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
    if (opts.dataDir !== undefined)
      this.persistence = new EventsPersistence(opts.dataDir, opts.fsync !== undefined ? { fsync: opts.fsync } : {});
    const journal = opts.journal ?? this.persistence;
    this.store = new EventsStore({
      clock: opts.clock ?? systemClock,
      region: this.region,
      accountId: this.accountId,
      ...(journal ? { journal } : {}),
    });
    this.scheduler = new Scheduler(this.store, opts.onError);
    this.persistence?.restore(this.store, this.scheduler);
  }

  /** Resolves once every change so far is durable (with a data directory; at once without). */
  async flush(): Promise<void> {
    await this.persistence?.commit();
  }

  /** Sets who delivers events to targets (the twin wires state machines here). */
  setInvoker(invoke: TargetInvoker): void {
    this.scheduler.invoker = invoke;
  }

  /** Every delivery made, in order: for tests and the CLI. */
  get deliveries(): readonly Delivery[] {
    return this.scheduler.deliveries;
  }

  /** Calls `listener` with each delivery as it is made (and the error when it failed); returns the unsubscribe. */
  onDelivery(listener: (delivery: Delivery, error?: unknown) => void): () => void {
    this.scheduler.listeners.add(listener);
    return () => this.scheduler.listeners.delete(listener);
  }

  // ---- the API, typed as the SDK types it ------------------------------------------------------------------------

  /** Creates a rule or replaces its settings (its targets stay) and (re)schedules it. */
  putRule(input: PutRuleRequest): Answer<PutRuleResponse> {
    return rules.putRule(this.store, this.scheduler, input) as Answer<PutRuleResponse>;
  }

  describeRule(input: DescribeRuleRequest): Answer<DescribeRuleResponse> {
    return rules.describeRule(this.store, input) as Answer<DescribeRuleResponse>;
  }

  listRules(input: ListRulesRequest = {}): Answer<ListRulesResponse> {
    return rules.listRules(this.store, input) as Answer<ListRulesResponse>;
  }

  enableRule(input: EnableRuleRequest): void {
    rules.setState(this.store, this.scheduler, input, 'ENABLED');
  }

  disableRule(input: DisableRuleRequest): void {
    rules.setState(this.store, this.scheduler, input, 'DISABLED');
  }

  /** Deletes a rule (with Force, or once its targets are removed); unknown names are fine, as on AWS. */
  deleteRule(input: DeleteRuleRequest): void {
    rules.deleteRule(this.store, this.scheduler, input);
  }

  putTargets(input: PutTargetsRequest): Answer<PutTargetsResponse> {
    return rules.putTargets(this.store, input) as Answer<PutTargetsResponse>;
  }

  removeTargets(input: RemoveTargetsRequest): Answer<RemoveTargetsResponse> {
    return rules.removeTargets(this.store, input) as Answer<RemoveTargetsResponse>;
  }

  listTargetsByRule(input: ListTargetsByRuleRequest): Answer<ListTargetsByRuleResponse> {
    return rules.listTargetsByRule(this.store, input) as Answer<ListTargetsByRuleResponse>;
  }

  // ---- the twin's own --------------------------------------------------------------------------------------------

  /** Fires a rule now, whatever its schedule or state: its targets get the event they would get at this moment. */
  fireRule(name: string): Promise<Delivery[]> {
    return this.scheduler.fire(this.store.rule(name), this.store.clock.now());
  }

  /** When the rule fires next (ms epoch), if it is enabled and scheduled. */
  nextFire(name: string): number | undefined {
    const rule = this.store.rules.get(name);
    return rule && rule.state === 'ENABLED' ? rule.next?.(this.store.clock.now()) : undefined;
  }

  /** Every rule with its schedule and next firing, for the CLI. */
  schedules(): ScheduleSummary[] {
    return [...this.store.rules.values()].map((r) => ({
      name: r.name,
      arn: r.arn,
      scheduleExpression: r.scheduleExpression,
      enabled: r.state === 'ENABLED',
      fired: r.fired,
      nextFire: this.nextFire(r.name),
    }));
  }

  /** Cancels every timer. */
  async close(): Promise<void> {
    for (const rule of this.store.rules.values()) this.scheduler.disarm(rule);
    this.store.rules.clear();
    await this.persistence?.close();
  }
}
