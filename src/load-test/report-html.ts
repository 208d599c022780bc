/**
 * The load-test report as one HTML page: pure rendering, no I/O, so every front shows the same page. The CLI writes
 * it to `.fanout/report.html` with the chart library inlined (bin/report.ts); the twin's console can serve it with
 * the library from a URL of its own. The page names what ran, the verdict and its reasons, the warnings, each
 * output's counts, the latency histogram and the timeline, drawn as the buckets the verifier counted.
 */
import type { LoadTestReport } from './types';

export interface HtmlOptions {
  /** Chart.js UMD build, inlined so the page works offline. */
  chartJs?: string;
  /** Or the URL the page loads Chart.js from (a server's own copy). Without either the page shows the tables only. */
  chartJsSrc?: string;
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

type Count = 'expected' | 'received' | 'missing' | 'duplicates' | 'misrouted' | 'outOfOrder';
const problemColumns: Count[] = ['missing', 'duplicates', 'misrouted', 'outOfOrder'];

/** The application that writes an output stream, from the report's run context. */
function applicationOf(report: LoadTestReport, stream: string): string | undefined {
  return report.run?.applications?.find((a) => a.outputs.includes(stream))?.name;
}

function outputRows(report: LoadTestReport): string {
  return Object.entries(report.outputs)
    .map(([name, o], i) => {
      const counted = o.matchedBy === 'rows';
      const cell = (key: Count) => {
        const value = o[key] ?? 0;
        const bad = !counted && (problemColumns.includes(key) ? value > 0 : key === 'received' && value < o.expected);
        const extra = key === 'missing' && o.late > 0 ? ` <span class="note">${n(o.late)} late</span>` : '';
        return `<td class="num${bad ? ' bad' : ''}">${n(value)}${extra}</td>`;
      };
      const ok = problemColumns.every((k) => o[k] === 0) && o.received === o.expected;
      const mark = counted
        ? '<span class="warn">~</span>'
        : ok
          ? '<span class="ok">✓</span>'
          : '<span class="ko">✗</span>';
      const app = applicationOf(report, name);
      return `<tr><td><span class="swatch" style="background:${PALETTE[i % PALETTE.length]}"></span>${escapeHtml(name)}</td><td class="muted">${app ? escapeHtml(app) : '–'}</td>${cell('expected')}${cell('received')}${cell('missing')}${cell('duplicates')}${cell('misrouted')}${cell('outOfOrder')}<td class="muted">${escapeHtml(o.matchedBy ?? '')}</td><td class="state">${mark}</td></tr>`;
    })
    .join('\n');
}

/** What ran: engine, stage, execution, input, and each application with the outputs it serves. */
function whatRan(report: LoadTestReport): string {
  const run = report.run;
  const rows: [string, string][] = [];
  if (run?.engine) rows.push(['Engine', escapeHtml(run.engine)]);
  if (run?.stage) rows.push(['Stage', escapeHtml(run.stage)]);
  if (run?.executionArn) rows.push(['Execution', `<code>${escapeHtml(run.executionArn)}</code>`]);
  if (run?.input) rows.push(['Input stream', escapeHtml(run.input)]);
  const records = report.records;
  if (records) {
    const what =
      records.source === 'live'
        ? 'live traffic already on the input (nothing was put)'
        : `${records.source}${records.name ? ` (${escapeHtml(records.name)})` : ''} records${
            records.tag ? `, token <code>${escapeHtml(records.tag)}-&lt;n&gt;</code>` : ''
          }${records.carriers?.length ? ` in ${records.carriers.map(escapeHtml).join(', ')}` : ''}${
            records.aggregate ? `, in KPL aggregates of ${records.aggregate}` : ''
          }`;
    rows.push(['Records', what]);
  }
  for (const app of run?.applications ?? [])
    rows.push([
      `Application`,
      `${escapeHtml(app.name)} <span class="muted">→ ${app.outputs.map(escapeHtml).join(', ') || '–'}</span>`,
    ]);
  if (rows.length === 0) return '';
  return `<section class="card"><h2>What ran</h2><table class="kv">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table></section>`;
}

function warningsSection(report: LoadTestReport): string {
  const warnings = report.warnings ?? [];
  if (warnings.length === 0) return '';
  return `<section class="warnings"><h2>Warnings</h2><ul>${warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul></section>`;
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
th:first-child, th.l { text-align:left; }
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
header.skipped { border-left-color:var(--muted); }
header.skipped .badge { color:var(--muted); background:#f1f5f9; }
.warnings { margin-top:16px; padding:14px 20px; border-radius:12px; background:#fffbeb; color:#92400e; border:1px solid #fde68a; }
.warnings h2 { color:#92400e; margin-bottom:6px; }
.warnings ul { margin:0; padding-left:20px; }
.warn { color:#b45309; }
.muted { color:var(--muted); }
table.kv th { text-align:left; width:140px; text-transform:none; letter-spacing:0; font-size:13px; border-bottom:1px solid var(--line); }
table.kv td code { font-size:12px; word-break:break-all; }
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
    var width = step < 1 ? t.bucketMs + ' ms' : step + ' s';
    var xs = t.sent.map(function (_, i) { return '+' + Number((i * step).toFixed(2)) + ' s'; });
    // one bar per bucket and series: the counts the verifier measured, nothing interpolated between them
    var sentLabel = report.mode === 'live' ? 'arrived on the input' : 'sent (input)';
    var datasets = [{ label: sentLabel, data: t.sent, backgroundColor: '#94a3b8', borderWidth: 0 }];
    names.forEach(function (n, i) { datasets.push({ label: n + ' received', data: t.received[n] || [], backgroundColor: palette[i % palette.length], borderWidth: 0 }); });
    new Chart(document.getElementById('timeline'), {
      type: 'bar',
      data: { labels: xs, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
        barPercentage: 1, categoryPercentage: 0.9,
        plugins: { legend: { position: 'top', align: 'end' }, tooltip: { callbacks: { title: function (items) { return items[0].label + ' (' + width + ' bucket)'; } } } },
        scales: { x: { title: { display: true, text: (report.mode === 'live' ? 'time since the window opened' : 'time since the first put') + ' (' + width + ' buckets)' }, grid: { display: false }, ticks: { maxTicksLimit: 20 } },
                  y: { beginAtZero: true, title: { display: true, text: 'records per ' + width + ' bucket' }, ticks: { precision: 0 } } } }
    });
  } else noData('timeline-box', 'No timeline in this report.');
})();
`;

/** Renders the report as one HTML page: verdict and table on top, then the latency histogram and the timeline. */
export function renderReportHtml(report: LoadTestReport, options: HtmlOptions = {}): string {
  const pass = report.verdict === 'pass';
  const verdict = report.verdict === 'skipped' ? 'SKIPPED' : pass ? 'PASS' : 'FAIL';
  const live = report.mode === 'live';
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
  const reasons =
    report.verdict !== 'fail'
      ? ''
      : `<section class="reasons"><h2>Why it failed</h2><ul>${(report.reasons.length ? report.reasons : ['(no reason given)']).map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul></section>`;
  const chartJs = options.chartJs
    ? `<script>${options.chartJs.replace(/<\/script/gi, '<\\/script')}</script>`
    : options.chartJsSrc
      ? `<script src="${escapeHtml(options.chartJsSrc)}"></script>`
      : '';
  const meta = [
    `started ${startedText}`,
    live ? 'live mode' : report.mode === 'synthetic' ? 'synthetic records' : '',
    `${n(report.sent)}${report.requested !== undefined && report.requested !== report.sent ? ` of ${n(report.requested)}` : ''} records${live ? ' seen' : ''}`,
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
<title>${verdict} · load test ${escapeHtml(report.runId)} · kinesis-fanout</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="${verdict.toLowerCase()}">
  <div class="badge">${verdict}</div>
  <div>
    <h1>Load test <code>${escapeHtml(report.runId)}</code></h1>
    <p class="meta">${meta}</p>
  </div>
</header>
${reasons}
${warningsSection(report)}
<section class="stats">
  ${stat(live ? 'Seen' : 'Sent', n(report.sent), sendSeconds === undefined ? '' : `in ${sendSeconds.toFixed(1)} s`)}
  ${stat('Rate', rate || '–', target)}
  ${stat('Latency p50', ms(l.p50))}
  ${stat('p90', ms(l.p90))}
  ${stat('p99', ms(l.p99))}
  ${stat('max', ms(l.max))}
  ${stat('Throttled', n(report.throttled), throttleHint)}
</section>
${whatRan(report)}
<section class="card">
  <h2>Output streams</h2>
  <table>
    <thead><tr><th>Stream</th><th class="l">Application</th><th>Expected</th><th>Received</th><th>Missing</th><th>Duplicates</th><th>Misrouted</th><th>Out of order</th><th class="l">Matched by</th><th></th></tr></thead>
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
  <h2>${live ? 'Arrived vs received' : 'Sent vs received'} per bucket</h2>
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
