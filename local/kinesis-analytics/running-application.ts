/**
 * The data plane of one running application: rounds of reading the input (input-reader.ts), handing the records to
 * the compiled SQL in order of arrival (ROWTIME = the record's arrival time in Kinesis, which the engine keeps from
 * going back, so a record read after its window closed joins the next one; the engine also makes it
 * APPROXIMATE_ARRIVAL_TIME), routing the rows (router.ts) and delivering them (destinations/). Delivery is at least
 * once and in order per partition key; reading waits while a destination retries (back-pressure, as Kinesis
 * Analytics does). A shard's checkpoint moves only once the rows of its records have all been delivered to every
 * destination, so a LAST_STOPPED_POINT restart repeats nothing and loses nothing; with several destinations it
 * resumes from the slowest one (failover-checkpoint.md).
 */
import type { ErrorRow, OutputRow, Runner } from '../../src/streaming-sql';
import type { Clock } from '../clock';
import type { ApplicationCounters, RunMetrics } from './counters';
import { newRunMetrics } from './counters';
import { type DeliveryContext, type Destination, destinationOf } from './destinations';
import { type SqlEngine, withDefaultMappings } from './engine';
import { type ErrorLog, errorRow } from './error-stream';
import type { FaultInjector } from './faults';
import type { FirehosePort } from './firehose-port';
import { type CheckpointSink, InputReader, type InputRecord, isMissingStream } from './input-reader';
import { jsonDocuments } from './json-documents';
import { isThrottle, type KinesisPort } from './kinesis-port';
import type { LambdaPort } from './lambda-port';
import { InputPreprocessor } from './preprocessing';
import { OutputRouter } from './router';
import type { ApplicationState, StartingPosition } from './state';
import type { RunnerTiming } from './timing';

export interface RunningApplicationOptions {
  app: ApplicationState;
  position: StartingPosition;
  requestedAt: number;
  kinesis: KinesisPort;
  lambda?: LambdaPort | undefined;
  firehose?: FirehosePort | undefined;
  engine: SqlEngine;
  clock: Clock;
  timing: RunnerTiming;
  errors: ErrorLog;
  counters: ApplicationCounters;
  faults?: FaultInjector | undefined;
  /** Where the checkpoints of the input are kept (the store). */
  saveCheckpoints: CheckpointSink;
  /** Called when the runner gives up on a fault of the twin (it keeps the application RUNNING, like AWS). */
  onFailure?(error: unknown): void;
}

export class RunningApplication {
  readonly metrics: RunMetrics = newRunMetrics();
  private readonly sql: Runner;
  private readonly reader: InputReader;
  private readonly router: OutputRouter;
  private readonly destinations: Destination[];
  private readonly windowed: boolean;
  private readonly inputId: string;
  private readonly preprocessor: InputPreprocessor | undefined;
  /** JSON input: a preprocessed record may hold several documents, each a record for the SQL. */
  private readonly splitDocuments: boolean;
  /** Aborted when a stop has waited long enough for undelivered rows. */
  private readonly giveUp = new AbortController();
  private readonly drainTimers: unknown[] = [];
  private stopping = false;
  private stopRequestedAt = 0;
  private loop: Promise<void> | undefined;
  private lastAdvance = 0;
  private lastRowtime = 0;
  private readonly warned = new Set<string>();

  constructor(private readonly opts: RunningApplicationOptions) {
    const { app, engine } = opts;
    const input = app.inputs[0];
    if (!input?.KinesisStreamsInputDescription) throw new Error(`application ${app.name} has no Kinesis stream input`);
    if (app.code === undefined) throw new Error(`application ${app.name} has no code`);
    this.inputId = input.InputId;
    const processor = input.InputProcessingConfigurationDescription?.InputLambdaProcessorDescription;
    if (processor && !opts.lambda)
      throw new Error(`application ${app.name} has a preprocessing function and no Lambda`);
    this.preprocessor =
      processor && opts.lambda
        ? new InputPreprocessor({
            functionArn: processor.ResourceARN,
            applicationArn: app.arn,
            streamArn: input.KinesisStreamsInputDescription.ResourceARN,
            lambda: opts.lambda,
            clock: opts.clock,
            timing: opts.timing,
            counters: opts.counters.input(input.InputId),
            rowtime: () => this.rowtime(opts.clock.now()),
          })
        : undefined;
    this.splitDocuments = input.InputSchema.RecordFormat.RecordFormatType === 'JSON';
    const compiled = engine.compile(app.code, {
      schema: withDefaultMappings(input.InputSchema),
      namePrefix: input.NamePrefix,
    });
    this.sql = compiled.createRunner();
    this.windowed = (compiled.pumps ?? []).some((pump) => pump.windowMs !== undefined);
    const rowtime = () => this.rowtime(opts.clock.now());
    const delivery: DeliveryContext = {
      kinesis: opts.kinesis,
      lambda: opts.lambda,
      firehose: opts.firehose,
      clock: opts.clock,
      timing: opts.timing,
      applicationArn: app.arn,
      errors: opts.errors,
      rowtime,
      run: this.metrics,
    };
    this.destinations = app.outputs.map((output) => {
      const { kind, target } = destinationOf(output);
      return kind.open(output, target, delivery, opts.counters.output(output.OutputId));
    });
    this.router = new OutputRouter({
      compiled,
      destinations: this.destinations,
      engine,
      errors: opts.errors,
      faults: opts.faults,
      rowtime,
    });
    this.reader = new InputReader({
      streamArn: input.KinesisStreamsInputDescription.ResourceARN,
      position: opts.position,
      requestedAt: opts.requestedAt,
      checkpoints: app.checkpoints,
      checkpointStream: app.checkpointStream,
      saveCheckpoints: opts.saveCheckpoints,
      kinesis: opts.kinesis,
      clock: opts.clock,
      timing: opts.timing,
      onThrottledRead: () => this.metrics.throttledReads++,
    });
  }

