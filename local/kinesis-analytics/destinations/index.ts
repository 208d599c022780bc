/**
 * The destinations of a running application, as one abstraction over the three kinds an Output may name
 * (how-it-works-output.md): a Kinesis stream, a Lambda function, a Kinesis Data Firehose delivery stream. Each kind
 * is one adapter: `check` at StartApplication (InvalidApplicationConfigurationException when it cannot be written),
 * `open` for a running application. A destination drains its queue of serialized rows in order, retrying what
 * fails until it is delivered or a stop gives up (then false: the checkpoint stays, the rows are read again).
 *
 * Firehose delivery streams go to the Firehose twin (local/firehose) through its in-process PutRecordBatch.
 */
import type { Clock } from '../../clock';
import type { DeliveryCounters, RunMetrics } from '../counters';
import type { ErrorLog } from '../error-stream';
import type { FirehosePort } from '../firehose-port';
import type { KinesisPort } from '../kinesis-port';
import type { LambdaPort } from '../lambda-port';
import type { ArnRole, OutputDescription } from '../state';
import type { RunnerTiming } from '../timing';
import { firehoseDelivery } from './firehose-delivery-stream';
import { kinesisStreamDelivery } from './kinesis-stream';
import { lambdaFunctionDelivery } from './lambda-function';

/** One serialized row waiting for its destination. */
export interface OutgoingRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
}

/** A destination of a running application. */
export interface Destination {
  readonly output: OutputDescription;
  readonly kind: DestinationKind['name'];
  /** The stream or function written to. */
  readonly arn: string;
  /** Rows routed to this destination, not yet delivered. */
  readonly queue: OutgoingRecord[];
  /**
   * Delivers the queue, in order, retrying until it is empty (true) or `giveUp` is aborted (false; what was not
   * delivered is dropped from the queue: the checkpoint has not moved, so it is read again next run).
   */
  deliver(giveUp: AbortSignal): Promise<boolean>;
}

/** What destinations are written through, and the running application's shared parts. */
export interface DeliveryContext {
  readonly kinesis: KinesisPort;
  readonly lambda: LambdaPort | undefined;
  readonly firehose?: FirehosePort | undefined;
  readonly clock: Clock;
  readonly timing: RunnerTiming;
  readonly applicationArn: string;
  /** Rows a destination refuses for good (too large for Kinesis...): they go on the error stream's count. */
  readonly errors: ErrorLog;
  readonly rowtime: () => number;
  /** The counters of this run (the errors route's `Metrics`). */
  readonly run: RunMetrics;
}

/** One kind of destination. */
export interface DestinationKind {
  readonly name: 'KinesisStreams' | 'KinesisFirehose' | 'Lambda';
  /** The member of an OutputDescription that names a destination of this kind. */
  readonly member: 'KinesisStreamsOutputDescription' | 'KinesisFirehoseOutputDescription' | 'LambdaOutputDescription';
  /** Throws InvalidApplicationConfigurationException when `target` cannot be written. */
  check(
    output: OutputDescription,
    target: ArnRole,
    ports: Pick<DeliveryContext, 'kinesis' | 'lambda' | 'firehose'>,
  ): Promise<void>;
  /** `counters`: the destination's own, over the application's life (metrics). */
  open(output: OutputDescription, target: ArnRole, ctx: DeliveryContext, counters: DeliveryCounters): Destination;
}

/** Every kind of destination an Output may name. */
export const DESTINATION_KINDS: readonly DestinationKind[] = [
  kinesisStreamDelivery,
  lambdaFunctionDelivery,
  firehoseDelivery,
];

/** The kind of an output's destination, and the ARN and role it names. */
export function destinationOf(output: OutputDescription): { kind: DestinationKind; target: ArnRole } {
  for (const kind of DESTINATION_KINDS) {
    const target = output[kind.member];
    if (target) return { kind, target };
  }
  throw new Error(`Output ${output.OutputId} names no destination`);
}
