/**
 * The in-application error stream (error-handling.md): its columns, the rows the twin itself puts on it (besides
 * the SQL engine's), and the log of them that the errors route and the metrics read.
 */
import type { ErrorRow, OutputRow } from '../../src/streaming-sql';

export const ERROR_STREAM = 'error_stream';
export const ERROR_STREAM_COLUMNS = [
  { name: 'ERROR_TIME', sqlType: 'TIMESTAMP' },
  { name: 'ERROR_LEVEL', sqlType: 'VARCHAR(10)' },
  { name: 'ERROR_NAME', sqlType: 'VARCHAR(32)' },
  { name: 'MESSAGE', sqlType: 'VARCHAR(4096)' },
  { name: 'DATA_ROWTIME', sqlType: 'TIMESTAMP' },
  { name: 'DATA_ROW', sqlType: 'VARCHAR(49152)' },
  { name: 'PUMP_NAME', sqlType: 'VARCHAR(128)' },
];

/** Error-stream rows of one application, counted over the twin's life, the latest kept. */
export class ErrorLog {
  count = 0;
  readonly recent: ErrorRow[] = [];

  constructor(private readonly keep = 100) {}

  add(rows: ErrorRow[]): void {
    this.count += rows.length;
    this.recent.push(...rows);
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
  }
}

/** An error-stream row of the twin's own; `dataRow` is already hex-encoded, as the column holds it. */
export function errorRow(
  name: string,
  message: string,
  dataRow: string,
  rowtime: number,
  dataRowtime = rowtime,
): ErrorRow {
  return {
    stream: ERROR_STREAM,
    ERROR_TIME: rowtime,
    ERROR_LEVEL: 'ERROR',
    ERROR_NAME: name,
    MESSAGE: message,
    DATA_ROW: dataRow,
    DATA_ROWTIME: dataRowtime,
    PUMP_NAME: null,
  };
}

export function hex(bytes: Uint8Array | string): string {
  return (typeof bytes === 'string' ? Buffer.from(bytes) : Buffer.from(bytes)).toString('hex');
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An error-stream row as a row of the in-application stream `error_stream`, for the outputs that persist it. */
export function errorRowAsOutput(error: ErrorRow): OutputRow {
  return {
    stream: ERROR_STREAM,
    rowtime: error.ERROR_TIME,
    values: {
      ERROR_TIME: error.ERROR_TIME,
      ERROR_LEVEL: error.ERROR_LEVEL,
      ERROR_NAME: error.ERROR_NAME,
      MESSAGE: error.MESSAGE,
      DATA_ROWTIME: error.DATA_ROWTIME,
      DATA_ROW: error.DATA_ROW,
      PUMP_NAME: error.PUMP_NAME,
    },
  };
}
