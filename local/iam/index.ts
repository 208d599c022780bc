/**
 * The IAM twin: the roles and policies a template declares (recorded by the deployer), credentials issued for a
 * role (the Lambda twin puts them in each function's environment, as Lambda does with the role's assumed-role
 * credentials), and the check every service makes before an operation runs: does the caller's role allow what
 * the operation needs (one table per service, actions/)? Explicit Deny wins, then any Allow, else denied.
 *
 * Callers are principals: a role session (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) resolved from
 * an access key id the twin issued, or handed in by a service calling another in process (Kinesis Analytics
 * reading with an input's RoleARN, Step Functions invoking with its role, a mapping reading with its function's
 * role). Keys the twin did not issue (a person's CLI with test credentials) are the account root: not evaluated.
 *
 * Modes: `enforce` (a denial is AWS's AccessDenied), `warn` (logged once per role, action and resource; the call
 * goes on), `off` (nothing checked or counted).
 */

import { firehoseActions } from './actions/firehose';
import { kinesisActions } from './actions/kinesis';
import { kinesisAnalyticsActions } from './actions/kinesis-analytics';
import { lambdaActions } from './actions/lambda';
import { stepFunctionsActions } from './actions/stepfunctions';
import type { CallEnv, Need, ServiceTable } from './actions/types';
import { type DenialShape, denialMessage, IamError } from './errors';
import { type AuthorizationRequest, type Decision, evaluate } from './evaluate';
import { IamPersistence } from './persistence';
import { type Credentials, IamStore, type InlinePolicyInput } from './store';

export type { CallEnv, Need } from './actions/types';
export { type DenialShape, IamError } from './errors';
export type { Credentials, InlinePolicyInput } from './store';

export type IamMode = 'off' | 'warn' | 'enforce';
export const IAM_MODES: readonly IamMode[] = ['off', 'warn', 'enforce'];

/** A role session: who a call of a function, an application, a state machine or a mapping is. */
export interface Principal {
  readonly roleArn: string;
  readonly roleName: string;
  readonly sessionName: string;
  /** `arn:aws:sts::<account>:assumed-role/<role name>/<session>`: what AWS's denials name. */
  readonly arn: string;
}

/** The services whose operations are checked, by the table that says what each needs. */
export const SERVICE_TABLES = {
  kinesis: kinesisActions,
  kinesisAnalytics: kinesisAnalyticsActions,
  lambda: lambdaActions,
  stepFunctions: stepFunctionsActions,
  firehose: firehoseActions,
} as const satisfies Record<string, ServiceTable>;

export type CheckedService = keyof typeof SERVICE_TABLES;

/** What services are handed to ask before an operation runs (IamTwin implements it). */
export interface Authorizer {
  /**
   * Checks that `principal` may run `operation` with `input` (no principal: the account root, not checked).
   *
   * @throws IamError AccessDenied(Exception) as the service answers it, when enforcing and denied
   */
  authorize(
    principal: Principal | undefined,
    service: CheckedService,
    operation: string,
    input: Readonly<Record<string, unknown>>,
    env?: Partial<CallEnv>,
  ): void;
  /** The session of `roleArn` a service calls with in process; undefined when the twin holds no such role. */
  session(roleArn: string | undefined, sessionName: string): Principal | undefined;
  /**
   * Checks one action on one resource (what a service needs of a role beyond its own API's table).
   *
   * @throws IamError when enforcing and denied
   */
  check(principal: Principal | undefined, need: Need, shape: DenialShape, env?: Partial<CallEnv>): void;
}

/** Issues a role's session credentials (what Lambda puts in a function's environment). */
export interface CredentialIssuer {
  credentialsFor(roleArn: string | undefined, sessionName: string): Credentials | undefined;
}

export interface IamStats {
  checked: number;
  denied: number;
}

export interface IamTwinOptions {
  accountId?: string;
  region?: string;
  mode?: IamMode;
  /** Where `warn` writes each would-be denial (once per role, action and resource); default stderr. */
  warn?: (line: string) => void;
  /** Keep roles and policies here (`<dataDir>/iam/journal`): a restarted twin evaluates the same grants. */
  dataDir?: string;
  /** With dataDir: a change is durable once fdatasync'd (true, default) or once written to the file. */
  fsync?: boolean;
}

/** The role a template declares, with its properties resolved. */
export interface RoleInput {
  readonly arn: string;
  readonly name: string;
  readonly policies?: readonly InlinePolicyInput[];
  readonly managedPolicyArns?: readonly string[];
}

