/**
 * An enhanced fan-out subscription to one shard, as Lambda holds one for a mapping on a consumer: SubscribeToShard
 * on the Kinesis twin, in process, its event stream (application/vnd.amazon.eventstream) decoded as it is pushed.
 * The subscription reads with the consumer's own throughput, not the shard's shared GetRecords budget.
 */
import type { RequestContext, ResponseSink, StreamingBody } from '../../service';
import type { KinesisRecord, KinesisSource } from './types';

/** Where a subscription starts: the position Lambda resumes from. */
export type SubscribeStart =
  | { Type: 'AFTER_SEQUENCE_NUMBER'; SequenceNumber: string }
  | { Type: 'TRIM_HORIZON' | 'LATEST' }
  | { Type: 'AT_TIMESTAMP'; Timestamp: number };

export interface SubscriptionHandlers {
  /** Records pushed by one SubscribeToShardEvent (possibly none: a heartbeat). */
  records: (records: KinesisRecord[], continuation: string, shardClosed: boolean) => void;
  /** The subscription ended: after 5 minutes, at the end of a closed shard, or with an error. */
  ended: (error?: { name: string; message: string }) => void;
}

export interface Subscription {
  close(): void;
}

interface PushedRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: number;
  Data: string;
  PartitionKey: string;
}

/** Opens a subscription; rejects as SubscribeToShard does (ResourceInUseException, ResourceNotFoundException). */
export async function subscribe(
  kinesis: KinesisSource,
  ctx: RequestContext,
  input: { ConsumerARN: string; ShardId: string; StartingPosition: SubscribeStart },
  on: SubscriptionHandlers,
): Promise<Subscription> {
  const body = (await kinesis.handle(
    'SubscribeToShard',
    {
      ConsumerARN: input.ConsumerARN,
      ShardId: input.ShardId,
      StartingPosition: {
        ...input.StartingPosition,
        ...('Timestamp' in input.StartingPosition ? { Timestamp: input.StartingPosition.Timestamp / 1000 } : {}),
      },
    },
    ctx,
  )) as StreamingBody;
  let closed = false;
  const listeners: (() => void)[] = [];
  let pending: Buffer = Buffer.alloc(0);
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const fn of listeners.splice(0)) fn();
  };
  const sink: ResponseSink = {
    write: (chunk) => {
      if (closed) return;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        if (pending.length < 12) return;
        const total = pending.readUInt32BE(0);
        if (pending.length < total) return;
        const message = pending.subarray(0, total);
        pending = pending.subarray(total);
        const { headers, payload } = decodeMessage(message);
        if (headers[':message-type'] === 'exception') {
          const { message: text } = JSON.parse(payload.toString('utf8')) as { message: string };
          close();
          on.ended({ name: headers[':exception-type'] ?? 'InternalFailure', message: text });
          return;
        }
        if (headers[':event-type'] !== 'SubscribeToShardEvent') continue;
        const event = JSON.parse(payload.toString('utf8')) as {
          Records: PushedRecord[];
          ContinuationSequenceNumber: string;
          ChildShards?: unknown[];
        };
        on.records(
          event.Records.map((r) => ({
            SequenceNumber: r.SequenceNumber,
            ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp * 1000,
            data64: r.Data,
            PartitionKey: r.PartitionKey,
          })),
          event.ContinuationSequenceNumber,
          event.ChildShards !== undefined,
        );
      }
    },
    end: () => {
      if (closed) return;
      close();
      on.ended();
    },
    get closed() {
      return closed;
    },
    onClose: (fn) => {
      listeners.push(fn);
    },
  };
  body.start(sink);
  return { close };
}

/** One message of an event stream: its string headers and its payload. */
function decodeMessage(message: Buffer): { headers: Record<string, string>; payload: Buffer } {
  const headersLength = message.readUInt32BE(4);
  const headers: Record<string, string> = {};
  let at = 12;
  const end = 12 + headersLength;
  while (at < end) {
    const nameLength = message.readUInt8(at);
    const name = message.toString('utf8', at + 1, at + 1 + nameLength);
    at += 1 + nameLength;
    const type = message.readUInt8(at);
    at += 1;
    if (type !== 7) break; // only string headers are sent by the twin
    const valueLength = message.readUInt16BE(at);
    headers[name] = message.toString('utf8', at + 2, at + 2 + valueLength);
    at += 2 + valueLength;
  }
  return { headers, payload: message.subarray(end, message.length - 4) };
}
