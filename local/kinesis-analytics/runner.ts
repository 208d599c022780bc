/**
 * The data plane of one running application: reads every shard of the input stream from the starting position,
 * gives the records to the compiled SQL in order of arrival (ROWTIME = the record's arrival time in Kinesis, which
 * the engine keeps from going back, so a record read after its window closed joins the next one; the engine also
 * makes it APPROXIMATE_ARRIVAL_TIME), and writes each output's rows to its Kinesis destination. Delivery is at least once and in order per partition
 * key: throttled records are retried with backoff, and reading waits meanwhile (back-pressure, as Kinesis
 * Analytics does). A shard's checkpoint moves only once the rows of its records have all landed, so a
 * LAST_STOPPED_POINT restart repeats nothing and loses nothing.
 */
import { randomBytes } from 'node:crypto';
import type { CompiledApplication, ErrorRow, OutputRow, Runner } from '../../src/streaming-sql';
import type { Clock } from '../clock';
import type { ApplicationState, Checkpoint, OutputDescription, StartingPosition } from './application';
import { type SqlEngine, withDefaultMappings } from './engine';
import type { FaultInjector } from './faults';
import {
  type IteratorStart,
  isThrottle,
  type KinesisPort,
  listShards,
  parseStreamArn,
  type ShardInfo,
  shardIterator,
} from './kinesis-port';

/** The columns of the in-application error stream (error-handling.md). */
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

export interface RunnerTiming {
  /** How long an idle reader waits before polling the shards again, when the stream cannot tell it of puts. */
  pollIntervalMs: number;
  /**
   * The same when puts on the input stream wake the reader: only a safety net, well under the 5 reads a second a
   * shard allows, so a reader woken by a put finds read capacity left (Kinesis Analytics reads about once a second).
   */
  notifiedPollIntervalMs: number;
  /** How long a shard whose GetRecords was throttled is left alone. */
  throttledReadBackoffMs: number;
  /** How often the SQL's windows are advanced to the clock when no record arrives. */
  advanceIntervalMs: number;
  /** First and largest wait between delivery retries. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long a stop waits for undelivered rows before leaving them to the next run (checkpoint unmoved). */
  drainTimeoutMs: number;
  /** How often the input's shard list is refreshed. */
  shardRefreshMs: number;
}

export const DEFAULT_TIMING: RunnerTiming = {
  pollIntervalMs: 50,
  notifiedPollIntervalMs: 1000,
  throttledReadBackoffMs: 100,
  advanceIntervalMs: 100,
  retryBaseMs: 25,
  retryMaxMs: 1000,
  drainTimeoutMs: 10_000,
  shardRefreshMs: 2000,
};

/** Error-stream records of one application, counted over the twin's life, the latest kept. */
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

export interface RunnerMetrics {
  recordsRead: number;
  rowsDelivered: Record<string, number>;
  throttledPuts: number;
  throttledReads: number;
  millisBehindLatest: number;
}

export interface RunnerOptions {
  app: ApplicationState;
  position: StartingPosition;
  requestedAt: number;
  kinesis: KinesisPort;
  engine: SqlEngine;
  clock: Clock;
  timing: RunnerTiming;
  errors: ErrorLog;
  faults?: FaultInjector;
  /** Called when checkpoints moved (the store persists them). */
  onCheckpoint(): void;
  /** Called when the runner gives up on a fault of the twin (it keeps the application RUNNING, like AWS). */
  onFailure?(error: unknown): void;
}

interface ShardReader {
  id: string;
  iterator?: string | undefined;
  closed: boolean;
  /** Read to the tip: not read again until a put wakes the runner or the safety-net poll comes. */
  caughtUp: boolean;
  /** Not before this time (after a throttled read). */
  readyAt: number;
}

interface Destination {
  output: OutputDescription;
  streamArn: string;
  columns: { name: string; sqlType: string }[];
  queue: { data: Uint8Array; partitionKey: string }[];
}

const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 5 * 1024 * 1024;
/** How far into a queue one batch looks for records of other partition keys. */
const MAX_BATCH_SCAN = 5000;

