/**
 * Child process of kinesis.bench.ts: fills a Kinesis twin (limits off) with 1,000,000 records of 100 bytes
 * through the in-process PutRecords, then prints its resident set size after a full GC as JSON.
 */
import { KinesisTwin } from '../local/kinesis';

const TOTAL = 1_000_000;
const BATCH = 500;

async function main(): Promise<void> {
  const twin = new KinesisTwin({ limits: false });
  await twin.handle('CreateStream', { StreamName: 'memory', ShardCount: 4 });
  const template = Buffer.alloc(100, 'x');
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
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const rssMb = mem.rss / 1024 / 1024;
  process.stderr.write(
    `heap ${(mem.heapUsed / 1048576).toFixed(0)} MB, external ${(mem.external / 1048576).toFixed(0)} MB, arrayBuffers ${(mem.arrayBuffers / 1048576).toFixed(0)} MB\n`,
  );
  process.stdout.write(`${JSON.stringify({ rssMb, records: TOTAL })}\n`);
  await twin.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
