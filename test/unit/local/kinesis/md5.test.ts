import { hash } from 'node:crypto';
import fc from 'fast-check';
import { md5 } from '../../../../local/kinesis/md5';

describe('Function: md5', () => {
  it('gives the digest node:crypto gives, for any partition key', () => {
    // Assess
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 256 })), (key) => {
        expect(md5(key).equals(hash('md5', key, 'buffer'))).toBe(true);
      }),
      { numRuns: 500, examples: [[''], ['x'.repeat(55)], ['x'.repeat(56)], ['é'], ['\u007f']] },
    );
  });
});
