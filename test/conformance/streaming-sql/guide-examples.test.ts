/**
 * Conformance with the Amazon Kinesis Data Analytics SQL Developer Guide: each case runs an example's application
 * code, verbatim, on the example's sample records (or records shaped like them) and checks what the guide says comes
 * out. The file named in each describe() is the guide page (shared/reference/kinesis-analytics-sql-developer-guide).
 */
import { compile, discoverSchema, type InputRecord, type SourceSchema, serializeRow } from '../../../src/streaming-sql';

const json = (columns: [string, string, string?][]): SourceSchema => ({
  RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
  RecordEncoding: 'UTF-8',
  RecordColumns: columns.map(([Name, SqlType, Mapping]) => ({ Name, SqlType, Mapping: Mapping ?? `$.${Name}` })),
});

/** The demo stream of the getting-started exercise (tumbling-window-concepts.md). */
const demoSchema = json([
  ['TICKER_SYMBOL', 'VARCHAR(4)'],
  ['SECTOR', 'VARCHAR(16)'],
  ['CHANGE', 'REAL'],
  ['PRICE', 'REAL'],
]);

const t0 = Date.UTC(2016, 6, 19, 17, 5, 0);

function at(offsetMs: number, body: unknown, partitionKey = 'partitionkey'): InputRecord {
  return {
    data: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    arrivalTime: t0 + offsetMs,
    partitionKey,
  };
}

function run(sql: string, schema: SourceSchema, input: InputRecord[], closeAt?: number) {
  const app = compile(sql, { schema });
  const runner = app.createRunner();
  const pushed = runner.push(input);
  const closed = closeAt === undefined ? { rows: [], errors: [] } : runner.advance(closeAt);
  return { app, rows: [...pushed.rows, ...closed.rows], errors: [...pushed.errors, ...closed.errors] };
}

describe('background: the fan-out worked example (kinesis-analytics-fan-out README)', () => {
  const sql = `
CREATE OR REPLACE STREAM "POSITIVE_TRANSACTIONS" (
    ID INTEGER,
    USERNAME VARCHAR(200),
    AMOUNT DECIMAL(5,2)
);
CREATE OR REPLACE STREAM "NEGATIVE_TRANSACTIONS" (
    ID INTEGER,
    USERNAME VARCHAR(200),
    AMOUNT DECIMAL(5,2)
);

CREATE OR REPLACE PUMP "STREAM_PUMP1" 
    AS INSERT INTO "POSITIVE_TRANSACTIONS"
        SELECT STREAM ID, USERNAME, AMOUNT
        FROM "SOURCE_SQL_STREAM_001"
        WHERE AMOUNT >= 0;

CREATE OR REPLACE PUMP "STREAM_PUMP2"
    AS INSERT INTO "NEGATIVE_TRANSACTIONS"
        SELECT STREAM ID, USERNAME, AMOUNT
        FROM "SOURCE_SQL_STREAM_001"
        WHERE AMOUNT < 0;`;

  it('sends positive transactions (amount >= 0) to one stream and negative ones to the other, as JSON', () => {
    // Prepare
    const samples = [
      { ID: 1, USERNAME: 'fanout-1', AMOUNT: 12.5 },
      { ID: 2, USERNAME: 'fanout-2', AMOUNT: -3.25 },
      { ID: 3, USERNAME: 'fanout-3', AMOUNT: 0 },
    ];
    const { InputSchema } = discoverSchema(samples.map((s) => Buffer.from(JSON.stringify(s))));

    // Act
    const { app, rows, errors } = run(
      sql,
      InputSchema,
      samples.map((s, i) => at(i, s, `pk-${i}`)),
    );

    // Assess
    expect(errors).toEqual([]);
    const columns = new Map(app.outputs.map((o) => [o.name, o.columns]));
    expect(
      rows.map((r) => [
        r.stream,
        r.partitionKey,
        serializeRow(r, { RecordFormatType: 'JSON' }, columns.get(r.stream)!).toString(),
      ]),
    ).toEqual([
      ['POSITIVE_TRANSACTIONS', 'pk-0', '{"ID":1,"USERNAME":"fanout-1","AMOUNT":12.50}'],
      ['NEGATIVE_TRANSACTIONS', 'pk-1', '{"ID":2,"USERNAME":"fanout-2","AMOUNT":-3.25}'],
      ['POSITIVE_TRANSACTIONS', 'pk-2', '{"ID":3,"USERNAME":"fanout-3","AMOUNT":0.00}'],
    ]);
  });
});

