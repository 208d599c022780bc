/** Bucket operations: Create/Head/Delete/ListBuckets, GetBucketLocation, bucket policy and default encryption. */
import { escapeXml } from '../../protocols/xml';
import type { RestRequest, RestResponse } from '../../service';
import { s3Error } from '../errors';
import type { S3Store } from '../store';
import { readXml, xmlAnswer } from '../xml';

const OWNER = { ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a', DisplayName: 'twin' };

export function listBuckets(store: S3Store): RestResponse {
  return xmlAnswer('ListAllMyBucketsResult', 'ListBucketsOutput', {
    Buckets: store.list().map((b) => ({ Name: b.name, CreationDate: b.created, BucketRegion: b.region })),
    Owner: OWNER,
  });
}

export function createBucket(store: S3Store, bucket: string, req: RestRequest): RestResponse {
  let region = 'us-east-1';
  if (req.body.length > 0) {
    const config = readXml(req.body)['CreateBucketConfiguration'] as { LocationConstraint?: string } | undefined;
    if (config?.LocationConstraint) region = config.LocationConstraint;
  }
  store.createBucket(bucket, region);
  return { status: 200, headers: { location: `/${bucket}` } };
}

export function headBucket(store: S3Store, bucket: string): RestResponse {
  const b = store.bucket(bucket);
  return { status: 200, headers: { 'x-amz-bucket-region': b.region } };
}

export function deleteBucket(store: S3Store, bucket: string): RestResponse {
  store.deleteBucket(bucket);
  return { status: 204 };
}

export function getBucketLocation(store: S3Store, bucket: string): RestResponse {
  const region = store.bucket(bucket).region;
  // the answer's root element is the value itself; buckets in us-east-1 have none
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${region === 'us-east-1' ? '' : escapeXml(region)}</LocationConstraint>`,
  };
}

export function putBucketPolicy(store: S3Store, bucket: string, req: RestRequest): RestResponse {
  const text = req.body.toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    throw s3Error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'");
  }
  store.setPolicy(bucket, text);
  return { status: 204 };
}

export function getBucketPolicy(store: S3Store, bucket: string): RestResponse {
  const policy = store.bucket(bucket).policy;
  if (policy === undefined) throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist');
  return { status: 200, headers: { 'content-type': 'application/json' }, body: policy };
}

export function deleteBucketPolicy(store: S3Store, bucket: string): RestResponse {
  store.setPolicy(bucket, undefined);
  return { status: 204 };
}

export function putBucketEncryption(store: S3Store, bucket: string, req: RestRequest): RestResponse {
  const config = readXml(req.body)['ServerSideEncryptionConfiguration'];
  if (!config) throw s3Error('MalformedXML', 'ServerSideEncryptionConfiguration is required');
  store.setEncryption(bucket, req.body.toString('utf8'));
  return { status: 200 };
}

export function getBucketEncryption(store: S3Store, bucket: string): RestResponse {
  const encryption = store.bucket(bucket).encryption;
  if (encryption === undefined)
    throw s3Error(
      'ServerSideEncryptionConfigurationNotFoundError',
      'The server side encryption configuration was not found',
    );
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: encryption };
}

export function deleteBucketEncryption(store: S3Store, bucket: string): RestResponse {
  store.setEncryption(bucket, undefined);
  return { status: 204 };
}
