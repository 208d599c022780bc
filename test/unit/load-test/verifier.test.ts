import { contentKey } from '../../../src/load-test/content';
import type { OutputExpectation } from '../../../src/load-test/expected';
import { type RunFacts, Verifier } from '../../../src/load-test/verifier';
import { warningsOf } from '../../../src/load-test/warnings';

const runId = 'lt-test';
const T0 = Date.UTC(2026, 0, 1);

/** Token expectations from per-output maps: `destinations[o][seq] === 1` when record `seq` belongs on output `o`. */
function expect_(destinations: Uint8Array[], columns = ['ID', 'USERNAME', 'AMOUNT']): OutputExpectation[] {
  return destinations.map((d, o) => ({
    sqlStream: `S${o}`,
    by: 'token',
    tokenColumn: 'USERNAME',
    columns,
    excluded: [],
    seqs: [...d.keys()].filter((seq) => d[seq] === 1),
    keys: [],
  }));
}

/** Records 0..total-1; even ones go to Positive, odd ones to Negative; 4 partition keys in turn. */
function setup(total = 20) {
  const destinations = [new Uint8Array(total), new Uint8Array(total)];
  for (let seq = 0; seq < total; seq++) destinations[seq % 2]![seq] = 1;
  const verifier = new Verifier({
    runId,
    tag: runId,
    total,
    outputs: ['Positive', 'Negative'],
    expectations: expect_(destinations),
    partitionKeyOf: (seq) => `k${seq % 4}`,
  });
  for (let seq = 0; seq < total; seq++) {
    verifier.sent(seq, T0 + seq * 10);
    verifier.input(seq, T0 + seq * 10);
  }
  return verifier;
}

function data(seq: number, id = seq, who = runId): Uint8Array {
  return Buffer.from(JSON.stringify({ ID: id, USERNAME: `${who}-${seq}`, AMOUNT: seq % 2 ? -1.5 : 2.25 }));
}

/** Delivers record `seq` to its own output, `latency` ms after it was put. */
function deliver(verifier: Verifier, seq: number, latency = 50, output = seq % 2) {
  verifier.output(output, { shardId: 'shardId-000000000000', arrivalMs: T0 + seq * 10 + latency, data: data(seq) });
}

function facts(total = 20, overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    startedAt: T0,
    sendEndedAt: T0 + total * 10,
    endedAt: T0 + total * 10 + 1000,
    timeoutSeconds: 5,
    requested: total,
    targetRate: 100,
    throttles: { put: 0, get: 0 },
    ...overrides,
  };
}

