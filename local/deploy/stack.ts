/**
 * The engine behind a stack: apply a template to what a stack holds (nothing, for a create) as CloudFormation does,
 * resource by resource in dependency order — added resources created, changed ones updated in place or replaced,
 * unchanged ones left alone — and report each step as the resource events CloudFormation writes. What the new
 * template no longer has (and what was replaced) is left for the cleanup, `destroy`; a failure leaves a journal
 * that `rollback` undoes. `fanout up` (./index.ts) and the CloudFormation twin both deploy through here.
 */
import { performance } from 'node:perf_hooks';
import type { DeployContext } from './context';
import { dependencyGraph, walk } from './graph';
import { resolve } from './intrinsics';
import { type HeldResource, RESOURCE_TYPES, type ResourceType, resourceType } from './resources';
import { StackScope } from './scope';
import { DeployError, type Template } from './template';

export interface StackResource extends HeldResource {
  live: boolean;
  /** What changes are judged by (the resolved properties, function code by its bytes). */
  fingerprint: string;
  /** When it was last created or updated (the twin's clock). */
  updated: number;
}

export interface StackState {
  template: Template;
  /** The value of every parameter the template declares. */
  parameters: Record<string, string>;
  resources: Map<string, StackResource>;
  outputs: Record<string, { value: string; description?: string; exportName?: string }>;
}

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'DELETE_SKIPPED';

/** One step of one resource, as DescribeStackEvents tells it. */
export interface ResourceEvent {
  logicalId: string;
  type: string;
  status: ResourceStatus;
  physicalId?: string;
  reason?: string;
  properties?: Record<string, unknown>;
  live?: boolean;
  /** How long the step took (on *_COMPLETE). */
  ms?: number;
}

export type OnResource = (event: ResourceEvent) => void;

/** What `applyTemplate` did, in order, so that a rollback can undo it. */
type JournalEntry =
  | { kind: 'created'; made: StackResource }
  | { kind: 'updated'; before: StackResource; after: StackResource }
  | { kind: 'replaced'; before: StackResource; after: StackResource };

