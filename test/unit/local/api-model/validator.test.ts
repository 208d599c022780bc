import { base64Length } from '../../../../local/api-model/base64';
import { ApiModel } from '../../../../local/api-model/model';
import { ModelValidator } from '../../../../local/api-model/validator';

const model = new ApiModel({
  operations: { Put: { input: { shape: 'PutInput' } }, Nothing: {} },
  shapes: {
    PutInput: {
      type: 'structure',
      required: ['Name', 'Data', 'Count'],
      members: { Name: { shape: 'Name' }, Data: { shape: 'Data' }, Count: { shape: 'Count' }, Keys: { shape: 'Keys' } },
    },
    Name: { type: 'string', min: 1, max: 8, pattern: '[a-z]+' },
    Data: { type: 'blob', max: 4 },
    Count: { type: 'integer', min: 1 },
    Keys: { type: 'list', member: { shape: 'Name' }, max: 20 },
  },
});

function failure(fn: () => void): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('Class: ModelValidator', () => {
  const validator = new ModelValidator(model, { errorType: 'ValidationException' });

  it('lists every failing field in the order of the members, missing ones where they stand', () => {
    // Act
    const error = failure(() => validator.validate('Put', { Name: 'ABC', Count: 0 }));

    // Assess
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "3 validation errors detected: Value 'ABC' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
        "Value null at 'data' failed to satisfy constraint: Member must not be null; " +
        "Value '0' at 'count' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });

  it('stops listing at ten', () => {
    // Act
    const error = failure(() =>
      validator.validate('Put', { Name: 'a', Data: 'AAAA', Count: 1, Keys: Array.from({ length: 15 }, () => 'X') }),
    );

    // Assess
    expect(error.message).toMatch(/^10 validation errors detected/);
  });

  it('answers SerializationException naming the field of a value of the wrong type', () => {
    // Act
    const error = failure(() => validator.validate('Put', { Name: 'a', Data: 'AAAA', Count: '2' }));

    // Assess
    expect(error.name).toBe('SerializationException');
    expect(error.message).toBe("The string '2' can not be converted to an Integer at 'count'");
  });

  it('measures blobs as bytes, given as base64 text or as bytes (CBOR)', () => {
    // Act
    const text = failure(() => validator.validate('Put', { Name: 'a', Data: 'AAAAAAA=', Count: 1 }));
    const bytes = failure(() => validator.validate('Put', { Name: 'a', Data: new Uint8Array(5), Count: 1 }));

    // Assess
    expect(text.message).toContain('Member must have length less than or equal to 4');
    expect(bytes.message).toContain("Value 'java.nio.HeapByteBuffer[pos=0 lim=5 cap=5]' at 'data'");
  });

  it('takes operations without input', () => {
    // Assess
    expect(() => validator.validate('Nothing', {})).not.toThrow();
  });

  it('walks a shape that contains itself, with the path of each level', () => {
    // Prepare: a condition whose members are conditions (Step Functions' Choice rules have this shape)
    const nested = new ModelValidator(
      new ApiModel({
        operations: { Choose: { input: { shape: 'Rule' } } },
        shapes: {
          Rule: { type: 'structure', members: { Name: { shape: 'Name' }, And: { shape: 'Rules' } } },
          Rules: { type: 'list', member: { shape: 'Rule' } },
          Name: { type: 'string', max: 3 },
        },
      }),
      { errorType: 'ValidationException' },
    );

    // Act
    const error = failure(() =>
      nested.validate('Choose', { Name: 'ok', And: [{ Name: 'ok' }, { And: [{ Name: 'long' }] }] }),
    );

    // Assess
    expect(error.message).toBe(
      "1 validation error detected: Value 'long' at 'and.2.member.and.1.member.name' failed to satisfy constraint: Member must have length less than or equal to 3",
    );
  });
});

describe('Function: base64Length', () => {
  it('checks the whole text, not only its start', () => {
    // Act
    const late = failure(() => base64Length(`${'A'.repeat(100_000)}!AAA`));

    // Assess
    expect(late.name).toBe('SerializationException');
    expect(late.message).toContain('Invalid Base64 character');
  });

  it('takes only canonical padding (unused bits zero), so what is read back is the text sent', () => {
    // Assess
    expect(base64Length('QQ==')).toBe(1);
    expect(base64Length('QUI=')).toBe(2);
    expect(() => base64Length('QR==')).toThrow('Invalid last Base64 character');
    expect(() => base64Length('QUJ=')).toThrow('Invalid last Base64 character');
    expect(() => base64Length('A===')).toThrow('Invalid Base64 character');
    expect(() => base64Length('AB-_')).toThrow('Invalid Base64 character');
  });
});
