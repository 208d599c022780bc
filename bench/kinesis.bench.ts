/**
 * The Kinesis twin against kinesalite, side by side in one run, both through @aws-sdk/client-kinesis on
 * loopback over HTTP/1.1 (kinesalite speaks nothing else): PutRecords in batches of 500 for 20,000 records of
 * about 100 bytes into a 4-shard stream with limits off, then GetRecords of all of them. Each subject runs
 * five rounds on a fresh stream, interleaved with the others', and keeps its best. The twin over HTTP/2 (the
 * SDK's default) is reported too.
 * Memory: a child process holds 1,000,000 records of 100 bytes in a twin and reports its resident set.
 */
import { execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { KinesisTwin } from '../local/kinesis';
import { startServer } from '../local/server';
import type { Benchmark } from './index';

const RECORDS = 20_000;
const BATCH = 500;
const SHARDS = 4;
const ROUNDS = 5;

interface Rates {
  put: number;
  get: number;
}

function payload(i: number): Buffer {
  // ~100 bytes of JSON, like the load test's records
  return Buffer.from(
    JSON.stringify({ ID: i, USERNAME: `bench-${i}`, AMOUNT: (i % 1000) / 10, PAD: 'x'.repeat(40) }).padEnd(100, ' '),
  );
}

async function waitActive(client: KinesisClient, name: string): Promise<void> {
  for (;;) {
    const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
    if (d.StreamDescription?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function round(client: KinesisClient, name: string): Promise<Rates> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: SHARDS }));
  await waitActive(client, name);
  const records = Array.from({ length: RECORDS }, (_, i) => ({ Data: payload(i), PartitionKey: `pk-${i}` }));
  const t0 = performance.now();
  for (let i = 0; i < RECORDS; i += BATCH) {
    const out = await client.send(new PutRecordsCommand({ StreamName: name, Records: records.slice(i, i + BATCH) }));
    if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
  }
  const putMs = performance.now() - t0;
  const shards = (await client.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription!.Shards!;
  const t1 = performance.now();
  let got = 0;
  for (const shard of shards) {
    let it = (
      await client.send(
        new GetShardIteratorCommand({ StreamName: name, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (it) {
      const out = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
      got += out.Records?.length ?? 0;
      if (!out.Records?.length) break;
      it = out.NextShardIterator;
    }
  }
  const getMs = performance.now() - t1;
  if (got !== RECORDS) throw new Error(`read ${got} records, expected ${RECORDS}`);
  return { put: RECORDS / (putMs / 1000), get: RECORDS / (getMs / 1000) };
}

/**
 * Runs the subjects' rounds interleaved (a round of each, then again), so a burst of load on the machine hits
 * them alike, and keeps each one's best round.
 */
async function measure(
  subjects: Record<string, KinesisClient>,
  log: (line: string) => void,
): Promise<Record<string, Rates>> {
  const best: Record<string, Rates> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [label, client] of Object.entries(subjects)) {
      const rates = await round(client, `bench-${label.replace(/[^a-zA-Z0-9]+/g, '-')}-${r}`);
      const b = best[label] ?? { put: 0, get: 0 };
      best[label] = { put: Math.max(b.put, rates.put), get: Math.max(b.get, rates.get) };
    }
  }
  for (const [label, b] of Object.entries(best)) {
    log(`${label}: put ${Math.round(b.put)} records/s, get ${Math.round(b.get)} records/s`);
  }
  return best;
}

function client(endpoint: string, http1: boolean): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    ...(http1 ? { requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 1 } }) } : {}),
  });
}

function rssOfMillionRecords(): number {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', join(__dirname, 'kinesis-memory.ts')],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return Number(JSON.parse(out.trim().split('\n').pop()!).rssMb);
}

const bench: Benchmark = async (log) => {
  const twin = new KinesisTwin({ limits: false });
  const server = await startServer({ port: 0, services: [twin] });
  const lite: Server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
  await new Promise<void>((resolve) => lite.listen(0, '127.0.0.1', resolve));
  const liteUrl = `http://127.0.0.1:${(lite.address() as AddressInfo).port}`;
  const clients = { twin: client(server.url, true), twinH2: client(server.url, false), lite: client(liteUrl, true) };
  try {
    const rates = await measure(
      { 'kinesalite (HTTP/1.1)': clients.lite, 'twin (HTTP/1.1)': clients.twin, 'twin (HTTP/2)': clients.twinH2 },
      log,
    );
    const baseline = rates['kinesalite (HTTP/1.1)']!;
    const twinRates = rates['twin (HTTP/1.1)']!;
    const twinH2 = rates['twin (HTTP/2)']!;
    log('1,000,000 records of 100 bytes in a child process...');
    const rss = rssOfMillionRecords();
    log(`twin holding 1M records: ${rss.toFixed(0)} MB resident`);
    return {
      'kinesis.putRecordsPerSecond': Math.round(twinRates.put),
      'kinesis.getRecordsPerSecond': Math.round(twinRates.get),
      'kinesis.putRatioVsKinesalite': Number((twinRates.put / baseline.put).toFixed(2)),
      'kinesis.getRatioVsKinesalite': Number((twinRates.get / baseline.get).toFixed(2)),
      'kinesis.putRecordsPerSecondHttp2': Math.round(twinH2.put),
      'kinesis.getRecordsPerSecondHttp2': Math.round(twinH2.get),
      'kinesis.kinesalitePutRecordsPerSecond': Math.round(baseline.put),
      'kinesis.kinesaliteGetRecordsPerSecond': Math.round(baseline.get),
      'kinesis.rssMbFor1MRecords': Math.round(rss),
    };
  } finally {
    for (const c of Object.values(clients)) c.destroy();
    await server.close();
    await twin.close();
    await new Promise<void>((resolve) => lite.close(() => resolve()));
  }
};

export default bench;
