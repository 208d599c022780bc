/**
 * The batch processor of the fan-out function: the application is compiled once per cold start; each batch (the
 * records of one shard, in order) runs through it record by record (a KPL aggregate as its user records, in order),
 * so every output row is known to come from one input record; rows are grouped per output stream and written with the retrying PutRecords writer. What still fails
 * is reported with ReportBatchItemFailures as the earliest input record it came from, so Lambda checkpoints the
 * records before it and retries from there: nothing is lost, and the rows of later records already written are
 * written again (counted as duplicates, logged and put as a metric).
 */
import { randomBytes } from 'node:crypto';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { deaggregate, KplFormatError, type UserRecord } from '../kpl';
import {
  type CompiledApplication,
  compile,
  type ErrorRow,
  type InputRecord,
  type OutputRow,
  type Runner,
  serializeRow,
} from '../streaming-sql';
import { ApplicationConfigError, type FanoutApplication } from './environment';
import type { OutputTargets } from './outputs';
import type { EntryError, KinesisWriter, TaggedEntry, WriteResult } from './writer';

/** Structured logging, as Powertools' Logger offers it. */
export interface FanoutLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Counting metrics, as Powertools' Metrics offers them. */
export interface FanoutMetrics {
  addMetric(name: string, unit: 'Count', value: number): void;
}

/** One record of a batch, as the event source mapping delivers it. */
export interface BatchRecord {
  readonly data: Uint8Array;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly shardId: string;
  /** ms since the epoch; ROWTIME of the record. */
  readonly arrivalTime: number;
}

/** What one batch did; also returned to tests and the benchmark. */
export interface BatchReport {
  readonly records: number;
  readonly rows: number;
  readonly errorRows: number;
  readonly written: number;
  readonly retried: number;
  /** Rows Kinesis refused for good (too large...): sent to the error destination instead. */
  readonly rejected: number;
  /** Rows still failing after every retry. */
  readonly failed: number;
  /** Rows that may reach an output twice: written, but their input record is retried, or sent again after a lost answer. */
  readonly duplicates: number;
  /** The sequence number Lambda retries from, when some rows still fail. */
  readonly retryFrom?: string;
}

export interface ProcessorOptions {
  readonly application: FanoutApplication;
  /** The output streams of each in-application stream (see resolveTargets). */
  readonly targets: OutputTargets;
  readonly writer: KinesisWriter;
  /**
   * Finds the targets again, at most every `everyMs` (before a batch): streams created since that match an output
   * prefix start receiving rows. A listing that fails keeps the targets found before.
   */
  readonly refresh?: { readonly targets: () => Promise<OutputTargets>; readonly everyMs: number };
  readonly log?: FanoutLog;
  readonly metrics?: FanoutMetrics;
  readonly now?: () => number;
}

const JSON_FORMAT = { RecordFormatType: 'JSON' } as const;
const silentLog: FanoutLog = { info() {}, warn() {}, error() {} };
const noMetrics: FanoutMetrics = { addMetric() {} };

/** A record to write, tagged with the index of the input record it came from. */
type Pending = TaggedEntry<number>;

/**
 * Converts a Kinesis event of the event source mapping into batch records.
 *
 * @param event - the event Lambda hands the function
 */
export function batchRecords(event: KinesisStreamEvent): BatchRecord[] {
  return (event.Records ?? []).map((r) => ({
    data: Buffer.from(r.kinesis.data, 'base64'),
    partitionKey: r.kinesis.partitionKey,
    sequenceNumber: r.kinesis.sequenceNumber,
    // eventID is `${shardId}:${sequenceNumber}`
    shardId: r.eventID.slice(0, r.eventID.indexOf(':')) || 'shard',
    arrivalTime: Math.round(r.kinesis.approximateArrivalTimestamp * 1000),
  }));
}

/** One record as the SQL runner takes it, and its place in a KPL aggregate (when it came in one). */
interface UserInput {
  readonly input: InputRecord;
  readonly subSequenceNumber?: number;
}

/**
 * The records the SQL takes for one Kinesis record: the record itself, or a KPL aggregate's user records, each with
 * its own partition key.
 *
 * @throws KplFormatError when the record is a corrupt aggregate
 */
