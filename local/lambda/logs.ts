/**
 * The function log sink: every line a function's invocations write, as Lambda sends it to CloudWatch Logs (one
 * log stream per execution environment, the runtime's INIT_START/START/END/REPORT lines around what the handler
 * logs, console lines prefixed with time, request id and level), published to whoever listens (a CloudWatch Logs
 * twin, the console).
 */

/** One log event of a function, as Lambda writes it to its log group. */
export interface FunctionLogEvent {
  functionName: string;
  /** `$LATEST` or a published version. */
  version: string;
  /** `/aws/lambda/<function name>`. */
  logGroupName: string;
  /** `2026/01/01/[$LATEST]<32 hex>`: one per execution environment. */
  logStreamName: string;
  /** The invocation that wrote it (none for INIT_START). */
  requestId?: string;
  /** ms epoch, on the twin's clock. */
  timestamp: number;
  /** The text of the event, ending in a newline as Lambda's do. */
  message: string;
}

export type FunctionLogListener = (event: FunctionLogEvent) => void;

/** The listeners, and the lines the runtime writes. */
export class LogSink {
  private readonly listeners = new Set<FunctionLogListener>();

  /** Calls `listener` with every log event of every function; returns the unsubscribe. */
  subscribe(listener: FunctionLogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get active(): boolean {
    return this.listeners.size > 0;
  }

  publish(event: FunctionLogEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** `2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef`, the name Lambda gives an environment's log stream. */
export function logStreamName(at: number, version: string, id: string): string {
  return `${new Date(at).toISOString().slice(0, 10).replaceAll('-', '/')}/[${version}]${id}`;
}

const ms = (n: number): string => n.toFixed(2);

export const runtimeLines = {
  initStart: (runtime: string) =>
    `INIT_START Runtime Version: ${runtime.replace(/\.x$/, '')}.twin\tRuntime Version ARN: arn:aws:lambda:::runtime:twin-${runtime}\n`,
  start: (requestId: string, version: string) => `START RequestId: ${requestId} Version: ${version}\n`,
  end: (requestId: string) => `END RequestId: ${requestId}\n`,
  report: (r: {
    requestId: string;
    durationMs: number;
    memorySize: number;
    maxMemoryUsedMb: number;
    initDurationMs?: number;
    status?: 'timeout' | 'error';
  }) =>
    `REPORT RequestId: ${r.requestId}\tDuration: ${ms(r.durationMs)} ms\tBilled Duration: ${Math.max(1, Math.ceil(r.durationMs))} ms\t` +
    `Memory Size: ${r.memorySize} MB\tMax Memory Used: ${r.maxMemoryUsedMb} MB\t` +
    (r.initDurationMs !== undefined ? `Init Duration: ${ms(r.initDurationMs)} ms\t` : '') +
    (r.status ? `Status: ${r.status}\t` : '') +
    '\n',
  /** What the Node.js runtime logs for a handler that throws or rejects. */
  invokeError: (at: number, requestId: string, errorPayload: string) =>
    `${new Date(at).toISOString()}\t${requestId}\tERROR\tInvoke Error \t${errorPayload}\n`,
  timedOut: (at: number, requestId: string, seconds: number) =>
    `${new Date(at).toISOString()} ${requestId} Task timed out after ${seconds.toFixed(2)} seconds\n`,
};
