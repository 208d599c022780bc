import { ManualClock } from '../../../../local/clock';
import { KinesisTwin } from '../../../../local/kinesis';

/**
 * Which stream and consumer ARNs the Kinesis twin takes. The API model's patterns are a lax first check (its
 * StreamARN is `arn:aws.*:kinesis:.*:\d{12}:stream/\S+`: an empty region and any tail pass); what names a stream
 * is src/arn.ts's grammar (partition aws*, a region, a 12-digit account, `stream/<name>`, at most
 * `/consumer/<name>:<timestamp>`), as the Kinesis Client Library also checks before it calls.
 */
function errorOf(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected an error');
}

describe('Kinesis twin: stream and consumer ARNs', () => {
  let kinesis: KinesisTwin;
  let streamArn: string;
  let consumerArn: string;

  beforeEach(() => {
    // Prepare
    kinesis = new KinesisTwin({ clock: new ManualClock(), limits: false });
    kinesis.call('CreateStream', { StreamName: 's', ShardCount: 1 });
    streamArn = kinesis.streamArn('s');
    const registered = kinesis.call('RegisterStreamConsumer', { StreamARN: streamArn, ConsumerName: 'c' }) as {
      Consumer: { ConsumerARN: string };
    };
    consumerArn = registered.Consumer.ConsumerARN;
  });

  const summaryOf = (arn: string): unknown =>
    (kinesis.call('DescribeStreamSummary', { StreamARN: arn }) as { StreamDescriptionSummary: { StreamName: string } })
      .StreamDescriptionSummary.StreamName;

  it('builds stream and consumer ARNs in the shape AWS gives them', () => {
    // Assess
    expect(streamArn).toBe('arn:aws:kinesis:us-east-1:000000000000:stream/s');
    expect(consumerArn).toMatch(/^arn:aws:kinesis:us-east-1:000000000000:stream\/s\/consumer\/c:\d+$/);
  });

  it('finds a stream by its ARN, by an ARN of another partition, region or account, and by a consumer ARN', () => {
    // Act / Assess: the twin serves every region and account as one, and a consumer's ARN names its stream
    expect(summaryOf(streamArn)).toBe('s');
    expect(summaryOf('arn:aws-cn:kinesis:cn-north-1:123456789012:stream/s')).toBe('s');
    expect(summaryOf(consumerArn)).toBe('s');
  });

  it('refuses, as InvalidArgumentException, stream ARNs the model lets through but that name no stream', () => {
    // Act
    const noRegion = errorOf(() => summaryOf('arn:aws:kinesis::000000000000:stream/s'));
    const badConsumer = errorOf(() => summaryOf(`${streamArn}/consumer/c`));
    const extraPath = errorOf(() => summaryOf(`${streamArn}/shard/1`));

    // Assess
    for (const error of [noRegion, badConsumer, extraPath]) expect(error.name).toBe('InvalidArgumentException');
    expect(noRegion.message).toBe('Invalid StreamARN: arn:aws:kinesis::000000000000:stream/s');
  });

  it('leaves to the model what its pattern refuses (ValidationException)', () => {
    // Act
    const shortAccount = errorOf(() => summaryOf('arn:aws:kinesis:us-east-1:123:stream/s'));

    // Assess
    expect(shortAccount.name).toBe('ValidationException');
  });

  it('finds a consumer by its ARN and refuses a consumer ARN without a timestamp or region', () => {
    // Act
    const found = kinesis.call('DescribeStreamConsumer', { ConsumerARN: consumerArn }) as {
      ConsumerDescription: { ConsumerName: string; StreamARN: string };
    };
    const otherTimestamp = errorOf(() =>
      kinesis.call('DescribeStreamConsumer', { ConsumerARN: consumerArn.replace(/:\d+$/, ':1') }),
    );
    const noRegion = errorOf(() =>
      kinesis.call('DescribeStreamConsumer', { ConsumerARN: consumerArn.replace(':us-east-1:', '::') }),
    );

    // Assess
    expect(found.ConsumerDescription).toMatchObject({ ConsumerName: 'c', StreamARN: streamArn });
    expect(otherTimestamp.name).toBe('ResourceNotFoundException');
    expect(noRegion).toMatchObject({
      name: 'InvalidArgumentException',
      message: expect.stringMatching(/^Invalid ConsumerARN/),
    });
  });

  it('tags a stream by its ARN and refuses a consumer ARN as the resource', () => {
    // Act
    kinesis.call('TagResource', { ResourceARN: streamArn, Tags: { team: 'a' } });
    const listed = kinesis.call('ListTagsForResource', { ResourceARN: streamArn }) as { Tags: unknown[] };
    const onConsumer = errorOf(() => kinesis.call('TagResource', { ResourceARN: consumerArn, Tags: { team: 'a' } }));

    // Assess
    expect(listed.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    expect(onConsumer).toMatchObject({
      name: 'InvalidArgumentException',
      message: `Invalid ResourceARN: ${consumerArn}`,
    });
  });
});
