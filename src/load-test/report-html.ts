/**
 * The load-test report as one self-contained HTML page (`.fanout/report.html`) and the report files. For the CLI
 * only: `writeReports` reads the chart library from node_modules when it runs, which a Lambda bundle cannot do.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LoadTestReport, OutputReport } from './types';

export interface HtmlOptions {
  /** Chart.js UMD build, inlined so the page works offline; without it the page shows the tables only. */
  chartJs?: string;
  /** When the page was made (default: now). */
  generatedAt?: Date;
}

const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#4d7c0f'];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON that can sit inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function ms(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${n(Math.round(value))} ms`;
}

const problemColumns: (keyof OutputReport)[] = ['missing', 'duplicates', 'misrouted', 'outOfOrder'];

function outputRows(report: LoadTestReport): string {
  return Object.entries(report.outputs)
    .map(([name, o], i) => {
      const cell = (key: keyof OutputReport) => {
        const value = o[key] ?? 0;
        const bad = problemColumns.includes(key) ? value > 0 : key === 'received' && value < o.expected;
        const extra = key === 'missing' && o.late > 0 ? ` <span class="note">${n(o.late)} late</span>` : '';
        return `<td class="num${bad ? ' bad' : ''}">${n(value)}${extra}</td>`;
      };
      const ok = problemColumns.every((k) => o[k] === 0) && o.received === o.expected;
      return `<tr><td><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${escapeHtml(name)}</td>${cell('expected')}${cell('received')}${cell('missing')}${cell('duplicates')}${cell('misrouted')}${cell('outOfOrder')}<td class="state">${ok ? '<span class="ok">✓</span>' : '<span class="ko">✗</span>'}</td></tr>`;
    })
    .join('\n');
}

function stat(label: string, value: string, hint = ''): string {
  return `<div class="stat"><div class="label">${label}</div><div class="value">${value}</div>${hint ? `<div class="hint">${hint}</div>` : ''}</div>`;
}

const STYLE = `
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff; --pass:#15803d; --pass-bg:#dcfce7; --fail:#b91c1c; --fail-bg:#fee2e2; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif; color:var(--fg); background:var(--bg); }
main { max-width:1120px; margin:0 auto; padding:28px 24px 40px; }
header { display:flex; align-items:center; gap:20px; padding:20px 24px; border-radius:14px; background:var(--card); border:1px solid var(--line); border-left:8px solid var(--pass); }
header.fail { border-left-color:var(--fail); }
.badge { font-weight:800; font-size:22px; letter-spacing:.06em; padding:8px 18px; border-radius:10px; color:var(--pass); background:var(--pass-bg); }
header.fail .badge { color:var(--fail); background:var(--fail-bg); }
h1 { font-size:20px; margin:0 0 4px; font-weight:650; }
h1 code { font-size:18px; background:#f1f5f9; padding:1px 7px; border-radius:6px; }
h2 { font-size:15px; margin:0 0 12px; font-weight:650; }
.meta { color:var(--muted); margin:0; }
.reasons { margin-top:16px; padding:14px 20px; border-radius:12px; background:var(--fail-bg); color:var(--fail); border:1px solid #fecaca; }
.reasons h2 { color:var(--fail); margin-bottom:6px; }
.reasons ul { margin:0; padding-left:20px; }
.stats { display:grid; grid-template-columns:repeat(7,1fr); gap:12px; margin-top:16px; }
.stat { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:12px 14px; }
.stat .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.05em; }
.stat .value { font-size:22px; font-weight:650; margin-top:2px; font-variant-numeric:tabular-nums; white-space:nowrap; }
.stat .hint { color:var(--muted); font-size:12px; white-space:nowrap; }
.card { background:var(--card); border:1px solid var(--line); border-radius:12px; padding:18px 20px; margin-top:16px; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th { text-align:right; font-weight:600; color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; padding:6px 10px; border-bottom:1px solid var(--line); }
th:first-child { text-align:left; }
td { padding:9px 10px; border-bottom:1px solid var(--line); }
tr:last-child td { border-bottom:none; }
td.num { text-align:right; }
td.bad { color:var(--fail); font-weight:700; background:#fef2f2; }
td.state { text-align:center; width:40px; font-weight:700; }
.ok { color:var(--pass); } .ko { color:var(--fail); }
.note { font-weight:400; font-size:12px; color:var(--muted); }
.swatch { display:inline-block; width:10px; height:10px; border-radius:3px; margin-right:8px; vertical-align:0; }
.chart { position:relative; height:300px; }
.nodata { color:var(--muted); padding:40px 0; text-align:center; }
details { margin-top:16px; }
summary { cursor:pointer; color:var(--muted); }
pre { background:#0f172a; color:#e2e8f0; padding:14px; border-radius:10px; overflow:auto; max-height:420px; font-size:12px; }
footer { color:var(--muted); font-size:12px; margin-top:20px; text-align:center; }
@media (max-width:900px) { .stats { grid-template-columns:repeat(3,1fr); } }
`;

