/**
 * Lambda function destinations (how-it-works-output-lambda.md): the function receives the rows as records with a
 * recordId, a retryHint and base64 data, and acknowledges each Ok or DeliveryFailed. Records it fails, leaves out
 * or answers for with another id are sent again (retryHint + 1) after a backoff on the twin's clock, until every
 * record is Ok or a stop gives up; an invocation that fails as a whole fails all its records. Rows are delivered as
 * each round of input is processed (AWS batched them about once a second).
 */
import { randomUUID } from 'node:crypto';
import type { DeliveryCounters } from '../counters';
import { describeError } from '../error-stream';
import { invalidConfiguration } from '../errors';
import { invocationChunks, type OutputDeliveryEvent, parseAnswer } from '../lambda-events';
import { requireFunction } from '../lambda-port';
import { retryDelayMs } from '../timing';
import type { DeliveryContext, Destination, DestinationKind, OutgoingRecord } from '.';

interface Pending {
  recordId: string;
  record: OutgoingRecord;
  retryHint: number;
}

export const lambdaFunctionDelivery: DestinationKind = {
  name: 'Lambda',
  member: 'LambdaOutputDescription',
  async check(output, target, { lambda }) {
    await requireFunction(lambda, target.ResourceARN, `destination function of output ${output.Name}`);
  },
  open(output, target, ctx, counters): Destination {
    const arn = target.ResourceARN;
    const queue: OutgoingRecord[] = [];
    const warned = new Set<string>();
    const warn = (problem: string) => {
      if (warned.has(problem)) return;
      warned.add(problem);
      process.emitWarning(
        `Kinesis Analytics twin: ${ctx.applicationArn} cannot deliver output ${output.Name} to ${arn}, retrying: ${problem}`,
      );
    };
    return {
      output,
      kind: 'Lambda',
      arn,
      queue,
      async deliver(giveUp) {
        let pending: Pending[] = queue.splice(0).map((record) => ({ recordId: randomUUID(), record, retryHint: 0 }));
        for (let retry = 0; pending.length > 0; retry++) {
          if (retry > 0) {
            if (giveUp.aborted) return false;
            await ctx.clock.sleep(retryDelayMs(ctx.timing, retry));
            if (giveUp.aborted) return false;
            ctx.run.throttledPuts += pending.length;
          }
          const failed: Pending[] = [];
          for (const chunk of invocationChunks(pending, (p) => p.record.data.byteLength)) {
            failed.push(...(await invoke(ctx, arn, chunk, counters, output.Name, warn)));
          }
          for (const p of failed) p.retryHint++;
          pending = failed;
        }
        return true;
      },
    };
  },
};

/** One invocation; returns the records not acknowledged Ok. */
async function invoke(
  ctx: DeliveryContext,
  arn: string,
  chunk: Pending[],
  counters: DeliveryCounters,
  outputName: string,
  warn: (problem: string) => void,
): Promise<Pending[]> {
  const lambda = ctx.lambda;
  if (!lambda) throw invalidConfiguration(`No Lambda service to deliver output ${outputName} to ${arn}`);
  const event: OutputDeliveryEvent = {
    invocationId: randomUUID(),
    applicationArn: ctx.applicationArn,
    records: chunk.map((p) => ({
      recordId: p.recordId,
      lambdaDeliveryRecordMetadata: { retryHint: p.retryHint },
      data: Buffer.from(p.record.data).toString('base64'),
    })),
  };
  const startedAt = ctx.clock.now();
  let results: Map<string, unknown>;
  try {
    const answer = await lambda.invoke(arn, JSON.stringify(event));
    if (answer.functionError)
      throw new Error(`the function failed (${answer.functionError}): ${answer.payload.slice(0, 300)}`);
    const records = parseAnswer(answer.payload)?.['records'];
    if (!Array.isArray(records)) throw new Error(`the answer has no records list: ${answer.payload.slice(0, 300)}`);
    results = new Map(
      records.map((r) => [String((r as { recordId?: unknown })?.recordId), (r as { result?: unknown })?.result]),
    );
  } catch (error) {
    counters.durationMs += ctx.clock.now() - startedAt;
    counters.failures++;
    counters.deliveryFailedRecords += chunk.length;
    warn(describeError(error));
    return chunk;
  }
  counters.durationMs += ctx.clock.now() - startedAt;
  const failed = chunk.filter((p) => results.get(p.recordId) !== 'Ok');
  const ok = chunk.length - failed.length;
  counters.okRecords += ok;
  counters.deliveryFailedRecords += failed.length;
  counters.records += ok;
  counters.bytes += chunk.reduce(
    (sum, p) => sum + (results.get(p.recordId) === 'Ok' ? p.record.data.byteLength : 0),
    0,
  );
  if (failed.length === 0) counters.successes++;
  else counters.failures++;
  ctx.run.rowsDelivered[outputName] = (ctx.run.rowsDelivered[outputName] ?? 0) + ok;
  return failed;
}
