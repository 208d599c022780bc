/**
 * The running applications of one twin: checks that an application can run before StartApplication succeeds,
 * starts, stops and reconfigures them in order per application, and keeps what outlives a run: each application's
 * error-stream log, its counters (metrics) and its fault injector.
 */
import type { Clock } from '../clock';
import { type Authorizer, IamError, type Principal } from '../iam';
import { kinesisAs } from '../iam/guard';
import { ApplicationCounters, type ApplicationMetrics, type RunMetrics } from './counters';
import { destinationOf } from './destinations';
import { requireStream } from './destinations/kinesis-stream';
import { type SqlEngine, withDefaultMappings } from './engine';
import { ErrorLog } from './error-stream';
import { invalidConfiguration, toServiceError } from './errors';
import { FaultInjector, type Faults } from './faults';
import type { FirehosePort } from './firehose-port';
import type { KinesisPort } from './kinesis-port';
import { type LambdaPort, requireFunction } from './lambda-port';
import type { DataPlane } from './lifecycle';
import { resolveOutputStream } from './router';
import { RunningApplication } from './running-application';
import type { ApplicationState, StartingPosition } from './state';
import type { ApplicationStore } from './store';
import type { RunnerTiming } from './timing';

export interface DataPlaneOptions {
  kinesis: KinesisPort;
  /** The Lambda twin, for Lambda destinations and input preprocessing. */
  lambda?: LambdaPort | undefined;
  /** The Firehose twin, for Firehose destinations. */
  firehose?: FirehosePort | undefined;
  engine: SqlEngine;
  clock: Clock;
  timing: RunnerTiming;
  faults?: Faults | undefined;
  /** Where checkpoints are kept. */
  store: ApplicationStore;
  /** IAM: an application reads its input with the input's RoleARN and writes each output with that output's. */
  iam?: Authorizer | undefined;
}

/** How long closing the twin waits for undelivered rows. */
const CLOSE_DRAIN_MS = 1000;

export class RunningApplications implements DataPlane {
  private readonly running = new Map<string, RunningApplication>();
  private readonly errorLogs = new Map<string, ErrorLog>();
  private readonly counters = new Map<string, ApplicationCounters>();
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

  errors(name: string): ErrorLog {
    return getOrCreate(this.errorLogs, name, () => new ErrorLog());
  }

  /** The counters of the current run (null-ish when not running): the errors route's `Metrics`. */
  metrics(name: string): RunMetrics | undefined {
    return this.running.get(name)?.metrics;
  }

  /** Every counter of the application over the twin's life, by AWS metric name (counters.ts). */
  applicationMetrics(app: ApplicationState): ApplicationMetrics {
    const counters = getOrCreate(this.counters, app.name, () => new ApplicationCounters());
    return counters.snapshot(app, this.errors(app.name).count, this.running.has(app.name));
  }

  async check(app: ApplicationState): Promise<void> {
    const { kinesis, lambda, firehose, engine } = this.opts;
    const input = app.inputs[0];
    if (!input) throw invalidConfiguration(`Application ${app.name} has no input`);
    if (!input.KinesisStreamsInputDescription) {
      throw invalidConfiguration(
        'The twin reads Kinesis streams only; this input is a Kinesis Firehose delivery stream',
      );
    }
    const processor = input.InputProcessingConfigurationDescription?.InputLambdaProcessorDescription;
    if (processor) await requireFunction(lambda, processor.ResourceARN, 'input preprocessing function');
    if (app.referenceDataSources.length > 0) {
      throw invalidConfiguration(
        'The twin loads no Amazon S3 reference data into applications yet; remove the reference data source to run',
      );
    }
    let compiled: ReturnType<SqlEngine['compile']>;
    try {
      compiled = engine.compile(app.code ?? '', {
        schema: withDefaultMappings(input.InputSchema),
        namePrefix: input.NamePrefix,
      });
    } catch (error) {
      throw toServiceError(error);
    }
    await requireStream(kinesis, input.KinesisStreamsInputDescription.ResourceARN, 'input');
    for (const output of app.outputs) {
      const { kind, target } = destinationOf(output);
      if (!resolveOutputStream(compiled, output.Name)) {
        const known = compiled.outputs.map((o) => o.name).join(', ') || 'none';
        throw invalidConfiguration(
          `Output ${output.OutputId} names in-application stream ${output.Name}, which the application code does not create (it creates: ${known})`,
        );
      }
      await kind.check(output, target, { kinesis, lambda, firehose });
    }
    this.checkRoles(app);
  }

  /** The role sessions an application calls Kinesis with: its input's role, and each Kinesis output's. */
  private sessions(app: ApplicationState): { reader: Principal | undefined; writers: Map<string, Principal> } {
    const iam = this.opts.iam;
    const writers = new Map<string, Principal>();
    for (const output of app.outputs) {
      const o = output.KinesisStreamsOutputDescription;
      const who = o && iam?.session(o.RoleARN, app.name);
      if (o && who) writers.set(o.ResourceARN, who);
    }
    return { reader: iam?.session(app.inputs[0]?.KinesisStreamsInputDescription?.RoleARN, app.name), writers };
  }

