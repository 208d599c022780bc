/**
 * Lambda functions as a destination of the fan-out, with the contract Kinesis Analytics used for its Lambda outputs
 * (how-it-works-output-lambda.md), so one destination function serves both engines: the function is invoked
 * synchronously with
 *
 *   { invocationId, applicationArn, records: [{ recordId, lambdaDeliveryRecordMetadata: { retryHint }, data }] }
 *
 * (`data` base64) and answers `{ records: [{ recordId, result: 'Ok' | 'DeliveryFailed' }] }`. A record answered
 * DeliveryFailed, left out, or answered under an unknown id is a failed outcome; an invocation that fails as a whole
 * (a function error) fails every record of it. The writer (src/fanout/writer.ts) sends failed records again with
 * backoff, in each partition key's order; `retryHint` counts the earlier attempts of the record.
 */
import { randomUUID } from 'node:crypto';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { KinesisPut, PutEntry, PutOutcome } from '../fanout/writer';

export interface LambdaDeliveryRecord {
  readonly recordId: string;
  readonly lambdaDeliveryRecordMetadata: { readonly retryHint: number };
  /** The row, base64. */
  readonly data: string;
}

/** The event a destination function receives. */
export interface LambdaDeliveryEvent {
  readonly invocationId: string;
  readonly applicationArn: string;
  readonly records: readonly LambdaDeliveryRecord[];
}

/** What a destination function answers. */
export interface LambdaDeliveryAnswer {
  readonly records: readonly { readonly recordId: string; readonly result: 'Ok' | 'DeliveryFailed' }[];
}

/** A synchronous invocation's request payload may hold 6 MB; the writer's calls are split to stay under it. */
export const MAX_INVOCATION_PAYLOAD = 6 * 1024 * 1024;
/** The JSON around one record's base64 (recordId, metadata, quotes, commas), generously. */
const RECORD_OVERHEAD = 128;
const EVENT_OVERHEAD = 512;

/** An invocation that failed as a whole (Lambda's FunctionError, or an answer that is not the contract's). */
export class LambdaDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LambdaDeliveryError';
  }
}

function payloadBytes(entry: PutEntry): number {
  return Math.ceil(entry.data.byteLength / 3) * 4 + RECORD_OVERHEAD;
}

/** Splits entries into invocations whose payload stays under 6 MB, in order. */
export function invocationBatches(entries: readonly PutEntry[]): PutEntry[][] {
  const out: PutEntry[][] = [];
  let current: PutEntry[] = [];
  let bytes = EVENT_OVERHEAD;
  for (const entry of entries) {
    const size = payloadBytes(entry);
    if (current.length > 0 && bytes + size > MAX_INVOCATION_PAYLOAD) {
      out.push(current);
      current = [];
      bytes = EVENT_OVERHEAD;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Reads a destination function's answer: the result of each record id it names. */
export function parseDeliveryAnswer(payload: string): Map<string, string> {
  let answer: unknown;
  try {
    answer = JSON.parse(payload);
  } catch (error) {
    throw new LambdaDeliveryError(`The destination function's answer is not JSON: ${payload.slice(0, 200)}`, {
      cause: error,
    });
  }
  const records = (answer as { records?: unknown } | null)?.records;
  if (!Array.isArray(records))
    throw new LambdaDeliveryError(
      `The destination function's answer has no records array (expected {"records": [{"recordId", "result"}]}): ${payload.slice(0, 200)}`,
    );
  const results = new Map<string, string>();
  for (const r of records as { recordId?: unknown; result?: unknown }[])
    if (typeof r?.recordId === 'string') results.set(r.recordId, String(r.result));
  return results;
}

export interface LambdaPutOptions {
  /** Named in each event as `applicationArn`: the fan-out function's ARN or the application's name. */
  readonly applicationArn: string;
}

/** One synchronous invocation: the function's answer as text, and Lambda's FunctionError when it failed. */
export type InvokeFunction = (
  functionArn: string,
  payload: string,
) => Promise<{ readonly payload: string; readonly functionError?: string | undefined }>;

/**
 * The writer's port on synchronous Invoke of a destination function (the SDK's).
 *
 * @param client - the Lambda client (its endpoint comes from the environment)
 */
export function sdkLambdaPut(client: Pick<LambdaClient, 'send'>, options: LambdaPutOptions): KinesisPut {
  return lambdaPut(async (functionArn, payload) => {
    const response = await client.send(new InvokeCommand({ FunctionName: functionArn, Payload: Buffer.from(payload) }));
    return {
      payload: Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8'),
      functionError: response.FunctionError,
    };
  }, options);
}

/**
 * The writer's port on any synchronous invocation (the SDK's, or the Lambda twin's in process for Kinesis Analytics'
 * LambdaOutput). A record keeps its recordId across the writer's attempts, and its `retryHint` counts them.
 *
 * @param invoke - one invocation with the event as JSON text
 */
export function lambdaPut(invoke: InvokeFunction, options: LambdaPutOptions): KinesisPut {
  // the writer sends the same entry objects again: their id and earlier attempts go with them
  const sent = new WeakMap<PutEntry, { recordId: string; attempts: number }>();
  return {
    async putRecords(functionArn, entries) {
      const outcomes: PutOutcome[] = [];
      for (const batch of invocationBatches(entries)) {
        const records = batch.map((entry) => {
          const earlier = sent.get(entry) ?? { recordId: randomUUID(), attempts: 0 };
          sent.set(entry, { recordId: earlier.recordId, attempts: earlier.attempts + 1 });
          return {
            recordId: earlier.recordId,
            lambdaDeliveryRecordMetadata: { retryHint: earlier.attempts },
            data: Buffer.from(entry.data).toString('base64'),
          };
        });
        const event: LambdaDeliveryEvent = {
          invocationId: randomUUID(),
          applicationArn: options.applicationArn,
          records,
        };
        const answer = await invoke(functionArn, JSON.stringify(event));
        if (answer.functionError)
          throw new LambdaDeliveryError(
            `The destination function ${functionArn} failed (${answer.functionError}): ${answer.payload.slice(0, 300)}`,
          );
        const results = parseDeliveryAnswer(answer.payload);
        for (const r of records) {
          const result = results.get(r.recordId);
          outcomes.push(
            result === 'Ok'
              ? { ok: true }
              : {
                  ok: false,
                  errorCode: 'DeliveryFailed',
                  errorMessage:
                    result === undefined
                      ? `The destination function ${functionArn} did not answer for the record`
                      : `The destination function ${functionArn} answered ${result}`,
                },
          );
        }
      }
      return outcomes;
    },
  };
}
