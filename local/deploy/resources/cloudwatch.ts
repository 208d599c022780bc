/**
 * CloudWatch alarms and dashboards, made in the CloudWatch twin (where `fanout status`, DescribeAlarms and
 * GetDashboard read them; alarms are recorded, not evaluated), and SNS topics, recorded with the ARN AWS gives them
 * (the twin has no SNS: nothing is ever published to them).
 */
import type { CloudWatchTwin } from '../../cloudwatch';
import { type DeployContext, generatedName, type Made, str } from '../context';
import { type HeldResource, type ResourceType, recorded } from './types';

const NUMBERS = ['Period', 'EvaluationPeriods', 'DatapointsToAlarm', 'Threshold'];

function cloudWatchOf(ctx: DeployContext): CloudWatchTwin | undefined {
  return ctx.target.cloudWatch;
}

async function putAlarm(ctx: DeployContext, id: string, p: Record<string, unknown>): Promise<Made> {
  const name = str(p['AlarmName']) ?? generatedName(ctx, id, 255);
  const input: Record<string, unknown> = { ...p, AlarmName: name };
  for (const key of NUMBERS) if (input[key] !== undefined) input[key] = Number(input[key]);
  if (typeof input['ActionsEnabled'] === 'string') input['ActionsEnabled'] = input['ActionsEnabled'] === 'true';
  await cloudWatchOf(ctx)?.handle('PutMetricAlarm', input, ctx.request);
  return {
    physicalId: name,
    attributes: { Arn: `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${name}` },
  };
}

async function putDashboard(ctx: DeployContext, id: string, p: Record<string, unknown>): Promise<Made> {
  const name = str(p['DashboardName']) ?? generatedName(ctx, id, 255).replace(/[^A-Za-z0-9_-]/g, '-');
  await cloudWatchOf(ctx)?.handle(
    'PutDashboard',
    { DashboardName: name, DashboardBody: p['DashboardBody'] },
    ctx.request,
  );
  return { physicalId: name, attributes: {} };
}

const sameName = (key: string) => (held: HeldResource, p: Record<string, unknown>) =>
  str(p[key]) === str(held.properties[key]);

export const CLOUDWATCH_TYPES: Record<string, ResourceType> = {
  'AWS::CloudWatch::Alarm': {
    live: true,
    create: putAlarm,
    update: async (ctx, held, p) => (sameName('AlarmName')(held, p) ? putAlarm(ctx, held.logicalId, p) : undefined),
    delete: async (ctx, held) => {
      await cloudWatchOf(ctx)
        ?.handle('DeleteAlarms', { AlarmNames: [held.physicalId] }, ctx.request)
        .catch(() => undefined);
    },
  },
  'AWS::CloudWatch::Dashboard': {
    live: true,
    create: putDashboard,
    update: async (ctx, held, p) =>
      sameName('DashboardName')(held, p) ? putDashboard(ctx, held.logicalId, p) : undefined,
    delete: async (ctx, held) => {
      await cloudWatchOf(ctx)
        ?.handle('DeleteDashboards', { DashboardNames: [held.physicalId] }, ctx.request)
        .catch(() => undefined);
    },
  },
  'AWS::SNS::Topic': recorded((ctx, id, p) => {
    const name = str(p['TopicName']) ?? generatedName(ctx, id, 256);
    const arn = `arn:aws:sns:${ctx.region}:${ctx.accountId}:${name}`;
    return { physicalId: arn, attributes: { TopicArn: arn, TopicName: name } };
  }),
};
