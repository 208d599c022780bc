/**
 * The twin's own counters of an application, kept over the twin's life (across stops, starts and updates), named
 * after the metrics Kinesis Analytics put in CloudWatch (monitoring-metrics.md, namespace AWS/KinesisAnalytics):
 * per input (dimensions Flow=Input, Id=<InputId>) Records, Bytes and the InputProcessing.* of a preprocessing
 * function; per output (Flow=Output, Id=<OutputId>) Records, Bytes, Success and the LambdaDelivery.* of a Lambda
 * destination; for the application MillisBehindLatest; and, the twin's own, the rows put on the error stream.
 * `KinesisAnalyticsTwin.metrics(name)` reads them in process (for a CloudWatch twin).
 */
import type { ApplicationState } from './state';

/** What one input read and its preprocessing function did. */
export interface InputCounters {
  records: number;
  bytes: number;
  /** InputProcessing.*: records the function answered Ok (and their bytes), Dropped, ProcessingFailed. */
  okRecords: number;
  okBytes: number;
  droppedRecords: number;
  processingFailedRecords: number;
  /** Invocations that succeeded (InputProcessing.Success) and that failed (retried), and their time. */
  invocations: number;
  failedInvocations: number;
  durationMs: number;
}

/** What one destination delivered. */
export interface DeliveryCounters {
  records: number;
  bytes: number;
  /** Delivery attempts (PutRecords calls, invocations) that took every record they carried (Success = 1), or not. */
  successes: number;
  failures: number;
  /** LambdaDelivery.*: records the function acknowledged Ok / DeliveryFailed (or did not acknowledge). */
  okRecords: number;
  deliveryFailedRecords: number;
  durationMs: number;
}

/** The counters of one run of an application, as the errors route has shown them (`Metrics`). */
export interface RunMetrics {
  recordsRead: number;
  rowsDelivered: Record<string, number>;
  throttledPuts: number;
  throttledReads: number;
  millisBehindLatest: number;
}

export function newRunMetrics(): RunMetrics {
  return { recordsRead: 0, rowsDelivered: {}, throttledPuts: 0, throttledReads: 0, millisBehindLatest: 0 };
}

/** `KinesisAnalyticsTwin.metrics(name)`: every counter of one application, by AWS metric name and dimension. */
export interface ApplicationMetrics {
  ApplicationName: string;
  ApplicationStatus: ApplicationState['status'];
  /** Application level: how far behind the tip of its input the slowest shard is read (0 when not running). */
  MillisBehindLatest: number;
  /** Rows put on the in-application error stream (the twin's own counter; AWS has no such metric). */
  ErrorStreamRows: number;
  Inputs: {
    Id: string;
    Records: number;
    Bytes: number;
    InputProcessing?: {
      OkRecords: number;
      OkBytes: number;
      DroppedRecords: number;
      ProcessingFailedRecords: number;
      Success: number;
      Failed: number;
      DurationMs: number;
    };
  }[];
  Outputs: {
    Id: string;
    /** The in-application stream it persists. */
    Name: string;
    Destination: 'KinesisStreams' | 'KinesisFirehose' | 'Lambda';
    Records: number;
    Bytes: number;
    Success: number;
    Failed: number;
    LambdaDelivery?: { OkRecords: number; DeliveryFailedRecords: number; DurationMs: number };
  }[];
}

/** An input's counters before its first record (also what a one-off preprocessing run, as discovery's, counts into). */
export const zeroInput = (): InputCounters => ({
  records: 0,
  bytes: 0,
  okRecords: 0,
  okBytes: 0,
  droppedRecords: 0,
  processingFailedRecords: 0,
  invocations: 0,
  failedInvocations: 0,
  durationMs: 0,
});

const zeroDelivery = (): DeliveryCounters => ({
  records: 0,
  bytes: 0,
  successes: 0,
  failures: 0,
  okRecords: 0,
  deliveryFailedRecords: 0,
  durationMs: 0,
});

/** The counters of one application, by input and output id. */
export class ApplicationCounters {
  millisBehindLatest = 0;
  private readonly inputs = new Map<string, InputCounters>();
  private readonly outputs = new Map<string, DeliveryCounters>();

  input(id: string): InputCounters {
    let counters = this.inputs.get(id);
    if (!counters) {
      counters = zeroInput();
      this.inputs.set(id, counters);
    }
    return counters;
  }

  output(id: string): DeliveryCounters {
    let counters = this.outputs.get(id);
    if (!counters) {
      counters = zeroDelivery();
      this.outputs.set(id, counters);
    }
    return counters;
  }

  /** The metrics of `app` as configured now (inputs and outputs it no longer has are left out). */
  snapshot(app: ApplicationState, errorStreamRows: number, running: boolean): ApplicationMetrics {
    return {
      ApplicationName: app.name,
      ApplicationStatus: app.status,
      MillisBehindLatest: running ? this.millisBehindLatest : 0,
      ErrorStreamRows: errorStreamRows,
      Inputs: app.inputs.map((input) => {
        const c = this.inputs.get(input.InputId) ?? zeroInput();
        return {
          Id: input.InputId,
          Records: c.records,
          Bytes: c.bytes,
          ...(input.InputProcessingConfigurationDescription
            ? {
                InputProcessing: {
                  OkRecords: c.okRecords,
                  OkBytes: c.okBytes,
                  DroppedRecords: c.droppedRecords,
                  ProcessingFailedRecords: c.processingFailedRecords,
                  Success: c.invocations,
                  Failed: c.failedInvocations,
                  DurationMs: c.durationMs,
                },
              }
            : {}),
        };
      }),
      Outputs: app.outputs.map((output) => {
        const c = this.outputs.get(output.OutputId) ?? zeroDelivery();
        const destination = output.LambdaOutputDescription
          ? 'Lambda'
          : output.KinesisFirehoseOutputDescription
            ? 'KinesisFirehose'
            : 'KinesisStreams';
        return {
          Id: output.OutputId,
          Name: output.Name,
          Destination: destination,
          Records: c.records,
          Bytes: c.bytes,
          Success: c.successes,
          Failed: c.failures,
          ...(destination === 'Lambda'
            ? {
                LambdaDelivery: {
                  OkRecords: c.okRecords,
                  DeliveryFailedRecords: c.deliveryFailedRecords,
                  DurationMs: c.durationMs,
                },
              }
            : {}),
        };
      }),
    };
  }
}
