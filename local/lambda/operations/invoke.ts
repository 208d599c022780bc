/**
 * Invoke: RequestResponse, Event (accepted, run in the background) and DryRun, on `$LATEST`, a version or an
 * alias (an alias with a routing configuration sends each invocation to one of its versions by weight).
 */
import type { InvocationRequest, InvocationResponse } from '@aws-sdk/client-lambda';
import { errors } from '../errors';
import { type InvokeFaults, withDeliveryFailed } from '../faults';
import { FunctionGoneError, type InvokeResult } from '../function';
import type { FunctionRecord, FunctionVersion, LambdaStore } from '../store';

/** Lambda's limit for a synchronous invocation's payload. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const LOG_RESULT_BYTES = 4096;

/** The version an invocation runs: an alias with weights picks one of its versions at random, by weight. */
function pick(store: LambdaStore, record: FunctionRecord, qualifier: string | undefined): FunctionVersion {
  const alias = qualifier === undefined ? undefined : record.aliases.get(qualifier);
  if (alias) {
    let r = Math.random();
    for (const [version, weight] of Object.entries(alias.weights)) {
      r -= weight;
      if (r < 0) return store.version(record, version).version;
    }
  }
  return store.version(record, qualifier).version;
}

/**
 * Invokes a function synchronously with a JSON payload (text): the twin's one way in for Step Functions, event
 * source mappings and Kinesis Analytics. A function replaced while the call waited for an environment is invoked
 * in its new form, as Lambda routes new invocations to new environments.
 */
export async function invokeText(
  store: LambdaStore,
  nameOrArn: string,
  payload: string,
  qualifier?: string,
): Promise<InvokeResult> {
  for (let attempt = 0; ; attempt++) {
    const { record, qualifier: q } = store.find(nameOrArn, qualifier);
    try {
      return await pick(store, record, q).runtime.invoke(payload);
    } catch (error) {
      if (!(error instanceof FunctionGoneError) || attempt >= 3) throw error;
    }
  }
}

/**
 * Invoke with the SDK's request and response (plus the request id Lambda sends as a header). A RequestResponse
 * invocation of a function with injected faults (./faults.ts) may be throttled, answer a function error or have
 * records answered DeliveryFailed before the function runs.
 */
export async function invoke(
  store: LambdaStore,
  input: InvocationRequest,
  faults?: InvokeFaults,
): Promise<InvocationResponse & { RequestId?: string }> {
  const { record, qualifier } = store.find(input.FunctionName!, input.Qualifier);
  const bytes = input.Payload ?? new Uint8Array();
  if (bytes.length > MAX_PAYLOAD_BYTES) throw errors.tooLarge(bytes.length, MAX_PAYLOAD_BYTES);
  const payload = bytes.length === 0 ? '{}' : Buffer.from(bytes).toString('utf8');
  try {
    JSON.parse(payload);
  } catch {
    throw errors.badJson();
  }
  const type = input.InvocationType ?? 'RequestResponse';
  if (type === 'DryRun') return { StatusCode: 204 };
  if (type === 'Event') {
    void invokeText(store, record.arn, payload, qualifier).catch(() => undefined);
    return { StatusCode: 202 };
  }
  if (type !== 'RequestResponse') throw errors.invalid(`Invalid InvocationType: ${String(type)}`);
  const fault = faults?.decide(record.name, payload);
  if (fault?.kind === 'throttle') throw errors.tooManyRequests();
  if (fault?.kind === 'functionError')
    return {
      StatusCode: 200,
      Payload: Buffer.from(fault.payload),
      FunctionError: 'Unhandled',
      ExecutedVersion: '$LATEST',
    };
  if (fault?.kind === 'run' && !fault.invoke)
    return {
      StatusCode: 200,
      Payload: Buffer.from(withDeliveryFailed(undefined, fault.failed)),
      ExecutedVersion: '$LATEST',
    };
  const result = await invokeText(store, record.arn, fault?.payload ?? payload, qualifier);
  const answer =
    fault?.kind === 'run' && fault.failed.length > 0 && !result.functionError
      ? withDeliveryFailed(result.payload, fault.failed)
      : result.payload;
  return {
    StatusCode: 200,
    Payload: Buffer.from(answer),
    ExecutedVersion: result.executedVersion,
    RequestId: result.requestId,
    ...(result.functionError ? { FunctionError: result.functionError } : {}),
    ...(input.LogType === 'Tail'
      ? { LogResult: Buffer.from(Buffer.from(result.logs).subarray(-LOG_RESULT_BYTES)).toString('base64') }
      : {}),
  };
}
