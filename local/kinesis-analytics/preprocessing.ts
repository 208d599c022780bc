/**
 * Input preprocessing with a Lambda function (lambda-preprocessing.md): the records of each round go to the
 * function as base64 with their Kinesis metadata; every record must come back with its recordId and a result: Ok
 * (with the new data, which the SQL reads in its place; for JSON it may hold several documents, for CSV several
 * rows), Dropped (gone), or ProcessingFailed (a row on the error stream). An answer that breaks the contract (a
 * record missing, an unknown id, no result, Ok without data) or a failed invocation is retried on the same records,
 * after a backoff on the twin's clock, until the function answers well or a stop gives up.
 */
import { randomUUID } from 'node:crypto';
import type { ErrorRow } from '../../src/streaming-sql';
import type { Clock } from '../clock';
import type { InputCounters } from './counters';
import { describeError, errorRow, hex } from './error-stream';
import type { InputRecord } from './input-reader';
import { invocationChunks, parseAnswer, type StreamsPreprocessingEvent } from './lambda-events';
import type { LambdaPort } from './lambda-port';
import { type RunnerTiming, retryDelayMs } from './timing';

export interface PreprocessorOptions {
  functionArn: string;
  /** The application the records are for (none for DiscoverInputSchema). */
  applicationArn?: string | undefined;
  streamArn: string;
  lambda: LambdaPort;
  clock: Clock;
  timing: RunnerTiming;
  counters: InputCounters;
  rowtime(): number;
  /** Invocations per set of records before giving up (DiscoverInputSchema tries once); default until a stop. */
  attempts?: number;
}

/** What the function made of a round's records. */
export interface Preprocessed {
  /** The records answered Ok, with their new data, in the order they were read. */
  records: InputRecord[];
  /** Error-stream rows of the records answered ProcessingFailed. */
  errors: ErrorRow[];
}

const RESULTS = new Set(['Ok', 'Dropped', 'ProcessingFailed']);

export class InputPreprocessor {
  /** Why the last invocation that failed did (for DiscoverInputSchema's answer). */
  lastProblem: string | undefined;
  private readonly warned = new Set<string>();

  constructor(private readonly opts: PreprocessorOptions) {}

  /** Undefined when `giveUp` was aborted before the function answered for every record. */
  async process(records: readonly InputRecord[], giveUp: AbortSignal): Promise<Preprocessed | undefined> {
    const out: Preprocessed = { records: [], errors: [] };
    for (const chunk of invocationChunks(records, (r) => r.data.byteLength)) {
      const answered = await this.untilAnswered(chunk, giveUp);
      if (!answered) return undefined;
      out.records.push(...answered.records);
      out.errors.push(...answered.errors);
    }
    return out;
  }

  private async untilAnswered(records: InputRecord[], giveUp: AbortSignal): Promise<Preprocessed | undefined> {
    const attempts = this.opts.attempts ?? Number.POSITIVE_INFINITY;
    for (let retry = 0; retry < attempts; retry++) {
      if (retry > 0) {
        if (giveUp.aborted) return undefined;
        await this.opts.clock.sleep(retryDelayMs(this.opts.timing, retry));
        if (giveUp.aborted) return undefined;
      }
      const startedAt = this.opts.clock.now();
      try {
        const answer = await this.invoke(records);
        this.opts.counters.invocations++;
        return answer;
      } catch (error) {
        this.opts.counters.failedInvocations++;
        this.lastProblem = describeError(error);
        if (attempts === Number.POSITIVE_INFINITY) this.warn(this.lastProblem);
      } finally {
        this.opts.counters.durationMs += this.opts.clock.now() - startedAt;
      }
    }
    return undefined;
  }

  /** One invocation; throws when the function fails or its answer breaks the contract. */
  private async invoke(records: InputRecord[]): Promise<Preprocessed> {
    const { lambda, functionArn, counters } = this.opts;
    const event: StreamsPreprocessingEvent = {
      invocationId: randomUUID(),
      ...(this.opts.applicationArn !== undefined ? { applicationArn: this.opts.applicationArn } : {}),
      streamArn: this.opts.streamArn,
      records: records.map((r) => ({
        recordId: r.sequenceNumber,
        kinesisStreamRecordMetadata: {
          sequenceNumber: r.sequenceNumber,
          partitionKey: r.partitionKey,
          shardId: r.shardId,
          approximateArrivalTimestamp: r.arrivalTime,
        },
        data: Buffer.from(r.data).toString('base64'),
      })),
    };
    const answer = await lambda.invoke(functionArn, JSON.stringify(event));
    if (answer.functionError)
      throw new Error(`the function failed (${answer.functionError}): ${answer.payload.slice(0, 300)}`);
    const list = parseAnswer(answer.payload)?.['records'];
    if (!Array.isArray(list)) throw new Error(`the answer has no records list: ${answer.payload.slice(0, 300)}`);
    const byId = new Map<string, { result: string; data?: string }>();
    for (const item of list) {
      const { recordId, result, data } = (item ?? {}) as { recordId?: unknown; result?: unknown; data?: unknown };
      if (typeof recordId !== 'string' || typeof result !== 'string' || !RESULTS.has(result)) {
        throw new Error(
          `an answered record lacks a recordId or a result of Ok, Dropped or ProcessingFailed: ${JSON.stringify(item).slice(0, 200)}`,
        );
      }
      if (result === 'Ok' && typeof data !== 'string') throw new Error(`record ${recordId} is Ok without data`);
      byId.set(recordId, typeof data === 'string' ? { result, data } : { result });
    }
    const missing = records.filter((r) => !byId.has(r.sequenceNumber));
    if (missing.length > 0 || byId.size !== records.length) {
      throw new Error(
        `the answer does not hold every record sent, exactly (${missing.length} of ${records.length} missing, ${byId.size} answered)`,
      );
    }
    const out: Preprocessed = { records: [], errors: [] };
    for (const record of records) {
      const { result, data } = byId.get(record.sequenceNumber)!;
      if (result === 'Ok') {
        const bytes = Buffer.from(data!, 'base64');
        counters.okRecords++;
        counters.okBytes += bytes.byteLength;
        out.records.push({ ...record, data: bytes });
      } else if (result === 'Dropped') {
        counters.droppedRecords++;
      } else {
        counters.processingFailedRecords++;
        out.errors.push(
          errorRow(
            'Lambda_ProcessingFailed',
            `The preprocessing function ${functionArn} answered ProcessingFailed for record ${record.sequenceNumber} of ${record.shardId}`,
            hex(record.data),
            this.opts.rowtime(),
            record.arrivalTime,
          ),
        );
      }
    }
    return out;
  }

  private warn(problem: string): void {
    if (this.warned.has(problem)) return;
    this.warned.add(problem);
    process.emitWarning(
      `Kinesis Analytics twin: ${this.opts.applicationArn ?? 'DiscoverInputSchema'}: input preprocessing by ${this.opts.functionArn} failed, retrying the same records: ${problem}`,
    );
  }
}
