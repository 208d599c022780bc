/**
 * SubscribeToShard: enhanced fan-out over an HTTP/2 event stream. After the initial response, the twin pushes a
 * SubscribeToShardEvent as soon as records arrive (a put wakes the subscription; it also looks every POLL_MS of the
 * clock, for records a put did not announce) and at least every HEARTBEAT_MS, ends the subscription after 5 minutes as AWS does, and at the end of a closed shard sends its
 * ChildShards and ends. With limits on, each subscription reads at most 2 MiB/s; one subscription at a time per
 * consumer and shard.
 */

import { AwsServiceError, StreamingBody } from '../../service';
import { ACCOUNT } from '../errors';
import { eventMessage, exceptionMessage } from '../event-stream';
import { decodeIterator } from '../iterators';
import { LIMITS, TokenBucket } from '../limits';
import { sequenceNumber, startingSequenceNumber } from '../sequence';
import { type KinesisState, str } from '../state';
import { findConsumer } from './consumers';
import { childShards, recordsJson } from './get-records';
import { getShardIterator, shardOf } from './records';

type Input = Record<string, unknown>;

const POLL_MS = 50;
const HEARTBEAT_MS = 5000;
const SUBSCRIPTION_MS = 5 * 60 * 1000;
const EVENT_MAX_RECORDS = 10_000;

export function subscribeToShard(state: KinesisState, input: Input): StreamingBody {
  const { stream, consumer } = findConsumer(state, { ConsumerARN: input['ConsumerARN'] });
  if (consumer.status !== 'ACTIVE') {
    throw new AwsServiceError(
      'ResourceInUseException',
      `Consumer ${consumer.arn} under account ${ACCOUNT} is not ACTIVE, instead in state ${consumer.status}.`,
    );
  }
  const shardId = str(input, 'ShardId')!;
  const shard = shardOf(stream, shardId);
  const start = input['StartingPosition'] as { Type: string; SequenceNumber?: string; Timestamp?: unknown };
  const iterator = getShardIterator(state, {
    StreamName: stream.name,
    ShardId: shard.id,
    ShardIteratorType: start.Type,
    ...(start.SequenceNumber !== undefined ? { StartingSequenceNumber: start.SequenceNumber } : {}),
    ...(start.Timestamp !== undefined ? { Timestamp: start.Timestamp } : {}),
  }).ShardIterator;
  let position = decodeIterator(iterator).position;
  const key = `${consumer.arn}|${shard.id}`;
  if (state.subscriptions.has(key)) {
    throw new AwsServiceError(
      'ResourceInUseException',
      `Another active subscription exists for this consumer: ${consumer.arn} on ${shard.id}.`,
    );
  }
  state.subscriptions.add(key);
  const clock = state.clock;
  const began = clock.now();
  const budget = new TokenBucket(LIMITS.readBytesPerSecond, LIMITS.readBytesPerSecond, began);

  return new StreamingBody('application/vnd.amazon.eventstream', (sink) => {
    let timer: unknown;
    /** When the pending timer fires (clock time), to tell whether a put should bring it forward. */
    let timerAt = Number.POSITIVE_INFINITY;
    let lastSent = Number.NEGATIVE_INFINITY;
    const schedule = (ms: number): void => {
      timer = clock.setTimeout(tick, ms);
      timerAt = clock.now() + ms;
    };
    // a put into the stream wakes the subscription now: the event goes out on the next turn, not the next poll
    const stopListening = state.onRecords(stream.name, () => {
      if (sink.closed || timerAt <= clock.now()) return;
      if (timer !== undefined) clock.clearTimeout(timer);
      schedule(0);
    });
    sink.onClose(() => {
      stopListening();
      if (timer !== undefined) clock.clearTimeout(timer);
      state.subscriptions.delete(key);
    });
    const tick = (): void => {
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      if (sink.closed) return;
      const now = clock.now();
      if (state.streams.get(stream.name) !== stream || !stream.consumers.has(consumer.name)) {
        sink.write(
          exceptionMessage('ResourceNotFoundException', `Consumer ${consumer.arn} under account ${ACCOUNT} not found.`),
        );
        stopListening();
        sink.end();
        return;
      }
      shard.log.trim(state.retentionCutoff(stream));
      let maxBytes = LIMITS.getRecordsMaxBytes;
      if (state.opts.limits) maxBytes = budget.positive(now) ? Math.min(maxBytes, LIMITS.readBytesPerSecond) : 0;
      const read =
        maxBytes > 0
          ? recordsJson(shard, position, EVENT_MAX_RECORDS, maxBytes)
          : { json: '[]', end: position, bytes: 0, count: 0 };
      if (state.opts.limits) budget.spend(read.bytes);
      shard.metrics.read(read.count, read.bytes, now);
      position = Math.max(position, read.end);
      const log = shard.log;
      const atEnd = position >= log.next;
      const closedEnd = atEnd && shard.closed;
      if (read.count > 0 || closedEnd || now - lastSent >= HEARTBEAT_MS) {
        const behind = atEnd ? 0 : Math.max(0, now - (log.timeAt(position) ?? now));
        state.traffic?.pushed(stream.name, consumer.name, read.count, read.bytes, behind);
        const continuation =
          position > 0 ? sequenceNumber(shard.prefix, position - 1) : startingSequenceNumber(shard.prefix);
        const children = closedEnd ? `,"ChildShards":${JSON.stringify(childShards(stream, shard))}` : '';
        sink.write(
          eventMessage(
            'SubscribeToShardEvent',
            `{"Records":${read.json},"ContinuationSequenceNumber":"${continuation}","MillisBehindLatest":${behind}${children}}`,
          ),
        );
        lastSent = now;
      }
      if (closedEnd || now - began >= SUBSCRIPTION_MS) {
        stopListening();
        sink.end();
        return;
      }
      schedule(read.count > 0 && !atEnd ? 0 : POLL_MS);
    };
    sink.write(eventMessage('initial-response', '{}'));
    tick();
  });
}
