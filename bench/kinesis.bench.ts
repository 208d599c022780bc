/**
 * The Kinesis twin against kinesalite, side by side in one run, both through @aws-sdk/client-kinesis on
 * loopback over HTTP/1.1 (kinesalite speaks nothing else): PutRecords in batches of 500 for 20,000 records of
 * about 100 bytes into a 4-shard stream with limits off, then GetRecords of all of them. Each subject runs
 * five rounds on a fresh stream, interleaved with the others', and keeps its best. The twin over HTTP/2 (the
 * SDK's default) is reported too.
 * Durability: the same rounds on a twin with --data-dir (every PutRecords answered once its records are
 * fdatasync'd) beside the in-memory twin, with one producer (each call waits for its own sync) and with four
 * putting at once (calls share group commits); and the time this disk takes for one write + fdatasync.
 * Memory: a child process holds 1,000,000 records of 100 bytes in a twin and reports its resident set, right after
 * the fill (after a full GC) and at rest (`kinesis.rssMbFor1MRecordsAtRest`: once the twin's quiet reclaim has given
 * V8's young generation back, local/memory.ts).
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { KinesisTwin } from '../local/kinesis';
import { startServer } from '../local/server';
import type { Benchmark } from './index';
import { BATCH, client, measure, payload, RECORDS, SHARDS } from './kinesis-rounds';

const ROUNDS = 5;
const PRODUCERS = 4;

/** Puts the round's records with PRODUCERS callers at once, each one batch at a time; records per second. */
async function concurrentPut(kinesis: KinesisClient, name: string): Promise<number> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: SHARDS }));
  const records = Array.from({ length: RECORDS }, (_, i) => ({ Data: payload(i), PartitionKey: `pk-${i}` }));
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: PRODUCERS }, async (_, p) => {
      for (let i = p * BATCH; i < RECORDS; i += BATCH * PRODUCERS) {
        const out = await kinesis.send(
          new PutRecordsCommand({ StreamName: name, Records: records.slice(i, i + BATCH) }),
        );
        if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
      }
    }),
  );
  return RECORDS / ((performance.now() - t0) / 1000);
}

/** Best of ROUNDS concurrent puts on each subject, rounds interleaved. */
async function measureConcurrent(subjects: Record<string, KinesisClient>): Promise<Record<string, number>> {
  const best: Record<string, number> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [label, kinesis] of Object.entries(subjects)) {
      best[label] = Math.max(best[label] ?? 0, await concurrentPut(kinesis, `bench-${PRODUCERS}p-${label}-${r}`));
    }
  }
  return best;
}

/** The benchmarks' HTTP/1.1 client with a socket for each producer. */
function pooledClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: PRODUCERS } }),
  });
}

