/**
 * What a stack goes through, with the statuses and events CloudFormation reports: create (-> CREATE_COMPLETE, or
 * ROLLBACK_IN_PROGRESS -> ROLLBACK_COMPLETE with nothing left), update (-> UPDATE_COMPLETE_CLEANUP_IN_PROGRESS ->
 * UPDATE_COMPLETE, or UPDATE_ROLLBACK_* back to what stood), delete (-> DELETE_COMPLETE, or DELETE_FAILED). Each
 * runs in the background after the call that started it answered, on the deploy engine (local/deploy/stack.ts).
 * Every event and status goes through the store's `changed()`; with `--data-dir` a status that ends an operation is
 * written only after what the resources' services were told is durable (`deps.flush`), so a stack kept across a
 * crash never names a resource its service forgot.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock';
import {
  applyTemplate,
  type DeployContext,
  type DeployTarget,
  deployContext,
  destroy,
  pruneCodeCache,
  type ResourceEvent,
  rollback,
  StackOperationError,
  type StackState,
} from '../deploy';
import type { Template } from '../deploy/template';
import type { Stack, StackStatus, StackStore } from './store';

export interface LifecycleDeps {
  target: DeployTarget;
  clock: Clock;
  codeRoot: string;
  /** Function code named by Code.S3Bucket/S3Key (the S3 twin). */
  readArtifact(code: { S3Bucket?: string; S3Key: string }): { bytes: Buffer; source: string };
  /** Resolves once what the deploy changed in the target's services is durable (at once without a data dir). */
  flush?(): Promise<void>;
}

const STACK_TYPE = 'AWS::CloudFormation::Stack';

export class StackLifecycle {
  constructor(
    private readonly deps: LifecycleDeps,
    private readonly store: StackStore,
  ) {}

  private context(stack: Stack, template: Template): DeployContext {
    const ctx = deployContext(this.deps.target, template, stack.name, {
      codeRoot: this.deps.codeRoot,
      artifacts: this.deps.readArtifact,
    });
    return { ...ctx, stackId: stack.id };
  }

  /** Puts an event on the stack (DescribeStackEvents shows the newest first). */
  event(
    stack: Stack,
    e: { logicalId: string; type: string; status: string; physicalId?: string; reason?: string; properties?: unknown },
  ): void {
    stack.events.push({
      EventId:
        e.type === STACK_TYPE
          ? randomUUID()
          : `${e.logicalId}-${e.status}-${new Date(this.deps.clock.now()).toISOString()}`,
      StackId: stack.id,
      StackName: stack.name,
      LogicalResourceId: e.logicalId,
      ResourceType: e.type,
      Timestamp: this.deps.clock.now(),
      ResourceStatus: e.status,
      ...(e.physicalId !== undefined ? { PhysicalResourceId: e.physicalId } : {}),
      ...(e.reason !== undefined ? { ResourceStatusReason: e.reason } : {}),
      ...(e.properties !== undefined ? { ResourceProperties: JSON.stringify(e.properties) } : {}),
    });
    if (e.type !== STACK_TYPE) stack.resourceStatus.set(e.logicalId, e.status);
    this.store.changed({ type: 'event', stack, index: stack.events.length - 1 });
  }

  /** The stack's status (and its event); the stack as it now is goes to the journal. */
  status(stack: Stack, status: StackStatus, reason?: string): void {
    stack.status = status;
    if (reason === undefined) delete stack.statusReason;
    else stack.statusReason = reason;
    this.event(stack, {
      logicalId: stack.name,
      type: STACK_TYPE,
      status,
      physicalId: stack.id,
      ...(reason !== undefined ? { reason } : {}),
    });
    this.store.changed({ type: 'stack-put', stack });
  }

  /** A status that follows resource changes: written once those changes are durable in their services. */
  private async settled(stack: Stack, status: StackStatus, reason?: string): Promise<void> {
    await this.deps.flush?.();
    this.status(stack, status, reason);
  }

  private onResource(stack: Stack): (e: ResourceEvent) => void {
    return (e) =>
      this.event(stack, {
        logicalId: e.logicalId,
        type: e.type,
        status: e.status,
        ...(e.physicalId !== undefined ? { physicalId: e.physicalId } : {}),
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
        ...(e.properties !== undefined ? { properties: e.properties } : {}),
      });
  }

  /**
   * A create or update that failed: the stack's own `CREATE_FAILED`/`UPDATE_FAILED` event when no resource failed
   * (a resource that failed has its event already), and the reason the stack's next status gives.
   */
  private stackFailed(
    stack: Stack,
    error: unknown,
    verb: 'create' | 'update',
  ): { failure: StackOperationError; reason: string } {
    const failure = asFailure(error);
    if (failure.logicalId === undefined) {
      const status = verb === 'create' ? 'CREATE_FAILED' : 'UPDATE_FAILED';
      this.event(stack, { logicalId: stack.name, type: STACK_TYPE, status, reason: failure.message });
      return { failure, reason: failure.message };
    }
    return { failure, reason: `The following resource(s) failed to ${verb}: [${failure.logicalId}]. ` };
  }

