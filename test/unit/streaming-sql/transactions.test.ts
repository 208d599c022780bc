import fc from 'fast-check';
import { compile, type InputRecord } from '../../../src/streaming-sql';
import { jsonSchema } from './helpers';

const schema = jsonSchema([
  ['TICKER', 'VARCHAR(4)'],
  ['PRICE', 'DOUBLE'],
]);
const base = Date.UTC(2026, 0, 1);

const TUMBLING = `CREATE STREAM S (T VARCHAR(4), N BIGINT, TOTAL DOUBLE, LOW DOUBLE);
  CREATE PUMP P AS INSERT INTO S
  SELECT STREAM TICKER, COUNT(*), SUM(PRICE), MIN(PRICE) FROM SOURCE_SQL_STREAM_001
  GROUP BY TICKER, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '1' SECOND);`;
const SLIDING = `CREATE STREAM S (T VARCHAR(4), N INTEGER, HIGH DOUBLE, AVERAGE DOUBLE);
  CREATE PUMP P AS INSERT INTO S
  SELECT STREAM TICKER, COUNT(*) OVER W, MAX(PRICE) OVER W, AVG(PRICE) OVER W FROM SOURCE_SQL_STREAM_001
  WINDOW W AS (PARTITION BY TICKER RANGE INTERVAL '2' SECOND PRECEDING);`;

const recordArb = fc.record({
  ticker: fc.constantFrom('A', 'B', 'C'),
  price: fc.integer({ min: -50, max: 50 }),
  stepMs: fc.integer({ min: 0, max: 700 }),
});

function toRecords(drawn: { ticker: string; price: number; stepMs: number }[]): InputRecord[] {
  let at = base;
  return drawn.map((d, i) => {
    at += d.stepMs;
    return {
      data: Buffer.from(JSON.stringify({ TICKER: d.ticker, PRICE: d.price })),
      arrivalTime: at,
      partitionKey: `k${i}`,
    };
  });
}

describe('Interface: Runner, transactions', () => {
  it.each([
    ['tumbling windows', TUMBLING],
    ['sliding windows', SLIDING],
  ])('with %s: a rolled-back batch pushed again gives exactly the rows of a run without it', (_what, sql) => {
    const compiled = compile(sql, { schema });
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 60 }), fc.nat(60), fc.nat(60), (drawn, cutA, cutB) => {
        // Prepare: the records, split into what comes before the batch, the batch, and what comes after it
        const records = toRecords(drawn);
        const start = Math.min(cutA, cutB) % (records.length + 1);
        const end = Math.max(start, Math.max(cutA, cutB) % (records.length + 1));
        const straight = compiled.createRunner();
        const expected = [...straight.push(records).rows, ...straight.advance(base + 100_000).rows];

        // Act: the batch goes through once, is rolled back (as a failed delivery is), and comes again
        const retried = compiled.createRunner();
        const rows = [...retried.push(records.slice(0, start)).rows];
        retried.begin();
        retried.push(records.slice(start, end));
        retried.advance(records[end - 1]?.arrivalTime ?? base);
        retried.rollback();
        retried.begin();
        rows.push(...retried.push(records.slice(start)).rows);
        retried.commit();
        rows.push(...retried.advance(base + 100_000).rows);

        // Assess
        expect(rows.map((r) => r.values)).toEqual(expected.map((r) => r.values));
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it('keeps what a committed transaction did', () => {
    // Prepare
    const runner = compile(TUMBLING, { schema }).createRunner();
    const [first, second] = toRecords([
      { ticker: 'A', price: 1, stepMs: 0 },
      { ticker: 'A', price: 2, stepMs: 100 },
    ]);

    // Act
    runner.begin();
    runner.push([first!]);
    runner.commit();
    runner.rollback();
    runner.push([second!]);
    const { rows } = runner.advance(base + 5000);

    // Assess
    expect(rows.map((r) => r.values)).toEqual([{ T: 'A', N: 2n, TOTAL: 3, LOW: 1 }]);
  });
});
