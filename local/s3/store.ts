/**
 * Buckets and objects of the S3 twin: in memory, or under `<dataDir>/s3/` when the twin keeps its data (one
 * directory per bucket: `bucket.json` for its settings, `objects/<key, URI-encoded>.body` for each object's bytes with
 * `<same>.meta.json` beside it for its metadata; every file written to a temporary name and renamed, so a crash leaves
 * the old version or the new one, never half).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { s3Error } from './errors';

export interface S3Object {
  key: string;
  body: Buffer;
  etag: string;
  lastModified: number;
  contentType: string;
  metadata: Record<string, string>;
}

export interface Bucket {
  name: string;
  region: string;
  created: number;
  policy?: string;
  /** The ServerSideEncryptionConfiguration XML as it was put. */
  encryption?: string;
  objects: Map<string, S3Object>;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class S3Store {
  private readonly buckets = new Map<string, Bucket>();
  private readonly root: string | undefined;

  constructor(
    private readonly clock: Clock,
    dataDir?: string,
  ) {
    this.root = dataDir === undefined ? undefined : join(dataDir, 's3');
    if (this.root) this.load(this.root);
  }

  list(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return this.buckets.has(name);
  }

  bucket(name: string): Bucket {
    const b = this.buckets.get(name);
    if (!b) throw s3Error('NoSuchBucket', 'The specified bucket does not exist');
    return b;
  }

  createBucket(name: string, region: string): Bucket {
    if (!BUCKET_NAME.test(name) || name.includes('..'))
      throw s3Error('InvalidBucketName', 'The specified bucket is not valid.');
    if (this.buckets.has(name))
      throw s3Error(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
      );
    const bucket: Bucket = { name, region, created: this.clock.now(), objects: new Map() };
    this.buckets.set(name, bucket);
    this.saveBucket(bucket);
    return bucket;
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    if (bucket.objects.size > 0) throw s3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty');
    this.buckets.delete(name);
    if (this.root) rmSync(join(this.root, encodeURIComponent(name)), { recursive: true, force: true });
  }

  setPolicy(name: string, policy: string | undefined): void {
    const bucket = this.bucket(name);
    if (policy === undefined) delete bucket.policy;
    else bucket.policy = policy;
    this.saveBucket(bucket);
  }

  setEncryption(name: string, encryption: string | undefined): void {
    const bucket = this.bucket(name);
    if (encryption === undefined) delete bucket.encryption;
    else bucket.encryption = encryption;
    this.saveBucket(bucket);
  }

  putObject(
    bucketName: string,
    key: string,
    body: Buffer,
    opts: { contentType?: string; metadata?: Record<string, string> } = {},
  ): S3Object {
    const bucket = this.bucket(bucketName);
    const object: S3Object = {
      key,
      body,
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: this.clock.now(),
      contentType: opts.contentType ?? 'binary/octet-stream',
      metadata: opts.metadata ?? {},
    };
    bucket.objects.set(key, object);
    if (this.root) {
      const dir = join(this.root, encodeURIComponent(bucketName), 'objects');
      mkdirSync(dir, { recursive: true });
      const { body: _body, ...meta } = object;
      writeAtomic(join(dir, `${encodeURIComponent(key)}.body`), body);
      writeAtomic(join(dir, `${encodeURIComponent(key)}.meta.json`), JSON.stringify(meta));
    }
    return object;
  }

  getObject(bucketName: string, key: string): S3Object {
    const object = this.bucket(bucketName).objects.get(key);
    if (!object) throw s3Error('NoSuchKey', 'The specified key does not exist.');
    return object;
  }

  /** Deleting a key that is not there succeeds, as in S3. */
  deleteObject(bucketName: string, key: string): void {
    const bucket = this.bucket(bucketName);
    if (!bucket.objects.delete(key) || !this.root) return;
    const dir = join(this.root, encodeURIComponent(bucketName), 'objects');
    rmSync(join(dir, `${encodeURIComponent(key)}.body`), { force: true });
    rmSync(join(dir, `${encodeURIComponent(key)}.meta.json`), { force: true });
  }

  private saveBucket(bucket: Bucket): void {
    if (!this.root) return;
    const dir = join(this.root, encodeURIComponent(bucket.name));
    mkdirSync(join(dir, 'objects'), { recursive: true });
    const { objects: _objects, ...settings } = bucket;
    writeAtomic(join(dir, 'bucket.json'), JSON.stringify(settings));
  }

  private load(root: string): void {
    if (!existsSync(root)) return;
    for (const entry of readdirSync(root)) {
      const dir = join(root, entry);
      if (!existsSync(join(dir, 'bucket.json'))) continue;
      const settings = JSON.parse(readFileSync(join(dir, 'bucket.json'), 'utf8')) as Omit<Bucket, 'objects'>;
      const bucket: Bucket = { ...settings, objects: new Map() };
      const objects = join(dir, 'objects');
      if (existsSync(objects))
        for (const file of readdirSync(objects)) {
          if (!file.endsWith('.meta.json')) continue;
          const meta = JSON.parse(readFileSync(join(objects, file), 'utf8')) as Omit<S3Object, 'body'>;
          const bodyFile = join(objects, `${file.slice(0, -'.meta.json'.length)}.body`);
          if (!existsSync(bodyFile)) continue;
          bucket.objects.set(meta.key, { ...meta, body: readFileSync(bodyFile) });
        }
      this.buckets.set(bucket.name, bucket);
    }
  }
}

function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}
