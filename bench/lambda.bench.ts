/**
 * The fan-out function's work on one core: Kinesis events of ~1 KB JSON records (ID, USERNAME, AMOUNT plus padding)
 * through FanoutProcessor.handle (base64 decode, the SQL of sql/fanout.sql, serialization, grouping per output
 * stream, the writer's chunking) into an in-memory PutRecords, at batch sizes 100 and 1000, in records/s.
 *
 * Cost: the measured time per batch, as Lambda bills it (rounded up to the millisecond) at the fan-out function's
 * memory, at Lambda's published arm64 price per GB-second and per request. Below 1,769 MB a function gets a share of
 * one vCPU in proportion to its memory, so CPU-bound work takes 1769/memory times longer than on the full core
 * measured here. PutRecords round trips (tens of ms a call on AWS) are not in it: this is the compute floor.
 * Beside it, Kinesis Analytics' price of one KPU per hour (an application uses at least one).
 *
 * Few partition keys: the writer (KinesisWriter over the SDK's PutRecords, as in the function) against a Kinesis
 * twin server in this process (limits off), batches of 100 records to two output streams written in parallel, once
 * with 4 partition keys in a batch (the load test's 4 keys a shard: a key has one record in flight at a time, for
 * its order, so 25 calls a batch and output) and once with 100 keys (one call); alternated, median of 3 rounds.
 * `lambda.twinWriterFewKeysVsManyKeys` is their ratio: the price of per-key order with few keys.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStreamCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import type { KinesisStreamEvent } from 'aws-lambda';
import { KinesisTwin } from '../local/kinesis';
import { startServer } from '../local/server';
import { type FanoutApplication, FanoutProcessor, type KinesisPut, KinesisWriter, resolveTargets } from '../src/fanout';
import { sdkKinesisPut } from '../src/fanout/writer';
import { LAMBDA_ENGINE_LIMITS, PRICES } from '../src/pricing';
import { discoverSchema } from '../src/streaming-sql';
import type { Benchmark } from './index';

const RECORDS = 50_000;
const ROUNDS = 5;
/** serverless.yml, functions.fanout.memorySize. */
const MEMORY_MB = 1024;
/** Lambda's published arm64 prices (us-east-1), from the project's one prices module. */
const USD_PER_GB_SECOND = PRICES.lambdaGbSecond.usd;
const USD_PER_REQUEST = PRICES.lambdaRequests.usd / 1_000_000;
/** Memory at which a function gets one full vCPU. */
const FULL_VCPU_MB = LAMBDA_ENGINE_LIMITS.fullVcpuMemoryMb;
/** Kinesis Analytics (SQL) price of one Kinesis Processing Unit per hour (us-east-1). */
const KPU_USD_PER_HOUR = PRICES.kpuHour.usd;

const arn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

function makeEvents(batchSize: number): KinesisStreamEvent[] {
  const events: KinesisStreamEvent[] = [];
  for (let start = 0; start < RECORDS; start += batchSize) {
    const Records = [];
    for (let i = start; i < Math.min(RECORDS, start + batchSize); i++) {
      const amount = (((i * 7919) % 199_999) - 99_999) / 100;
      const body = { ID: i, USERNAME: `bench-run-${i}`, AMOUNT: Number(amount.toFixed(2)), PAD: '' };
      body.PAD = 'x'.repeat(Math.max(0, 1024 - JSON.stringify(body).length));
      const sequenceNumber = String(49_600_000_000_000 + i);
      Records.push({
        kinesis: {
          kinesisSchemaVersion: '1.0',
          partitionKey: `pk-${i % 64}`,
          sequenceNumber,
          data: Buffer.from(JSON.stringify(body)).toString('base64'),
          approximateArrivalTimestamp: 1_700_000_000 + i / 1000,
        },
        eventSource: 'aws:kinesis',
        eventVersion: '1.0',
        eventID: `shardId-000000000000:${sequenceNumber}`,
        eventName: 'aws:kinesis:record',
        invokeIdentityArn: 'arn:aws:iam::000000000000:role/fanout',
        awsRegion: 'us-east-1',
        eventSourceARN: arn('Transactions'),
      });
    }
    events.push({ Records });
  }
  return events;
}

/** Keeps the bytes' count only, so the benchmark measures the function and not a growing heap. */
class CountingKinesis implements KinesisPut {
  records = 0;
  bytes = 0;
  async putRecords(_arn: string, entries: readonly { data: Uint8Array }[]) {
    this.records += entries.length;
    for (const e of entries) this.bytes += e.data.byteLength;
    return entries.map(() => ({ ok: true as const }));
  }
}

function processor(sql: string, events: KinesisStreamEvent[], sink: KinesisPut): FanoutProcessor {
  const samples = events[0]!.Records.slice(0, 10).map((r) => Buffer.from(r.kinesis.data, 'base64'));
  const application: FanoutApplication = {
    name: 'bench-1',
    inputStreamArn: arn('Transactions'),
    sql,
    schema: discoverSchema(samples).InputSchema,
    outputs: [
      { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: arn('Positive') },
      { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: arn('Negative') },
    ],
    outputPrefixes: [],
    errorDestination: { type: 'log' },
  };
  return new FanoutProcessor({
    application,
    targets: resolveTargets(application, []),
    writer: new KinesisWriter({ port: sink }),
  });
}

