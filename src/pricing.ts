/**
 * The prices `fanout plan` uses, in one place, each with where it comes from and when it was read. US East
 * (N. Virginia), on-demand, USD, no free tier. These are AWS's published list prices as this project recorded them
 * on the date given (`asOf`); nothing is fetched at run time (the CLI needs no network). Prices change: the page named
 * is the authority, and `fanout plan` prints the source and date of every price it uses.
 *
 * The cost model itself (what is billed for a fan-out at a given rate) is `monthlyCost` below; `src/fanout-config/
 * plan.ts` says what exists, this module what it costs.
 */

/** One price: a figure, its unit, its source and the date it was read there. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  /** When the figure was read from the source (ISO date). */
  readonly asOf: string;
}

const KINESIS_PAGE = 'https://aws.amazon.com/kinesis/data-streams/pricing/ (US East, N. Virginia)';
const ANALYTICS_PAGE =
  'https://aws.amazon.com/managed-service-apache-flink/pricing/ (Kinesis Data Analytics for SQL, US East)';
const LAMBDA_PAGE = 'https://aws.amazon.com/lambda/pricing/ (US East, Arm)';
const AS_OF = '2026-12-01';

/** Every price the plan uses, by name. */
export const PRICES = {
  shardHour: { usd: 0.015, unit: 'per shard-hour (provisioned stream)', source: KINESIS_PAGE, asOf: AS_OF },
  putPayloadUnits: {
    usd: 0.014,
    unit: 'per million PUT payload units (25 KB of a record each, provisioned stream)',
    source: KINESIS_PAGE,
    asOf: AS_OF,
  },
  onDemandStreamHour: { usd: 0.04, unit: 'per stream-hour (on-demand stream)', source: KINESIS_PAGE, asOf: AS_OF },
  onDemandDataInGb: {
    usd: 0.08,
    unit: 'per GB written (on-demand stream, records rounded up to 1 KB)',
    source: KINESIS_PAGE,
    asOf: AS_OF,
  },
  onDemandDataOutGb: { usd: 0.04, unit: 'per GB read (on-demand stream)', source: KINESIS_PAGE, asOf: AS_OF },
  enhancedFanOutShardHour: {
    usd: 0.015,
    unit: 'per consumer-shard-hour (enhanced fan-out, provisioned stream)',
    source: KINESIS_PAGE,
    asOf: AS_OF,
  },
  enhancedFanOutDataGb: {
    usd: 0.013,
    unit: 'per GB read through enhanced fan-out (provisioned stream)',
    source: KINESIS_PAGE,
    asOf: AS_OF,
  },
  kpuHour: {
    usd: 0.11,
    unit: 'per KPU-hour (Kinesis processing unit: 1 vCPU, 4 GB; an application runs at least one)',
    source: ANALYTICS_PAGE,
    asOf: AS_OF,
  },
  lambdaRequests: { usd: 0.2, unit: 'per million requests', source: LAMBDA_PAGE, asOf: AS_OF },
  lambdaGbSecond: { usd: 0.0000133334, unit: 'per GB-second (Arm)', source: LAMBDA_PAGE, asOf: AS_OF },
} as const satisfies Record<string, Price>;

export type PriceName = keyof typeof PRICES;

/** AWS's month for estimates: 730 hours. */
export const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const GB = 1024 ** 3;

/**
 * What the estimate assumes beyond the prices: how big records are, how fast one KPU or one invocation works.
 * Shown by `fanout plan` with the figures.
 */
export interface CostAssumptions {
  /** Records per second into the input. */
  readonly rate: number;
  /** Bytes per record. */
  readonly recordBytes: number;
  /** Input throughput one KPU processes (estimate: the guide gives ~100 MB/s for a maximal application). */
  readonly kpuBytesPerSecond: number;
  /** The lambda engine: records per invocation, and how long one invocation takes. */
  readonly batchSize: number;
  readonly invocationMs: number;
  readonly memoryMb: number;
  /** Whether the lambda engine reads through an enhanced fan-out consumer. */
  readonly enhancedFanOut: boolean;
}