describe('how-it-works-app-code.md and get-started-update-appcode.md: pumps, chained streams and SIMILAR TO', () => {
  const sql = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), 
                                                   change DOUBLE, 
                                                   price DOUBLE);
-- Create a pump and insert into output stream.
CREATE OR REPLACE PUMP "STREAM_PUMP" AS 

  INSERT INTO "DESTINATION_SQL_STREAM" 
    SELECT STREAM ticker_symbol, change,price
    FROM   "SOURCE_SQL_STREAM_001";

CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM_2" 
           (ticker_symbol VARCHAR(4), 
            change        DOUBLE, 
            price         DOUBLE);

CREATE OR REPLACE PUMP "STREAM_PUMP_2" AS 
   INSERT INTO "DESTINATION_SQL_STREAM_2"
      SELECT STREAM ticker_symbol, change, price 
      FROM   "DESTINATION_SQL_STREAM";

CREATE OR REPLACE STREAM "AMZN_STREAM" 
           (ticker_symbol VARCHAR(4), 
            change        DOUBLE, 
            price         DOUBLE);

CREATE OR REPLACE PUMP "AMZN_PUMP" AS 
   INSERT INTO "AMZN_STREAM"
      SELECT STREAM ticker_symbol, change, price 
      FROM   "SOURCE_SQL_STREAM_001"
      WHERE  ticker_symbol SIMILAR TO '%AMZN%';

CREATE OR REPLACE STREAM "TGT_STREAM" 
           (ticker_symbol VARCHAR(4), 
            change        DOUBLE, 
            price         DOUBLE);

