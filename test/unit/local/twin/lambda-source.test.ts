import { kinesisSourceOf } from '../../../../local/lambda/mapping/source';

describe('Function: kinesisSourceOf', () => {
  const stream = 'arn:aws:kinesis:us-east-1:000000000000:stream/input';

  it('reads a stream ARN and a consumer ARN as the same stream', () => {
    // Act
    const direct = kinesisSourceOf(stream);
    const viaConsumer = kinesisSourceOf(`${stream}/consumer/fanout-1:1764640000`);

    // Assess
    expect(direct).toEqual({ streamName: 'input', streamArn: stream, viaConsumer: false });
    expect(viaConsumer).toEqual({ streamName: 'input', streamArn: stream, viaConsumer: true });
  });

  it('is undefined for what names no Kinesis stream', () => {
    // Act / Assess
    for (const arn of [
      'arn:aws:sqs:us-east-1:000000000000:queue',
      `${stream}/consumer/no-timestamp`,
      'arn:aws:kinesis::000000000000:stream/input',
    ]) {
      expect(kinesisSourceOf(arn)).toBeUndefined();
    }
  });
});
