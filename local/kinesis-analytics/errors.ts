/**
 * The closed set of errors the Kinesis Analytics twin raises: the exceptions of the 2015-08-14 API model, with the
 * names SDK clients match on the wire (`{"__type": name, "message": ...}`), plus UnknownOperationException for a
 * target the service does not have.
 */
import { AwsServiceError } from '../service';

/** The model's exceptions (every `"exception": true` shape of api-model.json) and the protocol's own. */
export type KinesisAnalyticsErrorName =
  | 'CodeValidationException'
  | 'ConcurrentModificationException'
  | 'InvalidApplicationConfigurationException'
  | 'InvalidArgumentException'
  | 'LimitExceededException'
  | 'ResourceInUseException'
  | 'ResourceNotFoundException'
  | 'ResourceProvisionedThroughputExceededException'
  | 'ServiceUnavailableException'
  | 'TooManyTagsException'
  | 'UnableToDetectSchemaException'
  | 'UnsupportedOperationException'
  | 'UnknownOperationException';

/** An error of this service, as it goes on the wire. */
export function kinesisAnalyticsError(
  name: KinesisAnalyticsErrorName,
  message: string,
  status = 400,
  extra: Record<string, unknown> = {},
): AwsServiceError {
  return new AwsServiceError(name, message, status, extra);
}

export const invalidArgument = (message: string) => kinesisAnalyticsError('InvalidArgumentException', message);

export const invalidConfiguration = (message: string) =>
  kinesisAnalyticsError('InvalidApplicationConfigurationException', message);

export const applicationNotFound = (name: string, status = 400) =>
  kinesisAnalyticsError('ResourceNotFoundException', `Application ${name} not found`, status);

/** A configuration item (input, output, reference data source, logging option) the application does not have. */
export const itemNotFound = (what: string, id: string) =>
  kinesisAnalyticsError('ResourceNotFoundException', `${what} ${id} not found`);

export const resourceInUse = (message: string) => kinesisAnalyticsError('ResourceInUseException', message);

export const concurrentModification = (message: string) =>
  kinesisAnalyticsError('ConcurrentModificationException', message);

export const limitExceeded = (message: string) => kinesisAnalyticsError('LimitExceededException', message);

export const tooManyTags = (message: string) => kinesisAnalyticsError('TooManyTagsException', message);

export const unknownOperation = (operation: string) =>
  kinesisAnalyticsError('UnknownOperationException', `Kinesis Analytics has no operation ${operation}`);

/**
 * Maps the SQL engine's errors (named after the API's exceptions) onto wire errors; anything else is a fault of the
 * twin and is returned unchanged, so it surfaces as such.
 */
export function toServiceError(error: unknown): unknown {
  if (error instanceof AwsServiceError) return error;
  if (
    error instanceof Error &&
    (error.name === 'CodeValidationException' || error.name === 'InvalidArgumentException')
  ) {
    return kinesisAnalyticsError(error.name, error.message);
  }
  return error;
}
