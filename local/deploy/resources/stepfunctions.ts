/** State machines, made in the Step Functions twin, with their logging configuration (local/logs writes it). */
import type { LoggingConfiguration } from '@aws-sdk/client-sfn';
import { type DeployContext, generatedName, type Made, str } from '../context';
import { stringify } from '../intrinsics';
import { DeployError } from '../template';
import { gone } from './kinesis';
import { type HeldResource, type ResourceType, replaces } from './types';

/** The definition text of a state machine resource, with its DefinitionSubstitutions applied. */
export function definitionOf(p: Record<string, unknown>): string {
  let definition: string;
  if (typeof p['DefinitionString'] === 'string') definition = p['DefinitionString'];
  else if (p['Definition'] !== undefined) definition = JSON.stringify(p['Definition']);
  else throw new DeployError('DefinitionString or Definition is required');
  const subs = p['DefinitionSubstitutions'] as Record<string, unknown> | undefined;
  if (subs) definition = definition.replace(/\$\{([^}]+)\}/g, (w, k: string) => (k in subs ? stringify(subs[k]) : w));
  return definition;
}

/**
 * CloudFormation's LoggingConfiguration (Level, IncludeExecutionData, Destinations[].CloudWatchLogsLogGroup.
 * LogGroupArn) as Step Functions takes it; OFF when the template has none.
 */
export function loggingOf(p: Record<string, unknown>): LoggingConfiguration {
  const c = p['LoggingConfiguration'] as
    | { Level?: unknown; IncludeExecutionData?: unknown; Destinations?: unknown }
    | undefined;
  const arns = (Array.isArray(c?.Destinations) ? c.Destinations : [])
    .map((d) => str((d as { CloudWatchLogsLogGroup?: { LogGroupArn?: unknown } }).CloudWatchLogsLogGroup?.LogGroupArn))
    .filter((arn): arn is string => arn !== undefined);
  const level = str(c?.Level) ?? 'OFF';
  if (!['ALL', 'ERROR', 'FATAL', 'OFF'].includes(level))
    throw new DeployError(`LoggingConfiguration.Level must be ALL, ERROR, FATAL or OFF, got ${JSON.stringify(level)}`);
  return {
    level: level as NonNullable<LoggingConfiguration['level']>,
    includeExecutionData: c?.IncludeExecutionData === true || c?.IncludeExecutionData === 'true',
    destinations: arns.map((logGroupArn) => ({ cloudWatchLogsLogGroup: { logGroupArn } })),
  };
}

function createStateMachine(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const name = str(p['StateMachineName']) ?? generatedName(ctx, id, 80);
  const roleArn = str(p['RoleArn']) ?? `arn:aws:iam::${ctx.accountId}:role/${generatedName(ctx, `${id}Role`)}`;
  const out = ctx.target.stepFunctions.createStateMachine({
    name,
    definition: definitionOf(p),
    roleArn,
    type: p['StateMachineType'] === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    loggingConfiguration: loggingOf(p),
  });
  return { physicalId: out.stateMachineArn, attributes: { Arn: out.stateMachineArn, Name: name } };
}

/** A new definition or role in place: running executions finish on the definition they started with. */
async function updateStateMachine(
  ctx: DeployContext,
  held: HeldResource,
  p: Record<string, unknown>,
): Promise<Made | undefined> {
  if (replaces(held.properties, p, ['StateMachineName', 'StateMachineType'])) return undefined;
  const roleArn = str(p['RoleArn']) ?? String(held.properties['RoleArn'] ?? '');
  ctx.target.stepFunctions.updateStateMachine({
    stateMachineArn: held.physicalId,
    definition: definitionOf(p),
    roleArn,
    loggingConfiguration: loggingOf(p),
  });
  return { physicalId: held.physicalId, attributes: held.attributes };
}

async function deleteStateMachine(ctx: DeployContext, held: HeldResource): Promise<void> {
  await gone(ctx.target.stepFunctions.deleteStateMachine({ stateMachineArn: held.physicalId }));
}

export const STEP_FUNCTIONS_TYPES: Record<string, ResourceType> = {
  'AWS::StepFunctions::StateMachine': {
    live: true,
    create: createStateMachine,
    update: updateStateMachine,
    delete: deleteStateMachine,
  },
};
