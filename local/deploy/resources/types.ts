/**
 * One resource type of the twin's CloudFormation: how to make it, change it in place and remove it. The table of
 * every known type is `RESOURCE_TYPES` in ./index.ts; its keys are the list of types the twin deploys.
 */
import type { DeployContext, Made } from '../context';

/** A resource as a stack holds it: what was made, from which resolved properties. */
export interface HeldResource extends Made {
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
}

export interface ResourceType {
  /** true when a twin service makes the resource real; false when it is only recorded with AWS's names and ARNs. */
  readonly live: boolean;
  create(ctx: DeployContext, logicalId: string, properties: Record<string, unknown>): Promise<Made> | Made;
  /**
   * Changes the resource in place to `properties`. Absent, or answering undefined (a property that cannot change in
   * place changed): CloudFormation replaces it, the new one made first and the old one removed at cleanup.
   */
  update?(ctx: DeployContext, held: HeldResource, properties: Record<string, unknown>): Promise<Made | undefined>;
  /** Removes the resource (absent: nothing to remove, as for recorded types). */
  delete?(ctx: DeployContext, held: HeldResource): Promise<void> | void;
  /**
   * Makes whole again what a resource kept across a restart (`--data-dir`) has outside the data directory (a
   * function's unpacked code, which lies in the project's code cache: deleted, or pruned by another twin).
   */
  restore?(ctx: DeployContext, held: HeldResource): void;
  /** What a change is judged by (default: the resolved properties); function code by the SHA-256 of its zip. */
  fingerprint?(ctx: DeployContext, properties: Record<string, unknown>): unknown;
  /**
   * Work done ahead of the resource's turn from its unresolved properties, while the resources it waits for are
   * made (a function's zip read, hashed and unpacked while the streams become ACTIVE). Best effort: whatever it
   * cannot do, or fails at, is done (and reported) when the resource is made.
   */
  prepare?(ctx: DeployContext, properties: Record<string, unknown>): void;
}

/** A type that no twin service serves: its name and attributes are computed as AWS would give them. */
export function recorded(
  create: (ctx: DeployContext, logicalId: string, p: Record<string, unknown>) => Made,
): ResourceType {
  return { live: false, create, update: async (ctx, held, p) => create(ctx, held.logicalId, p) };
}

/** Properties whose change means a new resource (the rest change in place through `update`). */
export function replaces(previous: Record<string, unknown>, next: Record<string, unknown>, keys: string[]): boolean {
  return keys.some((k) => JSON.stringify(previous[k]) !== JSON.stringify(next[k]));
}
