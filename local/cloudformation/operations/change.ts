/** Changing stacks: Create/Update/DeleteStack and change sets (Create, Describe, Execute, Delete, List). */
import { randomUUID } from 'node:crypto';
import type {
  CreateChangeSetInput,
  CreateStackInput,
  DeleteChangeSetInput,
  DeleteStackInput,
  DescribeChangeSetInput,
  ExecuteChangeSetInput,
  UpdateStackInput,
} from '@aws-sdk/client-cloudformation';
import type { Template } from '../../deploy/template';
import type { CloudFormationTwin } from '..';
import { cfnError, stackMissing } from '../errors';
import type { ChangeSet, Stack } from '../store';
import { readTemplateSource, validation } from '../templates';

const STABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'ROLLBACK_COMPLETE',
  'REVIEW_IN_PROGRESS',
  'DELETE_FAILED',
  'CREATE_FAILED',
  'UPDATE_ROLLBACK_FAILED',
]);

const NO_CHANGES =
  "The submitted information didn't contain changes. Submit different information to create a change set.";
const NAME = /^[a-zA-Z][-a-zA-Z0-9]{0,127}$/;

function parameters(
  template: Template,
  given:
    | {
        ParameterKey?: string | undefined;
        ParameterValue?: string | undefined;
        UsePreviousValue?: boolean | undefined;
      }[]
    | undefined,
  previous?: Record<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of given ?? []) {
    if (!p.ParameterKey) continue;
    if (!(p.ParameterKey in (template.Parameters ?? {})))
      throw cfnError('ValidationError', `Parameters: [${p.ParameterKey}] do not exist in the template`);
    const value = p.UsePreviousValue ? previous?.[p.ParameterKey] : p.ParameterValue;
    if (value !== undefined) out[p.ParameterKey] = value;
  }
  const missing = Object.entries(template.Parameters ?? {})
    .filter(([k, p]) => out[k] === undefined && p.Default === undefined)
    .map(([k]) => k);
  if (missing.length > 0) throw cfnError('ValidationError', `Parameters: [${missing.join(', ')}] must have values`);
  return out;
}

function requireCapabilities(template: Template, given: string[] | undefined): void {
  const needed = validation(template)['Capabilities'] as string[] | undefined;
  if (!needed) return;
  const ok = needed.every(
    (c) => given?.includes(c) || (c === 'CAPABILITY_IAM' && given?.includes('CAPABILITY_NAMED_IAM')),
  );
  if (!ok) throw cfnError('InsufficientCapabilitiesException', `Requires capabilities : [${needed.join(', ')}]`);
}

function stable(stack: Stack): void {
  if (!STABLE.has(stack.status))
    throw cfnError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
}

export function createStack(cfn: CloudFormationTwin, input: CreateStackInput): Record<string, unknown> {
  const name = String(input.StackName ?? '');
  if (!NAME.test(name))
    throw cfnError(
      'ValidationError',
      `1 validation error detected: Value '${name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*`,
    );
  if (cfn.store.find(name)) throw cfnError('AlreadyExistsException', `Stack [${name}] already exists`);
  const { template, body } = readTemplateSource(input, cfn.s3);
  requireCapabilities(template, input.Capabilities);
  const params = parameters(template, input.Parameters);
  const stack = cfn.store.newStack(name, {
    status: 'CREATE_IN_PROGRESS',
    created: cfn.clock.now(),
    ...(template.Description ? { description: template.Description } : {}),
    templateBody: body,
    capabilities: input.Capabilities ?? [],
    tags: (input.Tags ?? []).map((t) => ({ Key: String(t.Key), Value: String(t.Value) })),
    terminationProtection: input.EnableTerminationProtection === true,
    disableRollback: input.DisableRollback === true || input.OnFailure === 'DO_NOTHING',
  });
  cfn.lifecycle.create(stack, template, params);
  return { StackId: stack.id };
}

