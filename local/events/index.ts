/**
 * Schedules of the twin (AWS::Events::Rule): rate() and cron() expressions fire their targets on the twin's
 * Clock, so a ManualClock drives them in tests. A target that is a state machine gets StartExecution with the
 * rule's Input, as EventBridge does.
 */
import { Cron } from 'croner';
import { type Clock, systemClock } from '../clock';

/** A target of a rule: what EventBridge would call. */
export interface RuleTarget {
  id: string;
  arn: string;
  /** The constant JSON text sent to the target (EventBridge's `Input`); the scheduled event when absent. */
  input?: string;
}

export interface RuleInput {
  name: string;
  scheduleExpression: string;
  enabled?: boolean;
  description?: string;
  targets: RuleTarget[];
}

/** Delivers one scheduled event to one target. */
export type TargetInvoker = (target: RuleTarget, input: string) => Promise<unknown>;

/** Raised for a schedule expression EventBridge would reject. */
export class ScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`Parameter ScheduleExpression is not valid: ${expression} (${reason})`);
    this.name = 'ValidationException';
  }
}

const UNITS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Computes the next fire time (ms epoch) strictly after `from`. */
export type NextFire = (from: number) => number | undefined;

/** Parses `rate(N unit)` or AWS's 6-field `cron(min hour dom month dow year)`. */
export function parseSchedule(expression: string): NextFire {
  const rate = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '');
    if (n < 1) throw new ScheduleExpressionError(expression, 'the value must be a positive integer');
    if ((n === 1) !== (rate[2] === unit))
      throw new ScheduleExpressionError(expression, 'use the singular unit for 1 only');
    const period = n * UNITS[unit]!;
    return (from) => from + period;
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new ScheduleExpressionError(expression, 'expected rate(...) or cron(...)');
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleExpressionError(expression, 'cron() takes 6 fields');
  const [minutes, hours, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (dom !== '?' && dow !== '?')
    throw new ScheduleExpressionError(expression, "one of day-of-month and day-of-week must be '?'");
  // AWS numbers weekdays 1-7 from Sunday; croner 0-6
  const weekday = dow.replace(/\d+/g, (d) => String((Number(d) + 6) % 7));
  let job: Cron;
  try {
    job = new Cron(`0 ${minutes} ${hours} ${dom === '?' ? '*' : dom} ${month} ${dow === '?' ? '*' : weekday}`, {
      paused: true,
      timezone: 'Etc/UTC',
    });
  } catch (error) {
    throw new ScheduleExpressionError(expression, (error as Error).message);
  }
  const years = year === '*' ? undefined : expandYears(year, expression);
  return (from) => {
    let cursor = new Date(from);
    for (let i = 0; i < 1000; i++) {
      const next = job.nextRun(cursor);
      if (!next) return undefined;
      if (!years || years.has(next.getUTCFullYear())) return next.getTime();
      cursor = next;
    }
    return undefined;
  };
}

function expandYears(field: string, expression: string): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\d{4})(?:-(\d{4}))?$/.exec(part);
    if (!m) throw new ScheduleExpressionError(expression, `bad year field '${field}'`);
    for (let y = Number(m[1]); y <= Number(m[2] ?? m[1]); y++) out.add(y);
  }
  return out;
}

interface Rule extends RuleInput {
  arn: string;
  next: NextFire;
  timer?: unknown;
  fired: number;
}

export interface EventsTwinOptions {
  clock?: Clock;
  region?: string;
  accountId?: string;
  /** Receives each failed delivery (EventBridge retries, then drops; the twin reports). */
  onError?: (rule: string, error: unknown) => void;
}

/** The rules of the twin and their timers. */
export class EventsTwin {
  readonly region: string;
  readonly accountId: string;
  private readonly clock: Clock;
  private readonly rules = new Map<string, Rule>();
  private invoker: TargetInvoker | undefined;
  /** Every delivery made, in order: for tests and the CLI. */
  readonly deliveries: { rule: string; target: string; input: string; at: number }[] = [];
  /** Told of each delivery as it is made (the CLI prints it). */
  onDeliver:
    | ((delivery: { rule: string; target: string; input: string; at: number }, error?: unknown) => void)
    | undefined;

  constructor(private readonly opts: EventsTwinOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '000000000000';
  }

  /** Sets who delivers events to targets (the twin wires state machines here). */
  setInvoker(invoke: TargetInvoker): void {
    this.invoker = invoke;
  }

  /** Creates or replaces a rule and schedules its next firing. Returns its ARN. */
  putRule(input: RuleInput): string {
    const next = parseSchedule(input.scheduleExpression);
    this.deleteRule(input.name);
    const rule: Rule = {
      ...input,
      arn: `arn:aws:events:${this.region}:${this.accountId}:rule/${input.name}`,
      next,
      fired: 0,
    };
    this.rules.set(input.name, rule);
    if (input.enabled !== false) this.schedule(rule);
    return rule.arn;
  }

  deleteRule(name: string): void {
    const rule = this.rules.get(name);
    if (rule?.timer !== undefined) this.clock.clearTimeout(rule.timer);
    this.rules.delete(name);
  }

  listRules(): { name: string; arn: string; scheduleExpression: string; enabled: boolean; fired: number }[] {
    return [...this.rules.values()].map((r) => ({
      name: r.name,
      arn: r.arn,
      scheduleExpression: r.scheduleExpression,
      enabled: r.enabled !== false,
      fired: r.fired,
    }));
  }

  /** When the rule fires next (ms epoch), if it is enabled. */
  nextFire(name: string): number | undefined {
    const rule = this.rules.get(name);
    return rule && rule.enabled !== false ? rule.next(this.clock.now()) : undefined;
  }

  private schedule(rule: Rule): void {
    const now = this.clock.now();
    const at = rule.next(now);
    if (at === undefined) return;
    rule.timer = this.clock.setTimeout(() => {
      if (this.rules.get(rule.name) !== rule) return;
      rule.fired++;
      this.schedule(rule);
      void this.fire(rule, at);
    }, at - now);
  }

  private async fire(rule: Rule, at: number): Promise<void> {
    for (const target of rule.targets) {
      const input =
        target.input ??
        JSON.stringify({
          version: '0',
          id: `${rule.name}-${at}`,
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: this.accountId,
          time: new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: this.region,
          resources: [rule.arn],
          detail: {},
        });
      const delivery = { rule: rule.name, target: target.arn, input, at };
      this.deliveries.push(delivery);
      try {
        if (!this.invoker) throw new Error('No target invoker is connected to the events twin');
        await this.invoker(target, input);
        this.onDeliver?.(delivery);
      } catch (error) {
        this.opts.onError?.(rule.name, error);
        this.onDeliver?.(delivery, error);
      }
    }
  }

  /** Cancels every timer. */
  async close(): Promise<void> {
    for (const rule of this.rules.values()) if (rule.timer !== undefined) this.clock.clearTimeout(rule.timer);
    this.rules.clear();
  }
}