export const DEFAULT_ASSUMPTIONS: Omit<CostAssumptions, 'rate'> = {
  recordBytes: 1024,
  kpuBytesPerSecond: 1024 * 1024,
  batchSize: 100,
  invocationMs: 100,
  memoryMb: 1024,
  enhancedFanOut: true,
};

/** A stream as the bill sees it: provisioned shards or on-demand, created by the stack or the user's own. */
export interface BilledStream {
  readonly name: string;
  /** Records per second written into it. */
  readonly rate: number;
  /** Undefined: the user's stream, billed to them whether or not the fan-out runs. */
  readonly capacity?: { readonly mode: 'PROVISIONED'; readonly shards: number } | { readonly mode: 'ON_DEMAND' };
}

/** One line of an estimate: what, how much a month, from which prices. */
export interface CostLine {
  readonly what: string;
  readonly usd: number;
  readonly prices: readonly PriceName[];
}

export interface Estimate {
  readonly lines: readonly CostLine[];
  readonly usd: number;
}

const estimate = (lines: CostLine[]): Estimate => ({ lines, usd: lines.reduce((sum, l) => sum + l.usd, 0) });

/** The monthly cost of the streams the stack creates (the user's own streams cost the fan-out nothing more). */
export function streamsCost(streams: readonly BilledStream[], recordBytes: number): Estimate {
  const lines: CostLine[] = [];
  for (const s of streams) {
    if (!s.capacity) continue;
    if (s.capacity.mode === 'PROVISIONED') {
      const hours = s.capacity.shards * HOURS_PER_MONTH * PRICES.shardHour.usd;
      const units =
        ((s.rate * Math.ceil(recordBytes / (25 * 1024)) * SECONDS_PER_MONTH) / 1e6) * PRICES.putPayloadUnits.usd;
      lines.push({
        what: `${s.name}: ${s.capacity.shards} shard${s.capacity.shards === 1 ? '' : 's'}, ${s.rate.toLocaleString('en-US')} records/s in`,
        usd: hours + units,
        prices: ['shardHour', 'putPayloadUnits'],
      });
    } else {
      const gbIn = (s.rate * Math.ceil(recordBytes / 1024) * 1024 * SECONDS_PER_MONTH) / GB;
      lines.push({
        what: `${s.name}: on-demand, ${s.rate.toLocaleString('en-US')} records/s in (reads not counted)`,
        usd: HOURS_PER_MONTH * PRICES.onDemandStreamHour.usd + gbIn * PRICES.onDemandDataInGb.usd,
        prices: ['onDemandStreamHour', 'onDemandDataInGb'],
      });
    }
  }
  return estimate(lines);
}

/** Kinesis Analytics: every application reads the whole input; KPUs by its throughput, at least one. */
export function analyticsCost(applications: number, a: CostAssumptions): Estimate {
  const kpus = Math.max(1, Math.ceil((a.rate * a.recordBytes) / a.kpuBytesPerSecond));
  return estimate([
    {
      what: `${applications} application${applications === 1 ? '' : 's'} × ${kpus} KPU`,
      usd: applications * kpus * HOURS_PER_MONTH * PRICES.kpuHour.usd,
      prices: ['kpuHour'],
    },
  ]);
}

