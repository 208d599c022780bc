/**
 * Lambda: functions by their ARN (qualified when the request names a version or alias), event source mappings by
 * `event-source-mapping:<UUID>` with the `lambda:FunctionArn` condition key (the function the mapping invokes, or
 * the one the request names), CreateFunction with `iam:PassRole` of its role.
 */
import { type CallEnv, type Need, passRoles, type ServiceTable, str } from './types';

/** The IAM action of an operation when it is not `lambda:<Operation>`. */
const ACTION: Record<string, string> = { Invoke: 'lambda:InvokeFunction', InvokeAsync: 'lambda:InvokeAsync' };
const ACCOUNT_WIDE = new Set(['ListFunctions', 'ListEventSourceMappings', 'GetAccountSettings', 'ListLayers']);
const ON_MAPPING = new Set(['GetEventSourceMapping', 'UpdateEventSourceMapping', 'DeleteEventSourceMapping']);
/** Operations whose Qualifier (or alias Name) makes the resource a qualified ARN. */
const QUALIFIED_BY_NAME = new Set(['CreateAlias', 'GetAlias', 'UpdateAlias', 'DeleteAlias']);

/**
 * The ARN a FunctionName designates: a name (`f`, `f:live`), a partial ARN (`000000000000:function:f`) or an
 * ARN, with the Qualifier appended when given.
 */
export function functionArnOf(env: CallEnv, functionName: string, qualifier?: string): string {
  let arn: string;
  if (functionName.startsWith('arn:')) arn = functionName;
  else if (/^\d{12}:function:/.test(functionName)) arn = `arn:aws:lambda:${env.region}:${functionName}`;
  else arn = `arn:aws:lambda:${env.region}:${env.accountId}:function:${functionName}`;
  return qualifier ? `${arn}:${qualifier}` : arn;
}

export const lambdaActions: ServiceTable = {
  prefix: 'lambda',
  shape: 'rest-json',
  needs(operation, input, env): Need[] {
    const action = ACTION[operation] ?? `lambda:${operation}`;
    if (ACCOUNT_WIDE.has(operation)) return [{ action, resource: '*' }];
    const name = str(input, 'FunctionName');
    if (operation === 'CreateEventSourceMapping') {
      return [
        {
          action,
          resource: '*',
          ...(name ? { context: { 'lambda:FunctionArn': functionArnOf(env, name) } } : {}),
        },
      ];
    }
    if (ON_MAPPING.has(operation)) {
      const uuid = str(input, 'UUID');
      if (!uuid) return [];
      const target = name ? functionArnOf(env, name) : env.mappingFunctionArn?.(uuid);
      return [
        {
          action,
          resource: `arn:aws:lambda:${env.region}:${env.accountId}:event-source-mapping:${uuid}`,
          ...(target ? { context: { 'lambda:FunctionArn': target } } : {}),
        },
      ];
    }
    if (!name) return [];
    const qualifier = QUALIFIED_BY_NAME.has(operation) ? str(input, 'Name') : str(input, 'Qualifier');
    const needs: Need[] = [{ action, resource: functionArnOf(env, name, qualifier) }];
    const role = str(input, 'Role');
    if (role && (operation === 'CreateFunction' || operation === 'UpdateFunctionConfiguration')) {
      needs.push(...passRoles([role], 'lambda.amazonaws.com'));
    }
    return needs;
  },
};
