/**
 * Enhanced fan-out consumers: RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
 * DeregisterStreamConsumer. Status moves CREATING -> ACTIVE and DELETING -> gone after the creation delay.
 */
import { parseStreamArn } from '../../../src/arn';
import { AwsServiceError } from '../../service';
import { ACCOUNT, invalidArgument, limitExceeded } from '../errors';
import { LIMITS } from '../limits';
import { type KinesisState, num, seconds, str } from '../state';
import type { Consumer, Stream } from '../store';

type Input = Record<string, unknown>;

function shape(c: Consumer): Record<string, unknown> {
  return {
    ConsumerName: c.name,
    ConsumerARN: c.arn,
    ConsumerStatus: c.status,
    ConsumerCreationTimestamp: seconds(c.createdMs),
  };
}

function consumerNotFound(name: string, stream: string): AwsServiceError {
  return new AwsServiceError(
    'ResourceNotFoundException',
    `Consumer ${name}, account ${ACCOUNT}, stream ${stream} not found.`,
  );
}

function streamByArn(state: KinesisState, input: Input): Stream {
  return state.find({ StreamARN: input['StreamARN'] });
}

/** The consumer named by ConsumerARN, or by StreamARN + ConsumerName. */
export function findConsumer(state: KinesisState, input: Input): { stream: Stream; consumer: Consumer } {
  const arn = str(input, 'ConsumerARN');
  if (arn !== undefined) {
    const parts = parseStreamArn(arn);
    if (parts?.consumer === undefined) throw invalidArgument(`Invalid ConsumerARN: ${arn}`);
    const stream = state.find({ StreamName: parts.streamName });
    const consumer = stream.consumers.get(parts.consumer.name);
    if (!consumer || consumer.arn !== arn) throw consumerNotFound(parts.consumer.name, stream.name);
    return { stream, consumer };
  }
  const name = str(input, 'ConsumerName');
  if (input['StreamARN'] === undefined || name === undefined) {
    throw invalidArgument('Either ConsumerARN or both StreamARN and ConsumerName must be provided.');
  }
  const stream = streamByArn(state, input);
  const consumer = stream.consumers.get(name);
  if (!consumer) throw consumerNotFound(name, stream.name);
  return { stream, consumer };
}

export function registerStreamConsumer(state: KinesisState, input: Input): unknown {
  const stream = streamByArn(state, input);
  const name = str(input, 'ConsumerName')!;
  if (stream.status !== 'ACTIVE')
    throw new AwsServiceError(
      'ResourceInUseException',
      `Stream ${stream.name} under account ${ACCOUNT} not ACTIVE, instead in state ${stream.status}`,
    );
  if (stream.consumers.has(name)) {
    throw new AwsServiceError(
      'ResourceInUseException',
      `Consumer ${name} under stream ${stream.name} already exists for account ${ACCOUNT}.`,
    );
  }
  if (state.opts.limits && stream.consumers.size >= LIMITS.consumersPerStream) {
    throw limitExceeded(
      `Consumer limit of ${LIMITS.consumersPerStream} for stream ${stream.name} under account ${ACCOUNT} has been reached.`,
    );
  }
  const now = state.now();
  const consumer: Consumer = {
    name,
    arn: `${stream.arn}/consumer/${name}:${Math.floor(now / 1000)}`,
    status: 'CREATING',
    createdMs: now,
  };
  stream.consumers.set(name, consumer);
  state.later(state.opts.createDelayMs, () => {
    if (consumer.status === 'CREATING') consumer.status = 'ACTIVE';
  });
  state.touch();
  return { Consumer: shape(consumer) };
}

export function describeStreamConsumer(state: KinesisState, input: Input): unknown {
  const { stream, consumer } = findConsumer(state, input);
  return { ConsumerDescription: { ...shape(consumer), StreamARN: stream.arn } };
}

export function listStreamConsumers(state: KinesisState, input: Input): unknown {
  const stream = streamByArn(state, input);
  const limit = num(input, 'MaxResults') ?? 100;
  const next = str(input, 'NextToken');
  const after = next === undefined ? undefined : Buffer.from(next, 'base64').toString('utf8');
  const all = [...stream.consumers.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((c) => after === undefined || c.name > after);
  const page = all.slice(0, limit);
  return {
    Consumers: page.map(shape),
    ...(all.length > limit ? { NextToken: Buffer.from(page[page.length - 1]!.name).toString('base64') } : {}),
  };
}

export function deregisterStreamConsumer(state: KinesisState, input: Input): Record<string, never> {
  const { stream, consumer } = findConsumer(state, input);
  if (consumer.status === 'DELETING') return {};
  consumer.status = 'DELETING';
  state.later(state.opts.createDelayMs, () => {
    if (stream.consumers.get(consumer.name) === consumer) stream.consumers.delete(consumer.name);
  });
  state.touch();
  return {};
}
