import { ManualClock } from '../../../../local/clock';
import { KinesisTwin } from '../../../../local/kinesis';
import { RunningApplications } from '../../../../local/kinesis-analytics/data-plane';
import type { SqlEngine } from '../../../../local/kinesis-analytics/engine';
import type { ApplicationState } from '../../../../local/kinesis-analytics/state';
import { ApplicationStore } from '../../../../local/kinesis-analytics/store';
import { DEFAULT_TIMING } from '../../../../local/kinesis-analytics/timing';
import * as streamingSql from '../../../../src/streaming-sql';
import { runnableApplication } from './fakes';

/** Passes each JSON record through to OUT_A; a record that is not JSON becomes an error-stream row. */
const passThrough = {
  compile: () => ({
    inputStream: 'SOURCE_SQL_STREAM_001',
    outputs: [{ name: 'OUT_A', columns: [{ name: 'ID', sqlType: 'INTEGER' }] }],
    createRunner: () => ({
      push: (records: { data: Uint8Array; arrivalTime: number; partitionKey?: string }[]) => {
        const rows = [];
        const errors = [];
        for (const r of records) {
          const text = Buffer.from(r.data).toString('utf8');
          try {
            rows.push({
              stream: 'OUT_A',
              values: JSON.parse(text),
              rowtime: r.arrivalTime,
              partitionKey: r.partitionKey,
            });
          } catch (error) {
            errors.push({
              stream: 'error_stream' as const,
              ERROR_TIME: r.arrivalTime,
              ERROR_LEVEL: 'ERROR',
              ERROR_NAME: 'Data_Unparseable',
              MESSAGE: String(error),
              DATA_ROW: text,
              DATA_ROWTIME: r.arrivalTime,
              PUMP_NAME: null,
            });
          }
        }
        return { rows, errors };
      },
      advance: () => ({ rows: [], errors: [] }),
    }),
  }),
  serializeRow: (row: { values: Record<string, unknown> }) => Buffer.from(JSON.stringify(row.values)),
  discoverSchema: () => {
    throw new Error('not used');
  },
} as unknown as SqlEngine;

function application(): ApplicationState {
  return runnableApplication({ status: 'RUNNING', code: '-- pass through', output: 'out' });
}

function setup(opts: { limits?: boolean; faults?: { drop?: number; duplicate?: number }; engine?: SqlEngine } = {}) {
  const clock = new ManualClock();
  const kinesis = new KinesisTwin({ clock, limits: opts.limits ?? false });
  kinesis.call('CreateStream', { StreamName: 'in', ShardCount: 2 });
  kinesis.call('CreateStream', { StreamName: 'out', ShardCount: 1 });
  const pool = new RunningApplications({
    kinesis,
    engine: opts.engine ?? passThrough,
    clock,
    timing: DEFAULT_TIMING,
    ...(opts.faults ? { faults: opts.faults } : {}),
    store: new ApplicationStore(),
  });
  const put = (ids: number[]) => {
    for (let i = 0; i < ids.length; i += 500) {
      kinesis.putRecords(
        { StreamName: 'in' },
        ids
          .slice(i, i + 500)
          .map((id) => ({ data: Buffer.from(JSON.stringify({ ID: id })), partitionKey: `k${id % 7}` })),
      );
    }
  };
  const output = () => {
    const out: { ID: number; key: string }[] = [];
    let iterator: string | undefined = kinesis.getShardIterator(
      { StreamName: 'out' },
      'shardId-000000000000',
      'TRIM_HORIZON',
    );
    for (;;) {
      const page = kinesis.getRecords(iterator!);
      for (const r of page.Records)
        out.push({ ...JSON.parse(Buffer.from(r.Data).toString('utf8')), key: r.PartitionKey });
      if (page.Records.length === 0) return out;
      iterator = page.NextShardIterator;
    }
  };
  return { clock, kinesis, pool, put, output };
}

/**
 * Moves the manual clock in small steps and lets the runners' promise chains settle after each, as they would
 * between timer ticks of the wall clock.
 */
