/**
 * IAM roles and policies (recorded types: no service makes them real), kept in the IAM twin (local/iam) with AWS's names and ARNs, so every call a
 * function, an application, a state machine or a mapping makes is evaluated against the template's grants. Without
 * an IAM twin in the target they are only recorded (names and attributes), as before.
 */
import type { InlinePolicyInput } from '../../iam';
import { type DeployContext, generatedName, hash, type Made, str } from '../context';
import type { HeldResource, ResourceType } from './types';

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function roleMade(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const name = str(p['RoleName']) ?? generatedName(ctx, id);
  const path = str(p['Path']) ?? '/';
  return {
    physicalId: name,
    attributes: { Arn: `arn:aws:iam::${ctx.accountId}:role${path}${name}`, RoleId: `AROA${hash(name, 17)}` },
  };
}

function putRole(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const made = roleMade(ctx, id, p);
  ctx.target.iam?.putRole({
    arn: String(made.attributes['Arn']),
    name: made.physicalId,
    policies: (Array.isArray(p['Policies']) ? p['Policies'] : []) as InlinePolicyInput[],
    managedPolicyArns: strings(p['ManagedPolicyArns']),
  });
  return made;
}

function putPolicy(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const physicalId = generatedName(ctx, id);
  ctx.target.iam?.store.attach(physicalId, str(p['PolicyName']) ?? id, p['PolicyDocument'], strings(p['Roles']));
  return { physicalId, attributes: {} };
}

function putManagedPolicy(ctx: DeployContext, id: string, p: Record<string, unknown>): Made {
  const arn = `arn:aws:iam::${ctx.accountId}:policy/${str(p['ManagedPolicyName']) ?? generatedName(ctx, id)}`;
  const iam = ctx.target.iam;
  if (iam) {
    iam.store.putManagedPolicy(arn, p['PolicyDocument']);
    // Roles: attached by name, as if each role listed it in ManagedPolicyArns
    iam.store.attach(arn, arn, p['PolicyDocument'], strings(p['Roles']));
  }
  return { physicalId: arn, attributes: { PolicyArn: arn } };
}

const update =
  (create: (ctx: DeployContext, id: string, p: Record<string, unknown>) => Made) =>
  async (ctx: DeployContext, held: HeldResource, p: Record<string, unknown>): Promise<Made> =>
    create(ctx, held.logicalId, p);

export const IAM_TYPES: Record<string, ResourceType> = {
  'AWS::IAM::Role': {
    live: false,
    create: putRole,
    update: update(putRole),
    delete: (ctx, held) => ctx.target.iam?.deleteRole(String(held.attributes['Arn'])),
  },
  'AWS::IAM::Policy': {
    live: false,
    create: putPolicy,
    update: update(putPolicy),
    delete: (ctx, held) => ctx.target.iam?.store.detach(held.physicalId),
  },
  'AWS::IAM::ManagedPolicy': {
    live: false,
    create: putManagedPolicy,
    update: update(putManagedPolicy),
    delete: (ctx, held) => {
      ctx.target.iam?.store.detach(held.physicalId);
      ctx.target.iam?.store.deleteManagedPolicy(held.physicalId);
    },
  },
};
