/**
 * Which kind of destination an output ARN names: a Kinesis stream, a Firehose delivery stream
 * (`arn:aws:firehose:<region>:<account>:deliverystream/<name>`) or a Lambda function. Parsed with src/arn.ts and
 * `@aws-sdk/util-arn-parser`.
 */
import { parse, validate } from '@aws-sdk/util-arn-parser';
import { InvalidArnError, isStreamArn, parseFunctionArn } from '../arn';

export type DestinationKind = 'kinesis' | 'firehose' | 'lambda';

/** Delivery stream names (the Firehose API model): 1-64 of [a-zA-Z0-9_.-]. */
const DELIVERY_STREAM = /^deliverystream\/([a-zA-Z0-9_.-]{1,64})$/;

/** The name of a Firehose delivery stream ARN, or undefined when `value` is not one. */
export function parseDeliveryStreamArn(value: unknown): string | undefined {
  if (typeof value !== 'string' || !validate(value)) return undefined;
  const arn = parse(value);
  if (arn.service !== 'firehose' || !/^\d{12}$/.test(arn.accountId)) return undefined;
  return DELIVERY_STREAM.exec(arn.resource)?.[1];
}

/** The delivery stream's name; InvalidArnError when `arn` is not a delivery stream ARN. */
export function deliveryStreamNameOf(arn: string): string {
  const name = parseDeliveryStreamArn(arn);
  if (name === undefined) throw new InvalidArnError(`Not a Firehose delivery stream ARN: ${arn}`);
  return name;
}

/** The name of what a destination ARN names: the stream, the delivery stream or the function (ARN as is otherwise). */
export function destinationNameOf(arn: string): string {
  const kind = destinationKindOf(arn);
  if (kind === 'kinesis') return parse(arn).resource.slice('stream/'.length);
  if (kind === 'firehose') return deliveryStreamNameOf(arn);
  if (kind === 'lambda') return parseFunctionArn(arn)!.functionName;
  return arn;
}

/** The kind of destination `arn` names, or undefined when it names none the fan-out writes. */
export function destinationKindOf(arn: string): DestinationKind | undefined {
  if (isStreamArn(arn)) return 'kinesis';
  if (parseDeliveryStreamArn(arn) !== undefined) return 'firehose';
  if (parseFunctionArn(arn)) return 'lambda';
  return undefined;
}
