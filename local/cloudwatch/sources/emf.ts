/**
 * CloudWatch embedded metric format: a log line holding a JSON object whose `_aws.CloudWatchMetrics` directives
 * name metrics (members of the same object) and dimension sets (members too), as Powertools Metrics writes them.
 * CloudWatch Logs extracts one datapoint per metric value per dimension set; so does the twin, from the function
 * log lines. Lines that are not EMF (or not valid EMF) are left alone, as CloudWatch leaves them.
 */
import type { Dimension } from '@aws-sdk/client-cloudwatch';

export interface EmfDatapoint {
  at: number;
  namespace: string;
  metricName: string;
  dimensions: Dimension[];
  value: number;
  unit?: string;
}

interface Directive {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

const MAX_DIMENSIONS = 30;
const MAX_METRICS = 100;

/** The datapoints of one log line (`<time>\t<request id>\tINFO\t{...}` or a bare JSON line); [] when not EMF. */
export function emfDatapoints(message: string, loggedAt: number): EmfDatapoint[] {
  if (!message.includes('"_aws"')) return [];
  const start = message.indexOf('{');
  if (start < 0) return [];
  let root: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(message.slice(start));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
    root = parsed as Record<string, unknown>;
  } catch {
    return [];
  }
  const aws = root['_aws'] as { Timestamp?: unknown; CloudWatchMetrics?: unknown } | undefined;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics)) return [];
  const at = typeof aws.Timestamp === 'number' && Number.isFinite(aws.Timestamp) ? aws.Timestamp : loggedAt;
  const out: EmfDatapoint[] = [];
  for (const directive of aws.CloudWatchMetrics as Directive[]) {
    const namespace = directive?.Namespace;
    if (typeof namespace !== 'string' || namespace.length === 0 || namespace.startsWith('AWS/')) continue;
    if (!Array.isArray(directive.Metrics) || directive.Metrics.length > MAX_METRICS) continue;
    const sets = Array.isArray(directive.Dimensions) ? (directive.Dimensions as unknown[]) : [[]];
    for (const set of sets) {
      const dimensions = dimensionsOf(set, root);
      if (!dimensions) continue;
      for (const metric of directive.Metrics as { Name?: unknown; Unit?: unknown }[]) {
        if (typeof metric?.Name !== 'string') continue;
        const raw = root[metric.Name];
        const values = Array.isArray(raw) ? raw : [raw];
        for (const value of values) {
          if (typeof value !== 'number' || !Number.isFinite(value)) continue;
          out.push({
            at,
            namespace,
            metricName: metric.Name,
            dimensions,
            value,
            ...(typeof metric.Unit === 'string' ? { unit: metric.Unit } : {}),
          });
        }
      }
    }
  }
  return out;
}

function dimensionsOf(set: unknown, root: Record<string, unknown>): Dimension[] | undefined {
  if (!Array.isArray(set) || set.length > MAX_DIMENSIONS) return undefined;
  const dims: Dimension[] = [];
  for (const name of set) {
    const value = typeof name === 'string' ? root[name] : undefined;
    if (typeof value !== 'string') return undefined;
    dims.push({ Name: name as string, Value: value });
  }
  return dims;
}
