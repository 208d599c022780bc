/**
 * What the CLI does with a load-test report (`fanout run`, `invoke`, `smoke`): print the summary in the terminal and
 * write `.fanout/report.json` and `.fanout/report.html`, the page rendered by src/load-test/report-html.ts with the
 * chart library read from node_modules and inlined, so the file works offline.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pc from 'picocolors';
import type { LoadTestReport } from '../src/load-test';
import { renderReportHtml } from '../src/load-test/report-html';

export interface SummaryOptions {
  /** Colour the verdict and the failing cells (default: picocolors' own detection of the terminal). */
  color?: boolean;
}

const columns = [
  ['expected', 'Expected'],
  ['received', 'Received'],
  ['missing', 'Missing'],
  ['duplicates', 'Duplicates'],
  ['misrouted', 'Misrouted'],
  ['outOfOrder', 'Out of order'],
] as const;

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function ms(value: number): string {
  return `${n(Math.round(value))} ms`;
}

/** The lines naming what ran: engine, stage, execution, each application and its outputs, the records. */
function whatRan(report: LoadTestReport, c: ReturnType<typeof pc.createColors>): string[] {
  const run = report.run;
  const lines: string[] = [];
  const facts = [
    run?.engine ? `engine ${c.bold(run.engine)}` : '',
    run?.stage ? `stage ${c.bold(run.stage)}` : '',
    report.mode ? `mode ${c.bold(report.mode)}` : '',
    run?.input ? `input ${run.input}` : '',
  ].filter(Boolean);
  if (facts.length) lines.push(facts.join('  '));
  if (run?.executionArn) lines.push(c.dim(`execution ${run.executionArn}`));
  for (const app of run?.applications ?? []) lines.push(`  ${app.name} → ${app.outputs.join(', ') || '–'}`);
  const records = report.records;
  if (records && records.source !== 'live') {
    const carriers = records.carriers?.length ? ` in ${records.carriers.join(', ')}` : '';
    const token = records.tag ? `, token ${records.tag}-<n>${carriers}` : '';
    const kpl = records.aggregate ? `, in KPL aggregates of ${records.aggregate}` : '';
    lines.push(c.dim(`records: ${records.source}${records.name ? ` (${records.name})` : ''}${token}${kpl}`));
  }
  return lines;
}

/**
 * Renders the report as a few lines of text: what ran, verdict, one row per output stream, latency, throttles, the
 * warnings and the reasons of a failing verdict. Ends with a newline.
 */
export function renderSummaryTable(report: LoadTestReport, options: SummaryOptions = {}): string {
  const c = pc.createColors(options.color ?? pc.isColorSupported);
  const lines: string[] = [...whatRan(report, c)];
  if (report.verdict === 'skipped') {
    lines.push(`Load test ${c.bold(report.runId)}: ${c.bold(c.yellow('SKIPPED'))}`);
    for (const warning of report.warnings ?? []) lines.push(c.yellow(`  ! ${warning}`));
    return `${lines.join('\n')}\n`;
  }
  const pass = report.verdict === 'pass';
  const verdict = pass ? c.bold(c.green('PASS')) : c.bold(c.red('FAIL'));
  const live = report.mode === 'live';
  const rate = report.achievedRate === undefined ? '' : ` at ${n(report.achievedRate)}/s`;
  const target = report.targetRate === undefined ? '' : ` (target ${n(report.targetRate)}/s)`;
  lines.push(
    `Load test ${c.bold(report.runId)}: ${verdict}  ${n(report.sent)} records ${live ? 'seen on the input' : 'sent'}${rate}${target}, verified in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  const names = Object.keys(report.outputs);
  const header = ['Output stream', ...columns.map(([, title]) => title), 'Matched by'];
  const rows = names.map((name) => {
    const o = report.outputs[name]!;
    return [name, ...columns.map(([key]) => n(o[key])), o.matchedBy ?? ''];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const last = header.length - 1;
  const format = (cells: string[], paint?: (cell: string, column: number) => string) =>
    cells
      .map((cell, i) => {
        const padded = i === 0 || i === last ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!);
        return paint ? paint(padded, i) : padded;
      })
      .join('  ')
      .trimEnd();
  lines.push(c.dim(format(header)));
  rows.forEach((row, r) => {
    const o = report.outputs[names[r]!]!;
    lines.push(
      format(row, (cell, i) => {
        const key = columns[i - 1]?.[0];
        if (key === undefined || o.matchedBy === 'rows') return cell;
        const bad = key !== 'expected' && key !== 'received' && o[key] > 0;
        const short = key === 'received' && o.received < o.expected;
        return bad || short ? c.red(cell) : cell;
      }),
    );
  });
  const l = report.latencyMs;
  lines.push(`Latency  p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`);
  const by = report.throttledBy ? ` (${n(report.throttledBy.put)} on put, ${n(report.throttledBy.get)} on read)` : '';
  lines.push(`Throttled ${n(report.throttled)}${by}`);
  for (const warning of report.warnings ?? []) lines.push(c.yellow(`  ! ${warning}`));
  if (!pass) for (const reason of report.reasons) lines.push(c.red(`  - ${reason}`));
  return `${lines.join('\n')}\n`;
}

/** Reads the Chart.js UMD build from node_modules, to inline it into the page. */
export async function loadChartJs(): Promise<string | undefined> {
  try {
    // The package's exports hide dist/, so resolve its main entry and look next to it.
    const dist = dirname(require.resolve('chart.js'));
    for (const file of ['chart.umd.min.js', 'chart.umd.js']) {
      try {
        return await readFile(join(dist, file), 'utf8');
      } catch {
        // try the next build
      }
    }
  } catch {
    // chart.js not installed: the page still shows the verdict and the tables
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

export interface PresentOptions {
  /** Where the files go (default `.fanout`). */
  dir?: string;
  /** Where the text goes, one line at a time (default stdout). */
  line?: (text: string) => void;
  color?: boolean;
}

/** Prints the summary, writes both report files and names them; returns their paths (undefined if not written). */
export async function presentReport(
  report: LoadTestReport,
  options: PresentOptions = {},
): Promise<{ json: string; html: string } | undefined> {
  const line = options.line ?? ((text: string) => void process.stdout.write(`${text}\n`));
  const c = pc.createColors(options.color ?? pc.isColorSupported);
  line('');
  line(renderSummaryTable(report, options.color === undefined ? {} : { color: options.color }).trimEnd());
  try {
    const paths = await writeReports(report, options.dir ?? '.fanout');
    line(c.dim(`report: ${paths.json}, ${paths.html}`));
    return paths;
  } catch (error) {
    line(c.yellow(`could not write the report: ${(error as Error).message}`));
    return undefined;
  }
}
