/**
 * DiscoverInputSchema on the twin: samples the Kinesis stream the request names (from its oldest record, up to
 * SAMPLE_RECORDS across its shards) and hands the samples to the SQL engine's schema discovery.
 */
import { AwsServiceError } from '../service';
import type { SqlEngine } from './engine';
import { type KinesisPort, listShards, parseStreamArn, shardIterator } from './kinesis-port';
import { validateRequest } from './validation';

/** Roughly what the service sampled. */
export const SAMPLE_RECORDS = 100;

const KINESIS_STREAM_ARN = /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]{1,128}$/;

export async function discoverInputSchema(
  input: Record<string, unknown>,
  kinesis: KinesisPort,
  engine: Pick<SqlEngine, 'discoverSchema'>,
) {
  validateRequest('DiscoverInputSchema', input);
  if (input['S3Configuration'] !== undefined) {
    throw new AwsServiceError('InvalidArgumentException', 'The twin has no Amazon S3: discover from a Kinesis stream');
  }
  if (input['InputProcessingConfiguration'] !== undefined) {
    throw new AwsServiceError('InvalidArgumentException', 'The twin does not run input preprocessing Lambda functions');
  }
  const arn = input['ResourceARN'];
  if (typeof arn !== 'string') {
    throw new AwsServiceError('InvalidArgumentException', 'Specify ResourceARN (a Kinesis stream) and RoleARN');
  }
  if (input['RoleARN'] === undefined)
    throw new AwsServiceError('InvalidArgumentException', 'RoleARN is required with ResourceARN');
  if (!KINESIS_STREAM_ARN.test(arn)) {
    throw new AwsServiceError('InvalidArgumentException', `ResourceARN ${arn} is not a Kinesis stream ARN`);
  }
  const samples = await sample(kinesis, arn);
  if (samples.length === 0) {
    throw new AwsServiceError(
      'UnableToDetectSchemaException',
      `Kinesis stream ${parseStreamArn(arn).name} has no records to sample; put some records and retry`,
      400,
      { RawInputRecords: [], ProcessedInputRecords: [] },
    );
  }
  try {
    return engine.discoverSchema(samples);
  } catch (error) {
    if (error instanceof Error && error.name === 'UnableToDetectSchemaException') {
      const detail = error as Error & { rawInputRecords?: string[]; processedInputRecords?: string[] };
      throw new AwsServiceError('UnableToDetectSchemaException', error.message, 400, {
        RawInputRecords: detail.rawInputRecords ?? [],
        ProcessedInputRecords: detail.processedInputRecords ?? [],
      });
    }
    throw error;
  }
}

async function sample(kinesis: KinesisPort, arn: string): Promise<Uint8Array[]> {
  let shards: Awaited<ReturnType<typeof listShards>>;
  try {
    shards = await listShards(kinesis, arn);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw new AwsServiceError(
        'InvalidArgumentException',
        `Kinesis stream ${parseStreamArn(arn).name} does not exist (${arn})`,
      );
    }
    throw error;
  }
  const samples: Uint8Array[] = [];
  for (const shard of shards) {
    let iterator: string | undefined = await shardIterator(kinesis, arn, shard.ShardId, { type: 'TRIM_HORIZON' });
    while (iterator && samples.length < SAMPLE_RECORDS) {
      let page: Awaited<ReturnType<KinesisPort['getRecords']>>;
      try {
        page = await kinesis.getRecords(iterator, SAMPLE_RECORDS - samples.length);
      } catch (error) {
        if ((error as { name?: string }).name === 'ProvisionedThroughputExceededException') {
          throw new AwsServiceError(
            'ResourceProvisionedThroughputExceededException',
            `Reading ${arn} was throttled; retry`,
          );
        }
        throw error;
      }
      for (const record of page.Records) samples.push(Uint8Array.from(record.Data));
      if (page.Records.length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
    if (samples.length >= SAMPLE_RECORDS) break;
  }
  return samples;
}