  /** Starts reading; the checkpoints of a NOW or TRIM_HORIZON run start afresh. */
  start(): void {
    this.reader.start();
    this.loop = this.run().catch((error: unknown) => this.opts.onFailure?.(error));
  }

  /**
   * Stops reading, delivers what was read (for up to `drainMs`, by default the timing's drainTimeoutMs), and
   * resolves when checkpoints are final.
   */
  async stop(drainMs = this.opts.timing.drainTimeoutMs): Promise<void> {
    const { clock } = this.opts;
    if (!this.stopping) {
      this.stopping = true;
      this.stopRequestedAt = clock.now();
      this.reader.stop();
    }
    const left = Math.max(0, this.stopRequestedAt + drainMs - clock.now());
    this.drainTimers.push(clock.setTimeout(() => this.giveUp.abort(), left));
    await this.loop;
    for (const timer of this.drainTimers) clock.clearTimeout(timer);
  }

  private async run(): Promise<void> {
    const { clock, timing } = this.opts;
    while (!this.stopping) {
      let read = 0;
      let failure = false;
      try {
        read = await this.round();
      } catch (error) {
        // the input is not there (yet), or not readable: keep trying, as the service does
        failure = !isThrottle(error);
        if (!isThrottle(error) && !isMissingStream(error)) this.warnOnce(error);
        // whatever was read but not delivered is read again, from the checkpoints
        if (failure) this.reader.rewind();
      }
      const now = clock.now();
      if (now - this.lastAdvance >= timing.advanceIntervalMs) {
        this.lastAdvance = now;
        const advanced = this.sql.advance(this.rowtime(now));
        this.router.route(advanced.rows, advanced.errors);
        await this.deliver();
      }
      if (read === 0 && !this.stopping) {
        let poll = this.reader.notified ? timing.notifiedPollIntervalMs : timing.pollIntervalMs;
        // windows close as time passes, so a windowed application looks at the clock more often
        if (this.windowed) poll = Math.min(poll, timing.advanceIntervalMs);
        if (failure) poll = Math.max(poll, timing.retryMaxMs);
        await this.reader.idle(poll);
      }
    }
  }

  /** One round: read every shard once, push what came in, deliver, move the checkpoints. Returns the records read. */
  private async round(): Promise<number> {
    const round = await this.reader.read();
    this.metrics.millisBehindLatest = this.reader.millisBehindLatest;
    this.opts.counters.millisBehindLatest = this.reader.millisBehindLatest;
    const records = round.records;
    if (records.length === 0) return 0;
    this.metrics.recordsRead += records.length;
    const input = this.opts.counters.input(this.inputId);
    input.records += records.length;
    input.bytes += records.reduce((sum, r) => sum + r.data.byteLength, 0);
    let toSql = records;
    if (this.preprocessor) {
      const processed = await this.preprocessor.process(records, this.giveUp.signal);
      // the function never answered well before the stop gave up: these records are read again next run
      if (!processed) return records.length;
      if (processed.errors.length > 0) this.router.reportErrors(processed.errors);
      toSql = this.splitDocuments ? processed.records.flatMap(documentsOf) : processed.records;
    }
    this.router.route(...this.push(toSql));
    // not delivered before the stop gave up: leave the checkpoints, the next run reads these records again
    if (await this.deliver()) this.reader.commit(round);
    return records.length;
  }

  private push(records: InputRecord[]): [OutputRow[], ErrorRow[]] {
    if (records.length === 0) return [[], []];
    try {
      const result = this.sql.push(records);
      return [result.rows, result.errors];
    } catch (error) {
      // a fault of the engine on these records: report it like the service's error stream, and go on
      const rowtime = this.rowtime(this.opts.clock.now());
      return [[], [errorRow('InternalError', error instanceof Error ? error.message : String(error), '', rowtime)]];
    }
  }

  /** Delivers every destination's queue; false when a stop gave up waiting. */
  private async deliver(): Promise<boolean> {
    for (const destination of this.destinations) {
      if (!(await destination.deliver(this.giveUp.signal))) return false;
    }
    return true;
  }

  /** ROWTIME never goes back, even if the clock does. */
  private rowtime(now: number): number {
    this.lastRowtime = Math.max(this.lastRowtime, now);
    return this.lastRowtime;
  }

  private warnOnce(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (this.warned.has(message)) return;
    this.warned.add(message);
    process.emitWarning(`Kinesis Analytics twin: application ${this.opts.app.name} cannot read its input: ${message}`);
  }
}

/** One record per JSON document of a preprocessed record's data (usually just the one). */
function documentsOf(record: InputRecord): InputRecord[] {
  const text = Buffer.from(record.data).toString('utf8');
  const documents = jsonDocuments(text);
  if (documents.length === 1) return [record];
  return documents.map((document) => ({ ...record, data: Buffer.from(document) }));
}