CREATE OR REPLACE PUMP "TGT_PUMP" AS 
   INSERT INTO "TGT_STREAM"
      SELECT STREAM ticker_symbol, change, price 
      FROM   "SOURCE_SQL_STREAM_001"
      WHERE  ticker_symbol SIMILAR TO '%TGT%';`;

  it('copies every row into DESTINATION_SQL_STREAM and on into _2, and splits AMZN and TGT rows out', () => {
    // Act
    const { app, rows } = run(sql, demoSchema, [
      at(0, { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: 1.5, PRICE: 100.5 }),
      at(1, { TICKER_SYMBOL: 'TGT', SECTOR: 'RETAIL', CHANGE: -0.25, PRICE: 50 }),
      at(2, { TICKER_SYMBOL: 'XYZ', SECTOR: 'ENERGY', CHANGE: 0, PRICE: 10 }),
    ]);

    // Assess
    expect(app.outputs.map((o) => o.name)).toEqual([
      'DESTINATION_SQL_STREAM',
      'DESTINATION_SQL_STREAM_2',
      'AMZN_STREAM',
      'TGT_STREAM',
    ]);
    const count = (stream: string): string[] =>
      rows.filter((r) => r.stream === stream).map((r) => r.values['TICKER_SYMBOL'] as string);
    expect(count('DESTINATION_SQL_STREAM')).toEqual(['AMZN', 'TGT', 'XYZ']);
    expect(count('DESTINATION_SQL_STREAM_2')).toEqual(['AMZN', 'TGT', 'XYZ']);
    expect(count('AMZN_STREAM')).toEqual(['AMZN']);
    expect(count('TGT_STREAM')).toEqual(['TGT']);
    expect(rows.find((r) => r.stream === 'TGT_STREAM')!.values).toEqual({
      TICKER_SYMBOL: 'TGT',
      CHANGE: -0.25,
      PRICE: 50,
    });
  });
});

describe('app-simple-alerts.md and continuous-queries-concepts.md: a filter on the percent change', () => {
  const sql = `
   CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" 
              (ticker_symbol VARCHAR(4), 
               sector        VARCHAR(12), 
               change        DOUBLE, 
               price         DOUBLE);
   
   CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
      INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM ticker_symbol, sector, change, price 
         FROM   "SOURCE_SQL_STREAM_001"
         WHERE  (ABS(Change / (Price - Change)) * 100) > 1;`;

  it('emits only rows whose price moved by more than 1%', () => {
    // Act
    const { rows } = run(sql, demoSchema, [
      at(0, { TICKER_SYMBOL: 'AAA', SECTOR: 'TECHNOLOGY', CHANGE: 2, PRICE: 102 }),
      at(1, { TICKER_SYMBOL: 'BBB', SECTOR: 'HEALTHCARE', CHANGE: 0.5, PRICE: 100.5 }),
      at(2, { TICKER_SYMBOL: 'CCC', SECTOR: 'ENERGY', CHANGE: -3, PRICE: 47 }),
    ]);

    // Assess: 2/100 = 2%, 0.5/100 = 0.5%, 3/50 = 6%; SECTOR is cut to the stream's VARCHAR(12)
    expect(rows.map((r) => r.values)).toEqual([
      { TICKER_SYMBOL: 'AAA', SECTOR: 'TECHNOLOGY', CHANGE: 2, PRICE: 102 },
      { TICKER_SYMBOL: 'CCC', SECTOR: 'ENERGY', CHANGE: -3, PRICE: 47 },
    ]);
  });
});

describe('app-throttled-alerts.md: a sliding count in a FROM subquery, filtered outside', () => {
  const sql = `
   CREATE OR REPLACE STREAM "CHANGE_STREAM" 
              (ticker_symbol VARCHAR(4), 
               sector        VARCHAR(12), 
               change        DOUBLE, 
               price         DOUBLE);
   
   CREATE OR REPLACE PUMP "change_pump" AS 
      INSERT INTO "CHANGE_STREAM"
         SELECT STREAM ticker_symbol, sector, change, price 
         FROM   "SOURCE_SQL_STREAM_001"
         WHERE  (ABS(Change / (Price - Change)) * 100) > 1;
         
   -- ** Trigger Count and Limit **
   -- Counts "triggers" or those values that evaluated true against the previous where clause
   -- Then provides its own limit on the number of triggers per hour per ticker symbol to what
   -- is specified in the WHERE clause
   
   CREATE OR REPLACE STREAM TRIGGER_COUNT_STREAM (
      ticker_symbol VARCHAR(4), 
      change REAL,
      trigger_count INTEGER);
   
   CREATE OR REPLACE PUMP trigger_count_pump AS INSERT INTO TRIGGER_COUNT_STREAM
   SELECT STREAM ticker_symbol, change, trigger_count
   FROM (
       SELECT STREAM ticker_symbol, change, COUNT(*) OVER W1 as trigger_count
       FROM "CHANGE_STREAM"
       --window to perform aggregations over last minute to keep track of triggers
       WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING)
   )
   WHERE trigger_count >= 1;`;

  it('counts the alerts of each ticker over the last minute', () => {
    // Act
    const { app, rows } = run(sql, demoSchema, [
      at(0, { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: 5, PRICE: 105 }),
      at(1_000, { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: 0.01, PRICE: 105 }),
      at(2_000, { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: -5, PRICE: 100 }),
      at(70_000, { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: 5, PRICE: 105 }),
    ]);

    // Assess
    expect(app.outputs.map((o) => o.name)).toEqual(['CHANGE_STREAM', 'TRIGGER_COUNT_STREAM']);
    expect(rows.filter((r) => r.stream === 'TRIGGER_COUNT_STREAM').map((r) => Object.values(r.values))).toEqual([
      ['AMZN', 5, 1],
      ['AMZN', -5, 2],
      ['AMZN', 5, 1],
    ]);
  });
});

describe('examples-window-tumbling-rowtime.md: MIN and MAX per ticker in 60-second ROWTIME windows', () => {
  const sql = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER VARCHAR(4), MIN_PRICE REAL, MAX_PRICE REAL);
      
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM TICKER, MIN(PRICE), MAX(PRICE)
              FROM "SOURCE_SQL_STREAM_001"
              GROUP BY TICKER, 
                  STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;

  it('emits one row per ticker when each minute closes, on the guide sample records', () => {
    // Prepare: the guide's records, a few seconds apart
    const samples = [
      '{"TICKER": "TBV", "PRICE": 33.11}',
      '{"TICKER": "INTC", "PRICE": 62.04}',
      '{"TICKER": "MSFT", "PRICE": 40.97}',
      '{"TICKER": "AMZN", "PRICE": 27.9}',
    ];
    const { InputSchema } = discoverSchema(samples.map((s) => Buffer.from(s)));
    const input = [...samples, '{"TICKER": "TBV", "PRICE": 35.5}', '{"TICKER": "TBV", "PRICE": 30.01}'].map((s, i) =>
      at(i * 5000, s),
    );
    input.push(at(61_000, '{"TICKER": "AMZN", "PRICE": 28}'));

    // Act
    const { rows } = run(sql, InputSchema, input, t0 + 120_000);

    // Assess
    expect(InputSchema.RecordColumns.map((c) => c.Name)).toEqual(['TICKER', 'PRICE']);
    expect(rows.map((r) => [r.values['TICKER'], r.values['MIN_PRICE'], r.values['MAX_PRICE'], r.rowtime - t0])).toEqual(
      [
        ['TBV', 30.01, 35.5, 60_000],
        ['INTC', 62.04, 62.04, 60_000],
        ['MSFT', 40.97, 40.97, 60_000],
        ['AMZN', 27.9, 27.9, 60_000],
        ['AMZN', 28, 28, 120_000],
      ],
    );
  });
});

describe('examples-window-tumbling-event.md: windows on ROWTIME and on an event time in the data', () => {
  const sql = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (EVENT_TIME timestamp, TICKER VARCHAR(4), min_price REAL, max_price REAL);
      
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
        INSERT INTO "DESTINATION_SQL_STREAM" 
          SELECT STREAM STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '60' SECOND),
              TICKER,
               MIN(PRICE) AS MIN_PRICE,
               MAX(PRICE) AS MAX_PRICE
          FROM    "SOURCE_SQL_STREAM_001"
          GROUP BY TICKER, 
                   STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND), 
                   STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '60' SECOND);`;

  it('discovers EVENT_TIME as a TIMESTAMP and groups by its minute within each ROWTIME minute', () => {
    // Prepare: the guide's records
    const samples = [
      '{"EVENT_TIME": "2018-06-13T14:11:05.766191", "TICKER": "TBV", "PRICE": 43.65}',
      '{"EVENT_TIME": "2018-06-13T14:11:05.848967", "TICKER": "AMZN", "PRICE": 35.61}',
      '{"EVENT_TIME": "2018-06-13T14:11:05.931871", "TICKER": "MSFT", "PRICE": 73.48}',
      '{"EVENT_TIME": "2018-06-13T14:11:06.014845", "TICKER": "AMZN", "PRICE": 18.64}',
    ];
    const { InputSchema } = discoverSchema(samples.map((s) => Buffer.from(s)));

    // Act
    const { rows } = run(
      sql,
      InputSchema,
      samples.map((s, i) => at(i, s)),
      t0 + 60_000,
    );

    // Assess
    expect(InputSchema.RecordColumns.map((c) => `${c.Name} ${c.SqlType}`)).toEqual([
      'EVENT_TIME TIMESTAMP',
      'TICKER VARCHAR(4)',
      'PRICE DOUBLE',
    ]);
    const minute = Date.UTC(2018, 5, 13, 14, 11);
    expect(rows.map((r) => r.values)).toEqual([
      { EVENT_TIME: minute, TICKER: 'TBV', MIN_PRICE: 43.65, MAX_PRICE: 43.65 },
      { EVENT_TIME: minute, TICKER: 'AMZN', MIN_PRICE: 18.64, MAX_PRICE: 35.61 },
      { EVENT_TIME: minute, TICKER: 'MSFT', MIN_PRICE: 73.48, MAX_PRICE: 73.48 },
    ]);
    expect(
      serializeRow(rows[0]!, { RecordFormatType: 'JSON' }, [{ name: 'EVENT_TIME', sqlType: 'TIMESTAMP' }]).toString(),
    ).toBe('{"EVENT_TIME":"2018-06-13 14:11:00.0"}');
  });
});

