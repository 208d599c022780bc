/** The `fanout status` screen: one page of text from a StatusReport (pure, so tests read what a user reads). */
import type { ExecutionView, StatusReport } from './collect';

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const pad = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
const padLeft = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

function table(rows: string[][], right: Set<number>): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (right.has(c) ? padLeft(cell, widths[c]!) : pad(cell, widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}

function execution(label: string, e: ExecutionView | null): string {
  if (!e) return `${label}  none yet`;
  const end = e.stopDate ? `, ended ${e.stopDate.slice(11, 19)} UTC` : ' (running)';
  return `${label}  ${e.status}  ${e.name}, started ${e.startDate.replace('T', ' ').slice(0, 19)} UTC${end}${e.error ? `\n    ${e.error}` : ''}`;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function renderStatus(r: StatusReport): string {
  const out: string[] = [];
  out.push(
    `fan-out kinesis-fanout-${r.stage} (${r.region})  at ${r.at.replace('T', ' ').slice(0, 19)} UTC  names from the ${r.source}`,
  );
  out.push('');
  out.push('Applications');
  if (r.applications.length === 0) out.push('  none (run the lifecycle with {"keep": true} to leave one running)');
  for (const a of r.applications)
    out.push(`  ${a.name}  ${a.engine}  ${a.status}  -> ${a.outputs.join(', ') || '(no outputs)'}`);
  out.push('');
  const lag = r.lag.ms === null ? 'unknown' : duration(r.lag.ms);
  const flag = r.lag.state === 'keeping up' || r.lag.state === 'idle' ? '' : '  !';
  out.push(`Input lag  ${lag}  ${r.lag.state}: ${r.lag.note}${flag}`);
  out.push(`  (${r.lag.metric})`);
  out.push('');
  out.push(`Records over the last ${r.windowMinutes} minutes`);
  const per = (records: number) => `${(records / (r.windowMinutes * 60)).toFixed(1)}/s`;
  const rows = [
    ['', 'stream', 'records', 'rate', 'throttled'],
    ['in', r.input.stream, n(r.input.records), per(r.input.records), `${n(r.input.readThrottled)} reads`],
    ...r.outputs.map((o) => ['out', o.stream, n(o.records), per(o.records), `${n(o.writeThrottled)} writes`]),
  ];
  for (const line of table(rows, new Set([2, 3, 4]))) out.push(`  ${line}`);
  if (r.errorStreamRows !== null)
    out.push(
      `  error-stream rows ${n(r.errorStreamRows)}   failed records ${n(r.failedRecords ?? 0)}   fan-out function throttles ${n(r.functionThrottles ?? 0)}`,
    );
  else out.push('  error-stream rows: not published by Kinesis Analytics (its error stream is inside the application)');
  out.push('');
  out.push('Executions');
  out.push(`  ${execution('lifecycle', r.executions.lifecycle)}`);
  out.push(`  ${execution('teardown ', r.executions.teardown)}`);
  const t = r.teardownSchedule;
  out.push(
    t === null
      ? '  next teardown  unknown (no schedule rule found)'
      : !t.enabled
        ? `  next teardown  none: the schedule ${t.expression} is disabled`
        : `  next teardown  ${t.next ? `${t.next.replace('T', ' ').slice(0, 16)} UTC (in ${duration(Date.parse(t.next) - Date.parse(r.at))})` : 'unknown'}  ${t.expression}`,
  );
  if (r.alarms.length > 0) {
    out.push('');
    const firing = r.alarms.filter((a) => a.state === 'ALARM');
    out.push(`Alarms  ${r.alarms.length}, ${firing.length} in ALARM`);
    for (const a of firing) out.push(`  ALARM  ${a.name}`);
  }
  if (r.problems.length > 0) {
    out.push('');
    out.push('Could not read');
    for (const p of r.problems) out.push(`  ${p}`);
  }
  return `${out.join('\n')}\n`;
}
