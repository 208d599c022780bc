/**
 * DiscoverInputSchema on the twin: samples the Kinesis stream the request names (from its oldest record, up to
 * SAMPLE_RECORDS across its shards) and hands the samples to the SQL engine's schema discovery.
 */
import type { RequestOf, ResponseOf } from '../api';
import type { SqlEngine } from '../engine';
import { invalidArgument, kinesisAnalyticsError } from '../errors';
import { isKinesisStreamArn, type KinesisPort, listShards, parseStreamArn, shardIterator } from '../kinesis-port';
import { validateRequest } from '../validation';

/** The engine's discovery result, which is also the wire response of the operation. */
type DiscoverResponse = ReturnType<SqlEngine['discoverSchema']> & ResponseOf<'DiscoverInputSchema'>;

/** Roughly what the service sampled. */
export const SAMPLE_RECORDS = 100;

/** Validates the request (it may come straight from a caller in process) and discovers. */
export async function discoverInputSchema(
  input: Record<string, unknown>,
  kinesis: KinesisPort,
  engine: Pick<SqlEngine, 'discoverSchema'>,
): Promise<DiscoverResponse> {
  validateRequest('DiscoverInputSchema', input);
  return discover(input as RequestOf<'DiscoverInputSchema'>, kinesis, engine);
}

async function discover(
  i: RequestOf<'DiscoverInputSchema'>,
  kinesis: KinesisPort,
  engine: Pick<SqlEngine, 'discoverSchema'>,
): Promise<DiscoverResponse> {
  if (i.S3Configuration !== undefined)
    throw invalidArgument('The twin has no Amazon S3: discover from a Kinesis stream');
  if (i.InputProcessingConfiguration !== undefined) {
    throw invalidArgument('The twin does not run input preprocessing Lambda functions');
  }
  const arn = i.ResourceARN;
  if (arn === undefined) throw invalidArgument('Specify ResourceARN (a Kinesis stream) and RoleARN');
  if (i.RoleARN === undefined) throw invalidArgument('RoleARN is required with ResourceARN');
  if (!isKinesisStreamArn(arn)) throw invalidArgument(`ResourceARN ${arn} is not a Kinesis stream ARN`);
  const samples = await sample(kinesis, arn);
  if (samples.length === 0) {
    throw kinesisAnalyticsError(
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
      throw kinesisAnalyticsError('UnableToDetectSchemaException', error.message, 400, {
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
      throw invalidArgument(`Kinesis stream ${parseStreamArn(arn).name} does not exist (${arn})`);
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
          throw kinesisAnalyticsError(
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