describe('Class: Verifier', () => {
  describe('Method: report', () => {
    it('passes when every record arrives once, in order, where the SQL sends it', () => {
      // Prepare
      const verifier = setup();
      for (let seq = 0; seq < 20; seq++) deliver(verifier, seq);

      // Act
      const report = verifier.report(facts());

      // Assess
      expect(verifier.complete).toBe(true);
      expect(report.verdict).toBe('pass');
      expect(report.reasons).toEqual([]);
      expect(report.sent).toBe(20);
      expect(report.outputs).toEqual({
        Positive: {
          expected: 10,
          received: 10,
          missing: 0,
          duplicates: 0,
          misrouted: 0,
          outOfOrder: 0,
          late: 0,
          matchedBy: 'token in USERNAME',
        },
        Negative: {
          expected: 10,
          received: 10,
          missing: 0,
          duplicates: 0,
          misrouted: 0,
          outOfOrder: 0,
          late: 0,
          matchedBy: 'token in USERNAME',
        },
      });
      expect(report.latencyMs).toEqual({ p50: 50, p90: 50, p99: 50, max: 50 });
    });

    it('detects loss and names the stream', () => {
      // Prepare
      const verifier = setup();
      for (let seq = 0; seq < 20; seq++) if (seq !== 4 && seq !== 8 && seq !== 9) deliver(verifier, seq);

      // Act
      const report = verifier.report(facts());

      // Assess
      expect(verifier.complete).toBe(false);
      expect(report.verdict).toBe('fail');
      expect(report.outputs['Positive']).toMatchObject({ received: 8, missing: 2 });
      expect(report.outputs['Negative']).toMatchObject({ received: 9, missing: 1 });
      expect(report.reasons).toEqual(['Positive: 2 of 10 records missing', 'Negative: 1 of 10 records missing']);
    });

    it('detects duplicates without counting them as received twice', () => {
      // Prepare
      const verifier = setup();
      for (let seq = 0; seq < 20; seq++) deliver(verifier, seq);
      deliver(verifier, 3, 70);
      deliver(verifier, 3, 90);

      // Act
      const report = verifier.report(facts());

      // Assess
      expect(report.outputs['Negative']).toMatchObject({ received: 10, missing: 0, duplicates: 2, outOfOrder: 0 });
      expect(report.reasons).toEqual(['Negative: 2 duplicates']);
    });

    it('detects a misrouted record on the stream it reached, and its absence where it belonged', () => {
      // Prepare
      const verifier = setup();
      for (let seq = 0; seq < 20; seq++) deliver(verifier, seq, 50, seq === 6 ? 1 : seq % 2);

      // Act
      const report = verifier.report(facts());

      // Assess
      expect(report.outputs['Negative']).toMatchObject({ received: 10, misrouted: 1 });
      expect(report.outputs['Positive']).toMatchObject({ received: 9, missing: 1, misrouted: 0 });
      expect(report.reasons).toEqual([
        'Positive: 1 of 10 records missing',
        'Negative: 1 misrouted record (the SQL does not send them here)',
      ]);
    });

    it('detects records out of order within a partition key, not across keys', () => {
      // Prepare: 0 and 4 share key k0; 2 and 6 share k2 but arrive in order; 8 overtakes 4 and 0 across keys is fine
      const verifier = setup(12);
      for (const seq of [2, 4, 0, 6, 8, 10]) deliver(verifier, seq);
      for (const seq of [1, 3, 5, 7, 9, 11]) deliver(verifier, seq);

      // Act
      const report = verifier.report(facts(12));

      // Assess
      expect(report.outputs['Positive']).toMatchObject({ received: 6, outOfOrder: 1 });
      expect(report.outputs['Negative']).toMatchObject({ outOfOrder: 0 });
      expect(report.reasons).toEqual(['Positive: 1 record out of order within a partition key']);
    });

    it('judges order by the order the input acknowledged, so a retried put is not a reorder', () => {
      // Prepare: record 0 was throttled and acknowledged after record 4 (same key k0)
      const verifier = new Verifier({
        runId,
        total: 8,
        outputs: ['Positive', 'Negative'],
        tag: runId,
        expectations: expect_([Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 0]), Uint8Array.from([0, 1, 0, 1, 0, 1, 0, 1])]),
        partitionKeyOf: (seq) => `k${seq % 4}`,
      });
      for (const seq of [1, 2, 3, 4, 5, 6, 7, 0]) verifier.sent(seq, T0 + seq);

      // Act
      for (const seq of [2, 4, 6, 0]) deliver(verifier, seq);
      for (const seq of [1, 3, 5, 7]) deliver(verifier, seq);
      const report = verifier.report(facts(8));

      // Assess
      expect(report.verdict).toBe('pass');
      expect(report.outputs['Positive']!.outOfOrder).toBe(0);
    });

    it('judges order once the puts are acknowledged: a record read on an output before its acknowledgement is not a reorder', () => {
      // Prepare: three keys (k0: records 0, 3, 6); k0's producer lane runs ahead of the others, so its records'
      // acknowledgement places (0, 1, 2) are below their sequence numbers; on a busy machine record 3 is read on the
      // output before its put's acknowledgement is handled here (what the KA engine's 8-15 "out of order" were)
      const total = 9;
      const copy = () =>
        new Verifier({
          runId,
          tag: runId,
          total,
          outputs: ['Copy'],
          expectations: expect_([Uint8Array.from({ length: total }, () => 1)]),
          partitionKeyOf: (seq) => `k${seq % 3}`,
        });
      const early = copy();
      const swapped = copy();

      // Act
      early.sent(0, T0);
      deliver(early, 0, 50, 0);
      deliver(early, 3, 50, 0);
      early.sent(3, T0 + 30);
      early.sent(6, T0 + 60);
      deliver(early, 6, 50, 0);
      for (const seq of [1, 2, 4, 5, 7, 8]) {
        early.sent(seq, T0 + seq * 10);
        deliver(early, seq, 50, 0);
      }
      // the same early reads, but 6 really overtakes 3
      for (const seq of [0, 6, 3, 1, 2, 4, 5, 7, 8]) deliver(swapped, seq, 50, 0);
      for (let seq = 0; seq < total; seq++) swapped.sent(seq, T0 + seq * 10);

      // Assess
      const report = early.report(facts(total));
      expect(report.outputs['Copy']).toMatchObject({ received: 9, outOfOrder: 0 });
      expect(report.verdict).toBe('pass');
      expect(swapped.report(facts(total)).outputs['Copy']).toMatchObject({ received: 9, outOfOrder: 1 });
    });

    it('counts a record that arrives after the timeout as late and missing', () => {
      // Prepare
      const verifier = setup();
      for (let seq = 0; seq < 20; seq++) deliver(verifier, seq, seq === 5 ? 6000 : 50);

      // Act
      const report = verifier.report(facts());

      // Assess
      expect(verifier.complete).toBe(true);
      expect(report.outputs['Negative']).toMatchObject({ received: 9, missing: 1, late: 1 });
      expect(report.reasons).toEqual(['Negative: 1 of 10 records missing (1 of them arrived after the 5 s timeout)']);
      expect(report.latencyMs.max).toBe(50);
    });

    it('ignores records of other runs and other producers, and counts them as foreign', () => {
      // Prepare
      const verifier = setup(2);
      deliver(verifier, 0);
      deliver(verifier, 1);
      verifier.output(0, { shardId: 's', arrivalMs: T0, data: data(0, 0, 'another-run') });
      verifier.output(1, { shardId: 's', arrivalMs: T0, data: Buffer.from('not json') });
      verifier.output(1, { shardId: 's', arrivalMs: T0, data: Buffer.from('{"ID":1,"USERNAME":"lt-test-99"}') });

      // Act
      const report = verifier.report(facts(2));

      // Assess
      expect(report.verdict).toBe('pass');
      expect(report.foreign).toBe(3);
    });

    it('reads CSV output records with the output columns', () => {
      // Prepare
      const verifier = setup(2);
      verifier.output(0, { shardId: 's', arrivalMs: T0 + 5, data: Buffer.from(`0,"${runId}-0",2.25\n`) });
      verifier.output(1, { shardId: 's', arrivalMs: T0 + 15, data: Buffer.from(`1,${runId}-1,-1.50\n`) });

      // Act
      const report = verifier.report(facts(2));

      // Assess
      expect(report.verdict).toBe('pass');
      expect(report.outputs['Positive']!.received).toBe(1);
      expect(report.outputs['Negative']!.received).toBe(1);
    });

    it('computes latency percentiles by nearest rank over every output', () => {
      // Prepare: latencies 1..100 ms
      const verifier = setup(100);
      for (let seq = 0; seq < 100; seq++) deliver(verifier, seq, seq + 1);

      // Act
      const report = verifier.report(facts(100));

      // Assess
      expect(report.latencyMs).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
    });

    it('measures latency from the put acknowledgement when the input arrival is unknown', () => {
      // Prepare
      const verifier = new Verifier({
        runId,
        total: 1,
        outputs: ['Positive'],
        tag: runId,
        expectations: expect_([Uint8Array.from([1])]),
        partitionKeyOf: () => 'k',
      });
      verifier.sent(0, T0 + 100);
      verifier.output(0, { shardId: 's', arrivalMs: T0 + 130, data: data(0) });

      // Act
      const report = verifier.report(facts(1));

      // Assess
      expect(report.latencyMs.max).toBe(30);
    });

    it('fails when not every record could be written, with the first error', () => {
      // Prepare
      const verifier = setup(2);
      deliver(verifier, 0);
      deliver(verifier, 1);

      // Act
      const report = verifier.report(facts(2, { requested: 3, firstSendError: 'InternalFailure: boom' }));

      // Assess
      expect(report.verdict).toBe('fail');
      expect(report.reasons).toEqual(['only 2 of 3 records were written to the input stream: InternalFailure: boom']);
    });

    it('expects on the outputs only the records the input acknowledged, whenever their arrival is seen', () => {
      // Prepare: 4 records; 3 never acknowledged; 1 shows up on its output before its acknowledgement
      const verifier = new Verifier({
        runId,
        total: 4,
        outputs: ['Positive', 'Negative'],
        tag: runId,
        expectations: expect_([Uint8Array.from([1, 0, 1, 0]), Uint8Array.from([0, 1, 0, 1])]),
        partitionKeyOf: () => 'k',
      });
      verifier.sent(0, T0);
      deliver(verifier, 1);
      verifier.sent(1, T0 + 10);
      verifier.sent(2, T0 + 20);
      deliver(verifier, 0);
      const beforeLast = verifier.complete;
      deliver(verifier, 2);

      // Act
      const report = verifier.report(facts(4, { requested: 4 }));

      // Assess
      expect(beforeLast).toBe(false);
      expect(verifier.complete).toBe(true);
      expect(report.outputs['Positive']).toMatchObject({ expected: 2, received: 2, missing: 0 });
      expect(report.outputs['Negative']).toMatchObject({ expected: 1, received: 1, missing: 0 });
      expect(report.reasons).toEqual(['only 3 of 4 records were written to the input stream']);
    });

    it('fails when the SQL rejects generated records or routes none of them', () => {
      // Prepare
      const verifier = new Verifier({
        runId,
        total: 2,
        outputs: ['Positive'],
        tag: runId,
        expectations: expect_([new Uint8Array(2)]),
        partitionKeyOf: () => 'k',
      });
      verifier.sent(0, T0);
      verifier.sent(1, T0);

      // Act
      const report = verifier.report(facts(2, { rejected: 2, firstRejection: 'bad AMOUNT' }));

      // Assess
      expect(report.reasons).toEqual([
        'the SQL rejects 2 records into error_stream: bad AMOUNT',
        'the SQL routes none of the records to any output stream',
      ]);
    });

    it('fills the histogram and the timeline with every received record, and reports throttles', () => {
      // Prepare
      const verifier = setup(200);
      for (let seq = 0; seq < 200; seq++) deliver(verifier, seq, 20 + (seq % 7) * 30);

      // Act
      const report = verifier.report(facts(200, { throttles: { put: 3, get: 2 } }));

      // Assess
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      expect(sum(report.histogram!.counts['Positive']!) + sum(report.histogram!.counts['Negative']!)).toBe(200);
      expect(report.histogram!.binMs).toBe(5);
      // two seconds of sending, 10 ms apart: the finest buckets (100 ms) hold 10 records each
      expect(report.timeline!.bucketMs).toBe(100);
      expect(report.timeline!.sent.slice(0, 20)).toEqual(new Array(20).fill(10));
      expect(sum(report.timeline!.sent)).toBe(200);
      expect(sum(report.timeline!.received['Positive']!)).toBe(100);
      expect(report.throttled).toBe(5);
      expect(report.throttledBy).toEqual({ put: 3, get: 2 });
    });
  });
});

