/** Reading stacks: DescribeStacks, ListStacks, DescribeStackEvents, the resource reads, GetTemplate, ListExports. */
import type {
  DescribeStackEventsInput,
  DescribeStackResourceInput,
  DescribeStackResourcesInput,
  DescribeStacksInput,
  GetTemplateInput,
  ListStackResourcesInput,
} from '@aws-sdk/client-cloudformation';
import { cfnError } from '../errors';
import type { Stack, StackStore } from '../store';

const PAGE = 100;

function page<T>(items: T[], token: string | undefined): { items: T[]; NextToken?: string } {
  const from = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
  const slice = items.slice(from, from + PAGE);
  return {
    items: slice,
    ...(from + PAGE < items.length ? { NextToken: Buffer.from(String(from + PAGE)).toString('base64') } : {}),
  };
}

export function stackDescription(s: Stack): Record<string, unknown> {
  const outputs =
    s.state &&
    [
      'CREATE_COMPLETE',
      'UPDATE_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
    ].includes(s.status)
      ? Object.entries(s.state.outputs).map(([k, o]) => ({
          OutputKey: k,
          OutputValue: o.value,
          ...(o.description ? { Description: o.description } : {}),
          ...(o.exportName ? { ExportName: o.exportName } : {}),
        }))
      : undefined;
  return {
    StackId: s.id,
    StackName: s.name,
    ...(s.description ? { Description: s.description } : {}),
    Parameters: Object.entries(s.state?.parameters ?? {}).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v })),
    CreationTime: s.created,
    ...(s.updated !== undefined ? { LastUpdatedTime: s.updated } : {}),
    ...(s.deleted !== undefined ? { DeletionTime: s.deleted } : {}),
    StackStatus: s.status,
    ...(s.statusReason ? { StackStatusReason: s.statusReason } : {}),
    DisableRollback: s.disableRollback,
    NotificationARNs: [],
    Capabilities: s.capabilities,
    ...(outputs ? { Outputs: outputs } : {}),
    Tags: s.tags,
    EnableTerminationProtection: s.terminationProtection,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}

export function describeStacks(store: StackStore, input: DescribeStacksInput): Record<string, unknown> {
  const stacks = input.StackName ? [store.get(input.StackName)] : store.live();
  const p = page(stacks, input.NextToken);
  return { Stacks: p.items.map(stackDescription), ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
}

export function listStacks(
  store: StackStore,
  input: { StackStatusFilter?: string[]; NextToken?: string },
): Record<string, unknown> {
  const filter = input.StackStatusFilter?.length ? new Set(input.StackStatusFilter) : undefined;
  const p = page(
    store.all().filter((s) => !filter || filter.has(s.status)),
    input.NextToken,
  );
  return {
    StackSummaries: p.items.map((s) => ({
      StackId: s.id,
      StackName: s.name,
      CreationTime: s.created,
      ...(s.updated !== undefined ? { LastUpdatedTime: s.updated } : {}),
      ...(s.deleted !== undefined ? { DeletionTime: s.deleted } : {}),
      StackStatus: s.status,
      ...(s.statusReason ? { StackStatusReason: s.statusReason } : {}),
      DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    })),
    ...(p.NextToken ? { NextToken: p.NextToken } : {}),
  };
}

export function describeStackEvents(store: StackStore, input: DescribeStackEventsInput): Record<string, unknown> {
  const stack = store.get(String(input.StackName ?? ''));
  const p = page([...stack.events].reverse(), input.NextToken);
  return { StackEvents: p.items, ...(p.NextToken ? { NextToken: p.NextToken } : {}) };
}

function resourcesOf(stack: Stack) {
  return [...(stack.state?.resources.values() ?? [])].map((r) => ({
    r,
    status: stack.resourceStatus.get(r.logicalId) ?? 'CREATE_COMPLETE',
  }));
}

export function describeStackResource(store: StackStore, input: DescribeStackResourceInput): Record<string, unknown> {
  const stack = store.get(String(input.StackName ?? ''));
  const found = resourcesOf(stack).find(({ r }) => r.logicalId === input.LogicalResourceId);
  if (!found)
    throw cfnError('ValidationError', `Resource ${input.LogicalResourceId} does not exist for stack ${stack.name}`);
  return {
    StackResourceDetail: {
      StackName: stack.name,
      StackId: stack.id,
      LogicalResourceId: found.r.logicalId,
      PhysicalResourceId: found.r.physicalId,
      ResourceType: found.r.type,
      LastUpdatedTimestamp: found.r.updated,
      ResourceStatus: found.status,
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    },
  };
}

export function describeStackResources(store: StackStore, input: DescribeStackResourcesInput): Record<string, unknown> {
  const stack = input.StackName
    ? store.get(input.StackName)
    : store
        .live()
        .find((s) => [...(s.state?.resources.values() ?? [])].some((r) => r.physicalId === input.PhysicalResourceId));
  if (!stack) throw cfnError('ValidationError', `Stack for ${input.PhysicalResourceId} does not exist`);
  return {
    StackResources: resourcesOf(stack)
      .filter(({ r }) => !input.LogicalResourceId || r.logicalId === input.LogicalResourceId)
      .map(({ r, status }) => ({
        StackName: stack.name,
        StackId: stack.id,
        LogicalResourceId: r.logicalId,
        PhysicalResourceId: r.physicalId,
        ResourceType: r.type,
        Timestamp: r.updated,
        ResourceStatus: status,
        DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
      })),
  };
}

export function listStackResources(store: StackStore, input: ListStackResourcesInput): Record<string, unknown> {
  const stack = store.get(String(input.StackName ?? ''));
  const p = page(resourcesOf(stack), input.NextToken);
  return {
    StackResourceSummaries: p.items.map(({ r, status }) => ({
      LogicalResourceId: r.logicalId,
      PhysicalResourceId: r.physicalId,
      ResourceType: r.type,
      LastUpdatedTimestamp: r.updated,
      ResourceStatus: status,
      DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
    })),
    ...(p.NextToken ? { NextToken: p.NextToken } : {}),
  };
}

export function getTemplate(store: StackStore, input: GetTemplateInput): Record<string, unknown> {
  const stack = store.get(String(input.StackName ?? ''));
  if (input.ChangeSetName) {
    const cs = [...stack.changeSets.values()].find(
      (c) => c.name === input.ChangeSetName || c.id === input.ChangeSetName,
    );
    if (!cs) throw cfnError('ChangeSetNotFound', `ChangeSet [${input.ChangeSetName}] does not exist`);
    return { TemplateBody: cs.templateBody, StagesAvailable: ['Original', 'Processed'] };
  }
  return { TemplateBody: stack.templateBody, StagesAvailable: ['Original', 'Processed'] };
}

export function listExports(store: StackStore): Record<string, unknown> {
  return {
    Exports: store
      .live()
      .flatMap((s) =>
        Object.values(s.state?.outputs ?? {}).flatMap((o) =>
          o.exportName ? [{ ExportingStackId: s.id, Name: o.exportName, Value: o.value }] : [],
        ),
      ),
  };
}