async function pass(clock: ManualClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    await clock.advance(10);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('Class: RunningApplications', () => {
  describe('Method: start / stop', () => {
    it('writes every record read from TRIM_HORIZON to its destination, once', async () => {
      // Prepare
      const { clock, pool, put, output } = setup();
      const app = application();
      put(range(0, 300));

      // Act
      pool.start(app, 'TRIM_HORIZON', clock.now());
      await pass(clock, 200);
      await pool.stop(app);

      // Assess
      expect(
        output()
          .map((r) => r.ID)
          .sort((a, b) => a - b),
      ).toEqual(range(0, 300));
      expect(Object.keys(app.checkpoints).sort()).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    });

    it('starts at NOW without the records already there', async () => {
      // Prepare
      const { clock, pool, put, output } = setup();
      const app = application();
      put(range(0, 10));
      await pass(clock, 5);

      // Act
      pool.start(app, 'NOW', clock.now());
      await pass(clock, 60);
      put(range(10, 20));
      await pass(clock, 1200); // the shard was read to its tip at the start: read again a second later
      await pool.stop(app);

      // Assess
      expect(
        output()
          .map((r) => r.ID)
          .sort((a, b) => a - b),
      ).toEqual(range(10, 20));
    });

    it('resumes at LAST_STOPPED_POINT with exactly the records put while stopped', async () => {
      // Prepare
      const { clock, pool, put, output } = setup();
      const app = application();
      pool.start(app, 'NOW', clock.now());
      await pass(clock, 60);
      put(range(0, 100));
      await pass(clock, 1200); // the shard was read to its tip at the start: read again a second later
      await pool.stop(app);
      put(range(100, 250));
      await pass(clock, 50);

      // Act
      pool.start(app, 'LAST_STOPPED_POINT', clock.now());
      await pass(clock, 200);
      await pool.stop(app);

      // Assess
      const ids = output().map((r) => r.ID);
      expect(ids.sort((a, b) => a - b)).toEqual(range(0, 250));
    });

    it('retries throttled puts until every record lands, in order per partition key', async () => {
      // Prepare: 2,500 records within about a second into a one-shard destination that takes 1,000 a second
      const { clock, pool, put, output } = setup({ limits: true });
      const app = application();
      pool.start(app, 'NOW', clock.now());
      await pass(clock, 60);

      // Act
      put(range(0, 1000));
      await pass(clock, 550);
      put(range(1000, 2000));
      await pass(clock, 550);
      put(range(2000, 2500));
      await pass(clock, 3000);
      const throttled = pool.metrics('app')?.throttledPuts ?? 0;
      await pool.stop(app);

      // Assess
      const rows = output();
      expect(throttled).toBeGreaterThan(0);
      expect(rows).toHaveLength(2500);
      for (const key of new Set(rows.map((r) => r.key))) {
        const ids = rows.filter((r) => r.key === key).map((r) => r.ID);
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
      }
    });

    it('reads a shard at its tip about once a second, leaving the other consumers of the input their reads', async () => {
      // Prepare: a producer putting every 50 ms and another consumer reading the same shard 4 times a second
      const { clock, pool, kinesis, put, output } = setup({ limits: true });
      const app = application();
      pool.start(app, 'NOW', clock.now());
      await pass(clock, 60);
      let iterator = kinesis.getShardIterator({ StreamName: 'in' }, 'shardId-000000000000', 'LATEST');
      let otherThrottled = 0;

      // Act
      for (let i = 0; i < 60; i++) {
        put([i]);
        await pass(clock, 50);
        if (i % 5 !== 4) continue;
        try {
          iterator = kinesis.getRecords(iterator).NextShardIterator!;
        } catch (error) {
          if ((error as Error).name !== 'ProvisionedThroughputExceededException') throw error;
          otherThrottled++;
        }
      }
      await pass(clock, 1200);
      const throttledReads = pool.metrics('app')?.throttledReads ?? 0;
      await pool.stop(app);

      // Assess: the application throttled no one, itself included, and still read every record
      expect(otherThrottled).toBe(0);
      expect(throttledReads).toBe(0);
      expect(
        output()
          .map((r) => r.ID)
          .sort((a, b) => a - b),
      ).toEqual(range(0, 60));
    });

    it('counts a row Kinesis refuses (over its size limit) as an error and delivers the rest', async () => {
      // Prepare
      const { clock, pool, kinesis, output } = setup();
      kinesis.call('DeleteStream', { StreamName: 'in' });
      kinesis.call('CreateStream', { StreamName: 'in', ShardCount: 1, MaxRecordSizeInKiB: 2048 });
      const app = application();
      pool.start(app, 'NOW', clock.now());
      await pass(clock, 60);

      // Act
      kinesis.putRecords({ StreamName: 'in' }, [
        { data: Buffer.from(JSON.stringify({ ID: 1, PAD: 'x'.repeat(1_500_000) })), partitionKey: 'a' },
        { data: Buffer.from(JSON.stringify({ ID: 2 })), partitionKey: 'b' },
      ]);
      await pass(clock, 1200); // the shard was read to its tip at the start: read again a second later
      await pool.stop(app);

      // Assess
      expect(output().map((r) => r.ID)).toEqual([2]);
      expect(pool.errors('app').recent.map((e) => e.ERROR_NAME)).toEqual(['Destination_Write_Error']);
    });

    it('counts error-stream records', async () => {
      // Prepare
      const { clock, pool, kinesis } = setup();
      const app = application();
      pool.start(app, 'NOW', clock.now());
      await pass(clock, 60);

      // Act
      kinesis.putRecords({ StreamName: 'in' }, [{ data: Buffer.from('not json'), partitionKey: 'k' }]);
      await pass(clock, 1200); // the shard was read to its tip at the start: read again a second later
      await pool.stop(app);

      // Assess
      expect(pool.errors('app').count).toBe(1);
      expect(pool.errors('app').recent[0]).toMatchObject({ ERROR_NAME: 'Data_Unparseable', DATA_ROW: 'not json' });
    });
  });

  describe('Option: faults', () => {
    it('drops and duplicates the configured share of rows', async () => {
      // Prepare
      const { clock, pool, put, output } = setup({ faults: { drop: 0.1, duplicate: 0.05 } });
      const app = application();
      put(range(0, 201));

      // Act
      pool.start(app, 'TRIM_HORIZON', clock.now());
      await pass(clock, 200);
      await pool.stop(app);

      // Assess
      expect(output()).toHaveLength(201 - 20 + 10);
      expect(pool.faultsInjected('app')).toEqual({ drop: 20, duplicate: 10, misroute: 0 });
    });
  });

  describe('Option: windows', () => {
    it('emits a tumbling window when the clock passes its end, with no record after it', async () => {
      // Prepare
      const { clock, pool, put, output } = setup({ engine: streamingSql });
      const app = application();
      app.code = `CREATE OR REPLACE STREAM "OUT_A" (ID INTEGER);
        CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT_A"
          SELECT STREAM COUNT(*) FROM "SOURCE_SQL_STREAM_001"
          GROUP BY STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`;
      pool.start(app, 'NOW', clock.now());
      await pass(clock, 60);

      // Act
      put(range(0, 7));
      await pass(clock, 500);
      const before = output();
      await pass(clock, 10_000);
      await pool.stop(app);

      // Assess
      expect(before).toEqual([]);
      expect(output().map((r) => r.ID)).toEqual([7]);
    });
  });
});
