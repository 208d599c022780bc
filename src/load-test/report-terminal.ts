/** The load-test report as a terminal summary, for the CLI (`fanout run`, `fanout smoke`). */
import pc from 'picocolors';
import type { LoadTestReport } from './types';

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

/**
 * Renders the report as a few lines of text: verdict and run, one row per output stream, latency, throttles and
 * the reasons of a failing verdict. Ends with a newline.
 */
export function renderSummaryTable(report: LoadTestReport, options: SummaryOptions = {}): string {
  const c = pc.createColors(options.color ?? pc.isColorSupported);
  const pass = report.verdict === 'pass';
  const lines: string[] = [];
  const verdict = pass ? c.bold(c.green('PASS')) : c.bold(c.red('FAIL'));
  const rate = report.achievedRate === undefined ? '' : ` at ${n(report.achievedRate)}/s`;
  const target = report.targetRate === undefined ? '' : ` (target ${n(report.targetRate)}/s)`;
  lines.push(
    `Load test ${c.bold(report.runId)}: ${verdict}  ${n(report.sent)} records sent${rate}${target}, verified in ${(report.durationMs / 1000).toFixed(1)} s`,
  );
  const names = Object.keys(report.outputs);
  const header = ['Output stream', ...columns.map(([, title]) => title)];
  const rows = names.map((name) => {
    const o = report.outputs[name]!;
    return [name, ...columns.map(([key]) => n(o[key]))];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: string[], paint?: (cell: string, column: number) => string) =>
    cells
      .map((cell, i) => {
        const padded = i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!);
        return paint ? paint(padded, i) : padded;
      })
      .join('  ');
  lines.push(c.dim(format(header)));
  rows.forEach((row, r) => {
    const o = report.outputs[names[r]!]!;
    lines.push(
      format(row, (cell, i) => {
        const key = columns[i - 1]?.[0];
        const bad = key !== undefined && key !== 'expected' && key !== 'received' && o[key] > 0;
        const short = key === 'received' && o.received < o.expected;
        return bad || short ? c.red(cell) : cell;
      }),
    );
  });
  const l = report.latencyMs;
  lines.push(`Latency  p50 ${ms(l.p50)}  p90 ${ms(l.p90)}  p99 ${ms(l.p99)}  max ${ms(l.max)}`);
  const by = report.throttledBy ? ` (${n(report.throttledBy.put)} on put, ${n(report.throttledBy.get)} on read)` : '';
  lines.push(`Throttled ${n(report.throttled)}${by}`);
  if (!pass) for (const reason of report.reasons) lines.push(c.red(`  - ${reason}`));
  return `${lines.join('\n')}\n`;
}
