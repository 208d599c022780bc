/**
 * The ceiling of the Kinesis path (issue 20): the same @aws-sdk/client-kinesis client, records and batches as
 * kinesis.bench.ts against a server in this process that parses nothing and answers each call with a canned
 * body of the right shape (500 PutRecords results; a page of 5,000 records, then an empty one). Whatever the twin
 * does beyond moving bytes shows as the distance to it: `putVsCeiling` and `getVsCeiling` (the twin's
 * records/s over the ceiling's), over HTTP/1.1 and HTTP/2.
 *
 * On a machine shared with other work the wall clock of a round swings by a factor of three, so each round runs
 * the ceiling and the twin back to back (in alternating order) and the ratio is the median of those pairs' ratios;
 * the same from the process's CPU time (`...Cpu`, steadier still: client and server share this one thread) and
 * the best records/s of each subject are printed beside it.
 *
 * Beside the ratios, where they come from: the twin's own work a record, in process and without HTTP
 * (`twinOwnPutParseUsPerRecord`: the wire parser on the request body; `twinOwnPutUsPerRecord`: validation and the
 * operation; `twinOwnGetUsPerRecord`: wire GetRecords), and the client's cost a record against the canned server
 * (`clientPutUsPerRecordHttp1`, `clientGetUsPerRecordHttp1`): a ratio of 0.75 leaves the twin and its HTTP a third
 * of the client's cost.
 */
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisTwin } from '../local/kinesis';
import { parseJsonObject } from '../local/protocols/aws-json';
import { startServer } from '../local/server';
import type { Benchmark } from './index';
import { BATCH, client, payload, RECORDS, type RoundRates, round, SHARDS } from './kinesis-rounds';

const ROUNDS = 9;
const PAGE = RECORDS / SHARDS;
const MAX_HASH = (1n << 128n) - 1n;
const EMPTY_OBJECT = Buffer.from('{}');

/** The answers, written once: what the twin would say, byte for byte in shape and size. */
function cannedAnswers(): Record<string, (body: Buffer) => Buffer> {
  const shardId = (i: number) => `shardId-${String(i).padStart(12, '0')}`;
  const seq = (i: number) => `4963${String(i).padStart(52, '0')}`;
  const step = (1n << 128n) / BigInt(SHARDS);
  const shards = Array.from({ length: SHARDS }, (_, i) => ({
    ShardId: shardId(i),
    HashKeyRange: {
      StartingHashKey: (step * BigInt(i)).toString(),
      EndingHashKey: (i === SHARDS - 1 ? MAX_HASH : step * BigInt(i + 1) - 1n).toString(),
    },
    SequenceNumberRange: { StartingSequenceNumber: seq(0) },
  }));
  const describe = JSON.stringify({
    StreamDescription: {
      StreamName: 'ceiling',
      StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/ceiling',
      StreamStatus: 'ACTIVE',
      StreamModeDetails: { StreamMode: 'PROVISIONED' },
      Shards: shards,
      HasMoreShards: false,
      RetentionPeriodHours: 24,
      StreamCreationTimestamp: 1_700_000_000,
      EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
      EncryptionType: 'NONE',
    },
  });
  const put = JSON.stringify({
    FailedRecordCount: 0,
    Records: Array.from({ length: BATCH }, (_, i) => ({ SequenceNumber: seq(i), ShardId: shardId(i % SHARDS) })),
    EncryptionType: 'NONE',
  });
  const full = JSON.stringify({
    Records: Array.from({ length: PAGE }, (_, i) => ({
      SequenceNumber: seq(i),
      ApproximateArrivalTimestamp: 1_700_000_000.123,
      Data: payload(i).toString('base64'),
      PartitionKey: `pk-${i}`,
    })),
    NextShardIterator: 'AAAAempty',
    MillisBehindLatest: 0,
  });
  const empty = JSON.stringify({ Records: [], NextShardIterator: 'AAAAempty', MillisBehindLatest: 0 });
  const bytes = (text: string): Buffer => Buffer.from(text);
  const [none, described, putAnswer, iterator, fullPage, emptyPage] = [
    '',
    describe,
    put,
    '{"ShardIterator":"AAAAfull"}',
    full,
    empty,
  ].map(bytes) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  return {
    CreateStream: () => none,
    DeleteStream: () => none,
    DescribeStream: () => described,
    PutRecords: () => putAnswer,
    GetShardIterator: () => iterator,
    // the one look at the body: which of the two iterators it carries
    GetRecords: (body) => (body.includes('AAAAempty') ? emptyPage : fullPage),
  };
}

interface Ceiling {
  http1: string;
  http2: string;
  close(): Promise<void>;
}

