/**
 * What the IAM twin holds: the roles a template declares (inline policies, attached managed policy ARNs), the
 * customer-managed policies and `AWS::IAM::Policy` resources that attach to them, and the credentials the twin
 * issued for a role (an access key id it maps back to the role and the session: Lambda's function name).
 */
import { createHash, randomBytes } from 'node:crypto';
import { IamError } from './errors';
import { awsManagedPolicy } from './managed';
import { type Policy, parsePolicy } from './policy';

export interface RoleRecord {
  readonly arn: string;
  readonly name: string;
  /** Inline policies by name. */
  readonly inline: ReadonlyMap<string, Policy>;
  /** The inline policies' documents as recorded (resolved by the deployer). */
  readonly documents: readonly InlinePolicyInput[];
  readonly managedArns: readonly string[];
}

/** A policy resource attached to roles by name (`AWS::IAM::Policy`, or a managed policy's `Roles`). */
interface Attachment {
  readonly policy: Policy;
  readonly roleNames: readonly string[];
}

export interface IssuedKey {
  readonly roleArn: string;
  readonly sessionName: string;
}

/** Assumed-role credentials as Lambda hands them to a function's environment. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** The inline policies of a role as a template writes them (`Policies: [{PolicyName, PolicyDocument}]`). */
export interface InlinePolicyInput {
  readonly PolicyName: string;
  readonly PolicyDocument: unknown;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function keyId(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  let id = 'ASIA';
  for (let i = 0; id.length < 20; i++) id += BASE32[digest[i]! % 32];
  return id;
}

export class IamStore {
  private readonly roles = new Map<string, RoleRecord>();
  private readonly managed = new Map<string, Policy>();
  private readonly attachments = new Map<string, Attachment>();
  private readonly keys = new Map<string, IssuedKey>();

  putRole(arn: string, name: string, inline: readonly InlinePolicyInput[], managedArns: readonly string[]): void {
    const policies = new Map<string, Policy>();
    for (const p of inline) policies.set(p.PolicyName, parsePolicy(p.PolicyName, p.PolicyDocument));
    for (const m of managedArns) {
      if (!this.managed.has(m) && awsManagedPolicy(m) === undefined) {
        throw IamError.noSuchEntity(
          `Policy ${m} does not exist or is not attachable (the twin carries the AWS-managed policies of local/iam/managed.ts)`,
        );
      }
    }
    this.roles.set(arn, { arn, name, inline: policies, documents: [...inline], managedArns: [...managedArns] });
  }

  deleteRole(arn: string): void {
    this.roles.delete(arn);
    for (const [id, key] of this.keys) if (key.roleArn === arn) this.keys.delete(id);
  }

  role(arn: string): RoleRecord | undefined {
    return this.roles.get(arn);
  }

  putManagedPolicy(arn: string, document: unknown): void {
    this.managed.set(arn, parsePolicy(arn, document));
  }

  deleteManagedPolicy(arn: string): void {
    this.managed.delete(arn);
  }

  /** An `AWS::IAM::Policy` (or a managed policy's `Roles`): `id` is its physical id. */
  attach(id: string, name: string, document: unknown, roleNames: readonly string[]): void {
    this.attachments.set(id, { policy: parsePolicy(name, document), roleNames: [...roleNames] });
  }

  detach(id: string): void {
    this.attachments.delete(id);
  }

  /** Every policy that applies to the role: inline, managed (AWS or customer), and attached by name. */
  policiesOf(role: RoleRecord): Policy[] {
    const policies = [...role.inline.values()];
    for (const arn of role.managedArns) {
      const customer = this.managed.get(arn);
      if (customer) policies.push(customer);
      else {
        const document = awsManagedPolicy(arn);
        if (document !== undefined) policies.push(parsePolicy(arn, document));
      }
    }
    for (const a of this.attachments.values()) if (a.roleNames.includes(role.name)) policies.push(a.policy);
    return policies;
  }

  /** Credentials for a session of the role (the same for the same role and session, as long as the role lives). */
  issue(roleArn: string, sessionName: string): Credentials {
    const accessKeyId = keyId(`${roleArn}\u0000${sessionName}`);
    this.keys.set(accessKeyId, { roleArn, sessionName });
    return {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
    };
  }

  /** The role session an access key id was issued for; undefined for keys the twin did not issue. */
  keyOf(accessKeyId: string): IssuedKey | undefined {
    return this.keys.get(accessKeyId);
  }
}
