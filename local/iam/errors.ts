/**
 * The closed set of errors of the IAM twin: the denial every service answers for a call its caller's role does
 * not allow (named and shaped per protocol as each service puts it on the wire), and IAM's own names for a policy
 * document it refuses or a role it does not hold.
 */
import { AwsServiceError } from '../service';

/** How a service puts a denial on the wire (AWS JSON services 400, Lambda's REST 403, query/XML `AccessDenied`). */
export type DenialShape = 'aws-json' | 'rest-json' | 'aws-query' | 'rest-xml';

export type IamErrorName = 'AccessDeniedException' | 'AccessDenied' | 'MalformedPolicyDocument' | 'NoSuchEntity';

/** Why a request was denied, as AWS words it at the end of the message. */
export type DenialReason = 'no-allow' | 'explicit-deny';

/**
 * `User: <principal> is not authorized to perform: <action> on resource: <resource> because no identity-based
 * policy allows the <action> action` (or `with an explicit deny in an identity-based policy`): AWS's message.
 */
export function denialMessage(principalArn: string, action: string, resource: string, reason: DenialReason): string {
  const because =
    reason === 'explicit-deny'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
}

export class IamError extends AwsServiceError {
  constructor(type: IamErrorName, message: string, status: number) {
    super(type, message, status);
  }

  static accessDenied(shape: DenialShape, message: string): IamError {
    switch (shape) {
      case 'aws-json':
        return new IamError('AccessDeniedException', message, 400);
      case 'rest-json':
        return new IamError('AccessDeniedException', message, 403);
      default:
        return new IamError('AccessDenied', message, 403);
    }
  }

  static malformed(message: string): IamError {
    return new IamError('MalformedPolicyDocument', message, 400);
  }

  static noSuchEntity(message: string): IamError {
    return new IamError('NoSuchEntity', message, 404);
  }
}
