/** The errors the CloudFormation twin answers, with CloudFormation's codes. */
import { AwsServiceError } from '../service';

export type CloudFormationErrorCode =
  | 'ValidationError'
  | 'AlreadyExistsException'
  | 'ChangeSetNotFound'
  | 'InvalidChangeSetStatus'
  | 'InsufficientCapabilitiesException'
  | 'InvalidAction';

export function cfnError(code: CloudFormationErrorCode, message: string): AwsServiceError {
  return new AwsServiceError(code, message, code === 'ChangeSetNotFound' ? 404 : 400);
}

export const stackMissing = (name: string): AwsServiceError =>
  cfnError('ValidationError', `Stack with id ${name} does not exist`);
