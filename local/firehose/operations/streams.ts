/**
 * The control plane: CreateDeliveryStream (Direct PUT into an extended S3 destination), DescribeDeliveryStream,
 * ListDeliveryStreams, DeleteDeliveryStream. Status changes run on the Clock: CREATING -> ACTIVE, DELETING -> gone.
 */
import type {
  CreateDeliveryStreamInput,
  CreateDeliveryStreamOutput,
  DeleteDeliveryStreamInput,
  DeliveryStreamDescription,
  DescribeDeliveryStreamInput,
  DescribeDeliveryStreamOutput,
  ExtendedS3DestinationConfiguration,
  ExtendedS3DestinationDescription,
  ListDeliveryStreamsInput,
  ListDeliveryStreamsOutput,
} from '@aws-sdk/client-firehose';
import type { Answer } from '../../sdk-shapes';
import { bucketOf, checkPrefixes } from '../delivery';
import { errors } from '../errors';
import { LIMITS } from '../limits';
import type { Compression, DeliveryStream, S3Destination } from '../store';
import type { OperationContext } from './context';

/** Destinations the model has that the twin does not deliver to. */
const OTHER_DESTINATIONS = [
  'RedshiftDestinationConfiguration',
  'ElasticsearchDestinationConfiguration',
  'AmazonopensearchserviceDestinationConfiguration',
  'SplunkDestinationConfiguration',
  'HttpEndpointDestinationConfiguration',
  'AmazonOpenSearchServerlessDestinationConfiguration',
  'SnowflakeDestinationConfiguration',
  'IcebergDestinationConfiguration',
] as const;

function destination(config: ExtendedS3DestinationConfiguration): S3Destination {
  const unsupported = (what: string): never => {
    throw errors.invalid(`${what} is not supported by the twin's Firehose (it delivers records to S3 as they are).`);
  };
  if (config.ProcessingConfiguration?.Enabled) unsupported('ProcessingConfiguration (Lambda transformation)');
  if (config.DataFormatConversionConfiguration?.Enabled) unsupported('DataFormatConversionConfiguration');
  if (config.DynamicPartitioningConfiguration?.Enabled) unsupported('DynamicPartitioningConfiguration');
  if (config.S3BackupMode === 'Enabled') unsupported('S3BackupMode Enabled');
  const compression = config.CompressionFormat ?? 'UNCOMPRESSED';
  if (compression !== 'UNCOMPRESSED' && compression !== 'GZIP') unsupported(`CompressionFormat ${compression}`);
  const hints = config.BufferingHints;
  if (hints && (hints.SizeInMBs === undefined) !== (hints.IntervalInSeconds === undefined))
    throw errors.invalid('BufferingHints needs both SizeInMBs and IntervalInSeconds, or neither.');
  const prefix = config.Prefix ?? '';
  checkPrefixes(prefix, config.ErrorOutputPrefix);
  return {
    roleArn: config.RoleARN!,
    bucketArn: config.BucketARN!,
    bucket: bucketOf(config.BucketARN!),
    prefix,
    ...(config.ErrorOutputPrefix ? { errorOutputPrefix: config.ErrorOutputPrefix } : {}),
    sizeMiB: hints?.SizeInMBs ?? LIMITS.defaultSizeMiB,
    intervalSeconds: hints?.IntervalInSeconds ?? LIMITS.defaultIntervalSeconds,
    compression: compression as Compression,
  };
}

