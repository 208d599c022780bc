/**
 * The Amazon Data Firehose twin: AWS JSON 1.1 `Firehose_20150804.*` for SDKs and the CLI, and an in-process API for
 * the other services of the twin (Kinesis Analytics' KinesisFirehoseOutput). Direct PUT streams with an extended
 * S3 destination (prefix, error prefix, buffering hints, no compression or GZIP) deliver into the S3 twin as objects
 * named like Firehose names them, when the buffer's size or interval is reached (./delivery.ts) and on shutdown.
 * Every delay is on the Clock; with a data dir, records are on disk before a put answers (./persistence.ts).
 */
import type {
  CreateDeliveryStreamInput,
  CreateDeliveryStreamOutput,
  DeleteDeliveryStreamInput,
  DescribeDeliveryStreamInput,
  DescribeDeliveryStreamOutput,
  ListDeliveryStreamsInput,
  ListDeliveryStreamsOutput,
  PutRecordBatchInput,
  PutRecordBatchOutput,
} from '@aws-sdk/client-firehose';
import { type Clock, systemClock } from '../clock';
import { checkShares } from '../faults';
import type { Authorizer } from '../iam';
import type { Answer } from '../sdk-shapes';
import { toWireJson } from '../sdk-shapes';
import type { AwsJsonService, RequestContext } from '../service';
import { Delivery, type ObjectSink } from './delivery';
import { errors } from './errors';
import type { FaultCounts, FirehoseFaults, OperationContext } from './operations/context';
import { putRecord, putRecordBatch } from './operations/records';
import {
  createDeliveryStream,
  deleteDeliveryStream,
  describeDeliveryStream,
  listDeliveryStreams,
} from './operations/streams';
import { listTagsForDeliveryStream, tagDeliveryStream, untagDeliveryStream } from './operations/tags';
import { FirehoseJournal } from './persistence';
import { FirehoseStore } from './store';
import { firehoseModel, validateInput } from './validation';

export type { ObjectSink } from './delivery';
export { objectKey } from './delivery';
export type { FaultCounts, FirehoseFaults } from './operations/context';

export interface FirehoseTwinOptions {
  /** Where objects are delivered (the S3 twin). */
  s3: ObjectSink;
  clock?: Clock;
  region?: string;
  /** Per-stream throughput quotas (default true). */
  limits?: boolean;
  /** CREATING -> ACTIVE and DELETING -> gone (ms of the Clock; default 0). */
  statusDelayMs?: number;
  /** Replaces every stream's buffering interval (ms): the twin's knob, 0 in tests (deliver at once). */
  bufferIntervalMs?: number;
  /** First delay before a failed delivery is tried again (ms, doubling up to a minute; default 1000). */
  retryMs?: number;
  /** Keep streams and undelivered records here across restarts (`<dataDir>/firehose/`). */
  dataDir?: string;
  /** With dataDir: answer puts once fdatasync'd (default) or once written. */
  fsync?: boolean;
  warn?: (message: string) => void;
  /** IAM: checks each call of a role session (a function's SigV4 key) before the operation runs. */
  iam?: Authorizer;
  /**
   * Test only: fault injection by delivery stream name, e.g. `{ archive: { failRecords: 0.25, throttleCalls: 0.1 } }`
   * (every 4th record answered ServiceUnavailableException in FailedPutCount, every 10th call refused whole). The
   * failed records are not buffered: a writer that sends them again delivers each once. `setFaults` changes them
   * later, `faultCounts` says what they did.
   */
  faults?: Readonly<Record<string, FirehoseFaults>>;
}

type Operation = (ctx: OperationContext, input: never) => unknown;

const operations: Record<string, Operation> = {
  CreateDeliveryStream: createDeliveryStream,
  DescribeDeliveryStream: describeDeliveryStream,
  ListDeliveryStreams: listDeliveryStreams,
  DeleteDeliveryStream: deleteDeliveryStream,
  PutRecord: putRecord,
  PutRecordBatch: putRecordBatch,
  TagDeliveryStream: tagDeliveryStream,
  UntagDeliveryStream: untagDeliveryStream,
  ListTagsForDeliveryStream: listTagsForDeliveryStream,
};

/** Operations of the Firehose API the twin does not serve (its model keeps only those it does). */
const NOT_SERVED = ['UpdateDestination', 'StartDeliveryStreamEncryption', 'StopDeliveryStreamEncryption'];

/** Operations whose input carries blobs: base64 on the wire, bytes for the operation. */
function decodeBlobs(operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const bytes = (r: { Data?: unknown }) => ({ ...r, Data: Buffer.from(String(r.Data ?? ''), 'base64') });
  if (operation === 'PutRecord') return { ...input, Record: bytes(input['Record'] as { Data?: unknown }) };
  if (operation === 'PutRecordBatch')
    return { ...input, Records: (input['Records'] as { Data?: unknown }[]).map(bytes) };
  return input;
}

export class FirehoseTwin implements AwsJsonService {
  readonly targetPrefix = 'Firehose_20150804';
  readonly jsonVersion = '1.1' as const;
  readonly model = firehoseModel;
  readonly region: string;
  private readonly store: FirehoseStore;
  private readonly delivery: Delivery;
  private readonly ctx: OperationContext;
  private readonly journal: FirehoseJournal | undefined;
  private readonly iam: Authorizer | undefined;