export class ApplicationRunner {
  readonly metrics: RunnerMetrics = {
    recordsRead: 0,
    rowsDelivered: {},
    throttledPuts: 0,
    throttledReads: 0,
    millisBehindLatest: 0,
  };
  private readonly compiled: CompiledApplication;
  private readonly sql: Runner;
  private readonly inputArn: string;
  private readonly destinations: Destination[];
  private readonly byStream = new Map<string, Destination[]>();
  private readonly shards = new Map<string, ShardReader>();
  private stopping = false;
  private stopRequestedAt = 0;
  private drainMs = Number.POSITIVE_INFINITY;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private woken = false;
  /** Earliest time a throttled shard may be read again. */
  private nextReadyAt = Number.POSITIVE_INFINITY;
  private unsubscribe: (() => void) | undefined;
  private lastAdvance = 0;
  private lastShardRefresh = Number.NEGATIVE_INFINITY;
  private lastRowtime = 0;
  private readonly windowed: boolean;

  constructor(private readonly opts: RunnerOptions) {
    const { app, engine } = opts;
    const input = app.inputs[0];
    if (!input?.KinesisStreamsInputDescription) throw new Error(`application ${app.name} has no Kinesis stream input`);
    if (app.code === undefined) throw new Error(`application ${app.name} has no code`);
    this.inputArn = input.KinesisStreamsInputDescription.ResourceARN;
    this.compiled = engine.compile(app.code, {
      schema: withDefaultMappings(input.InputSchema),
      namePrefix: input.NamePrefix,
    });
    this.sql = this.compiled.createRunner();
    this.windowed = (this.compiled.pumps ?? []).some((pump) => pump.windowMs !== undefined);
    this.destinations = app.outputs.flatMap((output) => {
      const arn = output.KinesisStreamsOutputDescription?.ResourceARN;
      if (!arn) return [];
      const stream = resolveOutputStream(this.compiled, output.Name);
      const columns =
        stream === ERROR_STREAM
          ? ERROR_STREAM_COLUMNS
          : (this.compiled.outputs.find((o) => o.name === stream)?.columns ?? []);
      const destination: Destination = { output, streamArn: arn, columns, queue: [] };
      const list = this.byStream.get(stream ?? output.Name) ?? [];
      list.push(destination);
      this.byStream.set(stream ?? output.Name, list);
      return [destination];
    });
  }

  /** Starts reading; the checkpoints of a NOW or TRIM_HORIZON run start afresh. */
  start(): void {
    const { app, position } = this.opts;
    // checkpoints of another stream (the input was changed) mean nothing here: that stream is read from its start
    if (position !== 'LAST_STOPPED_POINT' || app.checkpointStream !== this.inputArn) app.checkpoints = {};
    app.checkpointStream = this.inputArn;
    const stream = parseStreamArn(this.inputArn).name;
    this.unsubscribe = this.opts.kinesis.onRecords?.(stream, () => {
      // a put while the runner is busy must not be missed: the next idle returns at once
      this.woken = true;
      this.wake?.();
    });
    this.loop = this.run().catch((error: unknown) => this.opts.onFailure?.(error));
  }

  /**
   * Stops reading, delivers what was read (for up to `drainMs`, by default the timing's drainTimeoutMs), and
   * resolves when checkpoints are final.
   */
  async stop(drainMs = this.opts.timing.drainTimeoutMs): Promise<void> {
    this.drainMs = Math.min(this.drainMs, drainMs);
    if (!this.stopping) {
      this.stopping = true;
      this.stopRequestedAt = this.opts.clock.now();
      this.unsubscribe?.();
      this.wake?.();
    }
    await this.loop;
  }

  private defaultStart(shard: ShardInfo): Checkpoint {
    const { position, requestedAt } = this.opts;
    // a child shard holds only records written after its parents closed
    if (shard.ParentShardId && this.shards.has(shard.ParentShardId)) return { start: 'TRIM_HORIZON' };
    if (position === 'NOW') return { start: 'AT_TIMESTAMP', timestamp: requestedAt };
    return { start: 'TRIM_HORIZON' };
  }

  private async refreshShards(): Promise<void> {
    const now = this.opts.clock.now();
    if (now - this.lastShardRefresh < this.opts.timing.shardRefreshMs) return;
    this.lastShardRefresh = now;
    const shards = await listShards(this.opts.kinesis, this.inputArn);
    for (const shard of shards) {
      if (this.shards.has(shard.ShardId)) continue;
      this.opts.app.checkpoints[shard.ShardId] ??= this.defaultStart(shard);
      this.shards.set(shard.ShardId, { id: shard.ShardId, closed: false, caughtUp: false, readyAt: 0 });
    }
    this.opts.onCheckpoint();
  }

