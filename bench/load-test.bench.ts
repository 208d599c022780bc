/**
 * The load test's own cost per record, which decides whether one LoadTest function can verify millions of records:
 * the verifier taking in output records (decode, parse, identify, count, order check) against the floor of
 * JSON.parse of the same records, measured in the same run; and the plan (generate + run through sql/fanout.sql),
 * in records/s. Rounds alternate; each keeps its best.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileForLoadTest, computeExpectation } from '../src/load-test/expected';
import { RecordGenerator } from '../src/load-test/generator';
import { Verifier } from '../src/load-test/verifier';
import { discoverSchema } from '../src/streaming-sql';
import type { Benchmark } from './index';

const RECORDS = 200_000;
const ROUNDS = 5;
const runId = 'bench-lt';

const bench: Benchmark = async (log) => {
  const sql = readFileSync(join(__dirname, '../sql/fanout.sql'), 'utf8');
  const sample = JSON.parse(readFileSync(join(__dirname, '../sql/fanout.sample.json'), 'utf8')) as unknown[];
  const schema = discoverSchema(sample.map((r) => Buffer.from(JSON.stringify(r)))).InputSchema;
  const outputs = [
    { sqlStream: 'POSITIVE_TRANSACTIONS', streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/Positive' },
    { sqlStream: 'NEGATIVE_TRANSACTIONS', streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/Negative' },
  ];
  const keys = Array.from({ length: 16 }, (_, i) => `k${i}`);
  const generator = new RecordGenerator({ runId, negativeShare: 0.5, partitionKeys: keys, schema });
  const app = compileForLoadTest(sql, schema, outputs);

  const planStart = process.hrtime.bigint();
  const expectation = computeExpectation(app, generator, RECORDS, outputs, (seq) => 1_700_000_000_000 + seq);
  const planSeconds = Number(process.hrtime.bigint() - planStart) / 1e9;

  // What the outputs carry: the SQL's JSON rows, in order.
  const arrivals = Array.from({ length: RECORDS }, (_, seq) => {
    const f = generator.record(seq).fields;
    const o = expectation.destinations[0]![seq] ? 0 : 1;
    const amount = (f.cents / 100).toFixed(2);
    return { o, data: Buffer.from(`{"ID":${seq},"USERNAME":"${f.USERNAME}","AMOUNT":${amount}}`) };
  });
  let sink = 0;
  const verify = (): number => {
    const verifier = new Verifier({
      runId,
      total: RECORDS,
      outputs: ['Positive', 'Negative'],
      destinations: expectation.destinations,
      partitionKeyOf: (seq) => keys[seq % keys.length]!,
    });
    const start = process.hrtime.bigint();
    for (let seq = 0; seq < RECORDS; seq++) {
      const a = arrivals[seq]!;
      verifier.output(a.o, { shardId: 'shardId-000000000000', arrivalMs: 1_700_000_000_000 + seq, data: a.data });
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (!verifier.complete) throw new Error('the verifier missed records');
    return seconds;
  };
  const decoder = new TextDecoder();
  const parse = (): number => {
    const start = process.hrtime.bigint();
    for (let seq = 0; seq < RECORDS; seq++)
      sink += (JSON.parse(decoder.decode(arrivals[seq]!.data)) as { ID: number }).ID;
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  let bestVerify = Number.POSITIVE_INFINITY;
  let bestParse = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    bestVerify = Math.min(bestVerify, verify());
    bestParse = Math.min(bestParse, parse());
  }
  log(`  ${RECORDS} records, best of ${ROUNDS} rounds (sink ${sink % 10})`);
  return {
    'loadTest.verifierRecordsPerSecond': Math.round(RECORDS / bestVerify),
    'loadTest.parseFloorRecordsPerSecond': Math.round(RECORDS / bestParse),
    'loadTest.verifierCostVsParse': Math.round((bestVerify / bestParse) * 100) / 100,
    'loadTest.planRecordsPerSecond': Math.round(RECORDS / planSeconds),
  };
};

export default bench;
