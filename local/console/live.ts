/**
 * Server-sent events for the console's pages: one stream per open page (`GET /_console/api/events`) that says
 * what changed (`change` events naming a topic and ids: an execution's new history events, a function's
 * invocation) as it happens, coalesced over 150 ms, and a `tick` every second for what moves all the time
 * (stream counters, application statuses, next fire times). A page refetches only what it shows.
 *
 * Why SSE and not polling: the twin knows the moment an execution records an event, so the graph turns green
 * within a fraction of a second instead of at the next poll; one connection serves every panel of a page; and
 * EventSource reconnects by itself when the twin restarts. These timers are the page's refresh in wall time, not
 * AWS behaviour, so they are not on the twin's Clock (a ManualClock in a test would freeze the page).
 */
import { type ResponseSink, StreamingBody } from '../service';

const COALESCE_MS = 150;
const TICK_MS = 1000;

export class LiveEvents {
  private readonly clients = new Set<ResponseSink>();
  private readonly pending = new Map<string, Set<string>>();
  private flushTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number) {}

  get listening(): boolean {
    return this.clients.size > 0;
  }

  /** Something of `topic` changed (`id`: which one); sent to every open page shortly. */
  changed(topic: string, id: string): void {
    if (this.clients.size === 0) return;
    let ids = this.pending.get(topic);
    if (!ids) {
      ids = new Set();
      this.pending.set(topic, ids);
    }
    ids.add(id);
    this.flushTimer ??= setTimeout(() => this.flush(), COALESCE_MS).unref();
  }

  /** The body of one page's event stream. */
  stream(): StreamingBody {
    return new StreamingBody('text/event-stream', (sink) => {
      this.clients.add(sink);
      sink.onClose(() => {
        this.clients.delete(sink);
        if (this.clients.size === 0 && this.tickTimer) {
          clearInterval(this.tickTimer);
          this.tickTimer = undefined;
        }
      });
      sink.write(Buffer.from(`retry: 2000\nevent: hello\ndata: ${JSON.stringify({ now: this.now() })}\n\n`));
      this.tickTimer ??= setInterval(() => this.send('tick', { now: this.now() }), TICK_MS).unref();
    });
  }

  private flush(): void {
    this.flushTimer = undefined;
    for (const [topic, ids] of this.pending) this.send('change', { topic, ids: [...ids] });
    this.pending.clear();
  }

  private send(event: string, data: unknown): void {
    const chunk = Buffer.from(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    for (const sink of this.clients) sink.write(chunk);
  }

  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.flushTimer = this.tickTimer = undefined;
    for (const sink of [...this.clients]) sink.end();
    this.clients.clear();
  }
}
