/**
 * The labelled schema sample both engines put into an empty input stream before they discover its schema
 * (sql/fanout.sample.json, one partition key, USERNAME starting `fanout-schema-sample`).
 */
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { FanoutConfig } from '../config';
import { SCHEMA_SAMPLE_PARTITION_KEY } from '../schema-sample';
import { SchemaDiscoveryError } from './errors';

/**
 * Discovery found no record to infer the schema from.
 *
 * @param config - the stage: a stream the stack created got `samplePut` sample records first; one the user brings none
 * @param reader - who reads the stream (for the hint)
 */
export function emptyInputError(
  config: Pick<FanoutConfig, 'inputStreamArn' | 'fanout'>,
  samplePut: number,
  reader: string,
): SchemaDiscoveryError {
  const stream = config.inputStreamArn;
  if (!config.fanout.input.created) {
    return new SchemaDiscoveryError(
      `The input stream ${stream} holds no record to discover its schema from; it is yours (input.arn), so the ` +
        `lifecycle puts nothing into it: start your producer (or put a few records), then run again`,
    );
  }
  return new SchemaDiscoveryError(
    `The input stream ${stream} still looks empty after putting ${samplePut} sample records; ` +
      `check that the stream is ACTIVE and that ${reader} may read it`,
  );
}

/**
 * Puts the sample records into the input stream.
 *
 * @param kinesis - the Kinesis client
 * @param streamArn - the input stream
 * @param sample - the records, each written as one JSON record
 * @returns how many records were put
 * @throws SchemaDiscoveryError when there is nothing to put; an error named after Kinesis's ErrorCode (for example
 *   ProvisionedThroughputExceededException, which the state machine retries) when records are refused
 */
export async function putSchemaSample(
  kinesis: KinesisClient,
  streamArn: string,
  sample: readonly Record<string, unknown>[],
): Promise<number> {
  if (sample.length === 0) {
    throw new SchemaDiscoveryError('The input stream is empty and there are no sample records to put into it');
  }
  const encoder = new TextEncoder();
  const response = await kinesis.send(
    new PutRecordsCommand({
      StreamARN: streamArn,
      Records: sample.map((record) => ({
        Data: encoder.encode(JSON.stringify(record)),
        PartitionKey: SCHEMA_SAMPLE_PARTITION_KEY,
      })),
    }),
  );
  const failed = response.FailedRecordCount ?? 0;
  if (failed > 0) {
    const first = response.Records?.find((r) => r.ErrorCode);
    const error = new Error(`${failed} of ${sample.length} sample records were rejected: ${first?.ErrorMessage}`);
    // Keep the Kinesis error name, so the state machine's Retry on throughput errors applies.
    error.name = first?.ErrorCode ?? 'ProvisionedThroughputExceededException';
    throw error;
  }
  return sample.length;
}
