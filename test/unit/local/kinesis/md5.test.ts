import { hash } from 'node:crypto';
import fc from 'fast-check';
import { md5, md5Scratch } from '../../../../local/kinesis/md5';

describe('Function: md5', () => {
  it('gives the digest node:crypto gives, for any partition key', () => {
    // Assess
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 256 })), (key) => {
        const digest = hash('md5', key, 'buffer');
        expect(md5(key).equals(digest)).toBe(true);
        expect(md5Scratch(key).equals(digest)).toBe(true);
      }),
      { numRuns: 500, examples: [[''], ['x'.repeat(55)], ['x'.repeat(56)], ['é'], ['\u007f']] },
    );
  });

  it('gives a digest of its own, which later calls leave alone (md5Scratch reuses one buffer)', () => {
    // Act
    const first = md5('pk-1');
    const scratch = md5Scratch('pk-1');
    md5('pk-2');
    md5Scratch('pk-2');

    // Assess
    expect(first.equals(hash('md5', 'pk-1', 'buffer'))).toBe(true);
    expect(scratch.equals(hash('md5', 'pk-2', 'buffer'))).toBe(true);
  });
});
