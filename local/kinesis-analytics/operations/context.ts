/**
 * What every operation of the control plane shares: the store, the clock, the lifecycle, the SQL compiler, and the
 * checks and steps common to them (find the application, check status and version, number configuration items,
 * compile the code, bump the version).
 */
import type { Clock } from '../../clock';
import { type SqlEngine, withDefaultMappings } from '../engine';
import { applicationNotFound, concurrentModification, itemNotFound, resourceInUse, toServiceError } from '../errors';
import type { ApplicationLifecycle } from '../lifecycle';
import type { ApplicationState, ApplicationStatus, ArnRole } from '../state';
import type { ApplicationStore } from '../store';

export interface OperationContext {
  readonly store: ApplicationStore;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly engine: Pick<SqlEngine, 'compile'>;
  readonly lifecycle: ApplicationLifecycle;
}

export function applicationArn(ctx: OperationContext, name: string): string {
  return `arn:aws:kinesisanalytics:${ctx.region}:${ctx.accountId}:application/${name}`;
}

export function findApplication(ctx: OperationContext, name: string): ApplicationState {
  const app = ctx.store.get(name);
  if (!app) throw applicationNotFound(name);
  return app;
}

export function findApplicationByArn(ctx: OperationContext, arn: string): ApplicationState {
  const app = ctx.store.list().find((a) => a.arn === arn);
  if (!app) throw applicationNotFound(arn);
  return app;
}

export function requireStatus(app: ApplicationState, allowed: ApplicationStatus[], operation: string): void {
  if (!allowed.includes(app.status)) {
    throw resourceInUse(`Application ${app.name} is ${app.status}; ${operation} needs it ${allowed.join(' or ')}`);
  }
}

export function requireVersion(app: ApplicationState, given: number): void {
  if (given !== app.versionId) {
    throw concurrentModification(
      `CurrentApplicationVersionId ${String(given)} is not the current version (${app.versionId}) of application ${app.name}; describe it and retry`,
    );
  }
}

/** An application whose configuration may change now: current version given, READY or RUNNING. */
export function modifiable(
  ctx: OperationContext,
  input: { ApplicationName: string; CurrentApplicationVersionId: number },
  operation: string,
): ApplicationState {
  const app = findApplication(ctx, input.ApplicationName);
  requireStatus(app, ['READY', 'RUNNING'], operation);
  requireVersion(app, input.CurrentApplicationVersionId);
  return app;
}

/** The next version of a changed configuration, kept; a running application takes it at once. */
export function bumpVersion(ctx: OperationContext, app: ApplicationState, reconfigure = true): void {
  app.versionId += 1;
  app.lastUpdateTimestamp = ctx.clock.now();
  ctx.store.put(app);
  if (reconfigure) ctx.lifecycle.reconfigured(app);
}

/** Configuration ids read `<version>.<n>`: the version that added the item, then its rank within it. */
export function nextId<K extends string>(
  app: ApplicationState,
  items: Record<K, string>[],
  key: K,
  nextVersion = false,
): string {
  const version = app.versionId + (nextVersion ? 1 : 0);
  const taken = items.filter((item) => item[key].startsWith(`${version}.`)).length;
  return `${version}.${taken + 1}`;
}

/** Compiles the code against the input schema so bad SQL fails the request, as the service does. */
export function checkCode(ctx: OperationContext, app: ApplicationState): void {
  const input = app.inputs[0];
  if (app.code === undefined || app.code.trim() === '' || !input) return;
  try {
    ctx.engine.compile(app.code, { schema: withDefaultMappings(input.InputSchema), namePrefix: input.NamePrefix });
  } catch (error) {
    throw toServiceError(error);
  }
}

export function findById<K extends string, T extends Record<K, string>>(
  items: T[],
  key: K,
  id: string,
  what: string,
): T {
  const item = items.find((x) => x[key] === id);
  if (!item) throw itemNotFound(what, id);
  return item;
}

export function pickArnRole(value: ArnRole): ArnRole {
  return { ResourceARN: value.ResourceARN, RoleARN: value.RoleARN };
}

/** An ARN/role pair with the members an update names replaced. */
export function updatedArnRole(
  current: ArnRole | undefined,
  update: { ResourceARNUpdate?: string; RoleARNUpdate?: string },
): ArnRole {
  return {
    ResourceARN: update.ResourceARNUpdate ?? current?.ResourceARN ?? '',
    RoleARN: update.RoleARNUpdate ?? current?.RoleARN ?? '',
  };
}
