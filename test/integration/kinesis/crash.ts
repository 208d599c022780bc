/**
 * Kill a Kinesis twin with --data-dir at random moments under a steady producer, restart it, and check what
 * came back: every acknowledged record exactly once, in order per shard, where its acknowledgement put it, and
 * sequence numbers that never go back. Used by crash.test.ts (a few kills) and bench/kinesis-crash.ts (more).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const CHILD = join(__dirname, 'crash-twin.ts');
const STREAM = 'crash';

export interface CrashOptions {
  dataDir: string;
  kills: number;
  /** Each round produces for a random time in [minMs, maxMs) before the kill. */
  minMs: number;
  maxMs: number;
  producers?: number;
  batch?: number;
  shards?: number;
}

export interface CrashReport {
  kills: number;
  /** Records whose PutRecords was answered with their sequence number. */
  acknowledged: number;
  /** Acknowledged records read back after the last restart (each exactly once). */
  recovered: number;
  /** Records in flight at a kill (never answered), and how many of them a restart still had. */
  inFlight: number;
  inFlightKept: number;
  /** What went wrong, per check; empty when everything held. */
  problems: string[];
}

interface Ack {
  shard: string;
  seq: bigint;
}

/**
 * A twin in a child process (`node --require tsx/cjs <script> <args>`, so that SIGKILL reaches the twin itself),
 * ready once it printed `listening <url>`.
 */
export class Child {
  private constructor(
    readonly process: ChildProcess,
    readonly url: string,
    readonly stderr: string[],
  ) {}

  /** The Kinesis twin of crash-twin.ts on `dataDir`, or another child script with its arguments. */
  static start(dataDir: string, script = CHILD, args: readonly string[] = []): Promise<Child> {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', script, dataDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
    return new Promise((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening (\S+)/.exec(out);
        if (m) resolve(new Child(child, m[1]!, stderr));
      });
      child.on('exit', (code) => reject(new Error(`the twin exited (${code}) before listening: ${stderr.join('')}`)));
    });
  }

  kill(): Promise<void> {
    return new Promise((resolve) => {
      this.process.once('exit', () => resolve());
      this.process.kill('SIGKILL');
    });
  }
}

function client(url: string): KinesisClient {
  return new KinesisClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'crash', secretAccessKey: 'crash' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpAgent: { keepAlive: true, maxSockets: 8 } }),
  });
}

/** Every record of the stream, per shard, in the order the shard holds them. */
async function readAll(kinesis: KinesisClient): Promise<Map<string, { id: string; seq: bigint }[]>> {
  const out = new Map<string, { id: string; seq: bigint }[]>();
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: STREAM }))).Shards ?? [];
  for (const shard of shards) {
    const records: { id: string; seq: bigint }[] = [];
    let it = (
      await kinesis.send(
        new GetShardIteratorCommand({ StreamName: STREAM, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      )
    ).ShardIterator;
    while (it) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
      for (const r of page.Records ?? []) {
        records.push({ id: Buffer.from(r.Data!).toString(), seq: BigInt(r.SequenceNumber!) });
      }
      if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) break;
      it = page.NextShardIterator;
    }
    out.set(shard.ShardId!, records);
  }
  return out;
}

interface Ledger {
  /** Records that must come back on every restart, exactly once, where they were put. */
  expected: Map<string, Ack>;
  /** Records in flight at the last kill: they may come back (once) or not. */
  unknown: Set<string>;
  /** Records in flight at a kill that did not come back: they never may. */
  lost: Set<string>;
  /** Highest sequence number of each shard as of the last restart. */
  highest: Map<string, bigint>;
  problems: string[];
}

/** Checks what a restarted twin holds against the ledger, then moves what came back of the unknown to expected. */
function check(read: Map<string, { id: string; seq: bigint }[]>, ledger: Ledger, round: number): number {
  const { expected, unknown, lost, problems } = ledger;
  const seen = new Set<string>();
  let kept = 0;
  for (const [shard, records] of read) {
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (i > 0 && r.seq <= records[i - 1]!.seq) problems.push(`restart ${round}: ${shard} out of order at ${r.id}`);
      if (seen.has(r.id)) problems.push(`restart ${round}: ${r.id} read twice`);
      seen.add(r.id);
      const ack = expected.get(r.id);
      if (ack) {
        if (ack.shard !== shard || ack.seq !== r.seq) {
          problems.push(`restart ${round}: ${r.id} put as ${ack.shard} ${ack.seq}, read as ${shard} ${r.seq}`);
        }
      } else if (unknown.has(r.id)) {
        expected.set(r.id, { shard, seq: r.seq });
        kept++;
      } else {
        problems.push(`restart ${round}: ${r.id} was never put${lost.has(r.id) ? ' (or was lost before)' : ''}`);
      }
    }
    const top = records[records.length - 1]?.seq;
    if (top !== undefined) ledger.highest.set(shard, top);
  }
  for (const id of expected.keys()) if (!seen.has(id)) problems.push(`restart ${round}: ${id} is missing`);
  for (const id of unknown) if (!seen.has(id)) lost.add(id);
  unknown.clear();
  return kept;
}

export async function crashRounds(opts: CrashOptions): Promise<CrashReport> {
  const producers = opts.producers ?? 4;
  const batch = opts.batch ?? 25;
  const ledger: Ledger = { expected: new Map(), unknown: new Set(), lost: new Set(), highest: new Map(), problems: [] };
  const report: CrashReport = { kills: 0, acknowledged: 0, recovered: 0, inFlight: 0, inFlightKept: 0, problems: [] };
  let child = await Child.start(opts.dataDir);
  let kinesis = client(child.url);
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: opts.shards ?? 3 }));
  const put = async (ids: string[]): Promise<void> => {
    for (const id of ids) ledger.unknown.add(id);
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: STREAM,
        Records: ids.map((id) => ({ Data: Buffer.from(id), PartitionKey: id })),
      }),
    );
    out.Records!.forEach((r, i) => {
      const id = ids[i]!;
      ledger.unknown.delete(id);
      if (!r.SequenceNumber) return; // refused (throttled): not put
      const seq = BigInt(r.SequenceNumber);
      const top = ledger.highest.get(r.ShardId!);
      if (top !== undefined && seq <= top)
        ledger.problems.push(`${id} got ${seq}, not above ${top} of before the restart`);
      ledger.expected.set(id, { shard: r.ShardId!, seq });
      report.acknowledged++;
    });
  };
  for (let round = 1; round <= opts.kills; round++) {
    let stop = false;
    const produce = async (p: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        try {
          await put(Array.from({ length: batch }, (_, i) => `${round}-${p}-${n}-${i}`));
        } catch {
          return; // the kill: this batch stays in flight, kept or not
        }
      }
    };
    const running = Array.from({ length: producers }, (_, p) => produce(p));
    await new Promise((r) => setTimeout(r, opts.minMs + Math.random() * (opts.maxMs - opts.minMs)));
    await child.kill();
    stop = true;
    await Promise.all(running);
    kinesis.destroy();
    report.kills++;
    report.inFlight += ledger.unknown.size;
    child = await Child.start(opts.dataDir);
    kinesis = client(child.url);
    report.inFlightKept += check(await readAll(kinesis), ledger, round);
  }
  // the first put after the last restart lands above everything read
  await put(['last']);
  report.acknowledged--;
  report.recovered = report.acknowledged - ledger.problems.filter((p) => p.endsWith('is missing')).length;
  report.problems = ledger.problems;
  kinesis.destroy();
  await child.kill();
  return report;
}
