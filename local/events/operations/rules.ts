/**
 * Rules and targets: PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule, PutTargets,
 * RemoveTargets, ListTargetsByRule. Only schedule rules fire on the twin; a rule with an event pattern is kept but
 * receives no events.
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
import { errors } from '../errors';
import { parseSchedule } from '../schedule';
import type { Scheduler } from '../scheduler';
import type { EventsStore, Rule } from '../store';

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** PutRule creates a rule or replaces its settings (its targets stay), and (re)schedules it. */
export function putRule(store: EventsStore, scheduler: Scheduler, input: PutRuleRequest): PutRuleResponse {
  const name = input.Name!;
  if (!NAME.test(name)) throw errors.validation(`Rule name ${name} is not valid`);
  if (input.ScheduleExpression === undefined && input.EventPattern === undefined)
    throw errors.validation('Parameter(s) ScheduleExpression or EventPattern must be specified.');
  const next = input.ScheduleExpression === undefined ? undefined : parseSchedule(input.ScheduleExpression);
  const existing = store.rules.get(name);
  const rule: Rule = {
    name,
    arn: store.ruleArn(name),
    state: input.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    targets: existing?.targets ?? new Map(),
    fired: existing?.fired ?? 0,
    ...(input.ScheduleExpression !== undefined ? { scheduleExpression: input.ScheduleExpression } : {}),
    ...(input.EventPattern !== undefined ? { eventPattern: input.EventPattern } : {}),
    ...(input.Description !== undefined ? { description: input.Description } : {}),
    ...(input.RoleArn !== undefined ? { roleArn: input.RoleArn } : {}),
    ...(next ? { next } : {}),
  };
  if (existing) scheduler.disarm(existing);
  store.rules.set(name, rule);
  scheduler.arm(rule);
  store.changed({ type: 'rule-put', name });
  return { RuleArn: rule.arn };
}

export function describeRule(store: EventsStore, input: DescribeRuleRequest): DescribeRuleResponse {
  const r = store.rule(input.Name!);
  return {
    Name: r.name,
    Arn: r.arn,
    State: r.state,
    EventBusName: 'default',
    CreatedBy: store.opts.accountId,
    ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
    ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
  };
}

export function listRules(store: EventsStore, input: ListRulesRequest): ListRulesResponse {
  const all = [...store.rules.values()]
    .filter((r) => input.NamePrefix === undefined || r.name.startsWith(input.NamePrefix))
    .sort((a, b) => a.name.localeCompare(b.name));
  const start = Number(input.NextToken ?? 0) || 0;
  const limit = input.Limit ?? 100;
  return {
    Rules: all.slice(start, start + limit).map((r) => {
      const { CreatedBy: _c, ...rule } = describeRule(store, { Name: r.name });
      return rule;
    }),
    ...(start + limit < all.length ? { NextToken: String(start + limit) } : {}),
  };
}

export function setState(
  store: EventsStore,
  scheduler: Scheduler,
  input: EnableRuleRequest | DisableRuleRequest,
  state: 'ENABLED' | 'DISABLED',
): Record<string, never> {
  const rule = store.rule(input.Name!);
  rule.state = state;
  scheduler.arm(rule);
  store.changed({ type: 'rule-put', name: rule.name });
  return {};
}

export function deleteRule(store: EventsStore, scheduler: Scheduler, input: DeleteRuleRequest): Record<string, never> {
  const rule = store.rules.get(input.Name!);
  if (!rule) return {};
  if (rule.targets.size > 0 && input.Force !== true) throw errors.hasTargets();
  scheduler.disarm(rule);
  store.rules.delete(rule.name);
  store.changed({ type: 'rule-deleted', name: rule.name });
  return {};
}

export function putTargets(store: EventsStore, input: PutTargetsRequest): PutTargetsResponse {
  const rule = store.rule(input.Rule!);
  const targets = new Map(rule.targets);
  for (const t of input.Targets ?? []) {
    if (!t.Id || !t.Arn) throw errors.validation('Each target needs an Id and an Arn');
    targets.set(t.Id, { ...t });
  }
  if (targets.size > 5) throw errors.validation('The rule has more than 5 targets');
  rule.targets = targets;
  store.changed({ type: 'rule-put', name: rule.name });
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function removeTargets(store: EventsStore, input: RemoveTargetsRequest): RemoveTargetsResponse {
  const rule = store.rule(input.Rule!);
  for (const id of input.Ids ?? []) rule.targets.delete(id);
  store.changed({ type: 'rule-put', name: rule.name });
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function listTargetsByRule(store: EventsStore, input: ListTargetsByRuleRequest): ListTargetsByRuleResponse {
  const rule = store.rule(input.Rule!);
  return { Targets: [...rule.targets.values()].map((t) => ({ ...t })) };
}