  /**
   * What Kinesis Analytics needs of the application's roles before it starts: read the input with the input's
   * role, write each output with its role (the actions of the service's documented policies: a Kinesis stream's
   * DescribeStream and PutRecords, a delivery stream's DescribeDeliveryStream and PutRecordBatch, a function's
   * InvokeFunction and GetFunctionConfiguration). A denial refuses the start, naming the destination and the role,
   * with AWS's AccessDenied text. (Preprocessing functions are invoked without a role check: not evaluated yet.)
   */
  private checkRoles(app: ApplicationState): void {
    const iam = this.opts.iam;
    if (!iam) return;
    const { reader } = this.sessions(app);
    const input = app.inputs[0]!.KinesisStreamsInputDescription!;
    const needs: { who: Principal | undefined; action: string; resource: string; what: string; role: string }[] = [
      ...['kinesis:DescribeStream', 'kinesis:GetShardIterator', 'kinesis:GetRecords', 'kinesis:ListShards'].map(
        (action) => ({ who: reader, action, resource: input.ResourceARN, what: 'read the input', role: input.RoleARN }),
      ),
    ];
    for (const output of app.outputs) {
      const [o, actions] = output.KinesisStreamsOutputDescription
        ? [output.KinesisStreamsOutputDescription, ['kinesis:DescribeStream', 'kinesis:PutRecords']]
        : output.KinesisFirehoseOutputDescription
          ? [output.KinesisFirehoseOutputDescription, ['firehose:DescribeDeliveryStream', 'firehose:PutRecordBatch']]
          : output.LambdaOutputDescription
            ? [output.LambdaOutputDescription, ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration']]
            : [undefined, []];
      if (!o) continue;
      const who = iam.session(o.RoleARN, app.name);
      for (const action of actions) {
        const what = `write the output ${output.Name} to`;
        needs.push({ who, action, resource: o.ResourceARN, what, role: o.RoleARN });
      }
    }
    for (const need of needs) {
      try {
        iam.check(need.who, need, 'aws-json');
      } catch (error) {
        if (!(error instanceof IamError)) throw error;
        throw invalidConfiguration(
          `Kinesis Analytics cannot ${need.what} ${need.resource} with role ${need.role}: ${error.message}`,
        );
      }
    }
  }

  start(app: ApplicationState, position: StartingPosition, requestedAt: number): void {
    this.after(app.name, async () => this.launch(app, position, requestedAt));
  }

  stop(app: ApplicationState): Promise<void> {
    return this.after(app.name, async () => {
      const running = this.running.get(app.name);
      this.running.delete(app.name);
      await running?.stop();
    });
  }

  reconfigure(app: ApplicationState): void {
    this.after(app.name, async () => {
      const running = this.running.get(app.name);
      this.running.delete(app.name);
      await running?.stop();
      if (app.status === 'RUNNING') this.launch(app, 'LAST_STOPPED_POINT', this.opts.clock.now());
    });
  }

  remove(name: string): void {
    this.errorLogs.delete(name);
    this.injectors.delete(name);
    this.counters.delete(name);
  }

  /** Stops every running application (the twin is closing); checkpoints stay where the outputs are. */
  async close(): Promise<void> {
    // a destination that takes nothing must not hold the twin's shutdown for long; undelivered rows are read again
    await Promise.all([...this.running.values()].map((running) => running.stop(CLOSE_DRAIN_MS)));
    this.running.clear();
  }

  private launch(app: ApplicationState, position: StartingPosition, requestedAt: number): void {
    const { store } = this.opts;
    const stream = app.inputs[0]?.KinesisStreamsInputDescription?.ResourceARN ?? '';
    const { reader, writers } = this.sessions(app);
    try {
      const running = new RunningApplication({
        app,
        position,
        requestedAt,
        kinesis: kinesisAs(this.opts.kinesis, this.opts.iam, {
          reader,
          writer: (stream) => (stream.StreamARN ? writers.get(stream.StreamARN) : undefined),
        }),
        lambda: this.opts.lambda,
        firehose: this.opts.firehose,
        engine: this.opts.engine,
        clock: this.opts.clock,
        timing: this.opts.timing,
        errors: this.errors(app.name),
        counters: getOrCreate(this.counters, app.name, () => new ApplicationCounters()),
        faults: this.faults ? getOrCreate(this.injectors, app.name, () => new FaultInjector(this.faults!)) : undefined,
        saveCheckpoints: (moved, replace) => store.moveCheckpoints(app, stream, moved, replace),
        onFailure: (error) => warn(app.name, error),
      });
      this.running.set(app.name, running);
      running.start();
    } catch (error) {
      warn(app.name, error);
    }
  }

  private after(name: string, step: () => Promise<void>): Promise<void> {
    const next = (this.pending.get(name) ?? Promise.resolve()).then(step, step);
    this.pending.set(name, next);
    return next;
  }
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

function warn(name: string, error: unknown): void {
  process.emitWarning(
    `Kinesis Analytics twin: application ${name} stopped processing: ${error instanceof Error ? error.stack : String(error)}`,
  );
}
