/**
 * DiscoverInputSchema on the twin: samples the Kinesis stream the request names (from its oldest record, up to
 * SAMPLE_RECORDS across its shards), has the request's preprocessing function (if any) process them, and hands
 * what comes out to the SQL engine's schema discovery (RawInputRecords are the samples as read,
 * ProcessedInputRecords what the function made of them).
 */
import { systemClock } from '../../clock';
import type { RequestOf, ResponseOf } from '../api';
import { zeroInput } from '../counters';
import type { SqlEngine } from '../engine';
import { invalidArgument, kinesisAnalyticsError } from '../errors';
import type { InputRecord } from '../input-reader';
import { jsonDocuments } from '../json-documents';
import { isKinesisStreamArn, type KinesisPort, listShards, parseStreamArn, shardIterator } from '../kinesis-port';
import { type LambdaPort, requireFunction } from '../lambda-port';
import { InputPreprocessor } from '../preprocessing';
import { DEFAULT_TIMING } from '../timing';
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
  lambda?: LambdaPort,
): Promise<DiscoverResponse> {
  validateRequest('DiscoverInputSchema', input);
  return discover(input as RequestOf<'DiscoverInputSchema'>, kinesis, engine, lambda);
}

async function discover(
  i: RequestOf<'DiscoverInputSchema'>,
  kinesis: KinesisPort,
  engine: Pick<SqlEngine, 'discoverSchema'>,
  lambda: LambdaPort | undefined,
): Promise<DiscoverResponse> {
  if (i.S3Configuration !== undefined)
    throw invalidArgument('The twin discovers a schema from a Kinesis stream only, not from an S3 object');
  const processor = i.InputProcessingConfiguration?.InputLambdaProcessor;
  if (processor) {
    try {
      await requireFunction(lambda, processor.ResourceARN, 'input preprocessing function');
    } catch (error) {
      throw invalidArgument((error as Error).message);
    }
  }
  const arn = i.ResourceARN;
  if (arn === undefined) throw invalidArgument('Specify ResourceARN (a Kinesis stream) and RoleARN');
  if (i.RoleARN === undefined) throw invalidArgument('RoleARN is required with ResourceARN');
  if (!isKinesisStreamArn(arn)) throw invalidArgument(`ResourceARN ${arn} is not a Kinesis stream ARN`);
  const raw = await sample(kinesis, arn);
  if (raw.length === 0) {
    throw kinesisAnalyticsError(
      'UnableToDetectSchemaException',
      `Kinesis stream ${parseStreamArn(arn).name} has no records to sample; put some records and retry`,
      400,
      { RawInputRecords: [], ProcessedInputRecords: [] },
    );
  }
  const processed = processor && lambda ? await preprocess(raw, processor.ResourceARN, arn, lambda) : raw;
  if (processed.length === 0) {
    throw kinesisAnalyticsError(
      'UnableToDetectSchemaException',
      `The input preprocessing function dropped or failed every one of the ${raw.length} samples`,
      400,
      { RawInputRecords: raw.map(text), ProcessedInputRecords: [] },
    );
  }
  const samples = processed.map((r) => r.data);
  try {
    const found = engine.discoverSchema(samples);
    if (!processor) return found;
    return { ...found, RawInputRecords: raw.map(text), ProcessedInputRecords: processed.map(text) };
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

const text = (record: InputRecord) => Buffer.from(record.data).toString('utf8');

/** The samples as the function makes them (one try: the request answers now), each JSON document on its own. */
async function preprocess(
  raw: InputRecord[],
  functionArn: string,
  streamArn: string,
  lambda: LambdaPort,
): Promise<InputRecord[]> {
  const preprocessor = new InputPreprocessor({
    functionArn,
    streamArn,
    lambda,
    clock: systemClock,
    timing: DEFAULT_TIMING,
    counters: zeroInput(),
    rowtime: () => 0,
    attempts: 1,
  });
  const out = await preprocessor.process(raw, new AbortController().signal);
  if (!out) {
    throw kinesisAnalyticsError(
      'UnableToDetectSchemaException',
      `The input preprocessing function ${functionArn} did not process the samples: ${preprocessor.lastProblem ?? 'no answer'}`,
      400,
      { RawInputRecords: raw.map(text), ProcessedInputRecords: [] },
    );
  }
  return out.records.flatMap((record) =>
    jsonDocuments(text(record)).map((document) => ({ ...record, data: Buffer.from(document) })),
  );
}

async function sample(kinesis: KinesisPort, arn: string): Promise<InputRecord[]> {
  let shards: Awaited<ReturnType<typeof listShards>>;
  try {
    shards = await listShards(kinesis, arn);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw invalidArgument(`Kinesis stream ${parseStreamArn(arn).name} does not exist (${arn})`);
    }
    throw error;
  }
  const samples: InputRecord[] = [];
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
      for (const record of page.Records) {
        samples.push({
          data: Uint8Array.from(record.Data),
          arrivalTime: record.ApproximateArrivalTimestamp,
          partitionKey: record.PartitionKey,
          sequenceNumber: record.SequenceNumber,
          shardId: shard.ShardId,
        });
      }
      if (page.Records.length === 0 || page.MillisBehindLatest === 0) break;
      iterator = page.NextShardIterator;
    }
    if (samples.length >= SAMPLE_RECORDS) break;
  }
  return samples;
}
