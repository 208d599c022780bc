/**
 * ARNs, parsed and built in one place, over `@aws-sdk/util-arn-parser`: Kinesis streams and their enhanced fan-out
 * consumers (`arn:aws:kinesis:<region>:<account>:stream/<name>[/consumer/<consumer>:<timestamp>]`) and Lambda
 * functions (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`). Everything in src/ and handlers/
 * that reads a name out of an ARN, or checks that a string is one, comes here.
 */
import { build, parse, validate } from '@aws-sdk/util-arn-parser';

/** A Kinesis stream name: 1-128 of [a-zA-Z0-9_.-] (the Kinesis API model). */
const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
/** A consumer's part of its ARN: the name (1-128 of [a-zA-Z0-9_.-]) and the registration timestamp. */
const CONSUMER = /^([a-zA-Z0-9_.-]{1,128}):(\d+)$/;
/** A Lambda function name and its optional qualifier: a version number, `$LATEST` or an alias. */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[0-9]+|[a-zA-Z0-9_-]{1,128})$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z0-9-]+$/;

/** The parts of a Kinesis stream ARN (or of a consumer ARN of that stream). */
export interface StreamArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly streamName: string;
  /** Present for an enhanced fan-out consumer's ARN. */
  readonly consumer?: { readonly name: string; readonly creationTimestamp: string };
}

export interface FunctionArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly functionName: string;
  /** A version (`3`), `$LATEST` or an alias; absent for an unqualified ARN. */
  readonly qualifier?: string;
}

/** A string that should be an ARN of a given kind is not. */
export class InvalidArnError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidArnError';
  }
}

function baseOf(value: unknown, service: string) {
  if (typeof value !== 'string' || !validate(value)) return undefined;
  const arn = parse(value);
  if (arn.service !== service || !arn.partition.startsWith('aws') || !REGION.test(arn.region)) return undefined;
  if (!ACCOUNT.test(arn.accountId)) return undefined;
  return arn;
}

/**
 * Parses a Kinesis stream ARN, or an enhanced fan-out consumer ARN.
 *
 * @returns the parts, or undefined when `value` is neither
 */
export function parseStreamArn(value: unknown): StreamArnParts | undefined {
  const arn = baseOf(value, 'kinesis');
  if (!arn?.resource.startsWith('stream/')) return undefined;
  const [streamName, kind, consumer, ...rest] = arn.resource.slice('stream/'.length).split('/');
  if (streamName === undefined || !STREAM_NAME.test(streamName) || rest.length > 0) return undefined;
  const base = { partition: arn.partition, region: arn.region, accountId: arn.accountId, streamName };
  if (kind === undefined) return base;
  const match = kind === 'consumer' && consumer !== undefined ? CONSUMER.exec(consumer) : null;
  return match ? { ...base, consumer: { name: match[1]!, creationTimestamp: match[2]! } } : undefined;
}

/** Whether `value` is the ARN of a Kinesis stream (not of a consumer). */
export function isStreamArn(value: unknown): value is string {
  const parts = parseStreamArn(value);
  return parts !== undefined && parts.consumer === undefined;
}

/**
 * The stream name of a Kinesis stream ARN or consumer ARN.
 *
 * @throws InvalidArnError when `arn` is neither
 */
export function streamNameOf(arn: string): string {
  const parts = parseStreamArn(arn);
  if (!parts) throw new InvalidArnError(`Not a Kinesis stream ARN: ${JSON.stringify(arn)}`);
  return parts.streamName;
}

/**
 * Builds a stream ARN from the parts of another ARN of the same account and region.
 *
 * @param like - the parts of any ARN of that account and region (partition, region, account)
 * @param streamName - the stream
 */
export function streamArn(
  like: Pick<StreamArnParts, 'partition' | 'region' | 'accountId'>,
  streamName: string,
): string {
  return build({ ...like, service: 'kinesis', resource: `stream/${streamName}` });
}

/** Parses a Lambda function ARN (qualified or not); undefined when `value` is not one. */
export function parseFunctionArn(value: unknown): FunctionArnParts | undefined {
  const arn = baseOf(value, 'lambda');
  if (!arn?.resource.startsWith('function:')) return undefined;
  const [functionName, qualifier, ...rest] = arn.resource.slice('function:'.length).split(':');
  if (functionName === undefined || !FUNCTION_NAME.test(functionName) || rest.length > 0) return undefined;
  const base = { partition: arn.partition, region: arn.region, accountId: arn.accountId, functionName };
  if (qualifier === undefined) return base;
  return QUALIFIER.test(qualifier) ? { ...base, qualifier } : undefined;
}

/**
 * The function ARN with another qualifier (or none).
 *
 * @throws InvalidArnError when `functionArn` is not a Lambda function ARN
 */
export function qualifiedFunctionArn(functionArn: string, qualifier?: string): string {
  const parts = parseFunctionArn(functionArn);
  if (!parts) throw new InvalidArnError(`Not a Lambda function ARN: ${JSON.stringify(functionArn)}`);
  const resource = `function:${parts.functionName}${qualifier === undefined ? '' : `:${qualifier}`}`;
  return build({
    partition: parts.partition,
    service: 'lambda',
    region: parts.region,
    accountId: parts.accountId,
    resource,
  });
}
