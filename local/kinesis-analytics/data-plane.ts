/**
 * The runners of all running applications: checks that an application can run before StartApplication succeeds,
 * starts, stops and reconfigures runners in order per application, and keeps each application's error-stream
 * counts for the twin's errors route.
 */
import type { Clock } from '../clock';
import { AwsServiceError } from '../service';
import type { ApplicationState, StartingPosition } from './application';
import { type DataPlane, toServiceError } from './control-plane';
import { type SqlEngine, withDefaultMappings } from './engine';
import { FaultInjector, type Faults } from './faults';
import { contextFor, type KinesisPort, parseStreamArn } from './kinesis-port';
import { ApplicationRunner, ErrorLog, type RunnerMetrics, type RunnerTiming, resolveOutputStream } from './runner';

export interface DataPlaneOptions {
  kinesis: KinesisPort;
  engine: SqlEngine;
  clock: Clock;
  timing: RunnerTiming;
  faults?: Faults;
  /** Called when checkpoints moved. */
  onChange(): void;
}

/** How long closing the twin waits for undelivered rows. */
const CLOSE_DRAIN_MS = 1000;

const invalidConfig = (message: string) => new AwsServiceError('InvalidApplicationConfigurationException', message);

export class RunnerPool implements DataPlane {
  private readonly runners = new Map<string, ApplicationRunner>();
  private readonly errorLogs = new Map<string, ErrorLog>();
  /** Per application, the last start/stop/reconfigure in progress, so they happen one after the other. */
  private readonly pending = new Map<string, Promise<void>>();
  private readonly faults: Faults | undefined;
  /** Per application, so each application's share of faulty rows is exact on its own. */
  private readonly injectors = new Map<string, FaultInjector>();

  constructor(private readonly opts: DataPlaneOptions) {
    const faults = opts.faults;
    this.faults = faults && Object.values(faults).some((f) => (f ?? 0) > 0) ? faults : undefined;
  }

  /** Output rows of an application hit by injected faults so far, by kind (all zero without faults). */
  faultsInjected(name: string): Record<string, number> {
    return { ...(this.injectors.get(name)?.injected ?? { drop: 0, duplicate: 0, misroute: 0 }) };
  }

  private injector(name: string): FaultInjector | undefined {
    if (!this.faults) return undefined;
    let injector = this.injectors.get(name);
    if (!injector) {
      injector = new FaultInjector(this.faults);
      this.injectors.set(name, injector);
    }
    return injector;
  }

  errors(name: string): ErrorLog {
    let log = this.errorLogs.get(name);
    if (!log) {
      log = new ErrorLog();
      this.errorLogs.set(name, log);
    }
    return log;
  }

  metrics(name: string): RunnerMetrics | undefined {
    return this.runners.get(name)?.metrics;
  }

  async check(app: ApplicationState): Promise<void> {
    const input = app.inputs[0];
    if (!input) throw invalidConfig(`Application ${app.name} has no input`);
    if (!input.KinesisStreamsInputDescription) {
      throw invalidConfig('The twin reads Kinesis streams only; this input is a Kinesis Firehose delivery stream');
    }
    if (input.InputProcessingConfigurationDescription) {
      throw invalidConfig(
        'The twin does not run input preprocessing Lambda functions; remove the processing configuration',
      );
    }
    if (app.referenceDataSources.length > 0) {
      throw invalidConfig('The twin has no Amazon S3, so reference data sources cannot be loaded; remove it to run');
    }
    let compiled: ReturnType<SqlEngine['compile']>;
    try {
      compiled = this.opts.engine.compile(app.code ?? '', {
        schema: withDefaultMappings(input.InputSchema),
        namePrefix: input.NamePrefix,
      });
    } catch (error) {
      throw toServiceError(error);
    }
    await this.requireStream(input.KinesisStreamsInputDescription.ResourceARN, 'input');
    for (const output of app.outputs) {
      const arn = output.KinesisStreamsOutputDescription?.ResourceARN;
      if (!arn) {
        throw invalidConfig(`Output ${output.OutputId} (${output.Name}): the twin writes to Kinesis streams only`);
      }
      if (!resolveOutputStream(compiled, output.Name)) {
        const known = compiled.outputs.map((o) => o.name).join(', ') || 'none';
        throw invalidConfig(
          `Output ${output.OutputId} names in-application stream ${output.Name}, which the application code does not create (it creates: ${known})`,
        );
      }
      await this.requireStream(arn, `output ${output.Name}`);
    }
  }

  start(app: ApplicationState, position: StartingPosition, requestedAt: number): void {
    this.after(app.name, async () => this.launch(app, position, requestedAt));
  }

  stop(app: ApplicationState): Promise<void> {
    return this.after(app.name, async () => {
      const runner = this.runners.get(app.name);
      this.runners.delete(app.name);
      await runner?.stop();
      this.opts.onChange();
    });
  }

  reconfigure(app: ApplicationState): void {
    this.after(app.name, async () => {
      const runner = this.runners.get(app.name);
      this.runners.delete(app.name);
      await runner?.stop();
      if (app.status === 'RUNNING') this.launch(app, 'LAST_STOPPED_POINT', this.opts.clock.now());
    });
  }

  remove(name: string): void {
    this.errorLogs.delete(name);
    this.injectors.delete(name);
  }

  /** Stops every runner (the twin is closing); checkpoints stay where the outputs are. */
  async close(): Promise<void> {
    // a destination that takes nothing must not hold the twin's shutdown for long; undelivered rows are read again
    await Promise.all([...this.runners.values()].map((runner) => runner.stop(CLOSE_DRAIN_MS)));
    this.runners.clear();
  }

  private launch(app: ApplicationState, position: StartingPosition, requestedAt: number): void {
    try {
      const runner = new ApplicationRunner({
        app,
        position,
        requestedAt,
        kinesis: this.opts.kinesis,
        engine: this.opts.engine,
        clock: this.opts.clock,
        timing: this.opts.timing,
        errors: this.errors(app.name),
        ...(this.faults ? { faults: this.injector(app.name)! } : {}),
        onCheckpoint: () => this.opts.onChange(),
        onFailure: (error) => warn(app.name, error),
      });
      this.runners.set(app.name, runner);
      runner.start();
    } catch (error) {
      warn(app.name, error);
    }
  }

  private after(name: string, step: () => Promise<void>): Promise<void> {
    const next = (this.pending.get(name) ?? Promise.resolve()).then(step, step);
    this.pending.set(name, next);
    return next;
  }

  private async requireStream(arn: string, role: string): Promise<void> {
    try {
      await this.opts.kinesis.handle(
        'DescribeStreamSummary',
        { StreamName: parseStreamArn(arn).name },
        contextFor(arn),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ResourceNotFoundException') {
        throw invalidConfig(`The ${role} stream ${arn} does not exist`);
      }
      throw error;
    }
  }
}

function warn(name: string, error: unknown): void {
  process.emitWarning(
    `Kinesis Analytics twin: application ${name} stopped processing: ${error instanceof Error ? error.stack : String(error)}`,
  );
}
