/**
 * A destination written with the fan-out's writer (src/fanout/writer.ts) through a port of its kind (Kinesis
 * PutRecords, Firehose PutRecordBatch): calls within the kind's limits, one record per partition key per call so each
 * key keeps its order whatever is refused, refused records retried with backoff on the twin's clock until they land
 * (back-pressure, as Kinesis Analytics does) or a stop gives up; a record refused for what it is goes on the error
 * stream.
 */
import { type KinesisPut, KinesisWriter, type PutOutcome } from '../../../src/fanout/writer';
import type { DeliveryCounters } from '../counters';
import { errorRow, hex } from '../error-stream';
import type { OutputDescription } from '../state';
import type { DeliveryContext, Destination, DestinationKind } from '.';

/** `port`, counting calls that took every record (successes) or not (failures). */
export function countedPut(port: KinesisPut, counters: DeliveryCounters): KinesisPut {
  return {
    async putRecords(arn, entries) {
      let outcomes: PutOutcome[];
      try {
        outcomes = await port.putRecords(arn, entries);
      } catch (error) {
        counters.failures++;
        throw error;
      }
      if (outcomes.every((o) => o.ok)) counters.successes++;
      else counters.failures++;
      return outcomes;
    },
  };
}

/** A destination of `kind` at `arn`, written through `port`. */
export function writerDestination(
  kind: DestinationKind['name'],
  output: OutputDescription,
  arn: string,
  port: KinesisPut,
  ctx: DeliveryContext,
  counters: DeliveryCounters,
): Destination {
  const { clock, timing, run, errors } = ctx;
  const writer = new KinesisWriter({
    port: countedPut(port, counters),
    retry: { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: timing.retryBaseMs, maxDelayMs: timing.retryMaxMs },
    sleep: (ms) => clock.sleep(ms),
  });
  const queue: Destination['queue'] = [];
  return {
    output,
    kind,
    arn,
    queue,
    async deliver(giveUp) {
      if (queue.length === 0) return true;
      const records = queue.splice(0);
      const result = await writer.write(
        arn,
        records.map((entry, tag) => ({ entry, tag })),
        giveUp,
      );
      const bytes = result.written.reduce((sum, tag) => sum + records[tag]!.data.byteLength, 0);
      counters.records += result.written.length;
      counters.bytes += bytes;
      run.rowsDelivered[output.Name] = (run.rowsDelivered[output.Name] ?? 0) + result.written.length;
      run.throttledPuts += result.retried;
      for (const refused of result.rejected) {
        const message = `${output.Name} -> ${arn}: ${refused.errorMessage}`;
        errors.add([errorRow('Destination_Write_Error', message, hex(records[refused.tag]!.data), ctx.rowtime())]);
      }
      // failed records remain only when the stop gave up: they are read again from the checkpoint
      return result.failed.length === 0;
    },
  };
}
