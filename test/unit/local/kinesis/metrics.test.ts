import { ManualClock } from '../../../../local/clock';
import { KinesisTwin } from '../../../../local/kinesis';
import { ShardMetrics } from '../../../../local/kinesis/metrics';

describe('Class: ShardMetrics', () => {
  it('counts per second of the clock and forgets seconds older than five minutes', () => {
    // Prepare
    const m = new ShardMetrics();
    // Act
    m.wrote(10, 1_000);
    m.wrote(20, 1_500);
    m.read(2, 30, 2_000);
    m.writeThrottled(2_100);
    // Assess: 3 seconds up to t=2s
    expect(m.series(2_999, 3)).toEqual({
      start: 0,
      incomingRecords: [0, 2, 0],
      incomingBytes: [0, 30, 0],
      outgoingRecords: [0, 0, 2],
      outgoingBytes: [0, 0, 30],
      writeThrottled: [0, 0, 1],
      readThrottled: [0, 0, 0],
    });
    // t=301s writes into the bucket second 1 had: second 1 is gone
    m.wrote(5, 301_000);
    expect(m.series(301_000, 300).incomingRecords.at(0)).toBe(0);
    expect(m.series(301_000, 300).incomingRecords.at(-1)).toBe(1);
  });
});

describe('Class: KinesisInspector', () => {
  it('counts puts, reads and throttles, and peeks at the latest records without spending read limits', () => {
    // Prepare
    const clock = new ManualClock(1_000_000);
    const kinesis = new KinesisTwin({ clock, limits: true });
    kinesis.call('CreateStream', { StreamName: 's', ShardCount: 1 });
    const records = Array.from({ length: 5 }, (_, i) => ({ data: Buffer.from(`{"n":${i}}`), partitionKey: 'k' }));
    kinesis.putRecords({ StreamName: 's' }, records);
    const iterator = kinesis.getShardIterator({ StreamName: 's' }, 'shardId-000000000000', 'TRIM_HORIZON');
    // Act: read up to the limit of 5 calls a second, then one more (throttled), then peek
    let next = iterator;
    for (let i = 0; i < 5; i++) next = kinesis.getRecords(next).NextShardIterator!;
    expect(() => kinesis.getRecords(next)).toThrow();
    const peeked = kinesis.inspect.latestRecords('s', 'shardId-000000000000', 2);
    const detail = kinesis.inspect.stream('s', 10)!;
    // Assess
    expect(peeked!.map((r) => r.data.toString())).toEqual(['{"n":3}', '{"n":4}']);
    const m = detail.shards[0]!.metrics;
    expect(m.incomingRecords.at(-1)).toBe(5);
    expect(m.outgoingRecords.at(-1)).toBe(5);
    expect(m.readThrottled.at(-1)).toBe(1);
    expect(detail.shards[0]!.records).toBe(5);
    expect(kinesis.inspect.latestRecords('s', 'shardId-000000000009', 2)).toBeUndefined();
  });
});
