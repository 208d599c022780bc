/** The closed set of errors the Firehose twin answers, with the names and messages Firehose puts on the wire. */
import { AwsServiceError } from '../service';

export const ACCOUNT = '000000000000';

export type FirehoseErrorName =
  | 'ResourceNotFoundException'
  | 'ResourceInUseException'
  | 'InvalidArgumentException'
  | 'LimitExceededException'
  | 'ServiceUnavailableException'
  | 'ValidationException'
  | 'UnknownOperationException';

function error(type: FirehoseErrorName, message: string): AwsServiceError {
  return new AwsServiceError(type, message);
}

/** What a throttled call or record says (PutRecord/PutRecordBatch over the stream's quota). */
export const SLOW_DOWN = 'Slow down.';

export const errors = {
  notFound: (name: string) =>
    error('ResourceNotFoundException', `Firehose ${name} under account ${ACCOUNT} not found.`),
  exists: (name: string) =>
    error('ResourceInUseException', `Firehose ${name} under account ${ACCOUNT} already exists.`),
  notActive: (name: string, status: string) =>
    error(
      'ResourceInUseException',
      `Firehose ${name} under account ${ACCOUNT} is not ACTIVE, instead in state ${status}.`,
    ),
  invalid: (message: string) => error('InvalidArgumentException', message),
  limit: (message: string) => error('LimitExceededException', message),
  slowDown: () => error('ServiceUnavailableException', SLOW_DOWN),
  unknownOperation: (message: string) => error('UnknownOperationException', message),
};
