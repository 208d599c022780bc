/**
 * One Kinesis Analytics application as the twin keeps it: configuration in the API's own description shapes
 * (so DescribeApplication returns it as stored), status, version and the input checkpoints a LAST_STOPPED_POINT
 * start resumes from. The store (store.ts) holds these and records every change through its persistence seam.
 */
import type { SourceSchema } from '../../src/streaming-sql';

export type ApplicationStatus = 'DELETING' | 'STARTING' | 'STOPPING' | 'READY' | 'RUNNING' | 'UPDATING';
export type StartingPosition = 'NOW' | 'TRIM_HORIZON' | 'LAST_STOPPED_POINT';

export interface ArnRole {
  ResourceARN: string;
  RoleARN: string;
}

export interface InputDescription {
  InputId: string;
  NamePrefix: string;
  InAppStreamNames: string[];
  InputSchema: SourceSchema;
  InputParallelism: { Count: number };
  InputStartingPositionConfiguration: { InputStartingPosition?: StartingPosition };
  KinesisStreamsInputDescription?: ArnRole;
  KinesisFirehoseInputDescription?: ArnRole;
  InputProcessingConfigurationDescription?: { InputLambdaProcessorDescription: ArnRole };
}

export interface OutputDescription {
  OutputId: string;
  Name: string;
  DestinationSchema: { RecordFormatType: 'JSON' | 'CSV' };
  KinesisStreamsOutputDescription?: ArnRole;
  KinesisFirehoseOutputDescription?: ArnRole;
  LambdaOutputDescription?: ArnRole;
}

export interface ReferenceDataSourceDescription {
  ReferenceId: string;
  TableName: string;
  S3ReferenceDataSourceDescription: { BucketARN: string; FileKey: string; ReferenceRoleARN: string };
  ReferenceSchema?: SourceSchema;
}

export interface CloudWatchLoggingOptionDescription {
  CloudWatchLoggingOptionId: string;
  LogStreamARN: string;
  RoleARN: string;
}

export interface Tag {
  Key: string;
  Value?: string;
}

/**
 * Where a shard resumes: after the last sequence number whose outputs were delivered, or, for a shard nothing was
 * read from, at the position the run started from.
 */
export type Checkpoint =
  | { after: string }
  | { start: 'TRIM_HORIZON' }
  | { start: 'AT_TIMESTAMP'; timestamp: number /* ms */ };

export interface ApplicationState {
  name: string;
  arn: string;
  description?: string;
  status: ApplicationStatus;
  /** The status UPDATING returns to. */
  statusBeforeUpdate?: ApplicationStatus;
  createTimestamp: number;
  lastUpdateTimestamp?: number;
  versionId: number;
  code?: string;
  inputs: InputDescription[];
  outputs: OutputDescription[];
  referenceDataSources: ReferenceDataSourceDescription[];
  cloudWatchLoggingOptions: CloudWatchLoggingOptionDescription[];
  tags: Tag[];
  /** Per input shard, where LAST_STOPPED_POINT resumes. */
  checkpoints: Record<string, Checkpoint>;
  /** The input stream the checkpoints are sequence numbers of. */
  checkpointStream?: string;
  /** The starting position of the current (or last) run. */
  startingPosition?: StartingPosition;
}
