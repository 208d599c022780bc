/**
 * Dashboards as recorded resources: PutDashboard (the body checked as CloudWatch checks its structure: a JSON
 * object with a `widgets` array, each widget a known type, metric widgets with their metrics and region),
 * GetDashboard, ListDashboards and DeleteDashboards. The twin draws nothing.
 */
import type {
  DeleteDashboardsInput,
  GetDashboardInput,
  GetDashboardOutput,
  ListDashboardsInput,
  ListDashboardsOutput,
  PutDashboardInput,
  PutDashboardOutput,
} from '@aws-sdk/client-cloudwatch';
import type { Answer } from '../../sdk-shapes';
import { errors } from '../errors';
import type { CloudWatchStore } from '../store';

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const WIDGET_TYPES = new Set(['metric', 'text', 'log', 'alarm', 'explorer', 'custom']);

export function dashboardArn(accountId: string, name: string): string {
  return `arn:aws:cloudwatch::${accountId}:dashboard/${name}`;
}

type Message = { DataPath: string; Message: string };

/** What is wrong with a dashboard body, as CloudWatch's validation messages say it; empty when it is fine. */
export function dashboardProblems(body: string): Message[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return [{ DataPath: '', Message: `Invalid JSON: ${(error as Error).message}` }];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    return [{ DataPath: '', Message: 'Should be object' }];
  const widgets = (parsed as { widgets?: unknown }).widgets;
  if (!Array.isArray(widgets)) return [{ DataPath: '', Message: "Should have required property 'widgets'" }];
  const problems: Message[] = [];
  widgets.forEach((widget: unknown, i) => {
    const path = `/widgets/${i}`;
    if (widget === null || typeof widget !== 'object') {
      problems.push({ DataPath: path, Message: 'Should be object' });
      return;
    }
    const w = widget as { type?: unknown; properties?: unknown };
    if (typeof w.type !== 'string' || !WIDGET_TYPES.has(w.type)) {
      problems.push({ DataPath: `${path}/type`, Message: `Should be one of ${[...WIDGET_TYPES].join(', ')}` });
      return;
    }
    if (w.properties === null || typeof w.properties !== 'object') {
      problems.push({ DataPath: path, Message: "Should have required property 'properties'" });
      return;
    }
    if (w.type !== 'metric') return;
    const p = w.properties as { metrics?: unknown; region?: unknown };
    if (typeof p.region !== 'string')
      problems.push({ DataPath: `${path}/properties`, Message: "Should have required property 'region'" });
    if (!Array.isArray(p.metrics) || p.metrics.some((m) => !Array.isArray(m)))
      problems.push({ DataPath: `${path}/properties/metrics`, Message: 'Should be array of arrays' });
  });
  return problems;
}

function checkName(name: string | undefined): string {
  if (name === undefined || !NAME.test(name))
    throw errors.invalidValue(
      'The value for field DashboardName contains invalid characters. It can only contain alphanumerics, dash (-) and underscore (_).',
    );
  return name;
}

export function putDashboard(
  store: CloudWatchStore,
  input: PutDashboardInput,
  now: number,
): Answer<PutDashboardOutput> {
  const name = checkName(input.DashboardName);
  const problems = dashboardProblems(input.DashboardBody!);
  if (problems.length > 0) throw errors.dashboardInvalid(problems);
  store.dashboards.set(name, { name, body: input.DashboardBody!, lastModified: now });
  return { DashboardValidationMessages: [] };
}

export function getDashboard(
  store: CloudWatchStore,
  input: GetDashboardInput,
  accountId: string,
): Answer<GetDashboardOutput> {
  const name = input.DashboardName!;
  const d = store.dashboards.get(name);
  if (!d) throw errors.dashboardNotFound(name);
  return { DashboardArn: dashboardArn(accountId, name), DashboardName: name, DashboardBody: d.body };
}

export function listDashboards(
  store: CloudWatchStore,
  input: ListDashboardsInput,
  accountId: string,
): Answer<ListDashboardsOutput> {
  return {
    DashboardEntries: [...store.dashboards.values()]
      .filter((d) => input.DashboardNamePrefix === undefined || d.name.startsWith(input.DashboardNamePrefix))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((d) => ({
        DashboardName: d.name,
        DashboardArn: dashboardArn(accountId, d.name),
        LastModified: new Date(d.lastModified),
        Size: Buffer.byteLength(d.body),
      })),
  };
}

/** DeleteDashboards: all of them, or none when one is not there. */
export function deleteDashboards(store: CloudWatchStore, input: DeleteDashboardsInput): void {
  const names = input.DashboardNames ?? [];
  for (const n of names) if (!store.dashboards.has(n)) throw errors.dashboardNotFound(n);
  for (const n of names) store.dashboards.delete(n);
}
