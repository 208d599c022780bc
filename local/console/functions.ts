/**
 * The Lambda and EventBridge pages' API: functions (configuration, recent invocations with their log lines, the
 * event source mappings that feed them) and schedule rules (expression, state, next fire time, targets, the
 * latest deliveries) with "Run now", which fires the rule as its schedule would.
 */
import type { EventsTwin } from '../events';
import type { LambdaTwin } from '../lambda';
import type { RestRoute } from '../service';
import type { FunctionActivity } from './activity';
import { json, notFound, requireOwnOrigin } from './http';

export interface FunctionsContext {
  lambda: LambdaTwin | undefined;
  events: EventsTwin | undefined;
  activity: FunctionActivity;
  ownOrigins(): string[];
}

export function functionRoutes(ctx: FunctionsContext): RestRoute[] {
  const NAME = '(?<name>[a-zA-Z0-9_.-]{1,140})';
  return [
    {
      method: 'GET',
      path: /^\/_console\/api\/functions$/,
      handle: async () => {
        const out = ctx.lambda ? await ctx.lambda.listFunctions({}) : { Functions: [] };
        return json({
          functions: (out.Functions ?? []).map((f) => {
            const a = ctx.activity.of(f.FunctionName ?? '');
            const last = a.invocations[0];
            return {
              functionName: f.FunctionName,
              runtime: f.Runtime,
              handler: f.Handler,
              memorySize: f.MemorySize,
              timeout: f.Timeout,
              lastModified: f.LastModified,
              invocations: a.total,
              failed: a.failed,
              ...(last ? { lastInvocation: { start: last.start, status: last.status } } : {}),
            };
          }),
        });
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/_console/api/functions/${NAME}$`),
      handle: async ({ params }) => {
        const name = params['name']!;
        if (!ctx.lambda) throw notFound(`Function ${name}`);
        const configuration = await ctx.lambda.getFunctionConfiguration({ FunctionName: name });
        const mappings = await ctx.lambda.listEventSourceMappings({ FunctionName: name });
        return json({
          configuration,
          mappings: mappings.EventSourceMappings ?? [],
          ...ctx.activity.of(name),
        });
      },
    },
    {
      method: 'GET',
      path: /^\/_console\/api\/schedules$/,
      handle: async () => {
        const events = ctx.events;
        if (!events) return json({ schedules: [] });
        const deliveries = events.deliveries;
        return json({
          schedules: events.schedules().map((s) => ({
            ...s,
            targets: (events.listTargetsByRule({ Rule: s.name }).Targets ?? []).map((t) => ({
              id: t.Id,
              arn: t.Arn,
              input: t.Input,
            })),
            deliveries: deliveries
              .filter((d) => d.rule === s.name)
              .slice(-10)
              .reverse(),
          })),
        });
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/_console/api/schedules/${NAME}/run$`),
      handle: async (req) => {
        requireOwnOrigin(req, ctx.ownOrigins());
        const events = ctx.events;
        const name = req.params['name']!;
        if (!events?.store.rules.has(name)) throw notFound(`Rule ${name}`);
        const deliveries = await events.fireRule(name);
        return json({ deliveries });
      },
    },
  ];
}
