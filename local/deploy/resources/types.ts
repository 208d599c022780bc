/**
 * One resource type of the twin's CloudFormation: how to make it. The table of every known type is
 * `RESOURCE_TYPES` in ./index.ts; its keys are the list of types the twin deploys.
 */
import type { DeployContext, Made } from '../context';

export interface ResourceType {
  /** true when a twin service makes the resource real; false when it is only recorded with AWS's names and ARNs. */
  readonly live: boolean;
  create(ctx: DeployContext, logicalId: string, properties: Record<string, unknown>): Promise<Made> | Made;
}

/** A type that no twin service serves: its name and attributes are computed as AWS would give them. */
export function recorded(
  create: (ctx: DeployContext, logicalId: string, p: Record<string, unknown>) => Made,
): ResourceType {
  return { live: false, create };
}
