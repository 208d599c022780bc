import { ShardLog } from '../../../../local/kinesis/shard-log';

function fill(log: ShardLog, n: number, time: (i: number) => number): void {
  for (let i = 0; i < n; i++) {
    log.append(Buffer.from(`record-${i}`), `k${i}`, time(i));
  }
}

function readAll(log: ShardLog, from: number, limit = 100_000): string[] {
  const out: string[] = [];
  log.read(from, limit, Number.POSITIVE_INFINITY, (buf, s, e) => out.push(buf.toString('utf8', s, e)));
  return out;
}

describe('Class: ShardLog', () => {
  describe('Method: append', () => {
    it('keeps records across many segments, readable from any index', () => {
      // Prepare
      const log = new ShardLog();

      // Act
      fill(log, 10_000, (i) => 1000 + i);

      // Assess
      expect(log.size).toBe(10_000);
      expect(readAll(log, 4095, 3)).toEqual(['record-4095', 'record-4096', 'record-4097']);
      expect(readAll(log, 9_999)).toEqual(['record-9999']);
      expect(readAll(log, 10_000)).toEqual([]);
    });

    it('decodes base64 text straight into the log', () => {
      // Prepare
      const log = new ShardLog();

      // Act
      log.append(Buffer.from('hello').toString('base64'), 'k', 1);

      // Assess
      expect(readAll(log, 0)).toEqual(['hello']);
    });

    it('stores what base64 text decodes to, never the length that text seems to claim', () => {
      // Prepare: 8,000 characters that are not base64 look like 6,000 bytes and decode to none
      const log = new ShardLog();
      const bad = '!'.repeat(8000);

      // Act
      log.append(bad, 'k', 1);

      // Assess
      const read: Buffer[] = [];
      log.read(0, 10, Number.POSITIVE_INFINITY, (buf, s, e) => read.push(Buffer.from(buf.subarray(s, e))));
      expect(read).toEqual([Buffer.from(bad, 'base64')]);
      expect(read[0]).toHaveLength(0);
      expect(log.bytes).toBe(0);
    });

    it('keeps records whole around one that decodes short, within a segment and across segments', () => {
      // Prepare: good records, then text that decodes to 3 bytes where 4,500 seem claimed, then more
      const log = new ShardLog();
      const good = (i: number): Buffer => Buffer.alloc(200_000, i + 1);
      const short = `QUJD${'*'.repeat(5996)}`;
      const expected: Buffer[] = [];
      for (let i = 0; i < 12; i++) {
        const data = i % 3 === 1 ? short : good(i).toString('base64');
        log.append(data, `k${i}`, 1);
        expected.push(Buffer.from(data, 'base64'));
      }

      // Act
      const read: Buffer[] = [];
      log.read(0, 100, Number.POSITIVE_INFINITY, (buf, s, e) => read.push(Buffer.from(buf.subarray(s, e))));

      // Assess: each record is exactly what was decoded ('ABC' for the short ones), nothing in between
      expect(read.map((b) => b.length)).toEqual(expected.map((b) => b.length));
      expect(read.map((b, i) => b.equals(expected[i]!))).toEqual(expected.map(() => true));
      expect(read[1]!.toString()).toBe('ABC');
      expect(log.bytes).toBe(expected.reduce((n, b) => n + b.length, 0));
    });

    it('never lets arrival time go backwards', () => {
      // Prepare
      const log = new ShardLog();

      // Act
      fill(log, 3, (i) => [10, 5, 20][i]!);

      // Assess
      expect([0, 1, 2].map((i) => log.timeAt(i))).toEqual([10, 10, 20]);
    });
  });

  describe('Method: indexAtTime', () => {
    it('finds the first record at or after a time, across segment boundaries', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 9000, (i) => i * 10);

      // Act
      const at = [log.indexAtTime(0), log.indexAtTime(40_961), log.indexAtTime(40_960), log.indexAtTime(1e9)];

      // Assess
      expect(at).toEqual([0, 4097, 4096, 9000]);
    });
  });

  describe('Method: read', () => {
    it('stops once the byte budget is passed, delivering the record that passes it', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 10, () => 1);

      // Act
      const seen: number[] = [];
      const end = log.read(0, 100, 20, (_b, _s, _e, _t, _k, i) => seen.push(i));

      // Assess
      expect(seen).toEqual([0, 1, 2]);
      expect(end).toBe(3);
    });
  });

  describe('Method: trim', () => {
    it('drops records older than the cutoff and keeps indexes stable', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 9000, (i) => i);

      // Act
      log.trim(5000);

      // Assess
      expect(log.first).toBe(5000);
      expect(readAll(log, 0, 2)).toEqual(['record-5000', 'record-5001']);
      expect(log.next).toBe(9000);
    });

    it('empties the log when every record has expired, and appends after it', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 5, (i) => i);

      // Act
      log.trim(100);
      const index = log.append(Buffer.from('later'), 'k', 200);

      // Assess
      expect(log.size).toBe(1);
      expect(index).toBe(5);
      expect(readAll(log, 0)).toEqual(['later']);
    });
  });
});