describe('timestamps-rowtime-concepts.md: counts by ROWTIME minute and APPROXIMATE_ARRIVAL_TIME minute', () => {
  const sql = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" 
    ("ingest_time"    timestamp,
    "APPROXIMATE_ARRIVAL_TIME" timestamp,
    "ticker_symbol"  VARCHAR(12), 
    "symbol_count"        integer);
            
            
CREATE OR REPLACE PUMP "STREAM_PUMP" AS
    INSERT INTO "DESTINATION_SQL_STREAM"
    SELECT STREAM STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND) AS "ingest_time",
        STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND) AS "APPROXIMATE_ARRIVAL_TIME",
        "TICKER_SYMBOL",
        COUNT(*) AS "symbol_count"
    FROM "SOURCE_SQL_STREAM_001"
    GROUP BY "TICKER_SYMBOL",
        STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND),
        STEP("SOURCE_SQL_STREAM_001".APPROXIMATE_ARRIVAL_TIME BY INTERVAL '60' SECOND);`;

  it('reproduces the guide table, with the late XYZ record counted in the second ROWTIME minute', () => {
    // Prepare: 10 ABC, 15 DEF, 6 XYZ in the first minute; 11 ABC, 11 DEF in the second, then an XYZ record that
    // arrived in the first minute but reached the application in the second (ROWTIME never goes back)
    const input: InputRecord[] = [];
    const add = (ticker: string, n: number, fromMs: number): void => {
      for (let i = 0; i < n; i++)
        input.push(at(fromMs + i * 100, { TICKER_SYMBOL: ticker, SECTOR: 'X', CHANGE: 0, PRICE: 1 }));
    };
    add('ABC', 10, 0);
    add('DEF', 15, 1_000);
    add('XYZ', 6, 3_000);
    add('ABC', 11, 60_000);
    add('DEF', 11, 62_000);
    input.push(at(59_500, { TICKER_SYMBOL: 'XYZ', SECTOR: 'X', CHANGE: 0, PRICE: 1 }));

    // Act
    const { rows } = run(sql, demoSchema, input, t0 + 120_000);

    // Assess
    const ts = (s: number): number => t0 + s * 1000;
    expect(rows.map((r) => Object.values(r.values))).toEqual([
      [ts(0), ts(0), 'ABC', 10],
      [ts(0), ts(0), 'DEF', 15],
      [ts(0), ts(0), 'XYZ', 6],
      [ts(60), ts(60), 'ABC', 11],
      [ts(60), ts(60), 'DEF', 11],
      [ts(60), ts(0), 'XYZ', 1],
    ]);
  });
});

describe('examples-transforming-strings-substring.md: SUBSTRING and POSITION', () => {
  const sql = `
      -- CREATE OR REPLACE STREAM for cleaned up referrer
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
          "ingest_time" TIMESTAMP,
          "referrer" VARCHAR(32));
          
      CREATE OR REPLACE PUMP "myPUMP" AS 
         INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM 
               "APPROXIMATE_ARRIVAL_TIME", 
               SUBSTRING("referrer", 12, (POSITION('.com' IN "referrer") - POSITION('www.' IN "referrer") - 4)) 
            FROM "SOURCE_SQL_STREAM_001";`;

  it('extracts the company name from the guide sample URL', () => {
    // Act
    const { rows } = run(sql, json([['referrer', 'VARCHAR(32)', '$.REFERRER']]), [
      at(0, '{ "REFERRER" : "http://www.amazon.com" }'),
    ]);

    // Assess
    expect(rows.map((r) => r.values)).toEqual([{ ingest_time: t0, referrer: 'amazon' }]);
  });
});

describe('app-string-datetime-manipulation.md: date-time functions', () => {
  const sql = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
          TICKER VARCHAR(4), 
          event_time TIMESTAMP, 
          five_minutes_before TIMESTAMP, 
          event_unix_timestamp BIGINT,
          event_timestamp_as_char VARCHAR(50),
          event_second INTEGER);
      
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
      
      SELECT STREAM 
          TICKER, 
          EVENT_TIME,
          EVENT_TIME - INTERVAL '5' MINUTE,
          UNIX_TIMESTAMP(EVENT_TIME),
          TIMESTAMP_TO_CHAR('yyyy-MM-dd hh:mm:ss', EVENT_TIME),
          EXTRACT(SECOND FROM EVENT_TIME) 
      FROM "SOURCE_SQL_STREAM_001"`;

  it('computes each column from the event time', () => {
    // Prepare
    const schema = json([
      ['EVENT_TIME', 'TIMESTAMP'],
      ['TICKER', 'VARCHAR(4)'],
      ['PRICE', 'DOUBLE'],
    ]);

    // Act
    const { rows } = run(sql, schema, [
      at(0, '{"EVENT_TIME": "2018-05-09T12:50:41.337510", "TICKER": "AAPL", "PRICE": 43.65}'),
    ]);

    // Assess
    const eventTime = Date.UTC(2018, 4, 9, 12, 50, 41, 337);
    expect(rows.map((r) => r.values)).toEqual([
      {
        TICKER: 'AAPL',
        EVENT_TIME: eventTime,
        FIVE_MINUTES_BEFORE: eventTime - 300_000,
        EVENT_UNIX_TIMESTAMP: BigInt(eventTime),
        EVENT_TIMESTAMP_AS_CHAR: '2018-05-09 12:50:41',
        EVENT_SECOND: 41,
      },
    ]);
  });
});