function userInputs(record: BatchRecord): UserInput[] {
  return deaggregate(record).map((user: UserRecord) => ({
    input: {
      data: user.data,
      arrivalTime: record.arrivalTime,
      partitionKey: user.partitionKey,
      sequenceNumber: record.sequenceNumber,
      shardId: record.shardId,
    },
    ...(user.subSequenceNumber === undefined ? {} : { subSequenceNumber: user.subSequenceNumber }),
  }));
}

/**
 * A partition key for a row that comes from no one input record (a window's): 128 random bits, as hex, as Kinesis
 * Analytics gives such rows; no order binds it to any other row.
 */
function randomKey(): string {
  return randomBytes(16).toString('hex');
}

/** Runs the fan-out application on batches of input records and writes its rows to the output streams. */
export class FanoutProcessor {
  readonly application: FanoutApplication;
  readonly #compiled: CompiledApplication;
  #targets: OutputTargets;
  readonly #refresh: ProcessorOptions['refresh'];
  #refreshedAt: number;
  readonly #columns = new Map<string, { name: string; sqlType: string }[]>();
  readonly #writer: KinesisWriter;
  readonly #log: FanoutLog;
  readonly #metrics: FanoutMetrics;
  readonly #now: () => number;
  /** Window state per shard, kept while the execution environment stays warm. */
  readonly #runners = new Map<string, Runner>();

  /**
   * Compiles the application (once per cold start).
   *
   * @throws ApplicationConfigError when an output names an in-application stream the SQL does not create
   * @throws SqlCompileError when the SQL does not compile against the schema
   */
  constructor(options: ProcessorOptions) {
    this.application = options.application;
    this.#compiled = compile(options.application.sql, { schema: options.application.schema });
    for (const output of this.#compiled.outputs) this.#columns.set(output.name.toUpperCase(), output.columns);
    this.#checkTargets(options.targets);
    this.#targets = options.targets;
    this.#refresh = options.refresh;
    this.#writer = options.writer;
    this.#log = options.log ?? silentLog;
    this.#metrics = options.metrics ?? noMetrics;
    this.#now = options.now ?? Date.now;
    this.#refreshedAt = this.#now();
  }

  #checkTargets(targets: OutputTargets): void {
    for (const key of targets.keys()) {
      if (!this.#columns.has(key)) {
        throw new ApplicationConfigError(
          `The output ${key} is not an in-application stream of the SQL (it creates ${[...this.#columns.keys()].join(', ')})`,
        );
      }
    }
  }

  /** The output streams of each in-application stream: resolved at cold start, refreshed with `refresh`. */
  get targets(): OutputTargets {
    return this.#targets;
  }

