/**
 * Kinesis stream destinations, written with the fan-out's PutRecords writer through the in-process PutRecords of the
 * Kinesis twin (./writer-destination.ts: calls of at most 500 records and 5 MiB, each key in order, retried until they
 * land or a stop gives up).
 */
import type { KinesisPut, PutOutcome } from '../../../src/fanout/writer';
import { invalidConfiguration } from '../errors';
import { contextFor, type KinesisPort, parseStreamArn } from '../kinesis-port';
import type { DestinationKind } from '.';
import { writerDestination } from './writer-destination';

/** The in-process PutRecords of the Kinesis twin as the writer's port. */
function kinesisPut(kinesis: KinesisPort): KinesisPut {
  return {
    async putRecords(streamArn, entries) {
      const result = await kinesis.putRecords({ StreamARN: streamArn }, [...entries]);
      return result.Records.map(
        (r): PutOutcome =>
          'ErrorCode' in r ? { ok: false, errorCode: r.ErrorCode, errorMessage: r.ErrorMessage } : { ok: true },
      );
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
  open: (output, target, ctx, counters) =>
    writerDestination('KinesisStreams', output, target.ResourceARN, kinesisPut(ctx.kinesis), ctx, counters),
};