/** The client-side script that draws both charts from the embedded report. */
const CHARTS = `
(function () {
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ${JSON.stringify(PALETTE)};
  function noData(id, text) { var el = document.getElementById(id); el.innerHTML = '<div class="nodata">' + text + '</div>'; }
  if (typeof Chart === 'undefined') { noData('histogram-box', 'Chart library not bundled.'); noData('timeline-box', 'Chart library not bundled.'); return; }
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#475569';
  Chart.defaults.animation = false;
  var names = Object.keys(report.outputs);
  var h = report.histogram;
  if (h && names.some(function (n) { return (h.counts[n] || []).some(function (c) { return c > 0; }); })) {
    var bins = Math.max.apply(null, names.map(function (n) { return (h.counts[n] || []).length; }));
    var labels = []; for (var i = 0; i < bins; i++) labels.push(i * h.binMs + '–' + (i + 1) * h.binMs);
    var marks = [['p50', report.latencyMs.p50], ['p90', report.latencyMs.p90], ['p99', report.latencyMs.p99]];
    var percentileLines = {
      id: 'percentileLines',
      afterDatasetsDraw: function (chart) {
        var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx, band = (x.right - x.left) / bins;
        ctx.save();
        ctx.font = '600 11px ' + Chart.defaults.font.family;
        ctx.textAlign = 'center';
        var lastLabel = -Infinity;
        marks.forEach(function (m) {
          var px = x.left + (m[1] / h.binMs) * band;
          ctx.strokeStyle = '#0f172a'; ctx.globalAlpha = 0.55; ctx.setLineDash([4, 3]); ctx.lineWidth = 1;
          ctx.beginPath(); ctx.moveTo(px, area.top + 14); ctx.lineTo(px, area.bottom); ctx.stroke();
          ctx.globalAlpha = 1; ctx.fillStyle = '#0f172a';
          // keep labels of close percentiles from printing over each other
          var ly = px - lastLabel < 34 ? area.top + 24 : area.top + 10;
          ctx.fillText(m[0], px, ly);
          if (ly === area.top + 10) lastLabel = px;
        });
        ctx.restore();
      }
    };
    new Chart(document.getElementById('histogram'), {
      type: 'bar',
      plugins: [percentileLines],
      data: { labels: labels, datasets: names.map(function (n, i) { return { label: n, data: h.counts[n] || [], backgroundColor: palette[i % palette.length] + 'cc', borderColor: palette[i % palette.length], borderWidth: 1, stack: 'latency' }; }) },
      options: { responsive: true, maintainAspectRatio: false, barPercentage: 1, categoryPercentage: 0.92,
        plugins: { legend: { position: 'top', align: 'end' }, tooltip: { mode: 'index', intersect: false } },
        scales: { x: { stacked: true, title: { display: true, text: 'latency, input to output (ms)' }, grid: { display: false } },
                  y: { stacked: true, beginAtZero: true, grace: '15%', title: { display: true, text: 'records' }, ticks: { precision: 0 } } } }
    });
  } else noData('histogram-box', 'No record arrived, so there is no latency to show.');
  var t = report.timeline;
  if (t && t.sent.length > 0) {
    var step = t.bucketMs / 1000;
    var xs = t.sent.map(function (_, i) { return '+' + Number((i * step).toFixed(1)) + ' s'; });
    // counts per bucket drawn as a rate, so the axis reads records/s whatever the bucket width
    var rate = function (counts) { return counts.map(function (c) { return Math.round(c / step); }); };
    var per = 'records/s (per ' + (step < 1 ? t.bucketMs + ' ms' : step + ' s') + ' bucket)';
    var datasets = [{ label: 'sent (input)', data: rate(t.sent), borderColor: '#64748b', backgroundColor: '#64748b12', borderDash: [6, 4], fill: true, tension: 0.25, pointRadius: t.sent.length > 60 ? 0 : 3 }];
    names.forEach(function (n, i) { datasets.push({ label: n + ' received', data: rate(t.received[n] || []), borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length], tension: 0.25, pointRadius: t.sent.length > 60 ? 0 : 3, borderWidth: 2 }); });
    new Chart(document.getElementById('timeline'), {
      type: 'line',
      data: { labels: xs, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        plugins: { legend: { position: 'top', align: 'end' } },
        scales: { x: { title: { display: true, text: 'time since the first put' }, grid: { display: false } },
                  y: { beginAtZero: true, title: { display: true, text: per }, ticks: { precision: 0 } } } }
    });
  } else noData('timeline-box', 'No timeline in this report.');
})();
`;