describe('Class: Verifier (matching by content)', () => {
  /** Rows `{"AMOUNT": a}` whose content repeats: records 0..5 hold amounts 1, 2, 1, 3, 2, 1 on one output. */
  function contentSetup() {
    const amounts = [1, 2, 1, 3, 2, 1];
    const row = (a: number) => Buffer.from(JSON.stringify({ AMOUNT: a }));
    const keys = amounts.map((a) => contentKey({ AMOUNT: a }));
    const verifier = new Verifier({
      runId,
      total: 6,
      outputs: ['Amounts', 'Other'],
      expectations: [
        { sqlStream: 'A', by: 'content', columns: ['AMOUNT'], excluded: [], seqs: [0, 1, 2, 3, 4, 5], keys },
        {
          sqlStream: 'B',
          by: 'content',
          columns: ['OTHER'],
          excluded: [],
          seqs: [0],
          keys: [contentKey({ OTHER: 'x' })],
        },
      ],
      partitionKeyOf: () => 'k',
    });
    for (let seq = 0; seq < 6; seq++) verifier.sent(seq, T0 + seq);
    const deliver = (o: number, data: Buffer, at = 10) =>
      verifier.output(o, { shardId: 's', arrivalMs: T0 + at, data });
    return { verifier, row, deliver };
  }

  it('counts each content as often as the SQL emits it: the extra copy is a duplicate, a missing one is missing', () => {
    // Prepare
    const { verifier, row, deliver } = contentSetup();
    for (const a of [1, 2, 1, 3, 1, 1]) deliver(0, row(a)); // 1 four times (3 expected), 2 once (2 expected)
    deliver(1, Buffer.from('{"other":"x"}'));

    // Act
    const report = verifier.report(facts(6, { requested: 6 }));

    // Assess
    expect(report.outputs['Amounts']).toMatchObject({
      expected: 6,
      received: 5,
      missing: 1,
      duplicates: 1,
      matchedBy: 'content',
    });
    expect(report.outputs['Other']).toMatchObject({ expected: 1, received: 1 });
  });

  it('tells a row expected on another output (misrouted) from one of nobody (foreign)', () => {
    // Prepare
    const { verifier, row, deliver } = contentSetup();
    deliver(1, row(3));
    deliver(1, row(99));

    // Act
    const report = verifier.report(facts(6, { requested: 6 }));

    // Assess
    expect(report.outputs['Other']!.misrouted).toBe(1);
    expect(report.foreign).toBe(1);
  });
});

