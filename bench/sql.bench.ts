/**
 * The SQL engine on the application code of the product (sql/fanout.sql) over ~1 KB JSON records (ID, USERNAME,
 * AMOUNT plus padding), with the schema discovery infers from them: decode -> parse -> map -> coerce -> filter ->
 * project -> serialize (JSON destination), in records/s. The floor, measured in the same run on the same records:
 * JSON.parse + JSON.stringify of each record (decode and encode included). Rounds alternate; each keeps its best.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, discoverSchema, type InputRecord, serializeRow } from '../src/streaming-sql';
import type { Benchmark } from './index';

const RECORDS = 50_000;
const BATCH = 500;
const ROUNDS = 7;

function makeRecords(): InputRecord[] {
  const out: InputRecord[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const amount = (((i * 7919) % 199_999) - 99_999) / 100;
    const body = { ID: i, USERNAME: `bench-run-${i}`, AMOUNT: Number(amount.toFixed(2)), PAD: '' };
    const size = JSON.stringify(body).length;
    body.PAD = 'x'.repeat(Math.max(0, 1024 - size));
    out.push({
      data: Buffer.from(JSON.stringify(body)),
      arrivalTime: 1_700_000_000_000 + i,
      partitionKey: `pk-${i % 64}`,
    });
  }
  return out;
}

const bench: Benchmark = async (log) => {
  const sql = readFileSync(join(__dirname, '../sql/fanout.sql'), 'utf8');
  const records = makeRecords();
  const { InputSchema } = discoverSchema(records.slice(0, 10).map((r) => r.data));
  const app = compile(sql, { schema: InputSchema });
  const columns = new Map(app.outputs.map((o) => [o.name, o.columns]));
  const destination = { RecordFormatType: 'JSON' } as const;
  let sink = 0;

  const engine = (): number => {
    const runner = app.createRunner();
    const start = process.hrtime.bigint();
    for (let i = 0; i < records.length; i += BATCH) {
      const { rows, errors } = runner.push(records.slice(i, i + BATCH));
      for (const row of rows) sink += serializeRow(row, destination, columns.get(row.stream)!).length;
      if (errors.length) throw new Error(`unexpected error rows: ${errors[0]!.MESSAGE}`);
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  const floor = (): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < records.length; i += BATCH) {
      const batch = records.slice(i, i + BATCH);
      for (const r of batch) {
        const d = r.data;
        const text = Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('utf8');
        sink += Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8').length;
      }
    }
    return Number(process.hrtime.bigint() - start) / 1e9;
  };

  // warm both paths up before measuring
  engine();
  floor();
  let bestEngine = Number.POSITIVE_INFINITY;
  let bestFloor = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    bestEngine = Math.min(bestEngine, engine());
    bestFloor = Math.min(bestFloor, floor());
  }
  const recordsPerSecond = RECORDS / bestEngine;
  const floorRecordsPerSecond = RECORDS / bestFloor;
  log(
    `sql: ${RECORDS} records of ~1 KB, best of ${ROUNDS}: engine ${bestEngine.toFixed(3)} s, floor ${bestFloor.toFixed(3)} s (checksum ${sink % 997})`,
  );
  return {
    'sql.recordsPerSecond': Math.round(recordsPerSecond),
    'sql.floorRecordsPerSecond': Math.round(floorRecordsPerSecond),
    'sql.ratio': Number((recordsPerSecond / floorRecordsPerSecond).toFixed(3)),
  };
};

export default bench;