/** A create or update that failed: which resource, why, and what had been done. */
export class StackOperationError extends Error {
  constructor(
    message: string,
    readonly logicalId: string | undefined,
    readonly journal: readonly JournalEntry[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StackOperationError';
  }
}

export interface Applied {
  state: StackState;
  /** Resources of the old state to remove now that the new one stands (removed from the template, or replaced). */
  cleanup: StackResource[];
  /** How many resources were created, updated or replaced. */
  changed: number;
}

/** Refuses, before anything is made, a template with a type the twin does not know or a broken reference. */
export function checkTemplate(template: Template): void {
  for (const [id, r] of Object.entries(template.Resources)) {
    if (!resourceType(r.Type))
      throw new DeployError(
        `Resource ${id} has type ${r.Type}, which the twin does not know. Known types: ${Object.keys(RESOURCE_TYPES).sort().join(', ')}`,
      );
  }
  dependencyGraph(template);
}

/** The scope a template resolves in for this stack. */
export function stackScope(
  ctx: DeployContext,
  template: Template,
  parameters: Record<string, string>,
  held: Map<string, HeldResource>,
  pending?: (logicalId: string) => string,
): StackScope {
  return new StackScope(template, { ...ctx, stackId: stackIdOf(ctx) }, parameters, held, pending);
}

export function stackIdOf(
  ctx: Pick<DeployContext, 'region' | 'accountId' | 'stackName'> & { stackId?: string },
): string {
  return (
    ctx.stackId ??
    `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/00000000-0000-0000-0000-000000000000`
  );
}

function fingerprintOf(ctx: DeployContext, type: ResourceType, props: Record<string, unknown>): string {
  return JSON.stringify(type.fingerprint ? type.fingerprint(ctx, props) : props);
}

/** A type the twin does not serve: creating it fails with that reason. */
function unservedType(type: string): ResourceType {
  return {
    live: false,
    create: () => {
      throw new DeployError(
        `Resource type ${type} is not served by the twin. Served types: ${Object.keys(RESOURCE_TYPES).sort().join(', ')}`,
      );
    },
  };
}

const REPLACING = 'Requested update requires the creation of a new physical resource; hence creating one.';

/**
 * Applies `template` to what `previous` holds (undefined: a new stack). Throws DeployError for a template that
 * cannot be deployed at all (nothing made), StackOperationError when a resource fails (the journal says what to undo).
 */
export async function applyTemplate(
  ctx: DeployContext,
  template: Template,
  previous: StackState | undefined,
  parameters: Record<string, string>,
  onResource: OnResource = () => {},
  opts: { unknownTypes?: 'refuse' | 'fail' } = {},
): Promise<Applied> {
  // `fanout up` refuses a template with an unknown type up front; CloudFormation fails at that resource and rolls back
  if (opts.unknownTypes !== 'fail') checkTemplate(template);
  const graph = dependencyGraph(template);
  const held = new Map<string, StackResource>();
  const scope = stackScope(ctx, template, parameters, held);
  const journal: JournalEntry[] = [];
  // once the first resources have been asked for (and wait: a stream for ACTIVE), the others prepare
  setImmediate(() => {
    for (const id of graph.order) {
      const resource = template.Resources[id]!;
      if (!scope.included(id)) continue;
      try {
        resourceType(resource.Type)?.prepare?.(ctx, resource.Properties ?? {});
      } catch {
        // made (and reported) in its turn
      }
    }
  });
  const make = async (id: string): Promise<void> => {
    if (!scope.included(id)) return;
    const resource = template.Resources[id]!;
    const type: ResourceType = resourceType(resource.Type) ?? unservedType(resource.Type);
    const old = previous?.resources.get(id);
    const t0 = performance.now();
    let props: Record<string, unknown> = {};
    const step = (status: ResourceStatus, extra: Partial<ResourceEvent> = {}): void =>
      onResource({ logicalId: id, type: resource.Type, status, live: type.live, ...extra });
    const inProgress: ResourceStatus = old ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS';
    try {
      props = (resolve(resource.Properties ?? {}, scope, id) ?? {}) as Record<string, unknown>;
      const fingerprint = fingerprintOf(ctx, type, props);
      if (old && old.type === resource.Type && old.fingerprint === fingerprint) {
        held.set(id, old);
        return;
      }
      const record = (made: { physicalId: string; attributes: Record<string, unknown> }): StackResource => ({
        logicalId: id,
        type: resource.Type,
        properties: props,
        ...made,
        live: type.live,
        fingerprint,
        updated: ctx.clock.now(),
      });
      if (!old) {
        step('CREATE_IN_PROGRESS', { properties: props });
        const made = record(await type.create(ctx, id, props));
        held.set(id, made);
        journal.push({ kind: 'created', made });
        step('CREATE_COMPLETE', { physicalId: made.physicalId, ms: performance.now() - t0 });
        return;
      }
      step('UPDATE_IN_PROGRESS', { physicalId: old.physicalId, properties: props });
      const inPlace = old.type === resource.Type && type.update ? await type.update(ctx, old, props) : undefined;
      if (inPlace) {
        const after = record(inPlace);
        held.set(id, after);
        journal.push({ kind: 'updated', before: old, after });
        step('UPDATE_COMPLETE', { physicalId: after.physicalId, ms: performance.now() - t0 });
        return;
      }
      step('UPDATE_IN_PROGRESS', { physicalId: old.physicalId, reason: REPLACING });
      const after = record(await type.create(ctx, id, props));
      held.set(id, after);
      journal.push({ kind: 'replaced', before: old, after });
      step('UPDATE_COMPLETE', { physicalId: after.physicalId, ms: performance.now() - t0 });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      step(inProgress === 'CREATE_IN_PROGRESS' ? 'CREATE_FAILED' : 'UPDATE_FAILED', {
        reason,
        ...(old ? { physicalId: old.physicalId } : {}),
      });
      throw new StackOperationError(`${id} (${resource.Type}) failed: ${reason}`, id, journal, { cause: error });
    }
  };
  try {
    await walk(graph, graph.order, make);
  } catch (error) {
    if (error instanceof StackOperationError)
      throw new StackOperationError(error.message, error.logicalId, journal, { cause: error.cause });
    throw new StackOperationError((error as Error).message, undefined, journal, { cause: error });
  }
  let outputs: StackState['outputs'];
  try {
    outputs = scope.outputs();
  } catch (error) {
    throw new StackOperationError((error as Error).message, undefined, journal, { cause: error });
  }
  // removed from the template (or excluded by a condition), and the old halves of replacements; updated ones stay
  const cleanup = [
    ...[...(previous?.resources.values() ?? [])].filter((r) => !held.has(r.logicalId)),
    ...journal.flatMap((e) => (e.kind === 'replaced' ? [e.before] : [])),
  ];
  return {
    state: { template, parameters: scope.parameterValues(), resources: held, outputs },
    cleanup,
    changed: journal.length,
  };
}

/**
 * Removes `resources` (made from `template`), dependents first, independent ones in parallel; each reports
 * DELETE_IN_PROGRESS and DELETE_COMPLETE (or DELETE_FAILED, and the first failure is thrown once the rest are done).
 */
export async function destroy(
  ctx: DeployContext,
  template: Template,
  resources: readonly StackResource[],
  onResource: OnResource = () => {},
): Promise<void> {
  const byId = new Map(resources.map((r) => [r.logicalId, r]));
  // resources of an older template may be gone from this one: they have no dependents left in it
  const all: Template = { ...template, Resources: { ...template.Resources } };
  for (const r of resources) all.Resources[r.logicalId] ??= { Type: r.type };
  let graph: ReturnType<typeof dependencyGraph>;
  try {
    graph = dependencyGraph(all);
  } catch {
    graph = {
      dependencies: new Map(resources.map((r) => [r.logicalId, []])),
      order: resources.map((r) => r.logicalId),
    };
  }
  let failure: unknown;
  await walk(
    graph,
    byId.keys(),
    async (id) => {
      const r = byId.get(id)!;
      const t0 = performance.now();
      onResource({ logicalId: id, type: r.type, status: 'DELETE_IN_PROGRESS', physicalId: r.physicalId });
      try {
        await resourceType(r.type)?.delete?.(ctx, r);
        onResource({
          logicalId: id,
          type: r.type,
          status: 'DELETE_COMPLETE',
          physicalId: r.physicalId,
          ms: performance.now() - t0,
        });
      } catch (error) {
        failure ??= error;
        onResource({
          logicalId: id,
          type: r.type,
          status: 'DELETE_FAILED',
          physicalId: r.physicalId,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    },
    { reverse: true },
  );
  if (failure) throw failure;
}

/**
 * Undoes what a failed `applyTemplate` did: resources it updated are put back to their old properties (newest
 * first), then what it created (and the new halves of replacements) is removed. `template` is the new template.
 */
export async function rollback(
  ctx: DeployContext,
  template: Template,
  failure: StackOperationError,
  onResource: OnResource = () => {},
): Promise<void> {
  for (const entry of [...failure.journal].reverse()) {
    if (entry.kind !== 'updated') continue;
    const type = resourceType(entry.before.type)!;
    onResource({
      logicalId: entry.before.logicalId,
      type: entry.before.type,
      status: 'UPDATE_IN_PROGRESS',
      physicalId: entry.after.physicalId,
    });
    await type.update!(ctx, entry.after, entry.before.properties);
    onResource({
      logicalId: entry.before.logicalId,
      type: entry.before.type,
      status: 'UPDATE_COMPLETE',
      physicalId: entry.before.physicalId,
    });
  }
  const made = failure.journal.flatMap((e) =>
    e.kind === 'created' ? [e.made] : e.kind === 'replaced' ? [e.after] : [],
  );
  await destroy(ctx, template, made, onResource);
}

/** One line of a change set. */
export interface PlannedChange {
  action: 'Add' | 'Modify' | 'Remove';
  logicalId: string;
  type: string;
  physicalId?: string;
  replacement?: 'True' | 'False';
}

/**
 * What applying `template` to `previous` would change, without changing anything (a change set): references to
 * resources not made yet resolve to placeholders, so a resource that depends on a new one shows as modified.
 */
export function plan(
  ctx: DeployContext,
  template: Template,
  previous: StackState | undefined,
  parameters: Record<string, string>,
): PlannedChange[] {
  dependencyGraph(template);
  const held = new Map<string, HeldResource>(previous?.resources ?? []);
  for (const id of held.keys()) if (!(id in template.Resources)) held.delete(id);
  const scope = stackScope(ctx, template, parameters, held, (id) => `{{pending:${id}}}`);
  const changes: PlannedChange[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!scope.included(id)) continue;
    const old = previous?.resources.get(id);
    if (!old) {
      changes.push({ action: 'Add', logicalId: id, type: resource.Type });
      continue;
    }
    const type = resourceType(resource.Type) ?? unservedType(resource.Type);
    const props = (resolve(resource.Properties ?? {}, scope, id) ?? {}) as Record<string, unknown>;
    let fingerprint: string;
    try {
      fingerprint = fingerprintOf(ctx, type, props);
    } catch {
      fingerprint = '';
    }
    if (old.type === resource.Type && fingerprint === old.fingerprint) continue;
    changes.push({
      action: 'Modify',
      logicalId: id,
      type: resource.Type,
      physicalId: old.physicalId,
      replacement: old.type === resource.Type && type.update ? 'False' : 'True',
    });
  }
  for (const old of previous?.resources.values() ?? [])
    if (!(old.logicalId in template.Resources) || !scope.included(old.logicalId))
      changes.push({ action: 'Remove', logicalId: old.logicalId, type: old.type, physicalId: old.physicalId });
  return changes;
}
