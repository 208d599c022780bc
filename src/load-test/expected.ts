/**
 * Where each load-test record should go, decided by the application itself: the same SQL compiled with the
 * streaming SQL engine, so the routing exists in one place only.
 */
import { type CompiledApplication, compile, type OutputRow, type SourceSchema } from '../streaming-sql';
import type { RecordGenerator } from './generator';
import { identify } from './identity';
import type { OutputBinding } from './types';

/** Per output (in binding order), `destinations[o][seq] === 1` when record `seq` belongs on output `o`. */
export interface Expectation {
  destinations: Uint8Array[];
  /** Output columns of each bound in-application stream, to read CSV output records. */
  columns: string[][];
  /** Generated records the SQL rejected into error_stream, and the first message. */
  rejected: number;
  firstRejection?: string;
  /** Output rows that carry no recognisable USERNAME / ID of this run (e.g. aggregates). */
  unidentified: number;
}

/** The in-application stream a binding names is not an output of the SQL. */
export class UnknownSqlStreamError extends Error {
  override name = 'UnknownSqlStreamError';
}

/** Compiles the application SQL against the input schema; fails when a binding names no output of it. */
export function compileForLoadTest(
  sql: string,
  schema: SourceSchema,
  outputs: readonly OutputBinding[],
): CompiledApplication {
  const app = compile(sql, { schema });
  for (const binding of outputs) {
    if (!app.outputs.some((o) => o.name.toUpperCase() === binding.sqlStream.toUpperCase()))
      throw new UnknownSqlStreamError(
        `the SQL has no in-application stream ${binding.sqlStream} (it has ${app.outputs.map((o) => o.name).join(', ') || 'none'})`,
      );
  }
  return app;
}

/**
 * Runs every generated record through the compiled SQL, in order with its planned arrival time, and notes on
 * which outputs each one comes out.
 */
export function computeExpectation(
  app: CompiledApplication,
  generator: RecordGenerator,
  total: number,
  outputs: readonly OutputBinding[],
  plannedTime: (seq: number) => number,
): Expectation {
  const index = new Map(outputs.map((o, i) => [o.sqlStream.toUpperCase(), i]));
  const destinations = outputs.map(() => new Uint8Array(total));
  const columns = outputs.map(
    (o) =>
      app.outputs.find((a) => a.name.toUpperCase() === o.sqlStream.toUpperCase())?.columns.map((c) => c.name) ?? [],
  );
  const result: Expectation = { destinations, columns, rejected: 0, unidentified: 0 };
  const { runId } = generator.options;
  const take = (rows: OutputRow[], errors: { MESSAGE: string }[]) => {
    for (const row of rows) {
      const o = index.get(row.stream.toUpperCase());
      if (o === undefined) continue;
      const seq = identify(row.values, runId, total);
      if (seq === undefined) result.unidentified++;
      else destinations[o]![seq] = 1;
    }
    for (const error of errors) {
      result.rejected++;
      result.firstRejection ??= error.MESSAGE;
    }
  };
  const runner = app.createRunner();
  const chunk = 1000;
  let last = 0;
  for (let start = 0; start < total; start += chunk) {
    const batch = [];
    for (let seq = start; seq < Math.min(total, start + chunk); seq++) {
      const record = generator.record(seq);
      last = plannedTime(seq);
      batch.push({ data: record.data, arrivalTime: last, partitionKey: record.partitionKey });
    }
    const out = runner.push(batch);
    take(out.rows, out.errors);
  }
  // Close any window still open, so windowed pumps say what they would emit eventually.
  const flushed = runner.advance(last + 24 * 3600 * 1000);
  take(flushed.rows, flushed.errors);
  return result;
}
