/**
 * Kinesis stream destinations, written with the fan-out's PutRecords writer (src/fanout/writer.ts): calls of at most
 * 500 records and 5 MiB, one record per partition key per call so each key keeps its order whatever Kinesis admits,
 * throttled records retried with backoff on the twin's clock until they land (back-pressure, as Kinesis Analytics
 * does) or a stop gives up; a record Kinesis refuses for what it is goes on the error stream.
 */
import { type KinesisPut, KinesisWriter, type PutOutcome } from '../../../src/fanout/writer';
import type { DeliveryCounters } from '../counters';
import { errorRow, hex } from '../error-stream';
import { invalidConfiguration } from '../errors';
import { contextFor, type KinesisPort, parseStreamArn } from '../kinesis-port';
import type { Destination, DestinationKind } from '.';

/** The in-process PutRecords of the Kinesis twin as the writer's port; counts calls that took everything or not. */
function kinesisPut(kinesis: KinesisPort, counters: DeliveryCounters): KinesisPut {
  return {
    async putRecords(streamArn, entries) {
      let result: Awaited<ReturnType<KinesisPort['putRecords']>>;
      try {
        result = await kinesis.putRecords({ StreamARN: streamArn }, [...entries]);
      } catch (error) {
        counters.failures++;
        throw error;
      }
      const outcomes = result.Records.map(
        (r): PutOutcome =>
          'ErrorCode' in r ? { ok: false, errorCode: r.ErrorCode, errorMessage: r.ErrorMessage } : { ok: true },
      );
      if (outcomes.every((o) => o.ok)) counters.successes++;
      else counters.failures++;
      return outcomes;
    },
  };
}

/** Throws InvalidApplicationConfigurationException naming `role` when the stream does not exist. */
export async function requireStream(kinesis: KinesisPort, arn: string, role: string): Promise<void> {
  try {
    await kinesis.handle('DescribeStreamSummary', { StreamName: parseStreamArn(arn).name }, contextFor(arn));
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw invalidConfiguration(`The ${role} stream ${arn} does not exist`);
    }
    throw error;
  }
}

export const kinesisStreamDelivery: DestinationKind = {
  name: 'KinesisStreams',
  member: 'KinesisStreamsOutputDescription',
  check: (output, target, { kinesis }) => requireStream(kinesis, target.ResourceARN, `output ${output.Name}`),
  open(output, target, ctx, counters): Destination {
    const { clock, timing, run, errors } = ctx;
    const writer = new KinesisWriter({
      port: kinesisPut(ctx.kinesis, counters),
      retry: { maxAttempts: Number.POSITIVE_INFINITY, baseDelayMs: timing.retryBaseMs, maxDelayMs: timing.retryMaxMs },
      sleep: (ms) => clock.sleep(ms),
    });
    const arn = target.ResourceARN;
    const queue: Destination['queue'] = [];
    return {
      output,
      kind: 'KinesisStreams',
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
          const rowtime = ctx.rowtime();
          const message = `${output.Name} -> ${arn}: ${refused.errorMessage}`;
          errors.add([errorRow('Destination_Write_Error', message, hex(records[refused.tag]!.data), rowtime)]);
        }
        // failed records remain only when the stop gave up: they are read again from the checkpoint
        return result.failed.length === 0;
      },
    };
  },
};
