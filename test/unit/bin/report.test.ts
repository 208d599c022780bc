import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderSummaryTable, writeReports } from '../../../bin/report';
import { renderReportHtml } from '../../../src/load-test/report-html';
import type { LoadTestReport } from '../../../src/load-test/types';

function report(overrides: Partial<LoadTestReport> = {}): LoadTestReport {
  return {
    verdict: 'pass',
    reasons: [],
    runId: 'lt-demo',
    sent: 1000,
    durationMs: 2345,
    startedAt: '2026-01-01T00:00:00.000Z',
    outputs: {
      PositiveTransactions: {
        expected: 600,
        received: 600,
        missing: 0,
        duplicates: 0,
        misrouted: 0,
        outOfOrder: 0,
        late: 0,
      },
      NegativeTransactions: {
        expected: 400,
        received: 400,
        missing: 0,
        duplicates: 0,
        misrouted: 0,
        outOfOrder: 0,
        late: 0,
      },
    },
    latencyMs: { p50: 12, p90: 30, p99: 80, max: 95 },
    throttled: 7,
    throttledBy: { put: 5, get: 2 },
    targetRate: 1000,
    achievedRate: 950,
    histogram: { binMs: 5, counts: { PositiveTransactions: [1, 2], NegativeTransactions: [3, 4] } },
    timeline: {
      startMs: 0,
      bucketMs: 1000,
      sent: [1000],
      received: { PositiveTransactions: [600], NegativeTransactions: [400] },
    },
    ...overrides,
  };
}

const failing = () =>
  report({
    verdict: 'fail',
    reasons: ['NegativeTransactions: 3 of 400 records missing', 'PositiveTransactions: 2 duplicates'],
    outputs: {
      PositiveTransactions: {
        expected: 600,
        received: 600,
        missing: 0,
        duplicates: 2,
        misrouted: 0,
        outOfOrder: 0,
        late: 0,
      },
      NegativeTransactions: {
        expected: 400,
        received: 397,
        missing: 3,
        duplicates: 0,
        misrouted: 0,
        outOfOrder: 0,
        late: 0,
      },
    },
  });

describe('Function: renderSummaryTable', () => {
  it('shows the verdict, one row per output and the latency', () => {
    // Act
    const text = renderSummaryTable(report(), { color: false });

    // Assess
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Load test lt-demo: PASS  1,000 records sent at 950/s (target 1,000/s), verified in 2.3 s');
    expect(lines[1]).toMatch(
      /^Output stream\s+Expected\s+Received\s+Missing\s+Duplicates\s+Misrouted\s+Out of order\s+Matched by$/,
    );
    expect(lines[2]).toMatch(/^PositiveTransactions\s+600\s+600\s+0\s+0\s+0\s+0$/);
    expect(lines[4]).toBe('Latency  p50 12 ms  p90 30 ms  p99 80 ms  max 95 ms');
    expect(lines[5]).toBe('Throttled 7 (5 on put, 2 on read)');
    expect(lines).toHaveLength(6);
  });

  it('lists the reasons of a failing verdict', () => {
    const text = renderSummaryTable(failing(), { color: false });
    expect(text).toContain('FAIL');
    expect(text).toContain('  - NegativeTransactions: 3 of 400 records missing\n');
  });

  it('names what ran and shows the warnings, also of a passing verdict', () => {
    // Act
    const text = renderSummaryTable(withContext(), { color: false });

    // Assess
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('engine kinesis-analytics  stage dev  mode synthetic  input Transactions');
    expect(lines[1]).toBe('execution arn:aws:states:us-east-1:000000000000:execution:kinesis-fanout-dev-lifecycle:e1');
    expect(lines[2]).toBe('  kinesis-fanout-dev-1 → PositiveTransactions, NegativeTransactions');
    expect(lines[3]).toBe('records: synthetic, token tabcdefg-<n> in USERNAME');
    expect(lines).toContain('  ! records were sent at 301/s, 30% of the 1,000/s target');
  });

  it('says when the records went in KPL aggregates', () => {
    // Prepare
    const base = withContext();
    const aggregated = { ...base, records: { ...base.records!, aggregate: 10 } };

    // Act
    const lines = renderSummaryTable(aggregated, { color: false }).split('\n');

    // Assess
    expect(lines[3]).toBe('records: synthetic, token tabcdefg-<n> in USERNAME, in KPL aggregates of 10');
  });

  it('says a skipped load test was skipped', () => {
    const text = renderSummaryTable(
      { ...report(), verdict: 'skipped', outputs: {}, warnings: ['records: 0 skips the load test'] },
      { color: false },
    );
    expect(text).toContain('Load test lt-demo: SKIPPED\n  ! records: 0 skips the load test');
  });
});

