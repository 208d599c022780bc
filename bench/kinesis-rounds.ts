/**
 * One round of the Kinesis benchmarks, shared by kinesis.bench.ts (twin vs kinesalite) and ceiling.bench.ts
 * (twin vs a canned-answer server): the same @aws-sdk/client-kinesis calls, records and batches against any
 * endpoint. PutRecords in batches of 500 for 20,000 records of about 100 bytes into a 4-shard stream, then
 * GetRecords of all of them.
 */
import {
  CreateStreamCommand,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const RECORDS = 20_000;
export const BATCH = 500;
export const SHARDS = 4;

export interface Rates {
  put: number;
  get: number;
}

/** A round's rates by the wall clock, and by this process's CPU time (user + system), records per second. */
export interface RoundRates extends Rates {
  putCpu: number;
  getCpu: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function payload(i: number): Buffer {
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

export async function round(client: KinesisClient, name: string): Promise<RoundRates> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: SHARDS }));
  await waitActive(client, name);
  const records = Array.from({ length: RECORDS }, (_, i) => ({ Data: payload(i), PartitionKey: `pk-${i}` }));
  const t0 = performance.now();
  const c0 = cpuMs();
  for (let i = 0; i < RECORDS; i += BATCH) {
    const out = await client.send(new PutRecordsCommand({ StreamName: name, Records: records.slice(i, i + BATCH) }));
    if (out.FailedRecordCount) throw new Error(`${out.FailedRecordCount} records failed`);
  }
  const putMs = performance.now() - t0;
  const putCpuMs = cpuMs() - c0;
  const shards = (await client.send(new DescribeStreamCommand({ StreamName: name }))).StreamDescription!.Shards!;
  const t1 = performance.now();
  const c1 = cpuMs();
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
  const getCpuMs = cpuMs() - c1;
  if (got !== RECORDS) throw new Error(`read ${got} records, expected ${RECORDS}`);
  return {
    put: RECORDS / (putMs / 1000),
    get: RECORDS / (getMs / 1000),
    putCpu: RECORDS / (putCpuMs / 1000),
    getCpu: RECORDS / (getCpuMs / 1000),
  };
}

/**
 * Runs the subjects' rounds interleaved (a round of each, then again), so a burst of load on the machine hits
 * them alike, and keeps each one's best round.
 */
export async function measure(
  subjects: Record<string, KinesisClient>,
  rounds: number,
  log: (line: string) => void,
): Promise<Record<string, Rates>> {
  const best: Record<string, Rates> = {};
  for (let r = 0; r < rounds; r++) {
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

/** The SDK's client as the benchmarks use it: HTTP/1.1 with one kept-alive socket, or the default (HTTP/2). */
export function client(endpoint: string, http1: boolean): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    ...(http1 ? { requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 1 } }) } : {}),
  });
}
