/**
 * Kinesis Analytics (SQL applications, API 2015-08-14): applications by ARN from ApplicationName; every role a
 * request hands to the service (each `RoleARN`, `RoleARNUpdate`, `ReferenceRoleARN...` anywhere in it) needs
 * `iam:PassRole` with `iam:PassedToService` = kinesisanalytics.amazonaws.com.
 */
import { type Need, passRoles, type ServiceTable, str } from './types';

const ACCOUNT_WIDE = new Set(['ListApplications', 'DiscoverInputSchema']);
const ROLE_MEMBER = /^(Reference)?RoleARN(Update)?$/;

function rolesIn(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) rolesIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (ROLE_MEMBER.test(k) && typeof v === 'string') into.push(v);
      else rolesIn(v, into);
    }
  }
  return into;
}

export const kinesisAnalyticsActions: ServiceTable = {
  prefix: 'kinesisanalytics',
  shape: 'aws-json',
  needs(operation, input, env): Need[] {
    const action = `kinesisanalytics:${operation}`;
    const passed = passRoles(rolesIn(input), 'kinesisanalytics.amazonaws.com');
    if (ACCOUNT_WIDE.has(operation)) return [{ action, resource: '*' }, ...passed];
    const name = str(input, 'ApplicationName');
    const resource = name
      ? `arn:aws:kinesisanalytics:${env.region}:${env.accountId}:application/${name}`
      : str(input, 'ResourceARN');
    return resource ? [{ action, resource }, ...passed] : passed;
  },
};
