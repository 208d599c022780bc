/**
 * One table per service of what each API operation needs of IAM: the action(s), the resource ARN each acts on
 * (from the request), and the condition keys the service adds (`lambda:FunctionArn`, `iam:PassedToService`).
 * Operations no table names need `<prefix>:<Operation>` on the service's natural resource, or `*`.
 */
import type { RequestContext } from '../conditions';
import type { DenialShape } from '../errors';

/** One action on one resource that a call needs. */
export interface Need {
  readonly action: string;
  readonly resource: string;
  readonly context?: RequestContext;
}

/** Where the call is made, and what a table may look up in its service's state. */
export interface CallEnv {
  readonly region: string;
  readonly accountId: string;
  /** Lambda: the function ARN an event source mapping invokes (for `lambda:FunctionArn`). */
  readonly mappingFunctionArn?: (uuid: string) => string | undefined;
}

export interface ServiceTable {
  /** The IAM service prefix (`kinesis`, `lambda`, `states`, `kinesisanalytics`). */
  readonly prefix: string;
  /** How the service puts a denial on the wire. */
  readonly shape: DenialShape;
  needs(operation: string, input: Readonly<Record<string, unknown>>, env: CallEnv): Need[];
}

export const str = (input: Readonly<Record<string, unknown>>, key: string): string | undefined => {
  const v = input[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
};

/** `iam:PassRole` for each role a request hands to a service, as IAM checks it. */
export function passRoles(roles: Iterable<string>, service: string): Need[] {
  return [...new Set(roles)].map((role) => ({
    action: 'iam:PassRole',
    resource: role,
    context: { 'iam:PassedToService': service },
  }));
}