/** The lambda engine: one function invoked per batch of the input, and its enhanced fan-out consumer. */
export function lambdaCost(inputShards: number, a: CostAssumptions, shardsAssumed = false): Estimate {
  const invocations = (a.rate / a.batchSize) * SECONDS_PER_MONTH;
  const gbSeconds = invocations * (a.invocationMs / 1000) * (a.memoryMb / 1024);
  const lines: CostLine[] = [
    {
      what: `fan-out function: ${Math.round(invocations).toLocaleString('en-US')} invocations of ${a.invocationMs} ms at ${a.memoryMb} MB`,
      usd: (invocations / 1e6) * PRICES.lambdaRequests.usd + gbSeconds * PRICES.lambdaGbSecond.usd,
      prices: ['lambdaRequests', 'lambdaGbSecond'],
    },
  ];
  if (a.enhancedFanOut) {
    const gb = (a.rate * a.recordBytes * SECONDS_PER_MONTH) / GB;
    lines.push({
      what: `enhanced fan-out consumer on ${inputShards} input shard${inputShards === 1 ? '' : 's'}${shardsAssumed ? ' (assumed)' : ''}`,
      usd: inputShards * HOURS_PER_MONTH * PRICES.enhancedFanOutShardHour.usd + gb * PRICES.enhancedFanOutDataGb.usd,
      prices: ['enhancedFanOutShardHour', 'enhancedFanOutDataGb'],
    });
  }
  return estimate(lines);
}

/**
 * Lambda's and Kinesis's published limits the lambda engine runs within on AWS (a Kinesis event source mapping on an
 * enhanced fan-out consumer), as documented on the dates of the prices above.
 */
export const LAMBDA_ENGINE_LIMITS = {
  /** Concurrent batches per shard: 1 by default, up to 10 (ParallelizationFactor; a key stays in one batch). */
  parallelizationFactorMax: 10,
  /** What one shard takes in: 1,000 records/s or 1 MiB/s. */
  shardWriteRecordsPerSecond: 1000,
  shardWriteBytesPerSecond: 1024 * 1024,
  /** What one enhanced fan-out consumer reads from one shard: 2 MiB/s. */
  enhancedFanOutBytesPerSecond: 2 * 1024 * 1024,
  /** Below this memory a function gets a share of one vCPU in proportion to its memory. */
  fullVcpuMemoryMb: 1769,
} as const;

/** What the on-paper table of the lambda engine on AWS assumes (shown with it by `fanout plan` and docs/performance.md). */
export interface EngineTableAssumptions {
  readonly recordBytes: number;
  readonly batchSize: number;
  /** The fan-out function's compute per 100 records on one full vCPU (measured: `npm run bench -- --only=lambda`). */
  readonly cpuMsPer100Records: number;
  /** One PutRecords round trip from Lambda to Kinesis (an estimate: tens of ms). */
  readonly putRoundTripMs: number;
  readonly memoryMb: number;
  readonly parallelizationFactor: number;
  /** Output streams (each written in parallel by the function; a Kinesis Analytics application takes up to 3). */
  readonly outputs: number;
  /** Partition keys in one shard's batch (few keys: one call per record of a key, for the key's order). */
  readonly keysPerShard?: number;
  readonly kpuBytesPerSecond: number;
}

export const DEFAULT_TABLE_ASSUMPTIONS: EngineTableAssumptions = {
  recordBytes: DEFAULT_ASSUMPTIONS.recordBytes,
  batchSize: DEFAULT_ASSUMPTIONS.batchSize,
  cpuMsPer100Records: 0.42,
  putRoundTripMs: 20,
  memoryMb: DEFAULT_ASSUMPTIONS.memoryMb,
  parallelizationFactor: 1,
  outputs: 2,
  kpuBytesPerSecond: DEFAULT_ASSUMPTIONS.kpuBytesPerSecond,
};

/** Records/s one shard takes in, for records of `recordBytes`. */
export function shardWriteRate(recordBytes: number): number {
  const L = LAMBDA_ENGINE_LIMITS;
  return Math.min(L.shardWriteRecordsPerSecond, L.shardWriteBytesPerSecond / recordBytes);
}

/** One row of the table: an input of `shards` shards written at its capacity (or at the rate asked). */
export interface EngineTableRow {
  readonly shards: number;
  /** Records/s the input takes (its shards' write limit). */
  readonly inputRate: number;
  /** How long one batch takes in the function, as billed (ms, rounded up). */
  readonly batchMs: number;
  /** Records/s the lambda engine delivers: the input's rate unless the function or the consumer is slower. */
  readonly lambdaRate: number;
  readonly lambdaBound: 'input shards' | 'function' | 'enhanced fan-out';
  readonly lambdaUsdPerMonth: number;
  readonly lambdaUsdPerMillionRecords: number;
  readonly kpus: number;
  readonly analyticsUsdPerMonth: number;
  readonly analyticsUsdPerMillionRecords: number;
}