/** Renders the report as one HTML page: verdict and table on top, then the latency histogram and the timeline. */
export function renderReportHtml(report: LoadTestReport, options: HtmlOptions = {}): string {
  const pass = report.verdict === 'pass';
  const generatedAt = options.generatedAt ?? new Date();
  const l = report.latencyMs;
  const sendSeconds = report.achievedRate ? report.sent / report.achievedRate : undefined;
  const rate = report.achievedRate === undefined ? '' : `${n(report.achievedRate)}/s`;
  const target = report.targetRate === undefined ? '' : `target ${n(report.targetRate)}/s`;
  const throttleHint = report.throttledBy ? `${n(report.throttledBy.put)} put · ${n(report.throttledBy.get)} read` : '';
  const started = new Date(report.startedAt);
  const startedText = Number.isNaN(started.getTime())
    ? escapeHtml(report.startedAt)
    : started
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC');
  const reasons = pass
    ? ''
    : `<section class="reasons"><h2>Why it failed</h2><ul>${(report.reasons.length ? report.reasons : ['(no reason given)']).map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul></section>`;
  const chartJs = options.chartJs ? `<script>${options.chartJs.replace(/<\/script/gi, '<\\/script')}</script>` : '';
  const meta = [
    `started ${startedText}`,
    `${n(report.sent)}${report.requested !== undefined && report.requested !== report.sent ? ` of ${n(report.requested)}` : ''} records`,
    `${(report.durationMs / 1000).toFixed(1)} s in all`,
    report.timeoutSeconds === undefined ? '' : `timeout ${report.timeoutSeconds} s`,
    report.foreign ? `${n(report.foreign)} foreign records ignored` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${pass ? 'PASS' : 'FAIL'} · load test ${escapeHtml(report.runId)} · kinesis-fanout</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="${pass ? 'pass' : 'fail'}">
  <div class="badge">${pass ? 'PASS' : 'FAIL'}</div>
  <div>
    <h1>Load test <code>${escapeHtml(report.runId)}</code></h1>
    <p class="meta">${meta}</p>
  </div>
</header>
${reasons}
<section class="stats">
  ${stat('Sent', n(report.sent), sendSeconds === undefined ? '' : `in ${sendSeconds.toFixed(1)} s`)}
  ${stat('Rate', rate || '–', target)}
  ${stat('Latency p50', ms(l.p50))}
  ${stat('p90', ms(l.p90))}
  ${stat('p99', ms(l.p99))}
  ${stat('max', ms(l.max))}
  ${stat('Throttled', n(report.throttled), throttleHint)}
</section>
<section class="card">
  <h2>Output streams</h2>
  <table>
    <thead><tr><th>Stream</th><th>Expected</th><th>Received</th><th>Missing</th><th>Duplicates</th><th>Misrouted</th><th>Out of order</th><th></th></tr></thead>
    <tbody>
${outputRows(report)}
    </tbody>
  </table>
</section>
<section class="card">
  <h2>Latency from input to output</h2>
  <div class="chart" id="histogram-box"><canvas id="histogram" aria-label="latency histogram"></canvas></div>
</section>
<section class="card">
  <h2>Sent vs received over time</h2>
  <div class="chart" id="timeline-box"><canvas id="timeline" aria-label="timeline of sent and received records"></canvas></div>
</section>
<details><summary>report.json</summary><pre>${escapeHtml(JSON.stringify(report, null, 2))}</pre></details>
<footer>kinesis-fanout load test · generated ${escapeHtml(generatedAt.toISOString())}</footer>
</main>
<script type="application/json" id="report-data">${scriptJson(report)}</script>
${chartJs}
<script>${CHARTS}</script>
</body>
</html>
`;
}

/** Reads the Chart.js UMD build from node_modules (CLI side only). */
export async function loadChartJs(): Promise<string | undefined> {
  try {
    // The package's exports hide dist/, so resolve its main entry and look next to it.
    const main = require.resolve('chart.js');
    const dist = dirname(main);
    for (const file of ['chart.umd.min.js', 'chart.umd.js']) {
      try {
        return await readFile(join(dist, file), 'utf8');
      } catch {
        // try the next build
      }
    }
  } catch {
    // chart.js not installed: the page still shows the verdict and the table
  }
  return undefined;
}

/**
 * Writes `<dir>/report.json` and `<dir>/report.html` (default dir `.fanout`), creating the directory.
 * Returns the paths written.
 */
export async function writeReports(report: LoadTestReport, dir = '.fanout'): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'report.json');
  const html = join(dir, 'report.html');
  const chartJs = await loadChartJs();
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, renderReportHtml(report, chartJs === undefined ? {} : { chartJs }));
  return { json, html };
}
