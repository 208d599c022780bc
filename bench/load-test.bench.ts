/**
 * The load test's own cost per record, which decides whether one LoadTest function can verify millions of records:
 * the verifier taking in output records (decode, parse, identify by token or by content, count, order check)
 * against the floor of JSON.parse of the same records, measured in the same run; and the plan (generate + run
 * through sql/fanout.sql, twice for the probe), in records/s. Rounds alternate; each keeps its best.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileForLoadTest, computeExpectation, type OutputExpectation } from '../src/load-test/expected';
import { tagOf } from '../src/load-test/identity';
import { RecordSource } from '../src/load-test/source';
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
  const tag = tagOf(runId);
  const source = new RecordSource(
    { kind: 'synthetic' },
    { runId, tag, schema, partitionKeys: keys, plannedMs: (seq) => 1_700_000_000_000 + seq },
  );
  const app = compileForLoadTest(sql, schema, outputs);

  const planStart = process.hrtime.bigint();
  const expectation = computeExpectation({
    app,
    outputs,
    total: RECORDS,
    record: (seq) => source.record(seq),
    arrivalMs: (seq) => 1_700_000_000_000 + seq,
    tag,
  });
  const planSeconds = Number(process.hrtime.bigint() - planStart) / 1e9;

  // What the outputs carry: each record's fields as JSON, on the output the SQL sends it to.
  const outputOf = new Uint8Array(RECORDS);
  for (const seq of expectation.outputs[1]!.seqs) outputOf[seq] = 1;
  const arrivals = Array.from({ length: RECORDS }, (_, seq) => ({ o: outputOf[seq]!, data: source.record(seq).data }));
  let sink = 0;
  const verify = (expectations: OutputExpectation[]) => (): number => {
    const verifier = new Verifier({
      runId,
      tag,
      total: RECORDS,
      outputs: ['Positive', 'Negative'],
      expectations,
      partitionKeyOf: (seq) => keys[seq % keys.length]!,
    });
    const start = process.hrtime.bigint();
    for (let seq = 0; seq < RECORDS; seq++) {
      const a = arrivals[seq]!;
      verifier.output(a.o, { shardId: 'shardId-000000000000', arrivalMs: 1_700_000_000_000 + seq, data: a.data });
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const report = verifier.report({
      startedAt: 1_700_000_000_000,
      sendEndedAt: 1_700_000_000_000,
      endedAt: 1_700_000_000_000 + RECORDS,
      timeoutSeconds: 1e6,
      requested: 0,
      throttles: { put: 0, get: 0 },
    });
    if (report.foreign || Object.values(report.outputs).some((o) => o.duplicates || o.misrouted))
      throw new Error(`the verifier misread records: ${JSON.stringify(report.outputs)}`);
    return seconds;
  };
  const byToken = verify(expectation.outputs);
  const byContent = verify(expectation.outputs.map((o) => ({ ...o, by: 'content' as const })));
  const decoder = new TextDecoder();
  const parse = (): number => {
    const start = process.hrtime.bigint();
    for (let seq = 0; seq < RECORDS; seq++)
      sink += (JSON.parse(decoder.decode(arrivals[seq]!.data)) as { ID: number }).ID;
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
  let bestVerify = Number.POSITIVE_INFINITY;
  let bestContent = Number.POSITIVE_INFINITY;
  let bestParse = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    bestVerify = Math.min(bestVerify, byToken());
    bestContent = Math.min(bestContent, byContent());
    bestParse = Math.min(bestParse, parse());
  }
  log(`  ${RECORDS} records, best of ${ROUNDS} rounds (sink ${sink % 10})`);
  return {
    'loadTest.verifierRecordsPerSecond': Math.round(RECORDS / bestVerify),
    'loadTest.parseFloorRecordsPerSecond': Math.round(RECORDS / bestParse),
    'loadTest.verifierCostVsParse': Math.round((bestVerify / bestParse) * 100) / 100,
    'loadTest.contentVerifierRecordsPerSecond': Math.round(RECORDS / bestContent),
    'loadTest.contentVerifierCostVsParse': Math.round((bestContent / bestParse) * 100) / 100,
    'loadTest.planRecordsPerSecond': Math.round(RECORDS / planSeconds),
  };
};

export default bench;
