/**
 * Child process of kinesis.bench.ts: fills a Kinesis twin (limits off) with 1,000,000 records of 100 bytes
 * (partition keys `pk-<n>`, 4 shards) through the in-process PutRecords, then prints as JSON, after a full GC:
 * - its resident set size, and the resident set of the same process before the records went in (the runtime,
 *   the loader, the twin's code), so that a record's share of the process is `(rssMb - baseRssMb) / records`;
 * - what the store itself holds for them: the growth of the JS heap in use plus the ArrayBuffers, per record.
 * - its resident set at rest: the fill done, the process quiet until the twin's quiet reclaim (local/memory.ts,
 *   held as startTwin holds it) has given the young generation back, sampled without a GC of the bench's own.
 * Run it alone (`node --import tsx --expose-gc bench/kinesis-memory.ts`) with other node flags to see what the
 * process around the records costs.
 */
import { KinesisTwin } from '../local/kinesis';
import { holdQuietReclaim, QUIET_MS, quietReclaims } from '../local/memory';

const TOTAL = 1_000_000;
const BATCH = 500;

function sample(): { rssMb: number; held: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rssMb: m.rss / 1024 / 1024, held: m.heapUsed + m.arrayBuffers };
}

async function main(): Promise<void> {
  const twin = new KinesisTwin({ limits: false });
  const release = holdQuietReclaim();
  await twin.handle('CreateStream', { StreamName: 'memory', ShardCount: 4 });
  const template = Buffer.alloc(100, 'x');
  const before = sample();
  for (let i = 0; i < TOTAL; i += BATCH) {
    const records = [];
    for (let j = i; j < i + BATCH; j++) {
      const data = Buffer.from(template);
      data.writeUInt32BE(j, 0);
      records.push({ data, partitionKey: `pk-${j}` });
    }
    const out = twin.putRecords({ StreamName: 'memory' }, records);
    if (out.FailedRecordCount) throw new Error('records failed');
  }
  // ArrayBuffers freed by the GC are counted until their backing stores are released: let that happen
  await new Promise((resolve) => setTimeout(resolve, 200));
  const after = sample();
  const mem = process.memoryUsage();
  // at rest: wait (quiet) for the twin's own reclaim, at most twice its quiet time
  const until = Date.now() + 2 * QUIET_MS + 2_000;
  while (quietReclaims() === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 250));
  const restRssMb = process.memoryUsage().rss / 1024 / 1024;
  const reclaimed = quietReclaims() > 0;
  release();
  process.stderr.write(
    `heap ${(mem.heapUsed / 1048576).toFixed(0)} MB of ${(mem.heapTotal / 1048576).toFixed(0)} MB, external ${(mem.external / 1048576).toFixed(0)} MB, arrayBuffers ${(mem.arrayBuffers / 1048576).toFixed(0)} MB\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ rssMb: after.rssMb, restRssMb, reclaimed, baseRssMb: before.rssMb, storeBytesPerRecord: (after.held - before.held) / TOTAL, records: TOTAL })}\n`,
  );
  await twin.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
