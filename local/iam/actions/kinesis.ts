/**
 * Kinesis Data Streams: the stream (or consumer) each operation acts on, from StreamARN, StreamName, ConsumerARN,
 * a shard iterator (GetRecords) or a ListShards NextToken, which the twin's tokens carry.
 */
import { type CallEnv, type Need, type ServiceTable, str } from './types';

/** Operations that support no resource-level permission. */
const ACCOUNT_WIDE = new Set(['ListStreams', 'DescribeLimits', 'DescribeAccountSettings', 'UpdateAccountSettings']);
/** Operations on a consumer (ConsumerARN, or StreamARN + ConsumerName). */
const ON_CONSUMER = new Set(['DescribeStreamConsumer', 'DeregisterStreamConsumer', 'SubscribeToShard']);

const streamArn = (env: CallEnv, name: string): string =>
  `arn:aws:kinesis:${env.region}:${env.accountId}:stream/${name}`;

/** The stream name a twin token carries (`...|name` for iterators, `name|...` for ListShards), if it is one. */
function fromToken(token: string, last: boolean): string | undefined {
  const parts = Buffer.from(token, 'base64').toString('utf8').split('|');
  if (parts.length < 3) return undefined;
  const name = last ? parts[parts.length - 1] : parts[0];
  return name && /^[a-zA-Z0-9_.-]{1,128}$/.test(name) ? name : undefined;
}

function resourceOf(operation: string, input: Readonly<Record<string, unknown>>, env: CallEnv): string | undefined {
  if (ACCOUNT_WIDE.has(operation)) return '*';
  if (ON_CONSUMER.has(operation)) {
    const consumer = str(input, 'ConsumerARN');
    if (consumer) return consumer;
    const stream = str(input, 'StreamARN');
    const name = str(input, 'ConsumerName');
    return stream && name ? `${stream}/consumer/${name}` : undefined;
  }
  if (operation === 'TagResource' || operation === 'UntagResource' || operation === 'ListTagsForResource') {
    return str(input, 'ResourceARN');
  }
  const arn = str(input, 'StreamARN');
  if (arn) return arn;
  const name = str(input, 'StreamName');
  if (name) return streamArn(env, name);
  if (operation === 'GetRecords') {
    const iterator = str(input, 'ShardIterator');
    const stream = iterator && fromToken(iterator, true);
    return stream ? streamArn(env, stream) : undefined;
  }
  if (operation === 'ListShards') {
    const token = str(input, 'NextToken');
    const stream = token && fromToken(token, false);
    return stream ? streamArn(env, stream) : undefined;
  }
  return undefined;
}

export const kinesisActions: ServiceTable = {
  prefix: 'kinesis',
  shape: 'aws-json',
  needs(operation, input, env): Need[] {
    const resource = resourceOf(operation, input, env);
    // a request naming no resource the twin can read fails its own validation next, with the service's error
    return resource === undefined ? [] : [{ action: `kinesis:${operation}`, resource }];
  },
};
