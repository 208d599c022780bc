import { operationNames, validateRequest } from '../../../../local/kinesis-analytics/validation';

function failure(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('Function: validateRequest', () => {
  it('knows every operation of the 2015-08-14 model', () => {
    // Act
    const names = [...operationNames];

    // Assess
    expect(names).toEqual(expect.arrayContaining(['CreateApplication', 'DiscoverInputSchema', 'UntagResource']));
    expect(names).toHaveLength(20);
  });

  it('accepts a valid request', () => {
    // Act
    const act = () => validateRequest('StopApplication', { ApplicationName: 'a.b-c_1' });

    // Assess
    expect(act).not.toThrow();
  });

  it('reports every missing required member', () => {
    // Act
    const error = failure(() => validateRequest('AddApplicationOutput', {}));

    // Assess
    expect(error.name).toBe('InvalidArgumentException');
    expect(error.message).toMatch(/^3 validation errors detected/);
    expect(error.message).toContain(
      "'currentApplicationVersionId' failed to satisfy constraint: Member must not be null",
    );
  });

  it('checks ranges of version ids and nested members with their path', () => {
    // Act
    const error = failure(() =>
      validateRequest('AddApplicationOutput', {
        ApplicationName: 'a',
        CurrentApplicationVersionId: 0,
        Output: { Name: 'x'.repeat(33), DestinationSchema: { RecordFormatType: 'XML' } },
      }),
    );

    // Assess
    expect(error.message).toContain(
      "at 'currentApplicationVersionId' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect(error.message).toContain(
      "at 'output.name' failed to satisfy constraint: Member must have length less than or equal to 32",
    );
    expect(error.message).toContain(
      "at 'output.destinationSchema.recordFormatType' failed to satisfy constraint: Member must satisfy enum value set: [JSON, CSV]",
    );
  });

  it('matches Java patterns with possessive quantifiers (application ARNs)', () => {
    // Act
    const good = () =>
      validateRequest('ListTagsForResource', {
        ResourceARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/app',
      });
    const bad = failure(() => validateRequest('ListTagsForResource', { ResourceARN: 'arn:aws:s3:::bucket' }));

    // Assess
    expect(good).not.toThrow();
    expect(bad.message).toContain("at 'resourceARN'");
  });

  it('refuses a member of the wrong JSON type with SerializationException', () => {
    // Act
    const error = failure(() => validateRequest('ListApplications', { Limit: 'ten' }));

    // Assess
    expect(error.name).toBe('SerializationException');
  });

  it('names list members by position', () => {
    // Act
    const error = failure(() =>
      validateRequest('UntagResource', {
        ResourceARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/a',
        TagKeys: [''],
      }),
    );

    // Assess
    expect(error.message).toContain("at 'tagKeys.1.member'");
  });
});
