/**
 * The closed set of errors the CloudWatch twin answers, with the names of the 2010-08-01 model's exception shapes
 * (what `__type` carries on AWS JSON 1.0) and CloudWatch's messages.
 */
import { AwsServiceError } from '../service';

/** Every error name the twin's CloudWatch API can answer. */
export type CloudWatchErrorName =
  | 'DashboardInvalidInputError'
  | 'DashboardNotFoundError'
  | 'InvalidNextToken'
  | 'InvalidParameterCombinationException'
  | 'InvalidParameterValueException'
  | 'LimitExceededFault'
  | 'MissingRequiredParameterException'
  | 'ResourceNotFound'
  | 'SerializationException'
  | 'UnknownOperationException';

function error(
  type: CloudWatchErrorName,
  message: string,
  status = 400,
  extra: Record<string, unknown> = {},
): AwsServiceError {
  return new AwsServiceError(type, message, status, extra);
}

export const errors = {
  invalidValue: (message: string) => error('InvalidParameterValueException', message),
  invalidCombination: (message: string) => error('InvalidParameterCombinationException', message),
  missing: (parameter: string) => error('MissingRequiredParameterException', `The parameter ${parameter} is required.`),
  invalidNextToken: () => error('InvalidNextToken', 'The service returned an invalid next token.'),
  limitExceeded: (message: string) => error('LimitExceededFault', message),
  alarmNotFound: (names: string[]) =>
    error('ResourceNotFound', `${names.length === 1 ? 'Alarm' : 'Alarms'} not found: ${names.join(', ')}`, 404),
  dashboardNotFound: (name: string) => error('DashboardNotFoundError', `Dashboard ${name} does not exist`, 404),
  dashboardInvalid: (messages: { DataPath: string; Message: string }[]) =>
    error('DashboardInvalidInputError', 'The input for the dashboard was invalid', 400, {
      dashboardValidationMessages: messages,
    }),
  unknownOperation: (operation: string) =>
    error('UnknownOperationException', `The twin serves no CloudWatch operation ${operation}`),
};