describe('Class: Verifier (live mode, records numbered in input order)', () => {
  /** Live: records 0..1 arrived just before the window (never sent), 2..5 in it; one key; rows `{"log": n}`. */
  function liveSetup(inputOrderOf?: (seq: number) => number) {
    const row = (n: number) => Buffer.from(JSON.stringify({ log: `Record ${n}` }));
    const keys = [0, 1, 2, 3, 4, 5].map((n) => contentKey({ log: `Record ${n}` }));
    const verifier = new Verifier({
      runId,
      total: 6,
      outputs: ['Copy'],
      expectations: [
        { sqlStream: 'COPY', by: 'content', columns: ['log'], excluded: [], seqs: [0, 1, 2, 3, 4, 5], keys },
      ],
      partitionKeyOf: () => 'k',
      liveUntil: T0 + 100,
      ...(inputOrderOf ? { inputOrderOf } : {}),
    });
    for (let seq = 0; seq < 6; seq++) {
      if (seq >= 2) verifier.sent(seq, T0 + seq);
      verifier.input(seq, T0 + seq);
    }
    const deliver = (n: number) => verifier.output(0, { shardId: 's', arrivalMs: T0 + 10 + n, data: row(n) });
    return { verifier, deliver };
  }

  it('does not take the records just before the window, arriving first, for a reorder of the window', () => {
    // Prepare: an application that started before the window writes every record, in input order
    const { verifier, deliver } = liveSetup((seq) => seq);
    for (const n of [0, 1, 2, 3, 4, 5]) deliver(n);

    // Act
    const report = verifier.report(facts(4, { requested: 4 }));

    // Assess
    expect(report.outputs['Copy']).toMatchObject({ expected: 4, received: 4, outOfOrder: 0 });
    expect(report.verdict).toBe('pass');
  });

  it('still finds a record of the window that overtook an earlier one of its key', () => {
    // Prepare
    const { verifier, deliver } = liveSetup((seq) => seq);
    for (const n of [0, 1, 3, 2, 4, 5]) deliver(n);

    // Act
    const report = verifier.report(facts(4, { requested: 4 }));

    // Assess
    expect(report.outputs['Copy']).toMatchObject({ received: 4, outOfOrder: 1 });
  });
});

