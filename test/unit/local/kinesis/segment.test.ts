import fc from 'fast-check';
import { dataOffset, SEGMENT_BYTES, SEGMENT_RECORDS, Segment } from '../../../../local/kinesis/segment';

const ROOM = 2 + 3 * 3 + 100; // what append reserves for a 100-byte record with a 3-character key

describe('Class: Segment', () => {
  describe('Method: fits', () => {
    it('says no once the buffer is full, so a segment holding records never grows (no byte is copied)', () => {
      // Prepare
      const segment = new Segment(0);
      const buffer = segment.data;

      // Act
      let appended = 0;
      while (segment.fits(ROOM)) {
        segment.append(Buffer.alloc(100, appended % 251), 'key', 1);
        appended++;
      }

      // Assess
      expect(appended).toBeGreaterThan(1);
      expect(segment.data).toBe(buffer);
      expect(segment.used + ROOM).toBeGreaterThan(buffer.length);
    });

    it('takes a record larger than its buffer when it is empty', () => {
      // Prepare
      const segment = new Segment(0);

      // Act
      const fits = segment.fits(SEGMENT_BYTES * 2);
      segment.append(Buffer.alloc(SEGMENT_BYTES * 2), 'k', 1);

      // Assess
      expect(fits).toBe(true);
      expect(segment.bytes).toBe(SEGMENT_BYTES * 2);
    });
  });

  describe('Property: nextBytes', () => {
    it('doubles the buffer for the next segment, up to SEGMENT_BYTES', () => {
      // Prepare
      const small = new Segment(0, 8 << 10);
      const large = new Segment(0, SEGMENT_BYTES);

      // Act & Assess
      expect(small.nextBytes).toBe(16 << 10);
      expect(large.nextBytes).toBe(SEGMENT_BYTES);
    });

    it('stays at the bytes used when the segment was filled by its record count', () => {
      // Prepare
      const segment = new Segment(0, SEGMENT_BYTES, SEGMENT_RECORDS);
      for (let i = 0; i < SEGMENT_RECORDS; i++) segment.append(Buffer.alloc(10), 'k', 1);

      // Act & Assess
      expect(segment.fits(13)).toBe(false);
      expect(segment.nextBytes).toBe(segment.used);
    });
  });
  describe('Method: append', () => {
    it('keeps every partition key and its data as given, ASCII or not, short or long', () => {
      // Assess
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }), fc.uint8Array({ maxLength: 40 })),
            {
              minLength: 1,
              maxLength: 20,
            },
          ),
          (records) => {
            const segment = new Segment(0);
            for (const [key, data] of records) segment.append(data, key, 1);
            records.forEach(([key, data], i) => {
              const at = segment.start(i);
              expect(segment.keyAt(at)).toBe(Buffer.from(key, 'utf8').toString('utf8'));
              expect(Buffer.from(segment.data.subarray(at + dataOffset(segment.data, at), segment.ends[i]))).toEqual(
                Buffer.from(data),
              );
            });
          },
        ),
        {
          numRuns: 300,
          examples: [
            [
              [
                ['pk-1', new Uint8Array([1])],
                ['é', new Uint8Array([2])],
                ['\u007f', new Uint8Array()],
              ],
            ],
          ],
        },
      );
    });
  });
});
