/**
 * The Kinesis Analytics pages' API: applications (status, version, SQL, inputs and outputs as
 * DescribeApplication gives them, error-stream rows and counts from the twin's error report) and Start/Stop,
 * through the twin's own validated operations.
 */
import * as z from 'zod';
import type { KinesisAnalyticsTwin } from '../kinesis-analytics';
import type { RestRoute } from '../service';
import { bodyOf, json, notFound, requireOwnOrigin } from './http';

export interface ApplicationsContext {
  kinesisAnalytics: KinesisAnalyticsTwin;
  ownOrigins(): string[];
}

const StartBody = z.object({
  startingPosition: z.enum(['NOW', 'TRIM_HORIZON', 'LAST_STOPPED_POINT']).default('NOW'),
});

interface Detail {
  ApplicationName: string;
  InputDescriptions?: { InputId?: string }[];
}

export function applicationRoutes(ctx: ApplicationsContext): RestRoute[] {
  const ka = ctx.kinesisAnalytics;
  const errors = (name: string) => {
    const app = ka.store.get(name);
    if (!app) throw notFound(`Application ${name}`);
    return ka.errorReport(app);
  };
  const describe = async (name: string): Promise<Detail> => {
    errors(name);
    const out = (await ka.handle('DescribeApplication', { ApplicationName: name })) as { ApplicationDetail: Detail };
    return out.ApplicationDetail;
  };
  const NAME = '(?<name>[a-zA-Z0-9_.-]{1,128})';
  return [
    {
      method: 'GET',
      path: /^\/_console\/api\/applications$/,
      handle: async () => {
        const out = (await ka.handle('ListApplications', { Limit: 50 })) as {
          ApplicationSummaries: { ApplicationName: string }[];
        };
        return json({
          applications: out.ApplicationSummaries.map((s) => ({
            ...s,
            errorCount: errors(s.ApplicationName).ErrorCount,
          })),
        });
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/_console/api/applications/${NAME}$`),
      handle: async ({ params }) => {
        const name = params['name']!;
        const detail = await describe(name);
        return json({ detail, errors: errors(name) });
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/_console/api/applications/${NAME}/start$`),
      handle: async (req) => {
        requireOwnOrigin(req, ctx.ownOrigins());
        const { startingPosition } = bodyOf(req, StartBody);
        const detail = await describe(req.params['name']!);
        await ka.handle('StartApplication', {
          ApplicationName: detail.ApplicationName,
          InputConfigurations: (detail.InputDescriptions ?? []).map((i) => ({
            Id: i.InputId,
            InputStartingPositionConfiguration: { InputStartingPosition: startingPosition },
          })),
        });
        return json({ started: detail.ApplicationName, startingPosition });
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/_console/api/applications/${NAME}/stop$`),
      handle: async (req) => {
        requireOwnOrigin(req, ctx.ownOrigins());
        await ka.handle('StopApplication', { ApplicationName: req.params['name']! });
        return json({ stopped: req.params['name'] });
      },
    },
  ];
}