  /** Lists the targets again when `refresh.everyMs` has passed since the last time. */
  async #refreshTargets(): Promise<void> {
    const refresh = this.#refresh;
    if (!refresh || this.#now() - this.#refreshedAt < refresh.everyMs) return;
    this.#refreshedAt = this.#now();
    let targets: OutputTargets;
    try {
      targets = await refresh.targets();
      this.#checkTargets(targets);
    } catch (error) {
      this.#log.warn('Could not find the output streams again; writing to the ones found before', {
        error: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    const before = new Set([...this.#targets.values()].flat());
    const added = [...new Set([...targets.values()].flat())].filter((arn) => !before.has(arn));
    const gone = [...before].filter((arn) => ![...targets.values()].some((list) => list.includes(arn)));
    if (added.length > 0 || gone.length > 0) this.#log.info('Output streams changed', { added, gone });
    this.#targets = targets;
  }

  /**
   * Processes one event of the event source mapping.
   *
   * @param event - a batch of one shard
   * @returns the partial-failure response: empty when every row was written
   */
  async handle(event: KinesisStreamEvent): Promise<KinesisStreamBatchResponse> {
    const report = await this.process(batchRecords(event));
    return { batchItemFailures: report.retryFrom === undefined ? [] : [{ itemIdentifier: report.retryFrom }] };
  }

  /**
   * Runs the application on `records` (one shard's, in order) and writes every row.
   *
   * @param records - the batch
   */
  async process(records: readonly BatchRecord[]): Promise<BatchReport> {
    await this.#refreshTargets();
    const groups = new Map<string, Pending[]>();
    const errorRows: { row: ErrorRow & { subSequenceNumber?: number }; source: number }[] = [];
    let rows = 0;
    const route = (row: OutputRow, source: number) => {
      const targets = this.#targets.get(row.stream.toUpperCase());
      if (!targets) return;
      rows++;
      const data = serializeRow(row, JSON_FORMAT, this.#columns.get(row.stream.toUpperCase()) ?? []);
      // A row of one input record keeps its key (so its order); a window's row comes from no one record.
      const entry = { data, partitionKey: row.partitionKey ?? randomKey() };
      for (const arn of targets) {
        let group = groups.get(arn);
        if (!group) {
          group = [];
          groups.set(arn, group);
        }
        group.push({ entry, tag: source });
      }
    };

    // Each shard's window state is kept as it was before this batch, until the batch is known to be written.
    const byShard = new Map<string, Runner>();
    records.forEach((record, index) => {
      const runner = this.#runner(record.shardId, byShard);
      // A KPL aggregate runs as its user records, each with its own partition key (src/kpl); a corrupt one is one
      // error-stream row, and the batch goes on.
      let users: UserInput[];
      try {
        users = userInputs(record);
      } catch (error) {
        if (!(error instanceof KplFormatError)) throw error;
        errorRows.push({ row: this.#corruptRow(error, record), source: index });
        return;
      }
      for (const { input, subSequenceNumber } of users) {
        const result = runner.push([input]);
        // A window this record's arrival closed emits here: its row goes with this record, which Lambda retries it
        // with (the window state is rolled back to before the record, so the retry closes the window again).
        for (const row of result.rows) route(row, index);
        const sub = subSequenceNumber === undefined ? {} : { subSequenceNumber };
        for (const row of result.errors) errorRows.push({ row: { ...row, ...sub }, source: index });
      }
    });
    // Windows whose end has passed close now, as Kinesis Analytics closes them on its clock; their rows go with the
    // batch's last record.
    const last = records.length - 1;
    if (last >= 0) {
      for (const runner of byShard.values()) {
        const result = runner.advance(this.#now());
        for (const row of result.rows) route(row, last);
        for (const row of result.errors) errorRows.push({ row, source: last });
      }
    }

    const results = await this.#writeAll(groups);
    // Rows Kinesis refuses for good go to the error destination with the reason, never silently dropped.
    const refused = results.flatMap(({ arn, result }) => result.rejected.map((r) => ({ arn, ...r })));
    for (const r of refused) {
      errorRows.push({ row: this.#refusedRow(r, records[r.tag]), source: r.tag });
    }
    const errorResult = await this.#sendErrors(errorRows, records);

    const all = [...results.map((r) => r.result), ...(errorResult ? [errorResult] : [])];
    const failed: EntryError<number>[] = all.flatMap((r) => r.failed);
    const earliest = failed.reduce((min, f) => Math.min(min, f.tag), Number.POSITIVE_INFINITY);
    const retryFrom = Number.isFinite(earliest) ? records[earliest]?.sequenceNumber : undefined;
    this.#settle(byShard, records, Number.isFinite(earliest) ? earliest : undefined);
    // Rows of the records Lambda hands us again that already reached a stream will reach it once more.
    const rewritten =
      retryFrom === undefined ? 0 : all.reduce((n, r) => n + r.written.filter((t) => t >= earliest).length, 0);
    const possible = all.reduce((n, r) => n + r.possibleDuplicates, 0);
    const report: BatchReport = {
      records: records.length,
      rows,
      errorRows: errorRows.length,
      written: all.reduce((n, r) => n + r.written.length, 0),
      retried: all.reduce((n, r) => n + r.retried, 0),
      rejected: refused.length,
      failed: failed.length,
      duplicates: rewritten + possible,
      ...(retryFrom === undefined ? {} : { retryFrom }),
    };
    this.#account(report, failed, records);
    return report;
  }

  /** The shard's runner; the first time a batch uses it, a transaction starts on its window state. */
  #runner(shardId: string, used: Map<string, Runner>): Runner {
    let runner = this.#runners.get(shardId);
    if (!runner) {
      runner = this.#compiled.createRunner();
      this.#runners.set(shardId, runner);
    }
    if (!used.has(shardId)) runner.begin();
    used.set(shardId, runner);
    return runner;
  }

  /**
   * Keeps the window state of a batch that was written, or, when Lambda will hand the batch over again from record
   * `retryFrom`, puts each window back as it was before that record: the state before the batch, plus the records
   * before `retryFrom` (checkpointed by Lambda, so never handed over again) pushed once more, their rows dropped.
   */
  #settle(byShard: Map<string, Runner>, records: readonly BatchRecord[], retryFrom: number | undefined): void {
    if (retryFrom !== undefined) {
      for (const runner of byShard.values()) runner.rollback();
      for (const record of records.slice(0, retryFrom)) {
        const runner = this.#runners.get(record.shardId);
        // a corrupt aggregate pushed nothing the first time either
        const users = (() => {
          try {
            return userInputs(record);
          } catch (error) {
            if (error instanceof KplFormatError) return [];
            throw error;
          }
        })();
        for (const { input } of users) runner?.push([input]);
      }
    }
    for (const runner of byShard.values()) runner.commit();
  }

  async #writeAll(groups: Map<string, Pending[]>): Promise<{ arn: string; result: WriteResult<number> }[]> {
    return Promise.all(
      [...groups].map(async ([arn, entries]) => ({ arn, result: await this.#writer.write(arn, entries) })),
    );
  }

  #refusedRow(r: EntryError<number> & { arn: string }, record: BatchRecord | undefined): ErrorRow {
    const row: ErrorRow = {
      stream: 'error_stream',
      ERROR_TIME: this.#now(),
      ERROR_LEVEL: 'ERROR',
      ERROR_NAME: r.errorCode,
      MESSAGE: `Kinesis refused an output row for ${r.arn}: ${r.errorMessage}`,
      DATA_ROW: record ? Buffer.from(record.data).toString('hex') : '',
      DATA_ROWTIME: record?.arrivalTime ?? this.#now(),
      PUMP_NAME: null,
    };
    if (record) {
      row.sequenceNumber = record.sequenceNumber;
      row.shardId = record.shardId;
    }
    return row;
  }

  /** The error-stream row of a record that starts like a KPL aggregate but is not a valid one. */
  #corruptRow(error: KplFormatError, record: BatchRecord): ErrorRow {
    return {
      stream: 'error_stream',
      ERROR_TIME: this.#now(),
      ERROR_LEVEL: 'ERROR',
      ERROR_NAME: 'KPL_Deaggregation_Error',
      MESSAGE: error.message,
      DATA_ROW: Buffer.from(record.data).toString('hex'),
      DATA_ROWTIME: record.arrivalTime,
      PUMP_NAME: null,
      sequenceNumber: record.sequenceNumber,
      shardId: record.shardId,
    };
  }

  /** Error-stream rows go to the log or to the error stream; returns the stream write, if any. */
  async #sendErrors(
    errors: readonly { row: ErrorRow; source: number }[],
    records: readonly BatchRecord[],
  ): Promise<WriteResult<number> | undefined> {
    if (errors.length === 0) return undefined;
    const destination = this.application.errorDestination;
    if (destination.type === 'log') {
      for (const { row } of errors) this.#log.error('Error stream row', { ...row });
      return undefined;
    }
    return this.#writer.write(
      destination.streamArn,
      errors.map(({ row, source }) => ({
        entry: {
          data: Buffer.from(JSON.stringify(row)),
          partitionKey: records[source]?.partitionKey || row.shardId || 'error_stream',
        },
        tag: source,
      })),
    );
  }

  #account(report: BatchReport, failed: readonly EntryError<number>[], records: readonly BatchRecord[]): void {
    const m = this.#metrics;
    m.addMetric('InputRecords', 'Count', report.records);
    m.addMetric('OutputRecords', 'Count', report.written);
    m.addMetric('ErrorStreamRows', 'Count', report.errorRows);
    m.addMetric('RetriedRecords', 'Count', report.retried);
    m.addMetric('RejectedRecords', 'Count', report.rejected);
    m.addMetric('FailedRecords', 'Count', report.failed);
    m.addMetric('DuplicateRecords', 'Count', report.duplicates);
    if (report.retryFrom !== undefined) {
      this.#log.warn('Rows still failing after retries; Lambda retries the batch from the earliest record', {
        retryFrom: report.retryFrom,
        shardId: records[0]?.shardId,
        failed: report.failed,
        duplicates: report.duplicates,
        firstError: failed[0] ? `${failed[0].errorCode}: ${failed[0].errorMessage}` : undefined,
      });
    } else if (report.duplicates > 0) {
      this.#log.warn('Rows may be duplicated: PutRecords calls failed after Kinesis may have stored them', {
        duplicates: report.duplicates,
        shardId: records[0]?.shardId,
      });
    }
  }
}