  private run(stack: Stack, work: () => Promise<void>): void {
    const running = work().catch((error: unknown) => {
      process.stderr.write(`twin: cloudformation: ${stack.name}: ${(error as Error).stack ?? String(error)}\n`);
    });
    stack.running = running.finally(() => {
      if (stack.running === running) delete stack.running;
    });
  }

  create(stack: Stack, template: Template, parameters: Record<string, string>): void {
    this.status(stack, 'CREATE_IN_PROGRESS', 'User Initiated');
    this.run(stack, async () => {
      const ctx = this.context(stack, template);
      try {
        const applied = await applyTemplate(ctx, template, undefined, parameters, this.onResource(stack), {
          unknownTypes: 'fail',
        });
        stack.state = applied.state;
        pruneCodeCache(ctx);
        await this.settled(stack, 'CREATE_COMPLETE');
      } catch (error) {
        const { failure, reason } = this.stackFailed(stack, error, 'create');
        if (stack.disableRollback) {
          await this.settled(stack, 'CREATE_FAILED', reason);
          return;
        }
        this.status(stack, 'ROLLBACK_IN_PROGRESS', `${reason} Rollback requested by user.`);
        try {
          await rollback(ctx, template, failure, this.onResource(stack));
          await this.settled(stack, 'ROLLBACK_COMPLETE');
        } catch (rollbackError) {
          await this.settled(stack, 'ROLLBACK_FAILED', (rollbackError as Error).message);
        }
      }
    });
  }

  update(stack: Stack, template: Template, parameters: Record<string, string>, body: string): void {
    const previous = stack.state!;
    const previousBody = stack.templateBody;
    stack.templateBody = body;
    stack.updated = this.deps.clock.now();
    this.status(stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    this.run(stack, async () => {
      const ctx = this.context(stack, template);
      try {
        const applied = await applyTemplate(ctx, template, previous, parameters, this.onResource(stack), {
          unknownTypes: 'fail',
        });
        // what stands is the new state from here (written with the status)
        stack.state = applied.state;
        await this.settled(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
        // CloudFormation finishes an update whose cleanup fails: what it could not remove is DELETE_FAILED
        await destroy(ctx, previous.template, applied.cleanup, this.onResource(stack)).catch(() => undefined);
        for (const r of applied.cleanup)
          if (!applied.state.resources.has(r.logicalId)) stack.resourceStatus.delete(r.logicalId);
        pruneCodeCache(ctx);
        await this.settled(stack, 'UPDATE_COMPLETE');
      } catch (error) {
        const { failure, reason } = this.stackFailed(stack, error, 'update');
        this.status(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
        try {
          await rollback(ctx, template, failure, this.onResource(stack));
          this.status(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
          stack.state = previous;
          stack.templateBody = previousBody;
          for (const id of [...stack.resourceStatus.keys()])
            if (!previous.resources.has(id)) stack.resourceStatus.delete(id);
          await this.settled(stack, 'UPDATE_ROLLBACK_COMPLETE');
        } catch (rollbackError) {
          await this.settled(stack, 'UPDATE_ROLLBACK_FAILED', (rollbackError as Error).message);
        }
      }
    });
  }

  delete(stack: Stack): void {
    this.status(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    this.run(stack, async () => {
      const state: StackState | undefined = stack.state;
      if (state) {
        const keep = (id: string) => state.template.Resources[id]?.DeletionPolicy === 'Retain';
        const resources = [...state.resources.values()];
        for (const r of resources.filter((r) => keep(r.logicalId)))
          this.event(stack, {
            logicalId: r.logicalId,
            type: r.type,
            status: 'DELETE_SKIPPED',
            physicalId: r.physicalId,
          });
        try {
          await destroy(
            this.context(stack, state.template),
            state.template,
            resources.filter((r) => !keep(r.logicalId)),
            this.onResource(stack),
          );
        } catch {
          const failed = [...stack.resourceStatus].filter(([, s]) => s === 'DELETE_FAILED').map(([id]) => id);
          for (const r of resources)
            if (stack.resourceStatus.get(r.logicalId) === 'DELETE_COMPLETE') state.resources.delete(r.logicalId);
          await this.settled(
            stack,
            'DELETE_FAILED',
            `The following resource(s) failed to delete: [${failed.join(', ')}]. `,
          );
          return;
        }
      }
      stack.deleted = this.deps.clock.now();
      stack.resourceStatus.clear();
      await this.settled(stack, 'DELETE_COMPLETE');
    });
  }
}

function asFailure(error: unknown): StackOperationError {
  if (error instanceof StackOperationError) return error;
  return new StackOperationError((error as Error).message ?? String(error), undefined, [], { cause: error });
}
