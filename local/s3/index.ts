/**
 * The S3 twin: enough S3 for the framework's deployment bucket (and later Firehose delivery), in the REST-XML
 * protocol with path-style addressing (`/<bucket>/<key>`, what SDKs use for an IP endpoint): buckets
 * (Create/Head/Delete/List, location, policy, default encryption) and objects (Put/Get/Head/Delete,
 * DeleteObjects, ListObjectsV2, ListObjects, ListObjectVersions). Objects live in memory, or under
 * `<dataDir>/s3/` (./store.ts). In process, CloudFormation reads templates and function code from it.
 */
import { type Clock, systemClock } from '../clock';
import type { RestRequest, RestResponse, RestRoute } from '../service';
import { s3Error } from './errors';
import * as buckets from './operations/buckets';
import * as objects from './operations/objects';
import { type S3Object, S3Store } from './store';

export type { S3Object } from './store';

export interface S3TwinOptions {
  clock?: Clock;
  dataDir?: string;
  region?: string;
}

type Handler = (store: S3Store, bucket: string, req: RestRequest) => RestResponse;

/** Bucket-level operations by method and the sub-resource named in the query (`?policy`, `?list-type=2`, ...). */
const BUCKET_OPERATIONS: Record<string, [subresource: string, handler: Handler][]> = {
  PUT: [
    ['policy', buckets.putBucketPolicy],
    ['encryption', buckets.putBucketEncryption],
    ['', buckets.createBucket],
  ],
  HEAD: [['', buckets.headBucket]],
  GET: [
    ['location', buckets.getBucketLocation],
    ['policy', buckets.getBucketPolicy],
    ['encryption', buckets.getBucketEncryption],
    ['versions', objects.listObjectVersions],
    ['list-type', objects.listObjectsV2],
    ['', objects.listObjects],
  ],
  DELETE: [
    ['policy', buckets.deleteBucketPolicy],
    ['encryption', buckets.deleteBucketEncryption],
    ['', buckets.deleteBucket],
  ],
  POST: [['delete', objects.deleteObjects]],
};

type ObjectHandler = (store: S3Store, bucket: string, key: string, req: RestRequest) => RestResponse;

const OBJECT_OPERATIONS: Record<string, ObjectHandler> = {
  PUT: objects.putObject,
  GET: objects.getObject,
  HEAD: objects.headObject,
  DELETE: objects.deleteObject,
};

export class S3Twin {
  readonly region: string;
  private readonly store: S3Store;

  constructor(opts: S3TwinOptions = {}) {
    this.region = opts.region ?? 'us-east-1';
    this.store = new S3Store(opts.clock ?? systemClock, opts.dataDir);
  }

  get routes(): RestRoute[] {
    const store = this.store;
    const bucketRoute = (method: string): RestRoute => ({
      method,
      path: /^\/(?<bucket>[^/]+)\/?$/,
      handle: async (req) => {
        for (const [sub, handler] of BUCKET_OPERATIONS[method]!)
          if (sub === '' || req.query.has(sub)) return handler(store, req.params['bucket']!, req);
        throw s3Error('NotImplemented', `The twin does not serve ${method} on a bucket with this query`);
      },
    });
    const objectRoute = (method: string): RestRoute => ({
      method,
      path: /^\/(?<bucket>[^/]+)\/(?<key>.+)$/,
      handle: async (req) => {
        const sub = ['uploads', 'uploadId', 'tagging', 'acl', 'retention', 'legal-hold'].find((s) => req.query.has(s));
        if (sub) throw s3Error('NotImplemented', `The twin does not serve ?${sub} on objects`);
        return OBJECT_OPERATIONS[method]!(store, req.params['bucket']!, req.params['key']!, req);
      },
    });
    return [
      { method: 'GET', path: /^\/$/, handle: async () => buckets.listBuckets(store) },
      ...Object.keys(BUCKET_OPERATIONS).map(bucketRoute),
      ...Object.keys(OBJECT_OPERATIONS).map(objectRoute),
    ];
  }

  // ---- in process (CloudFormation: the deployment bucket, templates and function code) ----

  hasBucket(name: string): boolean {
    return this.store.has(name);
  }

  createBucket(name: string, region = this.region): void {
    this.store.createBucket(name, region);
  }

  /** Deletes a bucket; S3 refuses one that still holds objects (BucketNotEmpty). */
  deleteBucket(name: string): void {
    this.store.deleteBucket(name);
  }

  setBucketPolicy(name: string, policy: string | undefined): void {
    this.store.setPolicy(name, policy);
  }

  object(bucket: string, key: string): S3Object {
    return this.store.getObject(bucket, key);
  }

  putObject(bucket: string, key: string, body: Buffer, contentType?: string): void {
    this.store.putObject(bucket, key, body, contentType ? { contentType } : {});
  }

  keys(bucket: string): string[] {
    return [...this.store.bucket(bucket).objects.keys()];
  }
}
