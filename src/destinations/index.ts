/**
 * The destinations the lambda engine's fan-out writes: Kinesis streams, Firehose delivery streams and Lambda
 * functions. Each kind is a port of the one writer (src/fanout/writer.ts): batches within the kind's limits, records
 * that fail retried with backoff without loss or reordering per partition key, bad records isolated. `destinationsPut`
 * routes every call to the port of its ARN's kind, so one writer serves every output of a fan-out.
 */
import type { KinesisPut } from '../fanout/writer';
import { type DestinationKind, destinationKindOf } from './arn';

export {
  type DestinationKind,
  deliveryStreamNameOf,
  destinationKindOf,
  destinationNameOf,
  parseDeliveryStreamArn,
} from './arn';
export { FIREHOSE_LIMITS, firehoseBatches, firehosePut, sdkFirehosePut } from './firehose';
export {
  type InvokeFunction,
  invocationBatches,
  type LambdaDeliveryAnswer,
  LambdaDeliveryError,
  type LambdaDeliveryEvent,
  type LambdaPutOptions,
  lambdaPut,
  parseDeliveryAnswer,
  sdkLambdaPut,
} from './lambda-function';

export type DestinationPorts = Partial<Record<DestinationKind, KinesisPut>>;

/** An output ARN the fan-out cannot write: not a stream, delivery stream or function, or no port for its kind. */
export class UnwritableDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnwritableDestinationError';
  }
}

/**
 * Throws UnwritableDestinationError for the first ARN no port writes (checked at cold start, before any batch).
 *
 * @param ports - the ports by kind
 * @param arns - every destination of the fan-out
 */
export function checkWritable(ports: DestinationPorts, arns: Iterable<string>): void {
  for (const arn of arns) {
    const kind = destinationKindOf(arn);
    if (kind === undefined)
      throw new UnwritableDestinationError(
        `${arn} is not a Kinesis stream, Firehose delivery stream or Lambda function ARN`,
      );
    if (!ports[kind]) throw new UnwritableDestinationError(`No ${kind} client to write ${arn}`);
  }
}

/**
 * One port for every kind: each call goes to the port of its ARN's kind.
 *
 * @param ports - the ports by kind (`kinesis` is `sdkKinesisPut`, `firehose` `sdkFirehosePut`, `lambda` `sdkLambdaPut`)
 */
export function destinationsPut(ports: DestinationPorts): KinesisPut {
  return {
    putRecords(arn, entries) {
      checkWritable(ports, [arn]);
      return ports[destinationKindOf(arn)!]!.putRecords(arn, entries);
    },
  };
}