export class IamTwin implements Authorizer, CredentialIssuer {
  readonly store = new IamStore();
  mode: IamMode;
  readonly stats: IamStats = { checked: 0, denied: 0 };
  private readonly accountId: string;
  private readonly region: string;
  private readonly warned = new Set<string>();
  private readonly warn: (line: string) => void;
  private readonly persistence: IamPersistence | undefined;

  constructor(opts: IamTwinOptions = {}) {
    this.accountId = opts.accountId ?? '000000000000';
    this.region = opts.region ?? 'us-east-1';
    this.mode = opts.mode ?? 'enforce';
    this.warn = opts.warn ?? ((line) => process.stderr.write(`${line}\n`));
    if (opts.dataDir !== undefined) {
      this.persistence = new IamPersistence(opts.dataDir, opts.fsync !== undefined ? { fsync: opts.fsync } : {});
      this.persistence.restore(this.store);
      this.store.journal = this.persistence;
    }
  }

  /** Resolves once every change of roles and policies so far is durable; at once without dataDir. */
  async flush(): Promise<void> {
    await this.persistence?.commit();
  }

  async close(): Promise<void> {
    await this.persistence?.close();
  }

  /** Records (or replaces) a role and its inline and managed policies. @throws IamError on a bad document */
  putRole(role: RoleInput): void {
    this.store.putRole(role.arn, role.name, role.policies ?? [], role.managedPolicyArns ?? []);
  }

  deleteRole(arn: string): void {
    this.store.deleteRole(arn);
  }

  /**
   * Assumed-role credentials of `roleArn` for a session (Lambda: the function's name), for a function's
   * environment; undefined when the twin holds no such role (the function then calls as the account root).
   */
  credentialsFor(roleArn: string | undefined, sessionName: string): Credentials | undefined {
    if (roleArn === undefined || !this.store.role(roleArn)) return undefined;
    return this.store.issue(roleArn, sessionName);
  }

  /** The role session an access key id was issued for; undefined (the root) for any other key. */
  principalOfKey(accessKeyId: string): Principal | undefined {
    const key = this.store.keyOf(accessKeyId);
    return key ? this.session(key.roleArn, key.sessionName) : undefined;
  }

  session(roleArn: string | undefined, sessionName: string): Principal | undefined {
    const role = roleArn === undefined ? undefined : this.store.role(roleArn);
    if (!role) return undefined;
    return {
      roleArn: role.arn,
      roleName: role.name,
      sessionName,
      arn: `arn:aws:sts::${this.accountId}:assumed-role/${role.name}/${sessionName}`,
    };
  }

  authorize(
    principal: Principal | undefined,
    service: CheckedService,
    operation: string,
    input: Readonly<Record<string, unknown>>,
    env: Partial<CallEnv> = {},
  ): void {
    if (this.mode === 'off' || principal === undefined) return;
    const table = SERVICE_TABLES[service];
    const full: CallEnv = { region: this.region, accountId: this.accountId, ...env };
    for (const need of table.needs(operation, input, full)) this.check(principal, need, table.shape, full);
  }

  /**
   * Checks one action on one resource for a principal (what in-process callers use for needs of their own).
   *
   * @throws IamError when enforcing and denied
   */
  check(principal: Principal | undefined, need: Need, shape: DenialShape, env?: Partial<CallEnv>): void {
    if (this.mode === 'off' || principal === undefined) return;
    const role = this.store.role(principal.roleArn);
    if (!role) return;
    const request: AuthorizationRequest = {
      action: need.action,
      resource: need.resource,
      context: {
        'aws:PrincipalArn': principal.roleArn,
        'aws:PrincipalAccount': this.accountId,
        'aws:PrincipalType': 'AssumedRole',
        'aws:RequestedRegion': env?.region ?? this.region,
        'aws:userid': `AROA${principal.roleName.length}:${principal.sessionName}`,
        ...need.context,
      },
    };
    const decision: Decision = evaluate(this.store.policiesOf(role), request);
    this.stats.checked++;
    if (decision.allowed) return;
    this.stats.denied++;
    const message = denialMessage(principal.arn, need.action, need.resource, decision.reason);
    if (this.mode === 'enforce') throw IamError.accessDenied(shape, message);
    const key = `${principal.roleArn}\u0000${need.action}\u0000${need.resource}`;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.warn(
        `IAM (warn): role ${principal.roleName} would be denied ${need.action} on ${need.resource}: ${message}`,
      );
    }
  }
}
