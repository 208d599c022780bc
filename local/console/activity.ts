/**
 * What the Lambda console's Monitor tab shows, kept from the Lambda twin's log sink: each function's recent
 * invocations (request id, start, duration, billed duration, memory, init duration of a cold start, status,
 * the error of a failed one) with the log lines each wrote, parsed from the lines Lambda itself writes (START,
 * END, REPORT, Invoke Error, Task timed out). Bounded: the latest 50 invocations per function, 200 lines each.
 */
import type { FunctionLogEvent } from '../lambda/logs';

const INVOCATIONS_KEPT = 50;
const LINES_KEPT = 200;
const LINE_CHARS = 4000;

export type InvocationStatus = 'running' | 'succeeded' | 'failed' | 'timed out';

export interface Invocation {
  requestId: string;
  version: string;
  logStreamName: string;
  /** ms epoch of START. */
  start: number;
  end?: number;
  durationMs?: number;
  billedDurationMs?: number;
  memorySizeMb?: number;
  maxMemoryUsedMb?: number;
  initDurationMs?: number;
  status: InvocationStatus;
  error?: string;
  lines: { timestamp: number; message: string }[];
  /** Lines left out past the limit. */
  droppedLines: number;
}

interface FunctionRecord {
  invocations: Invocation[];
  byId: Map<string, Invocation>;
  total: number;
  failed: number;
}

const START = /^START RequestId: (\S+) Version: (\S+)/;
const REPORT = /^REPORT RequestId: (\S+)/;
const field = (line: string, name: string): number | undefined => {
  const m = new RegExp(`${name}: ([\\d.]+)`).exec(line);
  return m ? Number(m[1]) : undefined;
};

export class FunctionActivity {
  private readonly functions = new Map<string, FunctionRecord>();

  constructor(private readonly changed: (functionName: string) => void) {}

  /** The log sink's listener. */
  readonly onLog = (event: FunctionLogEvent): void => {
    const record = this.recordOf(event.functionName);
    const text = event.message.replace(/\n$/, '');
    const start = START.exec(text);
    if (start) {
      const invocation: Invocation = {
        requestId: start[1]!,
        version: start[2]!,
        logStreamName: event.logStreamName,
        start: event.timestamp,
        status: 'running',
        lines: [],
        droppedLines: 0,
      };
      record.invocations.push(invocation);
      record.byId.set(invocation.requestId, invocation);
      record.total++;
      if (record.invocations.length > INVOCATIONS_KEPT) record.byId.delete(record.invocations.shift()!.requestId);
    }
    const invocation = event.requestId === undefined ? undefined : record.byId.get(event.requestId);
    if (!invocation) return;
    if (invocation.lines.length < LINES_KEPT)
      invocation.lines.push({ timestamp: event.timestamp, message: text.slice(0, LINE_CHARS) });
    else invocation.droppedLines++;
    if (text.includes('\tERROR\tInvoke Error \t')) {
      invocation.error = errorOf(text.slice(text.indexOf('Invoke Error \t') + 'Invoke Error \t'.length));
      this.finish(record, invocation, 'failed');
    } else if (/ Task timed out after /.test(text)) {
      invocation.error = text.slice(text.indexOf('Task timed out'));
      this.finish(record, invocation, 'timed out');
    } else if (text.startsWith('END RequestId:')) {
      invocation.end = event.timestamp;
    } else if (REPORT.test(text)) {
      const duration = field(text, 'Duration');
      if (duration !== undefined) invocation.durationMs = duration;
      const billed = field(text, 'Billed Duration');
      if (billed !== undefined) invocation.billedDurationMs = billed;
      const memory = field(text, 'Memory Size');
      if (memory !== undefined) invocation.memorySizeMb = memory;
      const used = field(text, 'Max Memory Used');
      if (used !== undefined) invocation.maxMemoryUsedMb = used;
      const init = field(text, 'Init Duration');
      if (init !== undefined) invocation.initDurationMs = init;
      invocation.end ??= event.timestamp;
      const status = /Status: timeout/.test(text) ? 'timed out' : /Status: error/.test(text) ? 'failed' : undefined;
      this.finish(record, invocation, status ?? (invocation.status === 'running' ? 'succeeded' : invocation.status));
    }
    this.changed(event.functionName);
  };

  private finish(record: FunctionRecord, invocation: Invocation, status: InvocationStatus): void {
    const wasFailed = invocation.status === 'failed' || invocation.status === 'timed out';
    invocation.status = status;
    const isFailed = status === 'failed' || status === 'timed out';
    if (isFailed && !wasFailed) record.failed++;
  }

  private recordOf(name: string): FunctionRecord {
    let record = this.functions.get(name);
    if (!record) {
      record = { invocations: [], byId: new Map(), total: 0, failed: 0 };
      this.functions.set(name, record);
    }
    return record;
  }

  /** Counts since the twin started and the latest invocations, newest first. */
  of(name: string): { total: number; failed: number; invocations: Invocation[] } {
    const record = this.functions.get(name);
    if (!record) return { total: 0, failed: 0, invocations: [] };
    return { total: record.total, failed: record.failed, invocations: [...record.invocations].reverse() };
  }
}

/** `errorType: errorMessage` of Lambda's error payload, or the text as it is. */
function errorOf(payload: string): string {
  try {
    const p = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof p.errorType === 'string') return `${p.errorType}: ${String(p.errorMessage ?? '')}`;
  } catch {
    // not JSON
  }
  return payload;
}
