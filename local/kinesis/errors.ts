/**
 * The closed set of errors the Kinesis twin raises, with the names and messages Kinesis puts on the wire.
 */
import { AwsServiceError } from '../service';

export const ACCOUNT = '000000000000';

export function streamNotFound(name: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `Stream ${name} under account ${ACCOUNT} not found.`);
}

export function streamExists(name: string): AwsServiceError {
  return new AwsServiceError('ResourceInUseException', `Stream ${name} under account ${ACCOUNT} already exists.`);
}

export function streamNotActive(name: string, status: string): AwsServiceError {
  return new AwsServiceError(
    'ResourceInUseException',
    `Stream ${name} under account ${ACCOUNT} not ACTIVE, instead in state ${status}`,
  );
}

export function shardNotFound(shardId: string, stream: string): AwsServiceError {
  return new AwsServiceError(
    'ResourceNotFoundException',
    `Shard ${shardId} in stream ${stream} under account ${ACCOUNT} does not exist`,
  );
}

export function invalidArgument(message: string): AwsServiceError {
  return new AwsServiceError('InvalidArgumentException', message);
}

export function validation(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

export function limitExceeded(message: string): AwsServiceError {
  return new AwsServiceError('LimitExceededException', message);
}

export const THROUGHPUT_EXCEEDED = 'ProvisionedThroughputExceededException';

export function rateExceededMessage(shardId: string, stream: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream} under account ${ACCOUNT}.`;
}

export function throughputExceeded(shardId: string, stream: string): AwsServiceError {
  return new AwsServiceError(THROUGHPUT_EXCEEDED, rateExceededMessage(shardId, stream));
}

export function invalidIterator(): AwsServiceError {
  return invalidArgument('Invalid ShardIterator.');
}

/** `Thu Jan 22 01:22:02 UTC 2015`, the date format Kinesis uses in ExpiredIteratorException. */
export function amzUtcString(ms: number): string {
  const m = /^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/.exec(new Date(ms).toUTCString());
  if (!m) return new Date(ms).toISOString();
  return `${m[1]} ${m[3]} ${m[2]} ${m[5]} UTC ${m[4]}`;
}

export function iteratorExpired(issuedAt: number, now: number, ttlMs: number): AwsServiceError {
  return new AwsServiceError(
    'ExpiredIteratorException',
    `Iterator expired. The iterator was created at time ${amzUtcString(issuedAt)} while right now it is ` +
      `${amzUtcString(now)} which is further in the future than the tolerated delay of ${ttlMs} milliseconds.`,
  );
}
