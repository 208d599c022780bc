import { compile } from '../../../src/streaming-sql';
import { jsonSchema } from './helpers';

const schema = jsonSchema([
  ['TICKER', 'VARCHAR(4)'],
  ['PRICE', 'DOUBLE'],
]);
const base = Date.UTC(2026, 0, 1, 12, 0, 0);
const rec = (ticker: string, price: number, atMs: number) => ({
  data: Buffer.from(JSON.stringify({ TICKER: ticker, PRICE: price })),
  arrivalTime: base + atMs,
});

const perMinute = `
  CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), MIN_PRICE REAL, MAX_PRICE REAL, N INTEGER, AVG_PRICE DOUBLE, TOTAL DOUBLE);
  CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM TICKER, MIN(PRICE), MAX(PRICE), COUNT(*), AVG(PRICE), SUM(PRICE)
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY TICKER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;

describe('Class: tumbling windows', () => {
  it('emits one row per group when ROWTIME passes the end of the window', () => {
    // Prepare
    const runner = compile(perMinute, { schema }).createRunner();

    // Act
    const first = runner.push([rec('AMZN', 10, 1000), rec('MSFT', 40, 2000), rec('AMZN', 14, 59_000)]);
    const second = runner.push([rec('AMZN', 20, 61_000)]);

    // Assess
    expect(first.rows).toEqual([]);
    expect(second.rows.map((r) => [r.stream, r.values, r.rowtime])).toEqual([
      [
        'DESTINATION_SQL_STREAM',
        { TICKER: 'AMZN', MIN_PRICE: 10, MAX_PRICE: 14, N: 1 + 1, AVG_PRICE: 12, TOTAL: 24 },
        base + 60_000,
      ],
      [
        'DESTINATION_SQL_STREAM',
        { TICKER: 'MSFT', MIN_PRICE: 40, MAX_PRICE: 40, N: 1, AVG_PRICE: 40, TOTAL: 40 },
        base + 60_000,
      ],
    ]);
  });

  it('closes a window on advance() with no new records, and only once its end has passed', () => {
    // Prepare
    const runner = compile(perMinute, { schema }).createRunner();
    runner.push([rec('TBV', 33.11, 5000)]);

    // Act
    const early = runner.advance(base + 59_999);
    const onTime = runner.advance(base + 60_000);
    const again = runner.advance(base + 120_000);

    // Assess
    expect(early.rows).toEqual([]);
    expect(onTime.rows.map((r) => r.values['TICKER'])).toEqual(['TBV']);
    expect(again.rows).toEqual([]);
  });

  it('groups with FLOOR(ROWTIME TO MINUTE), selects the window start, and filters groups with HAVING', () => {
    // Prepare
    const sql = `
      CREATE STREAM S (WINDOW_START TIMESTAMP, TICKER VARCHAR(4), N BIGINT);
      CREATE PUMP P AS INSERT INTO S
        SELECT STREAM FLOOR(s.ROWTIME TO MINUTE), s.TICKER, COUNT(*) AS N
        FROM SOURCE_SQL_STREAM_001 AS s
        WHERE s.PRICE > 0
        GROUP BY FLOOR(s.ROWTIME TO MINUTE), s.TICKER
        HAVING COUNT(*) > 1;`;
    const runner = compile(sql, { schema }).createRunner();

    // Act
    runner.push([rec('A', 1, 0), rec('A', 2, 10_000), rec('B', 1, 20_000), rec('A', -1, 30_000)]);
    const { rows } = runner.advance(base + 60_000);

    // Assess
    expect(rows.map((r) => r.values)).toEqual([{ WINDOW_START: base, TICKER: 'A', N: 2n }]);
  });

  it('matches select items to GROUP BY items whether or not they name the stream', () => {
    // Prepare
    const sql = `
      CREATE STREAM S (WINDOW_START TIMESTAMP, N INTEGER);
      CREATE PUMP P AS INSERT INTO S
        SELECT STREAM STEP(ROWTIME BY INTERVAL '10' SECOND), COUNT(*)
        FROM SOURCE_SQL_STREAM_001 AS s
        GROUP BY STEP(s.ROWTIME BY INTERVAL '10' SECOND);`;
    const runner = compile(sql, { schema }).createRunner();

    // Act
    runner.push([rec('A', 1, 12_000)]);
    const { rows } = runner.advance(base + 20_000);

    // Assess
    expect(rows.map((r) => r.values)).toEqual([{ WINDOW_START: base + 10_000, N: 1 }]);
  });

  it('feeds window rows into pumps that read the windowed stream', () => {
    // Prepare
    const sql = `
      CREATE STREAM COUNTS (TICKER VARCHAR(4), N INTEGER);
      CREATE STREAM BUSY (TICKER VARCHAR(4));
      CREATE PUMP P2 AS INSERT INTO BUSY SELECT STREAM TICKER FROM COUNTS WHERE N >= 2;
      CREATE PUMP P1 AS INSERT INTO COUNTS SELECT STREAM TICKER, COUNT(*) FROM SOURCE_SQL_STREAM_001
        GROUP BY TICKER, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND);`;
    const app = compile(sql, { schema });
    const runner = app.createRunner();

    // Act
    runner.push([rec('A', 1, 0), rec('A', 1, 1000), rec('B', 1, 2000)]);
    const { rows } = runner.advance(base + 10_000);

    // Assess
    expect(app.pumps.map((p) => p.name)).toEqual(['P1', 'P2']);
    expect(rows.map((r) => [r.stream, r.values['TICKER']])).toEqual([
      ['COUNTS', 'A'],
      ['BUSY', 'A'],
      ['COUNTS', 'B'],
    ]);
  });

  it('reads a windowed subquery in FROM, whose stream is not an output', () => {
    // Prepare
    const sql = `CREATE STREAM S (TICKER VARCHAR(4), N INTEGER);
      CREATE PUMP P AS INSERT INTO S
        SELECT STREAM q.TICKER, q.N FROM (
          SELECT STREAM TICKER, COUNT(*) AS N FROM SOURCE_SQL_STREAM_001
          GROUP BY TICKER, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '1' MINUTE)
        ) AS q
        WHERE q.N > 1;`;
    const app = compile(sql, { schema });

    // Act
    const runner = app.createRunner();
    runner.push([rec('A', 1, 0), rec('A', 1, 1), rec('B', 1, 2)]);
    const { rows } = runner.advance(base + 60_000);

    // Assess
    expect(app.outputs.map((o) => o.name)).toEqual(['S']);
    expect(rows.map((r) => [r.stream, r.values])).toEqual([['S', { TICKER: 'A', N: 2 }]]);
  });

  it('keeps exact DECIMAL sums', () => {
    // Prepare
    const sql = `CREATE STREAM S (TOTAL DECIMAL(10,2));
      CREATE PUMP P AS INSERT INTO S SELECT STREAM SUM(AMOUNT) FROM SOURCE_SQL_STREAM_001
        GROUP BY STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '1' MINUTE);`;
    const runner = compile(sql, { schema: jsonSchema([['AMOUNT', 'DECIMAL(8,2)']]) }).createRunner();
    const amounts = Array.from({ length: 10 }, () => 0.1);

    // Act
    runner.push(amounts.map((a, i) => ({ data: Buffer.from(JSON.stringify({ AMOUNT: a })), arrivalTime: base + i })));
    const { rows } = runner.advance(base + 60_000);

    // Assess
    expect(rows[0]!.values['TOTAL']).toBe('1.00');
  });

  it('keeps DECIMAL sums and averages exact past 2^53', () => {
    // Prepare
    const sql = `CREATE STREAM S (TOTAL DECIMAL(20,2), MEAN DECIMAL(15,2));
      CREATE PUMP P AS INSERT INTO S SELECT STREAM SUM(AMOUNT), AVG(AMOUNT) FROM SOURCE_SQL_STREAM_001
        GROUP BY FLOOR(SOURCE_SQL_STREAM_001.ROWTIME TO HOUR);`;
    const runner = compile(sql, { schema: jsonSchema([['AMOUNT', 'DECIMAL(15,2)']]) }).createRunner();

    // Act
    runner.push([0, 1, 2].map((i) => ({ data: Buffer.from('{"AMOUNT":"9999999999999.99"}'), arrivalTime: base + i })));
    const { rows } = runner.advance(base + 3_600_000);

    // Assess
    expect(rows[0]!.values).toEqual({ TOTAL: '29999999999999.97', MEAN: '9999999999999.99' });
  });
});
