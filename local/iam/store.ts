/**
 * What the IAM twin holds: the roles a template declares (inline policies, attached managed policy ARNs), the
 * customer-managed policies and `AWS::IAM::Policy` resources that attach to them, and the credentials the twin
 * issued for a role (an access key id it maps back to the role and the session: Lambda's function name). Every
 * change of roles and policies goes through `changed()`, the one seam `--data-dir` writes through (./persistence.ts).
 * Issued keys are not kept: a key is derived from its role and session, so a restarted twin issues the same one.
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
export interface Attachment {
  readonly policy: Policy;
  readonly roleNames: readonly string[];
}

/** A change of the store, as a journal writes it. */
export type StoreChange =
  | { type: 'role-put'; role: RoleRecord }
  | { type: 'role-deleted'; arn: string }
  | { type: 'managed-put'; arn: string; policy: Policy }
  | { type: 'managed-deleted'; arn: string }
  | { type: 'attachment-put'; id: string; attachment: Attachment }
  | { type: 'attachment-deleted'; id: string };

export interface Journal {
  append(change: StoreChange): void;
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
  /** Read by the journal's restore; changed only through the methods below. */
  readonly roles = new Map<string, RoleRecord>();
  readonly managed = new Map<string, Policy>();
  readonly attachments = new Map<string, Attachment>();
  private readonly keys = new Map<string, IssuedKey>();
  /** Where changes are written (`--data-dir`); set by the twin. */
  journal: Journal | undefined;

  changed(change: StoreChange): void {
    this.journal?.append(change);
  }

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
    const role = { arn, name, inline: policies, documents: [...inline], managedArns: [...managedArns] };
    this.roles.set(arn, role);
    this.changed({ type: 'role-put', role });
  }

  deleteRole(arn: string): void {
    this.roles.delete(arn);
    for (const [id, key] of this.keys) if (key.roleArn === arn) this.keys.delete(id);
    this.changed({ type: 'role-deleted', arn });
  }

  role(arn: string): RoleRecord | undefined {
    return this.roles.get(arn);
  }

  putManagedPolicy(arn: string, document: unknown): void {
    const policy = parsePolicy(arn, document);
    this.managed.set(arn, policy);
    this.changed({ type: 'managed-put', arn, policy });
  }

  deleteManagedPolicy(arn: string): void {
    this.managed.delete(arn);
    this.changed({ type: 'managed-deleted', arn });
  }

  /** An `AWS::IAM::Policy` (or a managed policy's `Roles`): `id` is its physical id. */
  attach(id: string, name: string, document: unknown, roleNames: readonly string[]): void {
    const attachment = { policy: parsePolicy(name, document), roleNames: [...roleNames] };
    this.attachments.set(id, attachment);
    this.changed({ type: 'attachment-put', id, attachment });
  }

  detach(id: string): void {
    this.attachments.delete(id);
    this.changed({ type: 'attachment-deleted', id });
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