describe('sliding-window-concepts.md: sliding windows', () => {
  it('Example 1: MIN, MAX and AVG over the preceding minute per ticker', () => {
    // Prepare
    const sql = `
   CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
                            ticker_symbol VARCHAR(10), 
                            Min_Price     double, 
                            Max_Price     double, 
                            Avg_Price     double);
   CREATE OR REPLACE PUMP "STREAM_PUMP" AS 
      INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol,
                      MIN(Price) OVER W1 AS Min_Price,
                      MAX(Price) OVER W1 AS Max_Price,
                      AVG(Price) OVER W1 AS Avg_Price
        FROM   "SOURCE_SQL_STREAM_001"
        WINDOW W1 AS (
           PARTITION BY ticker_symbol 
           RANGE INTERVAL '1' MINUTE PRECEDING);`;

    // Act
    const { rows } = run(sql, demoSchema, [
      at(0, { TICKER_SYMBOL: 'AMZN', SECTOR: 'T', CHANGE: 0, PRICE: 10 }),
      at(20_000, { TICKER_SYMBOL: 'AMZN', SECTOR: 'T', CHANGE: 0, PRICE: 30 }),
      at(70_000, { TICKER_SYMBOL: 'AMZN', SECTOR: 'T', CHANGE: 0, PRICE: 50 }),
    ]);

    // Assess
    expect(rows.map((r) => Object.values(r.values))).toEqual([
      ['AMZN', 10, 10, 10],
      ['AMZN', 10, 30, 20],
      ['AMZN', 30, 50, 40],
    ]);
  });

  it('Example 3: two-row and ten-row moving averages', () => {
    // Prepare
    const sql = `
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (
                           ticker_symbol      VARCHAR(12), 
                           price              double, 
                           average_last2rows  double, 
                           average_last10rows double);
CREATE OR REPLACE PUMP "myPump" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, 
              price, 
              avg(price) over last2rows, 
              avg(price) over last10rows
FROM SOURCE_SQL_STREAM_001
WINDOW
    last2rows AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING),
    last10rows AS (PARTITION BY ticker_symbol ROWS 10 PRECEDING);`;
    const prices = [3, 6, 9, 12];

    // Act
    const { rows } = run(
      sql,
      demoSchema,
      prices.map((p, i) => at(i, { TICKER_SYMBOL: 'A', SECTOR: 'T', CHANGE: 0, PRICE: p })),
    );

    // Assess
    expect(rows.map((r) => [r.values['AVERAGE_LAST2ROWS'], r.values['AVERAGE_LAST10ROWS']])).toEqual([
      [3, 3],
      [4.5, 4.5],
      [6, 6],
      [9, 7.5],
    ]);
  });
});