  constructor(opts: FirehoseTwinOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.iam = opts.iam;
    this.store = new FirehoseStore(opts.clock ?? systemClock, this.region);
    this.delivery = new Delivery(this.store, opts.s3, {
      ...(opts.bufferIntervalMs !== undefined ? { intervalMs: opts.bufferIntervalMs } : {}),
      ...(opts.retryMs !== undefined ? { retryMs: opts.retryMs } : {}),
      ...(opts.warn ? { warn: opts.warn } : {}),
    });
    this.ctx = {
      store: this.store,
      delivery: this.delivery,
      limits: opts.limits ?? true,
      statusDelayMs: opts.statusDelayMs ?? 0,
      faults: new Map(),
    };
    for (const [name, faults] of Object.entries(opts.faults ?? {})) this.setFaults(name, faults);
    if (opts.dataDir !== undefined) {
      this.journal = new FirehoseJournal(
        opts.dataDir,
        this.store,
        opts.fsync !== undefined ? { fsync: opts.fsync } : {},
      );
      this.store.journal = this.journal;
      // what a stopped twin still owed S3 goes out now
      for (const stream of this.store.streams.values()) this.delivery.scheduleAfterPut(stream);
    }
  }

  async handle(operation: string, input: Record<string, unknown>, ctx?: RequestContext): Promise<unknown> {
    if (!Object.hasOwn(operations, operation))
      throw errors.unknownOperation(
        NOT_SERVED.includes(operation)
          ? `The Firehose twin does not implement ${operation}.`
          : `Unknown operation Firehose_20150804.${operation}.`,
      );
    validateInput(operation, input);
    if (ctx?.principal && this.iam) {
      this.iam.authorize(ctx.principal, 'firehose', operation, input, { region: ctx.region });
    }
    const output = operations[operation]!(this.ctx, decodeBlobs(operation, input) as never);
    await this.journal?.commit();
    return toWireJson(output);
  }

  // ---- in process, typed as the SDK types it ----------------------------------------------------------------------

  createDeliveryStream(input: CreateDeliveryStreamInput): Answer<CreateDeliveryStreamOutput> {
    validateInput('CreateDeliveryStream', input as unknown as Record<string, unknown>);
    return createDeliveryStream(this.ctx, input);
  }

  describeDeliveryStream(input: DescribeDeliveryStreamInput): Answer<DescribeDeliveryStreamOutput> {
    return describeDeliveryStream(this.ctx, input);
  }

  listDeliveryStreams(input: ListDeliveryStreamsInput = {}): Answer<ListDeliveryStreamsOutput> {
    return listDeliveryStreams(this.ctx, input);
  }

  deleteDeliveryStream(input: DeleteDeliveryStreamInput): void {
    deleteDeliveryStream(this.ctx, input);
  }

  /** PutRecordBatch with bytes, answered once the records are durable (at once without a data dir). */
  async putRecordBatch(input: PutRecordBatchInput): Promise<Answer<PutRecordBatchOutput>> {
    const output = putRecordBatch(this.ctx, input);
    await this.journal?.commit();
    return output;
  }

  // ---- the twin's own --------------------------------------------------------------------------------------------

  /** Test only: fail a share of a stream's records and calls with ServiceUnavailableException (exact shares). */
  setFaults(name: string, faults: FirehoseFaults | undefined): void {
    if (faults === undefined) this.ctx.faults.delete(name);
    else
      this.ctx.faults.set(name, {
        faults: checkShares(`Firehose twin faults of ${name}`, faults),
        records: 0,
        calls: 0,
        injected: { failedRecords: 0, throttledCalls: 0 },
      });
  }

  /** Test only: the faults injected into a stream's puts since its faults were set (zeros when none are). */
  faultCounts(name: string): FaultCounts {
    return { ...(this.ctx.faults.get(name)?.injected ?? { failedRecords: 0, throttledCalls: 0 }) };
  }

  /** Delivers every stream's buffer now, whatever its hints; true when S3 took everything. */
  flush(): boolean {
    return this.delivery.drain();
  }

  /** What a stream holds and has delivered: for tests, the CLI and the console. */
  state(name: string): {
    status: string;
    buffered: number;
    bufferedBytes: number;
    objects: number;
    lastError?: string;
  } {
    const s = this.store.find(name);
    return {
      status: s.status,
      buffered: s.buffer.length,
      bufferedBytes: s.bufferBytes,
      objects: s.objects,
      ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
    };
  }

  /** `arn:aws:firehose:<region>:000000000000:deliverystream/<name>`. */
  streamArn(name: string): string {
    return this.store.arnOf(name);
  }

  /** Delivers what is buffered (shutdown), stops every timer and closes the journal. */
  async close(): Promise<void> {
    this.delivery.drain();
    for (const s of this.store.streams.values()) {
      if (s.statusTimer !== undefined) this.store.clock.clearTimeout(s.statusTimer);
      s.statusTimer = undefined;
    }
    await this.journal?.close();
  }
}