  private async iteratorFor(reader: ShardReader): Promise<string> {
    if (reader.iterator) return reader.iterator;
    const checkpoint = this.opts.app.checkpoints[reader.id] ?? { start: 'TRIM_HORIZON' };
    const start: IteratorStart =
      'after' in checkpoint
        ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: checkpoint.after }
        : checkpoint.start === 'AT_TIMESTAMP'
          ? { type: 'AT_TIMESTAMP', timestamp: Math.min(checkpoint.timestamp, this.opts.clock.now()) }
          : { type: 'TRIM_HORIZON' };
    reader.iterator = await shardIterator(this.opts.kinesis, this.inputArn, reader.id, start);
    return reader.iterator;
  }

  private async run(): Promise<void> {
    const { clock, timing } = this.opts;
    while (!this.stopping) {
      let read = 0;
      let failure = false;
      try {
        await this.refreshShards();
        read = await this.readOnce();
      } catch (error) {
        // the input is not there (yet), or not readable: keep trying, as the service does
        failure = !isThrottle(error);
        if (!isThrottle(error) && !isMissingStream(error)) this.warnOnce(error);
        // whatever was read but not delivered is read again, from the checkpoints
        if (failure) for (const reader of this.shards.values()) reader.iterator = undefined;
      }
      const now = clock.now();
      if (now - this.lastAdvance >= timing.advanceIntervalMs) {
        this.lastAdvance = now;
        const advanced = this.sql.advance(this.rowtime(now));
        this.route(advanced.rows, advanced.errors);
        await this.deliver();
      }
      if (read === 0 && !this.stopping) {
        let poll = this.unsubscribe ? timing.notifiedPollIntervalMs : timing.pollIntervalMs;
        // windows close as time passes, so a windowed application looks at the clock more often
        if (this.windowed) poll = Math.min(poll, timing.advanceIntervalMs);
        if (failure) poll = Math.max(poll, timing.retryMaxMs);
        await this.idle(Math.max(1, Math.min(poll, this.nextReadyAt - clock.now())));
      }
    }
  }

  /** Reads every shard once; pushes what came in; delivers; moves the checkpoints. Returns the records read. */
  private async readOnce(): Promise<number> {
    const { clock, kinesis, app } = this.opts;
    const batch: {
      data: Uint8Array;
      arrivalTime: number;
      partitionKey: string;
      sequenceNumber: string;
      shardId: string;
    }[] = [];
    const lastSeq = new Map<string, string>();
    let behind = 0;
    if (this.woken) this.pollAll();
    this.woken = false;
    this.nextReadyAt = Number.POSITIVE_INFINITY;
    for (const reader of this.shards.values()) {
      if (reader.closed || reader.caughtUp) continue;
      if (reader.readyAt > clock.now()) {
        this.nextReadyAt = Math.min(this.nextReadyAt, reader.readyAt);
        continue;
      }
      let result: Awaited<ReturnType<KinesisPort['getRecords']>>;
      try {
        result = await kinesis.getRecords(await this.iteratorFor(reader));
      } catch (error) {
        if (isThrottle(error)) {
          this.metrics.throttledReads++;
          reader.readyAt = clock.now() + this.opts.timing.throttledReadBackoffMs;
          this.nextReadyAt = Math.min(this.nextReadyAt, reader.readyAt);
          continue;
        }
        // an expired or stale iterator: start again from the checkpoint next time
        reader.iterator = undefined;
        if (isMissingStream(error)) throw error;
        continue;
      }
      behind = Math.max(behind, result.MillisBehindLatest);
      if (result.MillisBehindLatest === 0) reader.caughtUp = true;
      if (result.NextShardIterator === undefined) reader.closed = true;
      else reader.iterator = result.NextShardIterator;
      for (const record of result.Records) {
        batch.push({
          data: record.Data,
          arrivalTime: record.ApproximateArrivalTimestamp,
          partitionKey: record.PartitionKey,
          sequenceNumber: record.SequenceNumber,
          shardId: reader.id,
        });
      }
      const last = result.Records[result.Records.length - 1];
      if (last) lastSeq.set(reader.id, last.SequenceNumber);
    }
    this.metrics.millisBehindLatest = behind;
    if (batch.length === 0) return 0;
    this.metrics.recordsRead += batch.length;
    // one in-application stream from several shards: merged by arrival (a stable sort keeps each shard's order)
    if (this.shards.size > 1) batch.sort((a, b) => a.arrivalTime - b.arrivalTime);
    const rowtime = this.rowtime(clock.now());
    let result: { rows: OutputRow[]; errors: ErrorRow[] };
    try {
      result = this.sql.push(batch);
    } catch (error) {
      // a fault of the engine on these records: report it like the service's error stream, and go on
      result = {
        rows: [],
        errors: [
          {
            stream: 'error_stream',
            ERROR_TIME: rowtime,
            ERROR_LEVEL: 'ERROR',
            ERROR_NAME: 'InternalError',
            MESSAGE: error instanceof Error ? error.message : String(error),
            DATA_ROW: '',
            DATA_ROWTIME: rowtime,
            PUMP_NAME: null,
          },
        ],
      };
    }
    this.route(result.rows, result.errors);
    if (!(await this.deliver())) {
      // not delivered before the stop gave up: leave the checkpoints, the next run reads these records again
      return batch.length;
    }
    for (const [shardId, seq] of lastSeq) app.checkpoints[shardId] = { after: seq };
    this.opts.onCheckpoint();
    return batch.length;
  }

  /** ROWTIME never goes back, even if the clock does. */
  private rowtime(now: number): number {
    this.lastRowtime = Math.max(this.lastRowtime, now);
    return this.lastRowtime;
  }

  private route(rows: OutputRow[], errors: ErrorRow[]): void {
    if (errors.length > 0) {
      this.opts.errors.add(errors);
      for (const destination of this.byStream.get(ERROR_STREAM) ?? []) {
        for (const error of errors) this.enqueue(destination, errorRowAsOutput(error));
      }
    }
    for (const row of rows) {
      const destinations = this.byStream.get(row.stream);
      if (!destinations) continue;
      for (const destination of destinations) {
        const fault = this.opts.faults?.next();
        if (fault === 'drop') continue;
        let target = destination;
        if (fault === 'misroute') {
          const others = this.destinations.filter(
            (d) =>
              d.streamArn !== destination.streamArn &&
              resolveOutputStream(this.compiled, d.output.Name) !== ERROR_STREAM,
          );
          const other = others[0];
          if (other) target = other;
          else this.opts.faults?.cancel('misroute');
        }
        this.enqueue(target, row, destination);
        if (fault === 'duplicate') this.enqueue(target, row, destination);
      }
    }
  }

  /** Serializes with the columns of the stream the row came from (a misrouted row keeps its own shape). */
  private enqueue(destination: Destination, row: OutputRow, source: Destination = destination): void {
    let data: Uint8Array;
    try {
      data = this.opts.engine.serializeRow(row, source.output.DestinationSchema, source.columns);
    } catch (error) {
      // a row its destination format cannot hold is an error of the application, not a reason to stop it
      const now = this.rowtime(this.opts.clock.now());
      this.opts.errors.add([
        {
          stream: 'error_stream',
          ERROR_TIME: now,
          ERROR_LEVEL: 'ERROR',
          ERROR_NAME: 'Serialization_Error',
          MESSAGE: `${source.output.Name}: ${error instanceof Error ? error.message : String(error)}`,
          DATA_ROW: Buffer.from(JSON.stringify(row.values, (_, v) => (typeof v === 'bigint' ? String(v) : v))).toString(
            'hex',
          ),
          DATA_ROWTIME: row.rowtime,
          PUMP_NAME: null,
        },
      ]);
      return;
    }
    destination.queue.push({ data, partitionKey: row.partitionKey ?? randomBytes(8).toString('hex') });
  }

  /** Puts every queued row; false when a stop gave up waiting. */
  private async deliver(): Promise<boolean> {
    for (const destination of this.destinations) {
      if (!(await this.flush(destination))) return false;
    }
    return true;
  }

  private async flush(destination: Destination): Promise<boolean> {
    const { kinesis, clock, timing } = this.opts;
    const name = destination.output.Name;
    let wait = timing.retryBaseMs;
    // after a batch Kinesis refused as a whole (say, a record over its size limit), records go one at a time
    let single = false;
    while (destination.queue.length > 0) {
      const batch = takeBatch(destination.queue, single ? 1 : MAX_BATCH_RECORDS);
      let failed: typeof batch = [];
      try {
        const result = await kinesis.putRecords({ StreamARN: destination.streamArn }, batch);
        result.Records.forEach((entry, i) => {
          if ('ErrorCode' in entry) failed.push(batch[i]!);
        });
      } catch (error) {
        if (isThrottle(error) || isMissingStream(error)) failed = batch;
        else if (batch.length > 1) {
          single = true;
          destination.queue.unshift(...batch);
          continue;
        } else {
          this.refused(destination, batch[0]!, error);
          continue;
        }
      }
      this.metrics.rowsDelivered[name] = (this.metrics.rowsDelivered[name] ?? 0) + batch.length - failed.length;
      if (failed.length === 0) {
        wait = timing.retryBaseMs;
        continue;
      }
      this.metrics.throttledPuts += failed.length;
      // failed records go back first, in their order, so each partition key keeps its order
      destination.queue.unshift(...failed);
      if (this.stopping && clock.now() - this.stopRequestedAt >= this.drainMs) {
        destination.queue.length = 0;
        return false;
      }
      await clock.sleep(wait * (0.5 + Math.random() / 2));
      wait = Math.min(wait * 2, timing.retryMaxMs);
    }
    return true;
  }

  /** A row Kinesis will never take: it goes to the error stream's count instead of blocking its destination. */
  private refused(destination: Destination, entry: { data: Uint8Array }, error: unknown): void {
    const now = this.rowtime(this.opts.clock.now());
    this.opts.errors.add([
      {
        stream: 'error_stream',
        ERROR_TIME: now,
        ERROR_LEVEL: 'ERROR',
        ERROR_NAME: 'Destination_Write_Error',
        MESSAGE: `${destination.output.Name} -> ${destination.streamArn}: ${error instanceof Error ? error.message : String(error)}`,
        DATA_ROW: Buffer.from(entry.data).toString('hex'),
        DATA_ROWTIME: now,
        PUMP_NAME: null,
      },
    ]);
  }

  private readonly warned = new Set<string>();

  private warnOnce(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (this.warned.has(message)) return;
    this.warned.add(message);
    process.emitWarning(`Kinesis Analytics twin: application ${this.opts.app.name} cannot read its input: ${message}`);
  }

  private pollAll(): void {
    for (const reader of this.shards.values()) reader.caughtUp = false;
  }

  private idle(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const handle = this.opts.clock.setTimeout(() => {
        this.wake = undefined;
        this.pollAll();
        resolve();
      }, ms);
      this.wake = () => {
        this.wake = undefined;
        this.opts.clock.clearTimeout(handle);
        resolve();
      };
    });
  }
}

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

function errorRowAsOutput(error: ErrorRow): OutputRow {
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

/**
 * The next PutRecords batch: at most one record per partition key, the first one queued. A record that fails
 * (throttled) goes back to the head of the queue, and no later record of its key can have landed before it in the
 * same call, so each key keeps its order whatever Kinesis admits. Records of other keys may pass it.
 */
export function takeBatch<T extends { data: Uint8Array; partitionKey: string }>(
  queue: T[],
  maxRecords = MAX_BATCH_RECORDS,
): T[] {
  const batch: T[] = [];
  const rest: T[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  let i = 0;
  for (; i < queue.length && i < MAX_BATCH_SCAN && batch.length < maxRecords; i++) {
    const entry = queue[i]!;
    const size = entry.data.length + entry.partitionKey.length;
    if (seen.has(entry.partitionKey) || (bytes + size > MAX_BATCH_BYTES && batch.length > 0)) {
      seen.add(entry.partitionKey);
      rest.push(entry);
      continue;
    }
    seen.add(entry.partitionKey);
    bytes += size;
    batch.push(entry);
  }
  queue.splice(0, i, ...rest);
  return batch;
}

function isMissingStream(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'ResourceNotFoundException';
}
