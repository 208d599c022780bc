import {
  InvalidArnError,
  isStreamArn,
  parseFunctionArn,
  parseStreamArn,
  qualifiedFunctionArn,
  streamArn,
  streamNameOf,
} from '../../../src/arn';

const stream = 'arn:aws:kinesis:us-east-1:000000000000:stream/Transactions';
const consumer = `${stream}/consumer/kinesis-fanout-dev-1:1767225600`;
const fn = 'arn:aws:lambda:us-east-1:000000000000:function:kinesis-fanout-dev-fanout';

describe('Module: arn', () => {
  it('parses stream and consumer ARNs, in every partition', () => {
    // Assess
    expect(parseStreamArn(stream)).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '000000000000',
      streamName: 'Transactions',
    });
    expect(parseStreamArn(consumer)?.consumer).toEqual({
      name: 'kinesis-fanout-dev-1',
      creationTimestamp: '1767225600',
    });
    expect(parseStreamArn('arn:aws-cn:kinesis:cn-north-1:000000000000:stream/a.b_c-d')?.streamName).toBe('a.b_c-d');
  });

  it.each([
    ['a name', 'Transactions'],
    ['another service', 'arn:aws:sqs:us-east-1:000000000000:stream/Transactions'],
    ['a short account', 'arn:aws:kinesis:us-east-1:0000:stream/Transactions'],
    ['a bad stream name', 'arn:aws:kinesis:us-east-1:000000000000:stream/Trans actions'],
    ['a long stream name', `arn:aws:kinesis:us-east-1:000000000000:stream/${'a'.repeat(129)}`],
    ['an extra path', `${stream}/shard/1`],
    ['a consumer without timestamp', `${stream}/consumer/c`],
    ['not a string', 42],
  ])('refuses %s', (_what, value) => {
    // Assess
    expect(parseStreamArn(value)).toBeUndefined();
    expect(isStreamArn(value)).toBe(false);
  });

  it('tells a stream ARN from a consumer ARN, and names the stream of either', () => {
    // Assess
    expect(isStreamArn(stream)).toBe(true);
    expect(isStreamArn(consumer)).toBe(false);
    expect(streamNameOf(consumer)).toBe('Transactions');
    expect(() => streamNameOf('Transactions')).toThrow(InvalidArnError);
    expect(streamArn(parseStreamArn(consumer)!, 'Other')).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/Other');
  });

  it('parses function ARNs with and without qualifier and qualifies them', () => {
    // Assess
    expect(parseFunctionArn(fn)).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      accountId: '000000000000',
      functionName: 'kinesis-fanout-dev-fanout',
    });
    expect(parseFunctionArn(`${fn}:7`)?.qualifier).toBe('7');
    expect(parseFunctionArn(`${fn}:$LATEST`)?.qualifier).toBe('$LATEST');
    expect(parseFunctionArn(`${fn}:7:8`)).toBeUndefined();
    expect(qualifiedFunctionArn(`${fn}:3`, '4')).toBe(`${fn}:4`);
    expect(qualifiedFunctionArn(`${fn}:3`)).toBe(fn);
  });
});