export function updateStack(cfn: CloudFormationTwin, input: UpdateStackInput): Record<string, unknown> {
  const stack = cfn.store.get(String(input.StackName ?? ''));
  stable(stack);
  if (!stack.state)
    throw cfnError('ValidationError', `Stack:${stack.id} is in ${stack.status} state and can not be updated.`);
  const { template, body } = input.UsePreviousTemplate
    ? { template: stack.state.template, body: stack.templateBody }
    : readTemplateSource(input, cfn.s3);
  requireCapabilities(template, input.Capabilities);
  const params = parameters(template, input.Parameters, stack.state.parameters);
  const sameOutputs = JSON.stringify(template.Outputs ?? {}) === JSON.stringify(stack.state.template.Outputs ?? {});
  if (cfn.changes(stack, template, params).length === 0 && sameOutputs)
    throw cfnError('ValidationError', 'No updates are to be performed.');
  cfn.lifecycle.update(stack, template, params, body);
  return { StackId: stack.id };
}

export function deleteStack(cfn: CloudFormationTwin, input: DeleteStackInput): Record<string, unknown> {
  const stack = cfn.store.find(String(input.StackName ?? ''));
  // deleting a stack that does not exist succeeds, as on AWS
  if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return {};
  if (stack.terminationProtection)
    throw cfnError('ValidationError', `Stack [${stack.name}] cannot be deleted while TerminationProtection is enabled`);
  cfn.lifecycle.delete(stack);
  return {};
}

