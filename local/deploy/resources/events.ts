/** Schedule rules, made in the EventBridge twin (which fires them on the twin's Clock). */
import { type DeployContext, generatedName, type Made, str } from '../context';
import { DeployError } from '../template';
import type { ResourceType } from './types';

function createRule(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const name = str(p['Name']) ?? generatedName(ctx, id);
  const schedule = str(p['ScheduleExpression']);
  if (!schedule)
    throw new DeployError('the twin runs schedule rules only (ScheduleExpression); event patterns are not delivered');
  const targets = ((p['Targets'] as Record<string, unknown>[] | undefined) ?? []).map((t) => ({
    Id: String(t['Id']),
    Arn: String(t['Arn']),
    ...(typeof t['Input'] === 'string' ? { Input: t['Input'] } : {}),
  }));
  ctx.target.events.putRule({
    Name: name,
    ScheduleExpression: schedule,
    State: p['State'] === 'DISABLED' ? 'DISABLED' : 'ENABLED',
  });
  if (targets.length > 0) ctx.target.events.putTargets({ Rule: name, Targets: targets });
  return { physicalId: name, attributes: { Arn: `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${name}` } };
}

export const EVENTS_TYPES: Record<string, ResourceType> = {
  'AWS::Events::Rule': { live: true, create: createRule },
};
