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
      expect(log.next - log.first).toBe(10_000);
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

  describe('Method: read (keys and times)', () => {
    it('gives back each partition key as it was put, short, long and not ASCII', () => {
      // Prepare
      const log = new ShardLog();
      const keys = ['k', 'é'.repeat(41), 'x'.repeat(42), '鍵'.repeat(256), `${'😀'.repeat(20)}a`];

      // Act
      for (const k of keys) log.append(Buffer.from(k), k, 1);

      // Assess
      const seen: string[] = [];
      log.read(0, 10, Number.POSITIVE_INFINITY, (buf, s, e, _t, key) => {
        expect(buf.toString('utf8', s, e)).toBe(key);
        seen.push(key);
      });
      expect(seen).toEqual(keys);
    });

    it('gives each record its own arrival time when batches arrive at different times', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 20_000, (i) => Math.floor(i / 7) * 3);

      // Act
      const times: number[] = [];
      log.read(0, 100_000, Number.POSITIVE_INFINITY, (_b, _s, _e, t) => times.push(t));

      // Assess
      expect(times).toEqual(Array.from({ length: 20_000 }, (_, i) => Math.floor(i / 7) * 3));
      expect(log.timeAt(16_390)).toBe(Math.floor(16_390 / 7) * 3);
    });
  });

  describe('Method: hold / publish', () => {
    it('keeps held records from readers until they are published, and tells the sink once', () => {
      // Prepare
      const told: ShardLog[] = [];
      const log = new ShardLog();
      log.hold({ appended: (l) => told.push(l) });

      // Act
      fill(log, 3, () => 1);
      const before = readAll(log, 0);
      log.publish(2);
      const partly = readAll(log, 0);
      log.pending = false;
      log.publish(99);

      // Assess
      expect(before).toEqual([]);
      expect(partly).toEqual(['record-0', 'record-1']);
      expect(told).toEqual([log]);
      expect(log.next).toBe(3);
      expect(log.tail).toBe(3);
    });
  });

  describe('Method: skipTo', () => {
    it('resumes indexes past a gap, and reads run across it', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 3, () => 1);

      // Act
      log.skipTo(1_000_000);
      const index = log.append(Buffer.from('after'), 'k', 2);
      const seen: number[] = [];
      const end = log.read(1, 10, Number.POSITIVE_INFINITY, (_b, _s, _e, _t, _k, i) => seen.push(i));
      const fromGap = readAll(log, 500);

      // Assess
      expect(index).toBe(1_000_000);
      expect(seen).toEqual([1, 2, 1_000_000]);
      expect(end).toBe(1_000_001);
      expect(fromGap).toEqual(['after']);
      expect(log.timeAt(500)).toBeUndefined();
    });

    it('hands a reader at the end of the records on to the new end', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 2, () => 1);
      log.skipTo(50);

      // Act
      const end = log.read(2, 10, Number.POSITIVE_INFINITY, () => undefined);

      // Assess
      expect(end).toBe(50);
      expect(log.first).toBe(0);
    });
  });

  describe('Method: encoded / appendEncoded', () => {
    it('copies records to another log exactly, with their keys and times', () => {
      // Prepare
      const log = new ShardLog();
      fill(log, 9_000, (i) => 100 + Math.floor(i / 1000));
      const copy = new ShardLog(1000);

      // Act
      for (const run of log.encoded(1000, 8_500)) {
        for (let i = 0; i < run.count; i++) {
          let r = 0;
          while (r + 1 < run.runAt.length && run.runAt[r + 1]! <= i) r++;
          copy.appendEncoded(run.bytes.subarray(i === 0 ? 0 : run.ends[i - 1], run.ends[i]), run.runTime[r]!);
        }
      }

      // Assess
      const a: string[] = [];
      const b: string[] = [];
      log.read(1000, 7_500, Number.POSITIVE_INFINITY, (buf, s, e, t, k, i) =>
        a.push(`${i}|${k}|${t}|${buf.toString('utf8', s, e)}`),
      );
      copy.read(0, 100_000, Number.POSITIVE_INFINITY, (buf, s, e, t, k, i) =>
        b.push(`${i}|${k}|${t}|${buf.toString('utf8', s, e)}`),
      );
      expect(b).toEqual(a);
      expect(b).toHaveLength(7_500);
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
      expect(log.next - log.first).toBe(1);
      expect(index).toBe(5);
      expect(readAll(log, 0)).toEqual(['later']);
    });
  });
});