function withContext(): LoadTestReport {
  return report({
    mode: 'synthetic',
    run: {
      engine: 'kinesis-analytics',
      stage: 'dev',
      input: 'Transactions',
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:kinesis-fanout-dev-lifecycle:e1',
      applications: [{ name: 'kinesis-fanout-dev-1', outputs: ['PositiveTransactions', 'NegativeTransactions'] }],
    },
    records: { source: 'synthetic', tag: 'tabcdefg', carriers: ['USERNAME'] },
    warnings: ['records were sent at 301/s, 30% of the 1,000/s target'],
    achievedRate: 301,
  });
}

describe('Function: renderReportHtml', () => {
  it('puts the verdict, the reasons and the table on top and escapes what it shows', () => {
    // Prepare
    const r = failing();
    r.reasons.push('<img src=x onerror=alert(1)>');

    // Act
    const html = renderReportHtml(r, {
      chartJs: 'var Chart = function () {}; // </script> inside',
      generatedAt: new Date(0),
    });

    // Assess
    expect(html).toContain('<div class="badge">FAIL</div>');
    expect(html).toContain('<li>NegativeTransactions: 3 of 400 records missing</li>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('<td class="num bad">3</td>');
    expect(html.indexOf('Why it failed')).toBeLessThan(html.indexOf('<canvas id="histogram"'));
    // the inlined library cannot close its own script element
    expect(html).toContain('// <\\/script> inside');
    expect(html).not.toMatch(/src="http|href="http/);
  });

  it('names what ran, each application with its outputs, and the warnings; draws the timeline as bars', () => {
    // Act
    const html = renderReportHtml(withContext(), { chartJsSrc: '/assets/chart.js' });

    // Assess
    expect(html).toContain('<h2>What ran</h2>');
    expect(html).toContain('<th>Engine</th><td>kinesis-analytics</td>');
    expect(html).toContain('execution:kinesis-fanout-dev-lifecycle:e1');
    expect(html).toContain(
      'kinesis-fanout-dev-1 <span class="muted">→ PositiveTransactions, NegativeTransactions</span>',
    );
    expect(html).toContain('<h2>Warnings</h2><ul><li>records were sent at 301/s, 30% of the 1,000/s target</li>');
    expect(html).toContain('<script src="/assets/chart.js"></script>');
    expect(html).toMatch(/getElementById\('timeline'\), \{\s+type: 'bar'/);
    expect(html).not.toContain('tension');
  });

  it('embeds the report as JSON the page script can read back', () => {
    // Prepare
    const r = report({ runId: 'a</script><b>' });

    // Act
    const html = renderReportHtml(r);

    // Assess
    const match = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
    expect(match).not.toBeNull();
    expect(JSON.parse(match![1]!)).toEqual(r);
  });
});

describe('Function: writeReports', () => {
  it('writes report.json and a report.html with the chart library inlined', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'fanout-report-'));

    // Act
    const paths = await writeReports(report(), join(dir, '.fanout'));

    // Assess
    try {
      expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(report());
      const html = await readFile(paths.html, 'utf8');
      expect(html).toContain('Chart.js v4');
      expect(html.length).toBeGreaterThan(100_000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