/** Best time over the rounds for all events, and the per-batch times of the best round. */
async function measure(
  fanout: FanoutProcessor,
  events: KinesisStreamEvent[],
): Promise<{ seconds: number; batchMs: number[] }> {
  let best = { seconds: Number.POSITIVE_INFINITY, batchMs: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    const batchMs: number[] = [];
    const started = process.hrtime.bigint();
    for (const event of events) {
      const t0 = process.hrtime.bigint();
      const response = await fanout.handle(event);
      batchMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (response.batchItemFailures.length > 0) throw new Error('The in-memory writer failed a record');
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (seconds < best.seconds) best = { seconds, batchMs };
  }
  return best;
}

/** USD per million input records at this batch size, from the measured time of each batch. */
function costPerMillion(batchMs: number[], records: number): number {
  const slowdown = Math.max(1, FULL_VCPU_MB / MEMORY_MB);
  const gbSeconds = batchMs.reduce((sum, ms) => sum + Math.ceil(ms * slowdown) / 1000, 0) * (MEMORY_MB / 1024);
  const cost = gbSeconds * USD_PER_GB_SECOND + batchMs.length * USD_PER_REQUEST;
  return (cost / records) * 1_000_000;
}

const WRITER_BATCHES = 5;

/** Records/s and calls per batch of the writer on the twin, batches of 100 records over `keys` partition keys. */
async function writerRound(
  writer: KinesisWriter,
  outputs: string[],
  keys: number,
  tag: string,
): Promise<{ rate: number; callsPerBatch: number }> {
  let calls = 0;
  const t0 = performance.now();
  for (let b = 0; b < WRITER_BATCHES; b++) {
    const entries = Array.from({ length: 100 }, (_, i) => ({
      entry: {
        data: Buffer.from(`{"ID":${b * 100 + i},"PAD":"${'x'.repeat(80)}"}`),
        partitionKey: `${tag}-${i % keys}`,
      },
      tag: i,
    }));
    const results = await Promise.all(outputs.map((arn) => writer.write(arn, entries)));
    for (const r of results) {
      if (r.written.length !== 100) throw new Error(`the twin took ${r.written.length} of 100 records`);
      calls += r.calls;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return { rate: (WRITER_BATCHES * 100) / seconds, callsPerBatch: calls / WRITER_BATCHES / outputs.length };
}

async function fewKeys(log: (line: string) => void): Promise<Record<string, number>> {
  const twin = new KinesisTwin({ limits: false });
  const server = await startServer({ port: 0, services: [twin] });
  const client = new KinesisClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const outputs = ['Positive', 'Negative'];
    for (const name of outputs) await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: 1 }));
    const writer = new KinesisWriter({ port: sdkKinesisPut(client) });
    const few: number[] = [];
    const many: number[] = [];
    let fewCalls = 0;
    for (let round = 0; round < 3; round++) {
      const f = await writerRound(writer, outputs.map(arn), 4, `f${round}`);
      const m = await writerRound(writer, outputs.map(arn), 100, `m${round}`);
      few.push(f.rate);
      many.push(m.rate);
      fewCalls = f.callsPerBatch;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
    log(
      `writer on the twin, batches of 100 to 2 outputs: 4 keys ${Math.round(median(few)).toLocaleString('en-US')} records/s (${fewCalls} calls a batch and output), 100 keys ${Math.round(median(many)).toLocaleString('en-US')} records/s (1 call)`,
    );
    return {
      'lambda.twinWriterRecordsPerSecondKeys4': Math.round(median(few)),
      'lambda.twinWriterRecordsPerSecondKeys100': Math.round(median(many)),
      'lambda.twinWriterCallsPerBatchKeys4': fewCalls,
      'lambda.twinWriterFewKeysVsManyKeys': Number((median(few) / median(many)).toFixed(3)),
    };
  } finally {
    client.destroy();
    await server.close();
    await twin.close();
  }
}

const bench: Benchmark = async (log) => {
  const sql = readFileSync(join(__dirname, '../sql/fanout.sql'), 'utf8');
  const figures: Record<string, number | string> = {};
  for (const batchSize of [100, 1000]) {
    const events = makeEvents(batchSize);
    const sink = new CountingKinesis();
    const fanout = processor(sql, events, sink);
    const { seconds, batchMs } = await measure(fanout, events);
    const rate = RECORDS / seconds;
    const cost = costPerMillion(batchMs, RECORDS);
    log(
      `batch ${batchSize}: ${Math.round(rate).toLocaleString('en-US')} records/s, ` +
        `${((seconds * 1000) / batchMs.length).toFixed(2)} ms a batch, ${sink.records / ROUNDS} rows written per round, ` +
        `${cost.toFixed(4)} USD per million records at ${MEMORY_MB} MB`,
    );
    figures[`lambda.recordsPerSecondBatch${batchSize}`] = Math.round(rate);
    if (batchSize === 100) figures['lambda.costPerMillionRecordsUsd'] = Number(cost.toFixed(6));
    else figures[`lambda.costPerMillionRecordsUsdBatch${batchSize}`] = Number(cost.toFixed(6));
  }
  Object.assign(figures, await fewKeys(log));
  figures['lambda.memoryMb'] = MEMORY_MB;
  figures['kinesisAnalytics.costPerHourUsd'] = KPU_USD_PER_HOUR;
  // At the load test's default rate (1,000 records/s) one KPU handles 3.6 million records an hour.
  figures['kinesisAnalytics.costPerMillionRecordsUsdAt1000PerSecond'] = Number((KPU_USD_PER_HOUR / 3.6).toFixed(6));
  return figures;
};

export default bench;
