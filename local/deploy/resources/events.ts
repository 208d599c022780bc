/** Schedule rules, made in the EventBridge twin (which fires them on the twin's Clock). */
import { type DeployContext, generatedName, type Made, str } from '../context';
import { DeployError } from '../template';
import { type HeldResource, type ResourceType, replaces } from './types';

function createRule(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const name = str(p['Name']) ?? generatedName(ctx, id);
  const schedule = str(p['ScheduleExpression']);
  if (!schedule)
    throw new DeployError('the twin runs schedule rules only (ScheduleExpression); event patterns are not delivered');
  const targets = ((p['Targets'] as Record<string, unknown>[] | undefined) ?? []).map((t) => ({
    Id: String(t['Id']),
    Arn: String(t['Arn']),
    ...(typeof t['Input'] === 'string' ? { Input: t['Input'] } : {}),
    // the role EventBridge invokes the target with (IAM checks it)
    ...(typeof t['RoleArn'] === 'string' ? { RoleArn: t['RoleArn'] } : {}),
  }));
  ctx.target.events.putRule({
    Name: name,
    ScheduleExpression: schedule,
    State: p['State'] === 'DISABLED' ? 'DISABLED' : 'ENABLED',
  });
  const events = ctx.target.events;
  // targets the template no longer names go, as CloudFormation removes them
  const stale = (events.listTargetsByRule({ Rule: name }).Targets ?? [])
    .map((t) => t.Id!)
    .filter((id) => !targets.some((t) => t.Id === id));
  if (stale.length > 0) events.removeTargets({ Rule: name, Ids: stale });
  if (targets.length > 0) events.putTargets({ Rule: name, Targets: targets });
  return { physicalId: name, attributes: { Arn: `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${name}` } };
}

export const EVENTS_TYPES: Record<string, ResourceType> = {
  'AWS::Events::Rule': {
    live: true,
    create: createRule,
    // a new schedule, state or targets: the rule is put again under its name (its next firing from now)
    update: async (ctx, held: HeldResource, p) =>
      replaces(held.properties, p, ['Name']) ? undefined : createRule(ctx, held.logicalId, p),
    // its targets with it (DeleteRule alone refuses a rule that still has targets)
    delete: (ctx, held) => {
      ctx.target.events.deleteRule({ Name: held.physicalId, Force: true });
    },
  },
};
