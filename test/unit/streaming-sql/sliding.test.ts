import fc from 'fast-check';
import { compile } from '../../../src/streaming-sql';
import { jsonSchema } from './helpers';

const schema = jsonSchema([
  ['TICKER_SYMBOL', 'VARCHAR(4)'],
  ['PRICE', 'DOUBLE'],
]);
const base = Date.UTC(2026, 0, 1);
const rec = (ticker: string, price: number, atMs: number) => ({
  data: Buffer.from(JSON.stringify({ TICKER_SYMBOL: ticker, PRICE: price })),
  arrivalTime: base + atMs,
  partitionKey: `${ticker}-${atMs}`,
});

describe('Class: SlidingAggregate', () => {
  it('counts the rows of the preceding 5 seconds at every new row, as sliding-window-concepts.md walks through', () => {
    // Prepare
    const sql = `CREATE STREAM S (N INTEGER);
      CREATE PUMP P AS INSERT INTO S SELECT STREAM COUNT(*) OVER W FROM SOURCE_SQL_STREAM_001
      WINDOW W AS (RANGE INTERVAL '5' SECOND PRECEDING);`;
    const runner = compile(sql, { schema }).createRunner();
    const at = [1, 2, 6, 7, 8, 8, 8].map((s) => rec('A', 1, s * 1000));

    // Act
    const { rows } = runner.push(at);

    // Assess: t1 -> 1, t2 -> 2, t6 -> 2 (t1 left), t7 -> 2 (t2 left), the three rows at t8 -> 3, 4, 5
    expect(rows.map((r) => r.values['N'])).toEqual([1, 2, 2, 2, 3, 4, 5]);
    expect(rows[0]!.partitionKey).toBe('A-1000');
  });

  it('computes MIN, MAX and AVG per partition over a time range, one output per input row', () => {
    // Prepare
    const sql = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(10), Min_Price double, Max_Price double, Avg_Price double);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, MIN(Price) OVER W1 AS Min_Price, MAX(Price) OVER W1 AS Max_Price, AVG(Price) OVER W1 AS Avg_Price
        FROM "SOURCE_SQL_STREAM_001"
        WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);`;
    const runner = compile(sql, { schema }).createRunner();

    // Act
    const { rows } = runner.push([rec('A', 10, 0), rec('B', 100, 1000), rec('A', 20, 30_000), rec('A', 60, 61_000)]);

    // Assess
    expect(rows.map((r) => Object.values(r.values))).toEqual([
      ['A', 10, 10, 10],
      ['B', 100, 100, 100],
      ['A', 10, 20, 15],
      ['A', 20, 60, 40],
    ]);
  });

  it('keeps the last n + 1 rows with ROWS n PRECEDING, and several windows in one select', () => {
    // Prepare
    const sql = `CREATE STREAM S (ticker_symbol VARCHAR(12), price DOUBLE, average_last2rows DOUBLE, total BIGINT);
      CREATE PUMP "myPump" AS INSERT INTO S
      SELECT STREAM ticker_symbol, price, avg(price) OVER last2rows, COUNT(*) OVER (ROWS 10 PRECEDING)
      FROM SOURCE_SQL_STREAM_001
      WINDOW last2rows AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING);`;
    const runner = compile(sql, { schema }).createRunner();

    // Act
    const { rows } = runner.push([rec('A', 1, 0), rec('A', 2, 1), rec('A', 3, 2), rec('A', 10, 3), rec('B', 7, 4)]);

    // Assess
    expect(rows.map((r) => [r.values['average_last2rows'.toUpperCase()], r.values['TOTAL']])).toEqual([
      [1, 1n],
      [1.5, 2n],
      [2, 3n],
      [5, 4n],
      [7, 5n],
    ]);
  });

  it('gives each runner its own window state', () => {
    // Prepare
    const sql = `CREATE STREAM S (N INTEGER);
      CREATE PUMP P AS INSERT INTO S SELECT STREAM COUNT(*) OVER (ROWS 5 PRECEDING) FROM SOURCE_SQL_STREAM_001;`;
    const app = compile(sql, { schema });

    // Act
    app.createRunner().push([rec('A', 1, 0), rec('A', 1, 1)]);
    const { rows } = app.createRunner().push([rec('A', 1, 0)]);

    // Assess
    expect(rows[0]!.values['N']).toBe(1);
  });
});

describe('Property: sliding aggregates', () => {
  it('equal a recomputation over the window at every row (COUNT, SUM, MIN, MAX, AVG; RANGE and ROWS)', () => {
    const intSchema = jsonSchema([
      ['K', 'VARCHAR(1)'],
      ['V', 'INTEGER'],
    ]);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            k: fc.constantFrom('a', 'b'),
            v: fc.option(fc.integer({ min: -50, max: 50 })),
            gap: fc.nat({ max: 3000 }),
          }),
          {
            maxLength: 60,
          },
        ),
        fc.oneof(fc.record({ rangeMs: fc.integer({ min: 1, max: 5000 }) }), fc.record({ rows: fc.nat({ max: 6 }) })),
        (events, frame) => {
          // Prepare
          const spec =
            'rangeMs' in frame
              ? `RANGE INTERVAL '${frame.rangeMs}' MILLISECOND PRECEDING`
              : `ROWS ${frame.rows} PRECEDING`;
          const sql = `CREATE STREAM S (C BIGINT, N BIGINT, SM INTEGER, MN INTEGER, MX INTEGER, AV INTEGER);
            CREATE PUMP P AS INSERT INTO S SELECT STREAM COUNT(*) OVER W, COUNT(V) OVER W, SUM(V) OVER W, MIN(V) OVER W,
              MAX(V) OVER W, AVG(V) OVER W FROM SOURCE_SQL_STREAM_001 WINDOW W AS (PARTITION BY K ${spec});`;
          let t = 0;
          const input = events.map((e) => {
            t += e.gap;
            return { data: Buffer.from(JSON.stringify({ K: e.k, V: e.v })), arrivalTime: base + t, at: t, ...e };
          });

          // Act
          const { rows } = compile(sql, { schema: intSchema }).createRunner().push(input);

          // Assess
          rows.forEach((row, i) => {
            const me = input[i]!;
            const mine = input.slice(0, i + 1).filter((e) => e.k === me.k);
            const window =
              'rangeMs' in frame ? mine.filter((e) => e.at > me.at - frame.rangeMs) : mine.slice(-(frame.rows + 1));
            const vs = window.map((e) => e.v).filter((v): v is number => v !== null);
            const sum = vs.reduce((a, b) => a + b, 0);
            expect(row.values).toEqual({
              C: BigInt(window.length),
              N: BigInt(vs.length),
              SM: vs.length ? sum : null,
              MN: vs.length ? Math.min(...vs) : null,
              MX: vs.length ? Math.max(...vs) : null,
              AV: vs.length ? Math.trunc(sum / vs.length) : null,
            });
          });
        },
      ),
      { numRuns: 300 },
    );
  });
});
