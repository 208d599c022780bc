/**
 * Kinesis Data Firehose destinations (KinesisFirehoseOutput): rows go to the Firehose twin's PutRecordBatch through
 * the fan-out's Firehose port (src/destinations: calls of at most 500 records and 4 MiB), and the records of
 * FailedPutCount are sent again with backoff until every row is in, as Kinesis Analytics retried Firehose.
 */
import { firehosePut } from '../../../src/destinations';
import { invalidConfiguration } from '../errors';
import { requireDeliveryStream } from '../firehose-port';
import type { DestinationKind } from '.';
import { writerDestination } from './writer-destination';

export const firehoseDelivery: DestinationKind = {
  name: 'KinesisFirehose',
  member: 'KinesisFirehoseOutputDescription',
  check: (output, target, { firehose }) =>
    requireDeliveryStream(firehose, target.ResourceARN, `destination delivery stream of output ${output.Name}`),
  open(output, target, ctx, counters) {
    const firehose = ctx.firehose;
    if (!firehose) throw invalidConfiguration(`No Firehose to deliver output ${output.Name} to ${target.ResourceARN}`);
    const port = firehosePut((input) => firehose.putRecordBatch(input));
    return writerDestination('KinesisFirehose', output, target.ResourceARN, port, ctx, counters);
  },
};
