import { validateInput } from '../../../../local/kinesis/validation';

function errorOf(fn: () => void): { name: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error('expected an error');
}

describe('Function: validateInput', () => {
  it('reports every broken constraint the way Kinesis does', () => {
    // Act
    const error = errorOf(() => validateInput('CreateStream', { StreamName: '', ShardCount: 0 }));

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "3 validation errors detected: Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('names nested members by their path', () => {
    // Act
    const error = errorOf(() =>
      validateInput('PutRecords', {
        StreamName: 's',
        Records: [{ Data: 'AA==', PartitionKey: 'k' }, { Data: 'AA==' }],
      }),
    );

    // Assess
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to satisfy constraint: Member must not be null",
    );
  });

  it('answers SerializationException for a value of the wrong type or bad base64', () => {
    // Act
    const wrongType = errorOf(() => validateInput('CreateStream', { StreamName: 's', ShardCount: '2' }));
    const badBase64 = errorOf(() => validateInput('PutRecord', { StreamName: 's', PartitionKey: 'k', Data: 'abc' }));

    // Assess
    expect(wrongType.name).toBe('SerializationException');
    expect(badBase64.name).toBe('SerializationException');
    expect(badBase64.message).toContain('Base64 encoded length is expected a multiple of 4 bytes');
  });

  it('accepts a valid request', () => {
    // Act
    const call = (): void =>
      validateInput('GetShardIterator', {
        StreamName: 's',
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'LATEST',
      });

    // Assess
    expect(call).not.toThrow();
  });
});