/** Median time of a 55 KB write + fdatasync on the disk the durable twin writes to (what one batch waits for). */
function fdatasyncMs(dir: string): number {
  const fd = openSync(join(dir, 'probe'), 'w');
  const buf = Buffer.alloc(55 << 10, 1);
  const times: number[] = [];
  for (let i = 0; i < 40; i++) {
    const t = performance.now();
    writeSync(fd, buf);
    fdatasyncSync(fd);
    times.push(performance.now() - t);
  }
  closeSync(fd);
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

interface MemoryFigures {
  rssMb: number;
  /** At rest: after the twin's quiet reclaim gave the young generation back (local/memory.ts). */
  restRssMb: number;
  reclaimed: boolean;
  baseRssMb: number;
  /** What the store holds per record: growth of the JS heap in use plus ArrayBuffers. */
  storeBytesPerRecord: number;
  records: number;
}

/** The Node flags of the CLI's launcher (bin/fanout.cjs), from its #! line: the twin's process as users run it. */
function launcherNodeFlags(): string[] {
  const shebang = readFileSync(join(__dirname, '..', 'bin', 'fanout.cjs'), 'utf8').split('\n', 1)[0]!;
  return shebang.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

function rssOfMillionRecords(): MemoryFigures {
  // the launcher's flags and its way of loading code (one esbuild bundle, bin/cli-bundle.cjs), not this bench
  // process's own
  const root = join(__dirname, '..');
  const launch = `require(${JSON.stringify(join(root, 'bin', 'cli-bundle.cjs'))}).run(${JSON.stringify(root)}, 'bench/kinesis-memory.ts', { name: 'kinesis-memory' })`;
  const out = execFileSync(process.execPath, [...launcherNodeFlags(), '--expose-gc', '-e', launch], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as MemoryFigures;
}

const bench: Benchmark = async (log) => {
  const twin = new KinesisTwin({ limits: false });
  const server = await startServer({ port: 0, services: [twin] });
  const dataDir = mkdtempSync(join(tmpdir(), 'kinesis-bench-'));
  const durable = new KinesisTwin({ limits: false, dataDir });
  const durableServer = await startServer({ port: 0, services: [durable] });
  const lite: Server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
  await new Promise<void>((resolve) => lite.listen(0, '127.0.0.1', resolve));
  const liteUrl = `http://127.0.0.1:${(lite.address() as AddressInfo).port}`;
  const clients = {
    twin: client(server.url, true),
    twinH2: client(server.url, false),
    lite: client(liteUrl, true),
    durable: client(durableServer.url, true),
    twin4: pooledClient(server.url),
    durable4: pooledClient(durableServer.url),
  };
  try {
    const rates = await measure(
      {
        'kinesalite (HTTP/1.1)': clients.lite,
        'twin (HTTP/1.1)': clients.twin,
        'twin (HTTP/2)': clients.twinH2,
        'twin --data-dir (HTTP/1.1)': clients.durable,
      },
      ROUNDS,
      log,
    );
    const baseline = rates['kinesalite (HTTP/1.1)']!;
    const twinRates = rates['twin (HTTP/1.1)']!;
    const twinH2 = rates['twin (HTTP/2)']!;
    const durable1 = rates['twin --data-dir (HTTP/1.1)']!;
    const four = await measureConcurrent({ memory: clients.twin4, durable: clients.durable4 });
    log(
      `${PRODUCERS} producers (HTTP/1.1): twin put ${Math.round(four['memory']!)} records/s, twin --data-dir put ${Math.round(four['durable']!)} records/s`,
    );
    const syncMs = fdatasyncMs(dataDir);
    log(`a 55 KB write + fdatasync on this disk: ${syncMs.toFixed(2)} ms (median of 40)`);
    log('1,000,000 records of 100 bytes in a child process...');
    const memory = rssOfMillionRecords();
    // what a record costs beyond its 100 bytes: resident growth over the process before the records went in
    const perRecord = ((memory.rssMb - memory.baseRssMb) * 1048576) / memory.records - 100;
    log(
      `twin holding 1M records: ${memory.rssMb.toFixed(0)} MB resident (${memory.baseRssMb.toFixed(0)} MB before the records; ` +
        `${perRecord.toFixed(0)} bytes per record beyond its data; the store holds ${memory.storeBytesPerRecord.toFixed(0)} bytes per record); ` +
        `at rest ${memory.restRssMb.toFixed(0)} MB (${memory.reclaimed ? 'after the quiet reclaim' : 'no quiet reclaim ran'})`,
    );
    const ratio = (a: number, b: number): number => Number((a / b).toFixed(2));
    return {
      'kinesis.putRecordsPerSecond': Math.round(twinRates.put),
      'kinesis.getRecordsPerSecond': Math.round(twinRates.get),
      'kinesis.putRatioVsKinesalite': ratio(twinRates.put, baseline.put),
      'kinesis.getRatioVsKinesalite': ratio(twinRates.get, baseline.get),
      'kinesis.putRecordsPerSecondHttp2': Math.round(twinH2.put),
      'kinesis.getRecordsPerSecondHttp2': Math.round(twinH2.get),
      'kinesis.kinesalitePutRecordsPerSecond': Math.round(baseline.put),
      'kinesis.kinesaliteGetRecordsPerSecond': Math.round(baseline.get),
      'kinesis.durablePutRecordsPerSecond': Math.round(durable1.put),
      'kinesis.durablePutRatio': ratio(durable1.put, twinRates.put),
      'kinesis.durableGetRatio': ratio(durable1.get, twinRates.get),
      'kinesis.durablePutRecordsPerSecond4Producers': Math.round(four['durable']!),
      'kinesis.durablePutRatio4Producers': ratio(four['durable']!, four['memory']!),
      'kinesis.fdatasyncMs': Number(syncMs.toFixed(2)),
      'kinesis.rssMbFor1MRecords': Math.round(memory.rssMb),
      'kinesis.rssMbFor1MRecordsAtRest': Math.round(memory.restRssMb),
      'kinesis.quietReclaimRan': memory.reclaimed ? 'yes' : 'no',
      'kinesis.rssMbBeforeRecords': Math.round(memory.baseRssMb),
      'kinesis.residentBytesPerRecordBeyondData': Math.round(perRecord),
      'kinesis.storeBytesPerRecord': Math.round(memory.storeBytesPerRecord),
    };
  } finally {
    for (const c of Object.values(clients)) c.destroy();
    await server.close();
    await durableServer.close();
    await twin.close();
    await durable.close();
    rmSync(dataDir, { recursive: true, force: true });
    await new Promise<void>((resolve) => lite.close(() => resolve()));
  }
};

export default bench;
