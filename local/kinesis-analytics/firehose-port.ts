/**
 * What the Kinesis Analytics twin uses of the Firehose twin (local/firehose): PutRecordBatch and
 * DescribeDeliveryStream in process, typed as the SDK types them. `FirehoseTwin` satisfies it.
 */
import type { DescribeDeliveryStreamInput, PutRecordBatchInput, PutRecordBatchOutput } from '@aws-sdk/client-firehose';
import { parseDeliveryStreamArn } from '../../src/destinations';
import { invalidConfiguration } from './errors';

export interface FirehosePort {
  /** Answers per record (FailedPutCount); throws when the call fails as a whole. */
  putRecordBatch(input: PutRecordBatchInput): Promise<Pick<PutRecordBatchOutput, 'RequestResponses'>>;
  /** Throws ResourceNotFoundException when there is no such delivery stream. */
  describeDeliveryStream(input: DescribeDeliveryStreamInput): unknown;
}

/**
 * Throws InvalidApplicationConfigurationException unless `arn` names a delivery stream of the Firehose twin; `role`
 * says what the application uses it for.
 */
export async function requireDeliveryStream(
  firehose: FirehosePort | undefined,
  arn: string,
  role: string,
): Promise<void> {
  const name = parseDeliveryStreamArn(arn);
  if (name === undefined) throw invalidConfiguration(`The ${role} ${arn} is not a Firehose delivery stream ARN`);
  if (!firehose) throw invalidConfiguration(`The ${role} ${arn} cannot be written: this twin runs no Firehose`);
  try {
    await firehose.describeDeliveryStream({ DeliveryStreamName: name });
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException')
      throw invalidConfiguration(`The ${role} ${arn} does not exist`);
    throw error;
  }
}
