/**
 * Step Functions: state machines and executions by ARN; CreateStateMachine (and an update that changes the
 * role) passes a role to the service.
 */
import { type Need, passRoles, type ServiceTable, str } from './types';

const ACCOUNT_WIDE = new Set(['ListStateMachines', 'ListActivities', 'CreateActivity']);

export const stepFunctionsActions: ServiceTable = {
  prefix: 'states',
  shape: 'aws-json',
  needs(operation, input, env): Need[] {
    const action = `states:${operation}`;
    if (ACCOUNT_WIDE.has(operation)) return [{ action, resource: '*' }];
    if (operation === 'CreateStateMachine') {
      const name = str(input, 'name');
      const role = str(input, 'roleArn');
      return [
        { action, resource: `arn:aws:states:${env.region}:${env.accountId}:stateMachine:${name ?? '*'}` },
        ...passRoles(role ? [role] : [], 'states.amazonaws.com'),
      ];
    }
    const resource =
      str(input, 'stateMachineArn') ??
      str(input, 'executionArn') ??
      str(input, 'resourceArn') ??
      str(input, 'mapRunArn');
    if (!resource) return [];
    const role = operation === 'UpdateStateMachine' ? str(input, 'roleArn') : undefined;
    return [{ action, resource }, ...passRoles(role ? [role] : [], 'states.amazonaws.com')];
  },
};
