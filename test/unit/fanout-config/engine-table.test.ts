import { DEFAULT_TABLE_ASSUMPTIONS, engineTable, HOURS_PER_MONTH, PRICES } from '../../../src/pricing';

const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

describe('Module: pricing, the on-paper table of the lambda engine on AWS', () => {
  it("holds the input shards' rate when every key of a batch appears once, and prices it by hand", () => {
    // Act
    const [row] = engineTable([1]);

    // Assess: 0.42 ms per 100 records at 1024 MB (1769/1024 of the full vCPU's time) + one 20 ms round trip
    const batchMs = Math.ceil(0.42 * (1769 / 1024) + 20);
    expect(batchMs).toBe(21);
    const invocations = (1000 / 100) * SECONDS_PER_MONTH;
    const lambda =
      (invocations / 1e6) * PRICES.lambdaRequests.usd +
      invocations * (batchMs / 1000) * PRICES.lambdaGbSecond.usd +
      HOURS_PER_MONTH * PRICES.enhancedFanOutShardHour.usd +
      ((1000 * 1024 * SECONDS_PER_MONTH) / 1024 ** 3) * PRICES.enhancedFanOutDataGb.usd;
    expect(row).toEqual({
      shards: 1,
      inputRate: 1000,
      batchMs,
      lambdaRate: 1000,
      lambdaBound: 'input shards',
      lambdaUsdPerMonth: expect.closeTo(lambda, 6),
      lambdaUsdPerMillionRecords: expect.closeTo(lambda / ((1000 * SECONDS_PER_MONTH) / 1e6), 9),
      kpus: 1,
      analyticsUsdPerMonth: expect.closeTo(HOURS_PER_MONTH * PRICES.kpuHour.usd, 6),
      analyticsUsdPerMillionRecords: expect.closeTo((HOURS_PER_MONTH * PRICES.kpuHour.usd) / 2628, 9),
    });
  });

  it('is bound by the function with 4 keys a shard: each record of a key is a round trip of its own', () => {
    // Act
    const [one] = engineTable([1], { ...DEFAULT_TABLE_ASSUMPTIONS, keysPerShard: 4 });
    const [parallel] = engineTable([1], { ...DEFAULT_TABLE_ASSUMPTIONS, keysPerShard: 4, parallelizationFactor: 10 });

    // Assess: 25 records of each key in a batch of 100, one after another
    expect([one!.batchMs, one!.lambdaBound]).toEqual([Math.ceil(0.42 * (1769 / 1024) + 25 * 20), 'function']);
    expect(one!.lambdaRate).toBeCloseTo((100 * 1000) / 501, 6);
    // a key stays in one batch, so 10 concurrent batches are 4 of one key each: 100 round trips a batch
    expect(parallel!.batchMs).toBe(Math.ceil(0.42 * (1769 / 1024) + 100 * 20));
    expect(parallel!.lambdaRate).toBeCloseTo((4 * 100 * 1000) / 2001, 6);
  });

  it("scales by shards, KPUs by input bytes, and takes a rate below the shards' limit", () => {
    // Act
    const rows = engineTable([10, 100, { shards: 5, rate: 4200 }]);

    // Assess
    expect(rows.map((r) => [r.shards, r.inputRate, r.lambdaRate, r.kpus])).toEqual([
      [10, 10_000, 10_000, 10],
      [100, 100_000, 100_000, Math.ceil((100_000 * 1024) / (1024 * 1024))],
      [5, 4200, 4200, Math.ceil((4200 * 1024) / (1024 * 1024))],
    ]);
    // 4 outputs: two Kinesis Analytics applications (3 outputs each at most), each reading the whole input
    expect(engineTable([1], { ...DEFAULT_TABLE_ASSUMPTIONS, outputs: 4 })[0]!.kpus).toBe(2);
  });
});