function changeSetOf(cfn: CloudFormationTwin, stackName: string | undefined, name: string): ChangeSet {
  const stacks = stackName ? [cfn.store.get(stackName)] : cfn.store.all();
  for (const s of stacks) for (const cs of s.changeSets.values()) if (cs.name === name || cs.id === name) return cs;
  throw cfnError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`);
}

export function createChangeSet(cfn: CloudFormationTwin, input: CreateChangeSetInput): Record<string, unknown> {
  const name = String(input.StackName ?? '');
  const csName = String(input.ChangeSetName ?? '');
  if (!NAME.test(csName)) throw cfnError('ValidationError', `ChangeSet name ${csName} is not valid`);
  const type = input.ChangeSetType === 'CREATE' ? 'CREATE' : 'UPDATE';
  let stack = cfn.store.find(name);
  if (type === 'CREATE') {
    if (stack && stack.status !== 'REVIEW_IN_PROGRESS')
      throw cfnError(
        'AlreadyExistsException',
        `Stack [${name}] already exists and cannot be created again with the changeSet [${csName}].`,
      );
  } else if (!stack || stack.status === 'REVIEW_IN_PROGRESS') throw stackMissing(name);
  else stable(stack);
  const { template, body } =
    input.UsePreviousTemplate && stack?.state
      ? { template: stack.state.template, body: stack.templateBody }
      : readTemplateSource(input, cfn.s3);
  requireCapabilities(template, input.Capabilities);
  const params = parameters(template, input.Parameters, stack?.state?.parameters);
  if (!stack) {
    stack = cfn.store.newStack(name, {
      status: 'REVIEW_IN_PROGRESS',
      created: cfn.clock.now(),
      templateBody: body,
      capabilities: input.Capabilities ?? [],
      tags: (input.Tags ?? []).map((t) => ({ Key: String(t.Key), Value: String(t.Value) })),
      terminationProtection: false,
      disableRollback: false,
    });
    cfn.lifecycle.event(stack, {
      logicalId: name,
      type: 'AWS::CloudFormation::Stack',
      status: 'REVIEW_IN_PROGRESS',
      physicalId: stack.id,
      reason: 'User Initiated',
    });
    cfn.store.changed({ type: 'stack-put', stack });
  }
  if ([...stack.changeSets.values()].some((c) => c.name === csName))
    throw cfnError('AlreadyExistsException', `ChangeSet ${csName} already exists`);
  const changes = cfn.changes(stack, template, params);
  const empty = changes.length === 0;
  const changeSet: ChangeSet = {
    id: `arn:aws:cloudformation:${cfn.region}:${cfn.accountId}:changeSet/${csName}/${randomUUID()}`,
    name: csName,
    stackId: stack.id,
    type,
    template,
    templateBody: body,
    parameters: params,
    status: empty ? 'FAILED' : 'CREATE_COMPLETE',
    executionStatus: empty ? 'UNAVAILABLE' : 'AVAILABLE',
    ...(empty ? { statusReason: NO_CHANGES } : {}),
    changes: changes.map((c) => ({
      action: c.action,
      logicalId: c.logicalId,
      type: c.type,
      ...(c.physicalId ? { physicalId: c.physicalId } : {}),
      ...(c.replacement ? { replacement: c.replacement } : {}),
    })),
    created: cfn.clock.now(),
    ...(input.Description ? { description: input.Description } : {}),
    capabilities: input.Capabilities ?? [],
    tags: (input.Tags ?? []).map((t) => ({ Key: String(t.Key), Value: String(t.Value) })),
  };
  stack.changeSets.set(changeSet.id, changeSet);
  cfn.store.changed({ type: 'stack-put', stack });
  return { Id: changeSet.id, StackId: stack.id };
}

export function describeChangeSet(cfn: CloudFormationTwin, input: DescribeChangeSetInput): Record<string, unknown> {
  const cs = changeSetOf(cfn, input.StackName, String(input.ChangeSetName ?? ''));
  const stack = cfn.store.get(cs.stackId);
  return {
    ChangeSetName: cs.name,
    ChangeSetId: cs.id,
    StackId: stack.id,
    StackName: stack.name,
    ...(cs.description ? { Description: cs.description } : {}),
    Parameters: Object.entries(cs.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: v })),
    CreationTime: cs.created,
    ExecutionStatus: cs.executionStatus,
    Status: cs.status,
    ...(cs.statusReason ? { StatusReason: cs.statusReason } : {}),
    NotificationARNs: [],
    Capabilities: cs.capabilities,
    Tags: cs.tags,
    Changes: cs.changes.map((c) => ({
      Type: 'Resource',
      ResourceChange: {
        Action: c.action,
        LogicalResourceId: c.logicalId,
        ...(c.physicalId ? { PhysicalResourceId: c.physicalId } : {}),
        ResourceType: c.type,
        ...(c.replacement ? { Replacement: c.replacement } : {}),
      },
    })),
  };
}

export function executeChangeSet(cfn: CloudFormationTwin, input: ExecuteChangeSetInput): Record<string, unknown> {
  const cs = changeSetOf(cfn, input.StackName, String(input.ChangeSetName ?? ''));
  const stack = cfn.store.get(cs.stackId);
  if (cs.executionStatus !== 'AVAILABLE')
    throw cfnError(
      'InvalidChangeSetStatus',
      `ChangeSet [${cs.id}] cannot be executed in its current status of [${cs.status}]`,
    );
  stable(stack);
  cs.executionStatus = 'EXECUTE_COMPLETE';
  // the other change sets of the stack are made obsolete by the execution, and CloudFormation removes them
  stack.changeSets.clear();
  stack.capabilities = cs.capabilities;
  if (cs.tags.length) stack.tags = cs.tags;
  if (input.DisableRollback) stack.disableRollback = true;
  if (cs.template.Description) stack.description = cs.template.Description;
  if (cs.type === 'CREATE') {
    stack.templateBody = cs.templateBody;
    cfn.lifecycle.create(stack, cs.template, cs.parameters);
  } else cfn.lifecycle.update(stack, cs.template, cs.parameters, cs.templateBody);
  return {};
}

export function deleteChangeSet(cfn: CloudFormationTwin, input: DeleteChangeSetInput): Record<string, unknown> {
  const name = String(input.ChangeSetName ?? '');
  const stack = input.StackName ? cfn.store.get(input.StackName) : undefined;
  const holder = stack ? [stack] : cfn.store.all();
  for (const s of holder)
    for (const cs of s.changeSets.values())
      if (cs.name === name || cs.id === name) {
        s.changeSets.delete(cs.id);
        cfn.store.changed({ type: 'stack-put', stack: s });
        return {};
      }
  // a change set name the stack does not hold is nothing to delete (only an ARN that names none is an error)
  if (name.startsWith('arn:')) throw cfnError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`);
  return {};
}

export function listChangeSets(cfn: CloudFormationTwin, input: { StackName?: string }): Record<string, unknown> {
  const stack = cfn.store.get(String(input.StackName ?? ''));
  return {
    Summaries: [...stack.changeSets.values()].map((cs) => ({
      StackId: stack.id,
      StackName: stack.name,
      ChangeSetId: cs.id,
      ChangeSetName: cs.name,
      ExecutionStatus: cs.executionStatus,
      Status: cs.status,
      ...(cs.statusReason ? { StatusReason: cs.statusReason } : {}),
      CreationTime: cs.created,
    })),
  };
}
