/**
 * Routing the rows of one running application: each row of an in-application stream goes to every destination
 * that names that stream (several may: failover-checkpoint.md), serialized in the destination's record format with
 * the columns of the stream it came from; error-stream rows go to the error log and to the destinations of
 * `error_stream`. Test-only fault injection drops, repeats or misroutes a share of the rows here.
 */
import { randomBytes } from 'node:crypto';
import type { CompiledApplication, ErrorRow, OutputRow } from '../../src/streaming-sql';
import type { Destination } from './destinations';
import type { SqlEngine } from './engine';
import { ERROR_STREAM, ERROR_STREAM_COLUMNS, type ErrorLog, errorRow, errorRowAsOutput, hex } from './error-stream';
import type { FaultInjector } from './faults';

type Columns = { name: string; sqlType: string }[];

/**
 * The in-application stream an output names: the compiler upper-cases unquoted identifiers, the API keeps what the
 * user typed, so names match exactly or, failing that, upper-cased.
 */
export function resolveOutputStream(compiled: Pick<CompiledApplication, 'outputs'>, name: string): string | undefined {
  if (name.toLowerCase() === ERROR_STREAM) return ERROR_STREAM;
  const exact = compiled.outputs.find((o) => o.name === name);
  if (exact) return exact.name;
  return compiled.outputs.find((o) => o.name.toUpperCase() === name.toUpperCase())?.name;
}

interface Route {
  destination: Destination;
  /** The in-application stream it receives. */
  stream: string;
  columns: Columns;
}

export interface RouterOptions {
  compiled: CompiledApplication;
  destinations: readonly Destination[];
  engine: Pick<SqlEngine, 'serializeRow'>;
  errors: ErrorLog;
  faults?: FaultInjector | undefined;
  /** The row time of errors the router itself raises. */
  rowtime(): number;
}

export class OutputRouter {
  private readonly routes: Route[];
  private readonly byStream = new Map<string, Route[]>();

  constructor(private readonly opts: RouterOptions) {
    this.routes = opts.destinations.map((destination) => {
      const name = destination.output.Name;
      const stream = resolveOutputStream(opts.compiled, name) ?? name;
      const columns =
        stream === ERROR_STREAM
          ? ERROR_STREAM_COLUMNS
          : (opts.compiled.outputs.find((o) => o.name === stream)?.columns ?? []);
      const route = { destination, stream, columns };
      this.byStream.set(stream, [...(this.byStream.get(stream) ?? []), route]);
      return route;
    });
  }

  /** Queues each row on the destinations of its stream, and puts the error rows on the error stream. */
  route(rows: readonly OutputRow[], errors: readonly ErrorRow[]): void {
    if (errors.length > 0) this.reportErrors(errors);
    for (const row of rows) {
      for (const route of this.byStream.get(row.stream) ?? []) {
        const fault = this.opts.faults?.next();
        if (fault === 'drop') continue;
        let target = route;
        if (fault === 'misroute') {
          const other = this.routes.find(
            (r) => r.destination.arn !== route.destination.arn && r.stream !== ERROR_STREAM,
          );
          if (other) target = other;
          else this.opts.faults?.cancel('misroute');
        }
        this.enqueue(target, row, route);
        if (fault === 'duplicate') this.enqueue(target, row, route);
      }
    }
  }

  /** Rows for the error stream: counted in the error log, and queued on the destinations that persist it. */
  reportErrors(errors: readonly ErrorRow[]): void {
    this.opts.errors.add([...errors]);
    for (const route of this.byStream.get(ERROR_STREAM) ?? []) {
      for (const error of errors) this.enqueue(route, errorRowAsOutput(error));
    }
  }

  /** Serializes with the columns of the stream the row came from (a misrouted row keeps its own shape). */
  private enqueue(target: Route, row: OutputRow, source: Route = target): void {
    const output = source.destination.output;
    let data: Uint8Array;
    try {
      data = this.opts.engine.serializeRow(row, output.DestinationSchema, source.columns);
    } catch (error) {
      // a row its destination format cannot hold is an error of the application, not a reason to stop it
      const values = JSON.stringify(row.values, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      const message = `${output.Name}: ${error instanceof Error ? error.message : String(error)}`;
      this.opts.errors.add([errorRow('Serialization_Error', message, hex(values), this.opts.rowtime(), row.rowtime)]);
      return;
    }
    target.destination.queue.push({ data, partitionKey: row.partitionKey ?? randomBytes(8).toString('hex') });
  }
}