async function startCeiling(): Promise<Ceiling> {
  const answers = cannedAnswers();
  const handler = (
    req: http.IncomingMessage | http2.Http2ServerRequest,
    res: http.ServerResponse | http2.Http2ServerResponse,
  ) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const answer = answers[target.slice(target.indexOf('.') + 1)];
      const body = answer ? answer(Buffer.concat(chunks)) : EMPTY_OBJECT;
      (res as http.ServerResponse).writeHead(200, {
        'content-type': 'application/x-amz-json-1.1',
        'content-length': body.length,
        'x-amzn-requestid': 'ceiling',
      });
      (res as http.ServerResponse).end(body);
    });
  };
  const h1 = http.createServer({ keepAliveTimeout: 60_000 }, handler);
  const h2 = http2.createServer({}, handler);
  const listen = (server: http.Server | http2.Http2Server) =>
    new Promise<string>((resolve) =>
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
    );
  const [url1, url2] = [await listen(h1), await listen(h2)];
  return {
    http1: url1,
    http2: url2,
    close: async () => {
      h1.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => h1.close(() => resolve())),
        new Promise<void>((resolve) => h2.close(() => resolve())),
      ]);
    },
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const two = (n: number): number => Number(n.toFixed(2));

interface Pairs {
  best: { ceiling: RoundRates; twin: RoundRates };
  put: number[];
  get: number[];
  putCpu: number[];
  getCpu: number[];
}

async function pairedRounds(
  ceilingClient: ReturnType<typeof client>,
  twinClient: ReturnType<typeof client>,
  label: string,
): Promise<Pairs> {
  const zero = { put: 0, get: 0, putCpu: 0, getCpu: 0 };
  const pairs: Pairs = { best: { ceiling: zero, twin: zero }, put: [], get: [], putCpu: [], getCpu: [] };
  const keep = (a: RoundRates, b: RoundRates): RoundRates => ({
    put: Math.max(a.put, b.put),
    get: Math.max(a.get, b.get),
    putCpu: Math.max(a.putCpu, b.putCpu),
    getCpu: Math.max(a.getCpu, b.getCpu),
  });
  for (let r = 0; r < ROUNDS; r++) {
    // each stream is deleted after its round, so the twin's heap (and its GC, which this process shares with the
    // client) stays the same from round to round
    const run = async (c: KinesisClient, name: string): Promise<RoundRates> => {
      const rates = await round(c, name);
      await c.send(new DeleteStreamCommand({ StreamName: name }));
      return rates;
    };
    const runCeiling = () => run(ceilingClient, `ceiling-${label}-${r}`);
    const runTwin = () => run(twinClient, `bench-${label}-${r}`);
    let c: RoundRates;
    let t: RoundRates;
    if (r % 2 === 0) {
      c = await runCeiling();
      t = await runTwin();
    } else {
      t = await runTwin();
      c = await runCeiling();
    }
    pairs.best = { ceiling: keep(pairs.best.ceiling, c), twin: keep(pairs.best.twin, t) };
    pairs.put.push(t.put / c.put);
    pairs.get.push(t.get / c.get);
    pairs.putCpu.push(t.putCpu / c.putCpu);
    pairs.getCpu.push(t.getCpu / c.getCpu);
  }
  return pairs;
}

/** Microseconds a record of the twin's own work, in process and without HTTP: the medians of ROUNDS rounds. */
interface ServerShare {
  parse: number;
  put: number;
  get: number;
}

/**
 * What the twin itself spends on a record, the client and HTTP left out: the same 20,000 records as a round, as the
 * SDK sends them (JSON bodies of 500, base64 data), parsed with the wire protocol's parser and run through the
 * twin's `handle` (validation, limits off, the operation), then read back with wire GetRecords (JSON bytes).
 */
