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
import kinesalite from 'kinesalite';
import { KinesisTwin } from '../local/kinesis';
import { startServer } from '../local/server';
import type { Benchmark } from './index';
import { client, measure } from './kinesis-rounds';

const ROUNDS = 5;

interface MemoryFigures {
  rssMb: number;
  baseRssMb: number;
  records: number;
}

function rssOfMillionRecords(): MemoryFigures {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', join(__dirname, 'kinesis-memory.ts')],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as MemoryFigures;
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
      ROUNDS,
      log,
    );
    const baseline = rates['kinesalite (HTTP/1.1)']!;
    const twinRates = rates['twin (HTTP/1.1)']!;
    const twinH2 = rates['twin (HTTP/2)']!;
    log('1,000,000 records of 100 bytes in a child process...');
    const memory = rssOfMillionRecords();
    // what a record costs beyond its 100 bytes: resident growth over the process before the records went in
    const perRecord = ((memory.rssMb - memory.baseRssMb) * 1048576) / memory.records - 100;
    log(
      `twin holding 1M records: ${memory.rssMb.toFixed(0)} MB resident (${memory.baseRssMb.toFixed(0)} MB before the records; ` +
        `${perRecord.toFixed(0)} bytes per record beyond its data)`,
    );
    return {
      'kinesis.putRecordsPerSecond': Math.round(twinRates.put),
      'kinesis.getRecordsPerSecond': Math.round(twinRates.get),
      'kinesis.putRatioVsKinesalite': Number((twinRates.put / baseline.put).toFixed(2)),
      'kinesis.getRatioVsKinesalite': Number((twinRates.get / baseline.get).toFixed(2)),
      'kinesis.putRecordsPerSecondHttp2': Math.round(twinH2.put),
      'kinesis.getRecordsPerSecondHttp2': Math.round(twinH2.get),
      'kinesis.kinesalitePutRecordsPerSecond': Math.round(baseline.put),
      'kinesis.kinesaliteGetRecordsPerSecond': Math.round(baseline.get),
      'kinesis.rssMbFor1MRecords': Math.round(memory.rssMb),
      'kinesis.rssMbBeforeRecords': Math.round(memory.baseRssMb),
      'kinesis.residentBytesPerRecordBeyondData': Math.round(perRecord),
    };
  } finally {
    for (const c of Object.values(clients)) c.destroy();
    await server.close();
    await twin.close();
    await new Promise<void>((resolve) => lite.close(() => resolve()));
  }
};

export default bench;
