import { takeBatch } from '../../../src/fanout/writer';

const entry = (partitionKey: string, n: number, size = 1) => ({ partitionKey, n, data: new Uint8Array(size) });

describe('Function: takeBatch', () => {
  it('takes the first queued record of each partition key and keeps the others in order', () => {
    // Prepare
    const queue = [entry('a', 1), entry('a', 2), entry('b', 3), entry('a', 4), entry('c', 5), entry('b', 6)];

    // Act
    const batch = takeBatch(queue);

    // Assess
    expect(batch.map((e) => e.n)).toEqual([1, 3, 5]);
    expect(queue.map((e) => e.n)).toEqual([2, 4, 6]);
  });

  it('stops at 500 records', () => {
    // Prepare
    const queue = Array.from({ length: 600 }, (_, i) => entry(`k${i}`, i));

    // Act
    const batch = takeBatch(queue);

    // Assess
    expect(batch).toHaveLength(500);
    expect(queue[0]?.n).toBe(500);
  });

  it('stops before 5 MiB, but always takes one record', () => {
    // Prepare
    const big = 2 * 1024 * 1024;
    const queue = [entry('a', 1, big), entry('b', 2, big), entry('c', 3, big), entry('d', 4, 10)];

    // Act
    const batch = takeBatch(queue);

    // Assess
    expect(batch.map((e) => e.n)).toEqual([1, 2, 4]);
    expect(queue.map((e) => e.n)).toEqual([3]);
  });
});
