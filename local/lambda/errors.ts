/**
 * The closed set of errors the Lambda twin answers, with the names, statuses and messages Lambda puts on the wire.
 */
import { AwsServiceError } from '../service';

/** Every error name the twin's Lambda API can answer. */
export type LambdaErrorName =
  | 'InvalidParameterValueException'
  | 'InvalidRequestContentException'
  | 'PreconditionFailedException'
  | 'RequestTooLargeException'
  | 'ResourceConflictException'
  | 'ResourceInUseException'
  | 'ResourceNotFoundException'
  | 'ServiceException'
  | 'TooManyRequestsException';

function error(type: LambdaErrorName, message: string, status: number): AwsServiceError {
  return new AwsServiceError(type, message, status);
}

export const errors = {
  invalid: (message: string, cause?: unknown): AwsServiceError => {
    const e = error('InvalidParameterValueException', message, 400);
    if (cause !== undefined) (e as { cause?: unknown }).cause = cause;
    return e;
  },
  badJson: () => error('InvalidRequestContentException', 'Could not parse request body into json', 400),
  tooLarge: (size: number, limit: number) =>
    error(
      'RequestTooLargeException',
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation (got ${size})`,
      413,
    ),
  noFunction: (arn: string) => error('ResourceNotFoundException', `Function not found: ${arn}`, 404),
  noMapping: (uuid: string) =>
    error(
      'ResourceNotFoundException',
      `The resource you requested does not exist. (Service: Lambda, Status Code: 404, Request ID: ${uuid})`,
      404,
    ),
  mappingExists: (source: string, functionName: string, uuid: string) =>
    error(
      'ResourceConflictException',
      `The event source arn (" ${source} ") and function (" ${functionName} ") provided mapping already exists. Please update or delete the existing mapping with UUID ${uuid}`,
      409,
    ),
  mappingBusy: (uuid: string, state: string) =>
    error('ResourceInUseException', `Cannot update the event source mapping ${uuid}: it is ${state}`, 400),
  conflict: (message: string) => error('ResourceConflictException', message, 409),
  precondition: (message: string) => error('PreconditionFailedException', message, 412),
  service: (message: string) => error('ServiceException', message, 500),
  /** Invoke over the concurrency the function may use (the twin's fault injection: faults.throttle). */
  tooManyRequests: () => error('TooManyRequestsException', 'Rate Exceeded.', 429),
};