export function createDeliveryStream(
  ctx: OperationContext,
  input: CreateDeliveryStreamInput,
): Answer<CreateDeliveryStreamOutput> {
  const name = input.DeliveryStreamName!;
  const type = input.DeliveryStreamType ?? 'DirectPut';
  if (type !== 'DirectPut')
    throw errors.invalid(`DeliveryStreamType ${type} is not supported by the twin's Firehose: use DirectPut.`);
  const other = OTHER_DESTINATIONS.find((d) => input[d] !== undefined);
  if (other) throw errors.invalid(`${other} is not supported by the twin's Firehose: it delivers to S3.`);
  const config = input.ExtendedS3DestinationConfiguration ?? input.S3DestinationConfiguration;
  if (input.ExtendedS3DestinationConfiguration && input.S3DestinationConfiguration)
    throw errors.invalid('Only one destination configuration can be specified.');
  if (!config) throw errors.invalid('A destination configuration must be specified.');
  const s3 = destination(config);
  if (ctx.store.streams.has(name)) throw errors.exists(name);
  if (ctx.store.streams.size >= LIMITS.streamsPerAccount)
    throw errors.limit(`You have already consumed your firehose quota of ${LIMITS.streamsPerAccount} hoses.`);
  const arn = ctx.store.arnOf(name);
  const stream = ctx.store.add(
    { name, arn, created: ctx.store.clock.now(), version: 1, s3, tags: input.Tags ?? [] },
    ctx.statusDelayMs > 0 ? 'CREATING' : 'ACTIVE',
  );
  if (stream.status === 'CREATING')
    stream.statusTimer = ctx.store.clock.setTimeout(() => {
      stream.statusTimer = undefined;
      if (stream.status === 'CREATING') stream.status = 'ACTIVE';
    }, ctx.statusDelayMs);
  return { DeliveryStreamARN: arn };
}

function s3Description(s3: S3Destination): Answer<ExtendedS3DestinationDescription> {
  return {
    RoleARN: s3.roleArn,
    BucketARN: s3.bucketArn,
    Prefix: s3.prefix,
    ...(s3.errorOutputPrefix !== undefined ? { ErrorOutputPrefix: s3.errorOutputPrefix } : {}),
    BufferingHints: { SizeInMBs: s3.sizeMiB, IntervalInSeconds: s3.intervalSeconds },
    CompressionFormat: s3.compression,
    EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
    CloudWatchLoggingOptions: { Enabled: false },
    S3BackupMode: 'Disabled',
  };
}

export function describe(stream: DeliveryStream): Answer<DeliveryStreamDescription> {
  const s3 = s3Description(stream.s3);
  const { S3BackupMode: _mode, ...plain } = s3;
  return {
    DeliveryStreamName: stream.name,
    DeliveryStreamARN: stream.arn,
    DeliveryStreamStatus: stream.status,
    DeliveryStreamEncryptionConfiguration: { Status: 'DISABLED' },
    DeliveryStreamType: 'DirectPut',
    VersionId: String(stream.version),
    CreateTimestamp: new Date(stream.created),
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        S3DestinationDescription: plain,
        ExtendedS3DestinationDescription: s3,
      },
    ],
    HasMoreDestinations: false,
  };
}

export function describeDeliveryStream(
  ctx: OperationContext,
  input: DescribeDeliveryStreamInput,
): Answer<DescribeDeliveryStreamOutput> {
  return { DeliveryStreamDescription: describe(ctx.store.find(input.DeliveryStreamName!)) };
}

export function listDeliveryStreams(
  ctx: OperationContext,
  input: ListDeliveryStreamsInput,
): Answer<ListDeliveryStreamsOutput> {
  // every stream of the twin is DirectPut
  const names = [...ctx.store.streams.keys()]
    .filter(() => input.DeliveryStreamType === undefined || input.DeliveryStreamType === 'DirectPut')
    .filter((n) => input.ExclusiveStartDeliveryStreamName === undefined || n > input.ExclusiveStartDeliveryStreamName)
    .sort();
  const limit = input.Limit ?? 10;
  return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
}

/** DELETING at once; what the buffer holds is delivered first (best effort), then the stream is gone. */
export function deleteDeliveryStream(ctx: OperationContext, input: DeleteDeliveryStreamInput): Record<string, never> {
  const stream = ctx.store.find(input.DeliveryStreamName!);
  if (stream.status === 'DELETING') return {};
  // "You can't delete a Firehose stream that is in the CREATING state."
  if (stream.status === 'CREATING') throw errors.notActive(stream.name, stream.status);
  stream.status = 'DELETING';
  ctx.delivery.deliver(stream);
  const gone = (): void => ctx.store.remove(stream.name);
  if (stream.statusTimer !== undefined) ctx.store.clock.clearTimeout(stream.statusTimer);
  if (ctx.statusDelayMs > 0) stream.statusTimer = ctx.store.clock.setTimeout(gone, ctx.statusDelayMs);
  else gone();
  return {};
}
