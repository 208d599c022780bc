/** The Kinesis stream an event source mapping reads, from its event source ARN. */
import { parseStreamArn, streamArn } from '../../../src/arn';

/**
 * What an event source ARN reads: a Kinesis stream, directly or through an enhanced fan-out consumer
 * (`...:stream/<name>/consumer/<consumer>:<timestamp>`), whose records the twin reads from the same shards.
 */
export interface KinesisEventSource {
  readonly streamName: string;
  /** The stream's own ARN (a consumer's ARN without its consumer part). */
  readonly streamArn: string;
  readonly viaConsumer: boolean;
}

/** The Kinesis source of an event source ARN, read by src/arn.ts; undefined when it is no stream's or consumer's. */
export function kinesisSourceOf(eventSourceArn: string): KinesisEventSource | undefined {
  const parts = parseStreamArn(eventSourceArn);
  if (!parts) return undefined;
  return {
    streamName: parts.streamName,
    streamArn: streamArn(parts, parts.streamName),
    viaConsumer: parts.consumer !== undefined,
  };
}
