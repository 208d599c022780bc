/**
 * Child process of kinesis.bench.ts: fills a Kinesis twin (limits off) with 1,000,000 records of 100 bytes
 * (partition keys `pk-<n>`, 4 shards) through the in-process PutRecords, then prints as JSON its resident set
 * size after a full GC, and the resident set of the same process before the records went in (the runtime, the
 * loader and the twin's code), so that what a record costs is `(rssMb - baseRssMb) / records`.
 */
import { KinesisTwin } from '../local/kinesis';

const TOTAL = 1_000_000;
const BATCH = 500;

function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1024 / 1024;
}

async function main(): Promise<void> {
  const twin = new KinesisTwin({ limits: false });
  await twin.handle('CreateStream', { StreamName: 'memory', ShardCount: 4 });
  const template = Buffer.alloc(100, 'x');
  const baseRssMb = rssMb();
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
  const rss = rssMb();
  const mem = process.memoryUsage();
  process.stderr.write(
    `heap ${(mem.heapUsed / 1048576).toFixed(0)} MB, external ${(mem.external / 1048576).toFixed(0)} MB, arrayBuffers ${(mem.arrayBuffers / 1048576).toFixed(0)} MB\n`,
  );
  process.stdout.write(`${JSON.stringify({ rssMb: rss, baseRssMb, records: TOTAL })}\n`);
  await twin.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
