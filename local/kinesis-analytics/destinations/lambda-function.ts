/**
 * Lambda function destinations (how-it-works-output-lambda.md): the function receives the rows as records with a
 * recordId, a retryHint and base64 data, and acknowledges each Ok or DeliveryFailed. The rows go through the
 * fan-out's writer (./writer-destination.ts) on the Lambda port of src/destinations, the one the lambda engine
 * writes `function:` outputs with: records the function fails, leaves out or answers for under another id are sent
 * again (same recordId, retryHint + 1) after a backoff on the twin's clock, until every record is Ok or a stop gives
 * up; an invocation that fails as a whole (a function error, a throttle) fails all its records. An invocation carries
 * at most one row of each partition key and a key's next row waits for the one before it, so a retry never lets a
 * later row of the key overtake an earlier one. Rows are delivered as each round of input is processed (AWS batched
 * them about once a second).
 */
import { lambdaPut } from '../../../src/destinations';
import type { KinesisPut } from '../../../src/fanout/writer';
import type { Clock } from '../../clock';
import type { DeliveryCounters } from '../counters';
import { describeError } from '../error-stream';
import { invalidConfiguration } from '../errors';
import { requireFunction } from '../lambda-port';
import type { DestinationKind } from '.';
import { writerDestination } from './writer-destination';

/** `port`, counting LambdaDelivery.OkRecords / DeliveryFailedRecords / Duration and warning once per problem. */
function lambdaCounted(
  port: KinesisPut,
  counters: DeliveryCounters,
  clock: Clock,
  warn: (problem: string) => void,
): KinesisPut {
  return {
    async putRecords(arn, entries) {
      const startedAt = clock.now();
      try {
        const outcomes = await port.putRecords(arn, entries);
        const ok = outcomes.filter((o) => o.ok).length;
        counters.okRecords += ok;
        counters.deliveryFailedRecords += outcomes.length - ok;
        const failed = outcomes.find((o) => !o.ok);
        if (failed && !failed.ok) warn(failed.errorMessage);
        return outcomes;
      } catch (error) {
        counters.deliveryFailedRecords += entries.length;
        warn(describeError(error));
        throw error;
      } finally {
        counters.durationMs += clock.now() - startedAt;
      }
    },
  };
}

export const lambdaFunctionDelivery: DestinationKind = {
  name: 'Lambda',
  member: 'LambdaOutputDescription',
  async check(output, target, { lambda }) {
    await requireFunction(lambda, target.ResourceARN, `destination function of output ${output.Name}`);
  },
  open(output, target, ctx, counters) {
    const arn = target.ResourceARN;
    const lambda = ctx.lambda;
    if (!lambda) throw invalidConfiguration(`No Lambda service to deliver output ${output.Name} to ${arn}`);
    const warned = new Set<string>();
    const warn = (problem: string) => {
      if (warned.has(problem)) return;
      warned.add(problem);
      process.emitWarning(
        `Kinesis Analytics twin: ${ctx.applicationArn} cannot deliver output ${output.Name} to ${arn}, retrying: ${problem}`,
      );
    };
    const port = lambdaPut((fn, payload) => lambda.invoke(fn, payload), { applicationArn: ctx.applicationArn });
    return writerDestination('Lambda', output, arn, lambdaCounted(port, counters, ctx.clock, warn), ctx, counters);
  },
};
