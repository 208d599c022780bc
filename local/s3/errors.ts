/** The errors the S3 twin answers, with S3's codes and HTTP statuses. */
import { AwsServiceError } from '../service';

export type S3ErrorCode =
  | 'NoSuchBucket'
  | 'NoSuchKey'
  | 'BucketAlreadyOwnedByYou'
  | 'BucketNotEmpty'
  | 'InvalidBucketName'
  | 'NoSuchBucketPolicy'
  | 'ServerSideEncryptionConfigurationNotFoundError'
  | 'MalformedXML'
  | 'MalformedPolicy'
  | 'InvalidArgument'
  | 'NotImplemented';

const STATUS: Record<S3ErrorCode, number> = {
  NoSuchBucket: 404,
  NoSuchKey: 404,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  InvalidBucketName: 400,
  NoSuchBucketPolicy: 404,
  ServerSideEncryptionConfigurationNotFoundError: 404,
  MalformedXML: 400,
  MalformedPolicy: 400,
  InvalidArgument: 400,
  NotImplemented: 501,
};

export function s3Error(code: S3ErrorCode, message: string): AwsServiceError {
  return new AwsServiceError(code, message, STATUS[code]);
}