describe('Function: warningsOf', () => {
  it('warns when the rate falls short of 90% of the target, and not when it is met', () => {
    // Prepare
    const verifier = setup(2);
    deliver(verifier, 0);
    deliver(verifier, 1);
    const base = verifier.report(facts(2, { targetRate: 1000 }));

    // Act
    const short = warningsOf({ ...base, mode: 'synthetic', achievedRate: 301 });
    const met = warningsOf({ ...base, mode: 'synthetic', achievedRate: 950 });

    // Assess
    expect(short).toEqual([
      'records were sent at 301/s, 30% of the 1,000/s target, so the fan-out was not tested at the rate asked',
    ]);
    expect(met).toEqual([]);
  });

  it('names values cut to their column, windowed outputs and outputs that got nothing to check', () => {
    // Prepare
    const verifier = setup(2);
    deliver(verifier, 0);
    const base = verifier.report(facts(2));
    const outputs = {
      ...base.outputs,
      Negative: { ...base.outputs['Negative']!, expected: 0, received: 0, missing: 0 },
      Totals: { ...base.outputs['Positive']!, received: 4, matchedBy: 'rows' },
    };

    // Act
    const warnings = warningsOf({
      ...base,
      outputs,
      achievedRate: 100,
      truncated: [{ where: 'input', column: 'log', sqlType: 'VARCHAR(8)', values: 3 }],
    });

    // Assess
    expect(warnings).toEqual([
      '3 values cut to the VARCHAR(8) of the input column log: widen it in the input schema',
      'Negative: the SQL routes none of the generated records here, so nothing was checked on it: give realistic records with loadTest.sample',
      'Totals: its rows come from a windowed pump and depend on arrival times: 4 rows arrived, counted but not matched to records',
    ]);
  });
});