async function serverShare(): Promise<ServerShare> {
  const twin = new KinesisTwin({ limits: false, createDelayMs: 0 });
  const us = (ms: number) => (ms * 1000) / RECORDS;
  const parse: number[] = [];
  const put: number[] = [];
  const get: number[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      const name = `share-${r}`;
      await twin.handle('CreateStream', { StreamName: name, ShardCount: SHARDS });
      const bodies: Buffer[] = [];
      for (let i = 0; i < RECORDS; i += BATCH) {
        const records = Array.from({ length: BATCH }, (_, j) => ({
          Data: payload(i + j).toString('base64'),
          PartitionKey: `pk-${i + j}`,
        }));
        bodies.push(Buffer.from(JSON.stringify({ StreamName: name, Records: records })));
      }
      let parseMs = 0;
      let putMs = 0;
      for (const body of bodies) {
        const t0 = performance.now();
        const input = parseJsonObject(body);
        const t1 = performance.now();
        await twin.handle('PutRecords', input);
        putMs += performance.now() - t1;
        parseMs += t1 - t0;
      }
      let getMs = 0;
      let read = 0;
      for (let shard = 0; shard < SHARDS; shard++) {
        const start = (await twin.handle('GetShardIterator', {
          StreamName: name,
          ShardId: `shardId-${String(shard).padStart(12, '0')}`,
          ShardIteratorType: 'TRIM_HORIZON',
        })) as { ShardIterator: string };
        let iterator: string | undefined = start.ShardIterator;
        while (iterator) {
          const t0 = performance.now();
          const answer = (await twin.handle('GetRecords', { ShardIterator: iterator, Limit: 10_000 })) as {
            json: Buffer;
          };
          getMs += performance.now() - t0;
          // the answer's bytes as a client gets them; only its counts are looked at here
          const page = JSON.parse(answer.json.toString('utf8')) as { Records: unknown[]; NextShardIterator?: string };
          read += page.Records.length;
          iterator = page.Records.length > 0 ? page.NextShardIterator : undefined;
        }
      }
      if (read !== RECORDS) throw new Error(`read ${read} records, expected ${RECORDS}`);
      await twin.handle('DeleteStream', { StreamName: name });
      parse.push(us(parseMs));
      put.push(us(putMs));
      get.push(us(getMs));
    }
  } finally {
    await twin.close();
  }
  return { parse: median(parse), put: median(put), get: median(get) };
}

const bench: Benchmark = async (log) => {
  const twin = new KinesisTwin({ limits: false });
  const server = await startServer({ port: 0, services: [twin] });
  const ceiling = await startCeiling();
  const clients = {
    ceiling1: client(ceiling.http1, true),
    twin1: client(server.url, true),
    ceiling2: client(ceiling.http2, false),
    twin2: client(server.url, false),
  };
  try {
    const h1 = await pairedRounds(clients.ceiling1, clients.twin1, 'h1');
    const h2 = await pairedRounds(clients.ceiling2, clients.twin2, 'h2');
    const figures: Record<string, number> = {};
    for (const [name, p] of [
      ['Http1', h1],
      ['Http2', h2],
    ] as const) {
      const proto = name === 'Http1' ? 'HTTP/1.1' : 'HTTP/2';
      log(
        `${proto}: ceiling put ${Math.round(p.best.ceiling.put)} get ${Math.round(p.best.ceiling.get)} records/s; ` +
          `twin put ${Math.round(p.best.twin.put)} get ${Math.round(p.best.twin.get)} records/s; ` +
          `median of ${ROUNDS} paired rounds: put ${two(median(p.put))}, get ${two(median(p.get))} ` +
          `(CPU time: put ${two(median(p.putCpu))}, get ${two(median(p.getCpu))})`,
      );
      figures[`ceiling.putRecordsPerSecond${name}`] = Math.round(p.best.ceiling.put);
      figures[`ceiling.getRecordsPerSecond${name}`] = Math.round(p.best.ceiling.get);
      figures[`ceiling.twinPutRecordsPerSecond${name}`] = Math.round(p.best.twin.put);
      figures[`ceiling.twinGetRecordsPerSecond${name}`] = Math.round(p.best.twin.get);
      figures[`ceiling.putVsCeiling${name}`] = two(median(p.put));
      figures[`ceiling.getVsCeiling${name}`] = two(median(p.get));
      figures[`ceiling.putVsCeilingCpu${name}`] = two(median(p.putCpu));
      figures[`ceiling.getVsCeilingCpu${name}`] = two(median(p.getCpu));
    }
    // where a ratio comes from: the client's cost a record against the canned server, and the twin's own
    const share = await serverShare();
    const clientPut = 1e6 / h1.best.ceiling.put;
    const clientGet = 1e6 / h1.best.ceiling.get;
    log(
      `the twin's own work, in process without HTTP (median of ${ROUNDS} rounds): PutRecords ${share.parse.toFixed(2)} us a record to parse the body + ${share.put.toFixed(2)} us to validate and store; GetRecords ${share.get.toFixed(2)} us a record. ` +
        `The client against the ceiling over HTTP/1.1: ${clientPut.toFixed(2)} us a record put, ${clientGet.toFixed(2)} us get; at 0.75 the twin and its HTTP may add a third of that: ${(clientPut / 3).toFixed(2)} and ${(clientGet / 3).toFixed(2)} us`,
    );
    figures['ceiling.twinOwnPutParseUsPerRecord'] = two(share.parse);
    figures['ceiling.twinOwnPutUsPerRecord'] = two(share.put);
    figures['ceiling.twinOwnGetUsPerRecord'] = two(share.get);
    figures['ceiling.clientPutUsPerRecordHttp1'] = two(clientPut);
    figures['ceiling.clientGetUsPerRecordHttp1'] = two(clientGet);
    return figures;
  } finally {
    for (const c of Object.values(clients)) c.destroy();
    await server.close();
    await twin.close();
    await ceiling.close();
  }
};

export default bench;
