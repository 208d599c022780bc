/**
 * The SQL that runs: the file the fan-out names, or, without one, the copy application generated from the input's
 * discovered columns: one pump copying every column of every record into one in-application stream, as the copy
 * application of the original question does (`INSERT INTO "COPY" SELECT STREAM "log" FROM "SOURCE_SQL_STREAM_001"`),
 * which every output receives (several destinations of one in-application stream).
 */
import { INPUT_NAME_PREFIX, type RecordColumn } from '../streaming-sql';
import type { FanoutDefinition } from './definition';

/** The in-application input stream the SQL reads. */
const SOURCE = `${INPUT_NAME_PREFIX}_001`;

/** A quoted identifier: the name exactly as discovered (the case of JSON keys is kept in the copies). */
const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * The copy application for these columns.
 *
 * @param columns - the input's columns, as schema discovery found them
 * @param sqlStreams - the in-application streams to fill, one pump each (a name given twice is filled once)
 */
export function copyApplicationSql(
  columns: readonly Pick<RecordColumn, 'Name' | 'SqlType'>[],
  sqlStreams: readonly string[],
): string {
  if (columns.length === 0) throw new RangeError('the copy application needs at least one column');
  const definition = columns.map((c) => `${quoted(c.Name)} ${c.SqlType}`).join(', ');
  const list = columns.map((c) => quoted(c.Name)).join(', ');
  const lines = ['-- Generated: every output copies every column of every record (fanout.yml has no sql).'];
  for (const [i, stream] of [...new Set(sqlStreams)].entries()) {
    lines.push(
      `CREATE OR REPLACE STREAM ${quoted(stream)} (${definition});`,
      `CREATE OR REPLACE PUMP "COPY_PUMP_${i + 1}" AS INSERT INTO ${quoted(stream)}`,
      `    SELECT STREAM ${list} FROM "${SOURCE}";`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The application code of a fan-out for the input's schema.
 *
 * @param definition - the fan-out
 * @param columns - the discovered columns (a copy fan-out takes its columns from them)
 * @param sqlStreams - for a copy fan-out, only these in-application streams (one application's outputs); all of
 *   the fan-out's otherwise
 */
export function applicationSqlOf(
  definition: FanoutDefinition,
  columns: readonly Pick<RecordColumn, 'Name' | 'SqlType'>[],
  sqlStreams?: readonly string[],
): string {
  if (definition.application.kind === 'sql') return definition.application.sql;
  const all = [
    ...definition.outputs.map((o) => o.sqlStream),
    ...(definition.outputPrefix ? [definition.outputPrefix.sqlStream] : []),
  ];
  return copyApplicationSql(columns, sqlStreams ?? all);
}