/**
 * The lambda engine on AWS against Kinesis Analytics, on paper: for each shard count, the input written at its
 * shards' limit (or at a rate given with the shards), what the lambda engine reaches (one batch per shard at a time times the parallelization factor,
 * each batch its compute plus the PutRecords round trips in a row: one when every key appears once in the batch,
 * else as many as the most records of one key), and what each engine costs a month and per million records (the
 * streams left out: both engines write the same outputs).
 */
export function engineTable(
  rows: readonly (number | { readonly shards: number; readonly rate: number })[],
  a: EngineTableAssumptions = DEFAULT_TABLE_ASSUMPTIONS,
): EngineTableRow[] {
  const L = LAMBDA_ENGINE_LIMITS;
  const perShardIn = shardWriteRate(a.recordBytes);
  const perShardEfo = L.enhancedFanOutBytesPerSecond / a.recordBytes;
  const slowdown = Math.max(1, L.fullVcpuMemoryMb / a.memoryMb);
  // a key stays in one of the concurrent batches, so a shard's few keys bound its concurrency
  const concurrency = Math.min(a.parallelizationFactor, a.keysPerShard ?? Number.POSITIVE_INFINITY);
  // records of one key in one batch: each needs its own call, one after another
  const keysPerBatch = a.keysPerShard === undefined ? Number.POSITIVE_INFINITY : a.keysPerShard / concurrency;
  const chain = Math.max(1, Math.ceil(a.batchSize / keysPerBatch));
  const batchMs = Math.ceil((a.cpuMsPer100Records * a.batchSize * slowdown) / 100 + chain * a.putRoundTripMs);
  const perShardFunction = (concurrency * a.batchSize * 1000) / batchMs;
  return rows.map((spec) => {
    const shards = typeof spec === 'number' ? spec : spec.shards;
    const inputRate = typeof spec === 'number' ? shards * perShardIn : Math.min(spec.rate, shards * perShardIn);
    const bounds = [
      { bound: 'input shards' as const, rate: inputRate },
      { bound: 'function' as const, rate: shards * perShardFunction },
      { bound: 'enhanced fan-out' as const, rate: shards * perShardEfo },
    ];
    const slowest = bounds.reduce((min, b) => (b.rate < min.rate ? b : min));
    const rate = slowest.rate;
    const invocations = (rate / a.batchSize) * SECONDS_PER_MONTH;
    const gbSeconds = invocations * (batchMs / 1000) * (a.memoryMb / 1024);
    const efoGb = (rate * a.recordBytes * SECONDS_PER_MONTH) / GB;
    const lambdaUsd =
      (invocations / 1e6) * PRICES.lambdaRequests.usd +
      gbSeconds * PRICES.lambdaGbSecond.usd +
      shards * HOURS_PER_MONTH * PRICES.enhancedFanOutShardHour.usd +
      efoGb * PRICES.enhancedFanOutDataGb.usd;
    const applications = Math.max(1, Math.ceil(a.outputs / 3));
    const kpus = applications * Math.max(1, Math.ceil((inputRate * a.recordBytes) / a.kpuBytesPerSecond));
    const analyticsUsd = kpus * HOURS_PER_MONTH * PRICES.kpuHour.usd;
    const millions = (r: number) => (r * SECONDS_PER_MONTH) / 1e6;
    return {
      shards,
      inputRate,
      batchMs,
      lambdaRate: rate,
      lambdaBound: slowest.bound,
      lambdaUsdPerMonth: lambdaUsd,
      lambdaUsdPerMillionRecords: lambdaUsd / millions(rate),
      kpus,
      analyticsUsdPerMonth: analyticsUsd,
      analyticsUsdPerMillionRecords: analyticsUsd / millions(inputRate),
    };
  });
}
