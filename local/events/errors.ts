/** The closed set of errors the EventBridge twin answers, with EventBridge's names and messages. */
import { AwsServiceError } from '../service';

export type EventsErrorName = 'ResourceNotFoundException' | 'ValidationException';

function error(type: EventsErrorName, message: string): AwsServiceError {
  return new AwsServiceError(type, message);
}

export const errors = {
  noRule: (name: string) => error('ResourceNotFoundException', `Rule ${name} does not exist on EventBus default.`),
  hasTargets: () => error('ValidationException', "Rule can't be deleted since it has targets."),
  validation: (message: string) => error('ValidationException', message),
};
