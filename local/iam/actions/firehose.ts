/**
 * Amazon Data Firehose (API 2015-08-04): delivery streams by ARN from DeliveryStreamName
 * (`arn:aws:firehose:<region>:<account>:deliverystream/<name>`); ListDeliveryStreams supports no resource-level
 * permission (`*`); CreateDeliveryStream hands its destination's role to the service (`iam:PassRole` with
 * `iam:PassedToService` = firehose.amazonaws.com).
 */
import { type Need, passRoles, type ServiceTable, str } from './types';

const ACCOUNT_WIDE = new Set(['ListDeliveryStreams']);

/** Every `RoleARN` of a CreateDeliveryStream's destination configurations. */
function rolesIn(input: Readonly<Record<string, unknown>>): string[] {
  const roles: string[] = [];
  for (const key of ['ExtendedS3DestinationConfiguration', 'S3DestinationConfiguration']) {
    const role = (input[key] as { RoleARN?: unknown } | undefined)?.RoleARN;
    if (typeof role === 'string') roles.push(role);
  }
  return roles;
}

export const firehoseActions: ServiceTable = {
  prefix: 'firehose',
  shape: 'aws-json',
  needs(operation, input, env): Need[] {
    const action = `firehose:${operation}`;
    if (ACCOUNT_WIDE.has(operation)) return [{ action, resource: '*' }];
    const name = str(input, 'DeliveryStreamName');
    const needs: Need[] = name
      ? [{ action, resource: `arn:aws:firehose:${env.region}:${env.accountId}:deliverystream/${name}` }]
      : [];
    return operation === 'CreateDeliveryStream'
      ? [...needs, ...passRoles(rolesIn(input), 'firehose.amazonaws.com')]
      : needs;
  },
};
