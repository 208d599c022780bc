/**
 * Whether the generated template stays within CloudFormation's and IAM's limits, checked before packaging so that a
 * fan-out too big to deploy is refused with a message, not by CloudFormation half-way through a deploy.
 */
import type { FanoutDefinition } from '../definition';
import { FanoutConfigError } from '../errors';
import { TEMPLATE_LIMITS } from '../limits';
import type { Cfn, Resource } from './cfn';

/**
 * What the framework and the plugins add around what the resolver generates: per function its Lambda function,
 * version and log group, and a QualifiedArn stack Output; per consumer its event source mapping; and, once, the
 * deployment bucket and its policy, both state machines with their roles and log groups, and the teardown schedule
 * with its role. (Counted from the packaged template; the package test checks the count.)
 */
export const FRAMEWORK_RESOURCES = { perFunction: 3, perConsumer: 1, fixed: 10 } as const;
export const FRAMEWORK_OUTPUTS = { perFunction: 1, fixed: 5 } as const;

/** A worst case for what an intrinsic function resolves to, to size policies before deploying. */
function resolvedLength(value: Cfn): number {
  const worst = (text: string): string =>
    text
      .replace(/\$\{AWS::Partition\}/g, 'aws-us-gov')
      .replace(/\$\{AWS::Region\}/g, 'ap-southeast-2')
      .replace(/\$\{AWS::AccountId\}/g, '123456789012')
      .replace(/\$\{(\w+)Stream\.Arn\}/g, 'arn:aws-us-gov:kinesis:ap-southeast-2:123456789012:stream/$1');
  const walk = (v: Cfn): Cfn => {
    if (typeof v === 'string') return worst(v);
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, Cfn>;
    if ('Fn::Sub' in o && typeof o['Fn::Sub'] === 'string') return worst(o['Fn::Sub']);
    // The streams' logical ids are their names without separators: about as long.
    if ('Fn::GetAtt' in o) return `arn:aws-us-gov:kinesis:ap-southeast-2:123456789012:stream/${o['Fn::GetAtt']}`;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  return JSON.stringify(walk(value)).length;
}

export interface Generated {
  /** Functions in `functions:`, consumers among them. */
  readonly functions: number;
  readonly consumers: number;
  /** The resources the resolver generates (streams, roles). */
  readonly resources: Record<string, Resource>;
  /** The stack Outputs the resolver generates (one per stream). */
  readonly outputs: number;
}

/** Resources and stack Outputs of the packaged template, from what the resolver generates. */
export function estimateTemplateSize(generated: Generated): { resources: number; outputs: number } {
  return {
    resources:
      Object.keys(generated.resources).length +
      FRAMEWORK_RESOURCES.perFunction * generated.functions +
      FRAMEWORK_RESOURCES.perConsumer * generated.consumers +
      FRAMEWORK_RESOURCES.fixed,
    outputs: generated.outputs + FRAMEWORK_OUTPUTS.perFunction * generated.functions + FRAMEWORK_OUTPUTS.fixed,
  };
}

/**
 * Refuses a template that CloudFormation or IAM would refuse.
 *
 * @param definition - for the message's file and field
 * @param generated - what the resolver generates
 * @throws FanoutConfigError at `outputs`, saying which limit and by how much
 */
export function checkTemplateSize(definition: FanoutDefinition, generated: Generated): void {
  const { resources, outputs } = estimateTemplateSize(generated);
  const fail = (reason: string): never => {
    throw new FanoutConfigError(
      `${reason} (${TEMPLATE_LIMITS.source}); use fewer outputs or consumers, or outputPrefix`,
      {
        file: definition.file,
        path: ['outputs'],
      },
    );
  };
  if (resources > TEMPLATE_LIMITS.resources) {
    fail(`the stack would hold ${resources} resources; CloudFormation allows ${TEMPLATE_LIMITS.resources}`);
  }
  if (outputs > TEMPLATE_LIMITS.outputs) {
    fail(`the stack would have ${outputs} Outputs; CloudFormation allows ${TEMPLATE_LIMITS.outputs}`);
  }
  for (const [id, resource] of Object.entries(generated.resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const size = resolvedLength(resource.Properties['Policies'] ?? []);
    if (size > TEMPLATE_LIMITS.rolePolicyCharacters) {
      fail(`${id} would hold about ${size} characters of policy; IAM allows ${TEMPLATE_LIMITS.rolePolicyCharacters}`);
    }
  }
}