describe('error-handling.md and app-explore-error-stream.md: the error stream', () => {
  it('sends every record to error_stream when TICKER_SYMBOL is typed INTEGER (the parse error exercise)', () => {
    // Prepare
    const schema = json([
      ['TICKER_SYMBOL', 'INTEGER'],
      ['SECTOR', 'VARCHAR(16)'],
      ['CHANGE', 'REAL'],
      ['PRICE', 'REAL'],
    ]);
    const sql = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol INTEGER, price DOUBLE);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001";`;
    const record = '{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":-0.5,"PRICE":100.5}';

    // Act
    const { rows, errors } = run(sql, schema, [at(0, record)]);

    // Assess
    expect(rows).toEqual([]);
    expect(errors).toEqual([
      {
        stream: 'error_stream',
        ERROR_TIME: t0,
        ERROR_LEVEL: 'ERROR',
        ERROR_NAME: 'Type_Conversion_Error',
        MESSAGE: "Unable to convert 'AMZN' to INTEGER for column TICKER_SYMBOL",
        DATA_ROW: Buffer.from(record).toString('hex'),
        DATA_ROWTIME: t0,
        PUMP_NAME: null,
      },
    ]);
  });

  it('sends rows that divide by zero to error_stream instead of the destination (the divide by zero exercise)', () => {
    // Prepare
    const sql = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(16), change REAL, ProblemColumn REAL);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
   SELECT STREAM ticker_symbol, sector, change, (price / 0) as ProblemColumn
   FROM "SOURCE_SQL_STREAM_001"
   WHERE sector SIMILAR TO '%TECH%';`;

    // Act
    const { rows, errors } = run(sql, demoSchema, [
      at(0, { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: 1, PRICE: 10 }),
      at(1, { TICKER_SYMBOL: 'XOM', SECTOR: 'ENERGY', CHANGE: 1, PRICE: 10 }),
    ]);

    // Assess
    expect(rows).toEqual([]);
    expect(errors).toMatchObject([{ ERROR_NAME: 'Division_By_Zero', PUMP_NAME: 'STREAM_PUMP' }]);
  });
});

describe('sch-mapping.md and about-json-path.md: mapping source records', () => {
  it('maps the JSON input schema example, truncating strings and failing coercions that do not fit', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordColumns: [
        { SqlType: 'VARCHAR(4)', Name: 'TICKER_SYMBOL', Mapping: '$.TICKER_SYMBOL' },
        { SqlType: 'VARCHAR(16)', Name: 'SECTOR', Mapping: '$.SECTOR' },
        { SqlType: 'TINYINT', Name: 'CHANGE', Mapping: '$.CHANGE' },
        { SqlType: 'DECIMAL(5,2)', Name: 'PRICE', Mapping: '$.PRICE' },
      ],
      RecordFormat: { MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } }, RecordFormatType: 'JSON' },
      RecordEncoding: 'UTF-8',
    };
    const sql = `CREATE STREAM D (TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE TINYINT, PRICE DECIMAL(5,2));
      CREATE PUMP P AS INSERT INTO D SELECT STREAM * FROM SOURCE_SQL_STREAM_001;`;

    // Act
    const { rows, errors } = run(sql, schema, [
      at(0, '{"TICKER_SYMBOL":"AMZNX","SECTOR":"TECHNOLOGY","CHANGE":-3,"PRICE":123.4}'),
      at(1, '{"TICKER_SYMBOL":"QXZ","SECTOR":"RETAIL","CHANGE":123.4,"PRICE":1}'),
    ]);

    // Assess
    expect(rows.map((r) => r.values)).toEqual([
      { TICKER_SYMBOL: 'AMZN', SECTOR: 'TECHNOLOGY', CHANGE: -3, PRICE: '123.40' },
    ]);
    expect(errors.map((e) => e.MESSAGE)).toEqual(['Unable to convert 123.4 to TINYINT for column CHANGE']);
  });

  it('maps the CSV input schema example by column order', () => {
    // Prepare
    const schema: SourceSchema = {
      RecordColumns: [
        { SqlType: 'VARCHAR(16)', Name: 'LastName' },
        { SqlType: 'VARCHAR(16)', Name: 'FirstName' },
        { SqlType: 'INTEGER', Name: 'CustomerId' },
      ],
      RecordFormat: {
        MappingParameters: { CSVMappingParameters: { RecordColumnDelimiter: ',', RecordRowDelimiter: '\n' } },
        RecordFormatType: 'CSV',
      },
      RecordEncoding: 'UTF-8',
    };
    const sql = `CREATE STREAM D ("LastName" VARCHAR(16), "CustomerId" INTEGER);
      CREATE PUMP P AS INSERT INTO D SELECT STREAM "LastName", "CustomerId" FROM SOURCE_SQL_STREAM_001;`;

    // Act
    const { app, rows } = run(sql, schema, [at(0, 'Doe,John,67321\n')]);

    // Assess
    expect(rows.map((r) => r.values)).toEqual([{ LastName: 'Doe', CustomerId: 67321 }]);
    expect(serializeRow(rows[0]!, { RecordFormatType: 'CSV' }, app.outputs[0]!.columns).toString()).toBe('Doe,67321\n');
  });

  it('flattens $.orders[0:].orderId into one row per order, repeating $.customerName', () => {
    // Prepare
    const schema = json([
      ['customerName', 'VARCHAR(16)', '$.customerName'],
      ['orderId', 'VARCHAR(8)', '$.orders[0:].orderId'],
      ['orders', 'VARCHAR(256)', '$.orders[0:]'],
    ]);
    const sql = `CREATE STREAM D ("customerName" VARCHAR(16), "orderId" VARCHAR(8));
      CREATE PUMP P AS INSERT INTO D SELECT STREAM "customerName", "orderId" FROM SOURCE_SQL_STREAM_001;`;
    const record = {
      customerName: 'John Doe',
      address: { streetAddress: [{ number: '123' }, { street: 'AnyStreet' }], city: 'Anytown' },
      orders: [
        { orderId: '23284', itemName: 'Widget', itemPrice: '33.99' },
        { orderId: '63122', itemName: 'Gadget', itemPrice: '22.50' },
        { orderId: '77284', itemName: 'Sprocket', itemPrice: '12.00' },
      ],
    };

    // Act
    const { rows } = run(sql, schema, [at(0, record)]);

    // Assess
    expect(rows.map((r) => Object.values(r.values))).toEqual([
      ['John Doe', '23284'],
      ['John Doe', '63122'],
      ['John Doe', '77284'],
    ]);
  });
});

describe('sch-dis.md and sch-dis-ref.md: schema discovery', () => {
  it('infers the CSV schema of the guide response from its raw records', () => {
    // Act
    const result = discoverSchema([
      Buffer.from(
        'year,month,state,producer_type,energy_source,units,consumption\r\n2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535\r\n2001,1,AK,CombinedHeatandPowerElectricPower,Coal,ShortTons,22890\r\n2001,1,AL,TotalElectricPowerIndustry,Coal,ShortTons,3020601\r\n2001,1,AL,ElectricGeneratorsElectricUtilities,Coal,ShortTons,2987681',
      ),
    ]);

    // Assess
    expect(result.InputSchema).toEqual({
      RecordEncoding: 'UTF-8',
      RecordColumns: [
        { SqlType: 'INTEGER', Name: 'COL_year' },
        { SqlType: 'INTEGER', Name: 'COL_month' },
        { SqlType: 'VARCHAR(4)', Name: 'state' },
        { SqlType: 'VARCHAR(64)', Name: 'producer_type' },
        { SqlType: 'VARCHAR(4)', Name: 'energy_source' },
        { SqlType: 'VARCHAR(16)', Name: 'units' },
        { SqlType: 'INTEGER', Name: 'consumption' },
      ],
      RecordFormat: {
        RecordFormatType: 'CSV',
        MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\r\n', RecordColumnDelimiter: ',' } },
      },
    });
  });
});
