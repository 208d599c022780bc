/** Object operations: Put/Get/Head/DeleteObject, DeleteObjects, ListObjectsV2 (and v1), ListObjectVersions. */
import { createHash } from 'node:crypto';
import type { RestRequest, RestResponse } from '../../service';
import { s3Error } from '../errors';
import type { S3Object, S3Store } from '../store';
import { readXml, xmlAnswer } from '../xml';

/** The bytes of a PUT: `aws-chunked` bodies (streaming uploads of the SDKs) are decoded to their payload. */
export function payloadOf(req: RestRequest): Buffer {
  const encoding = String(req.headers['content-encoding'] ?? '');
  const sha = String(req.headers['x-amz-content-sha256'] ?? '');
  if (!encoding.includes('aws-chunked') && !sha.startsWith('STREAMING-')) return req.body;
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = req.body.indexOf('\r\n', at);
    if (eol < 0) throw s3Error('InvalidArgument', 'Malformed aws-chunked body');
    const size = Number.parseInt(req.body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size)) throw s3Error('InvalidArgument', 'Malformed aws-chunked body');
    if (size === 0) break;
    parts.push(req.body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function objectHeaders(o: S3Object): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': o.contentType,
    'content-length': String(o.body.length),
    etag: o.etag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [k, v] of Object.entries(o.metadata)) headers[`x-amz-meta-${k}`] = v;
  return headers;
}

export function putObject(store: S3Store, bucket: string, key: string, req: RestRequest): RestResponse {
  if (req.headers['x-amz-copy-source'] !== undefined)
    throw s3Error('NotImplemented', 'CopyObject is not served by the twin');
  const body = payloadOf(req);
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers))
    if (name.startsWith('x-amz-meta-') && typeof value === 'string') metadata[name.slice('x-amz-meta-'.length)] = value;
  const contentType = req.headers['content-type'];
  const o = store.putObject(bucket, key, body, {
    metadata,
    ...(typeof contentType === 'string' ? { contentType } : {}),
  });
  return { status: 200, headers: { etag: o.etag } };
}

export function getObject(store: S3Store, bucket: string, key: string): RestResponse {
  const o = store.getObject(bucket, key);
  return { status: 200, headers: objectHeaders(o), body: o.body };
}

export function headObject(store: S3Store, bucket: string, key: string): RestResponse {
  const o = store.getObject(bucket, key);
  // a HEAD answer carries the length of the body it does not send
  return { status: 200, headers: objectHeaders(o) };
}

export function deleteObject(store: S3Store, bucket: string, key: string): RestResponse {
  store.deleteObject(bucket, key);
  return { status: 204 };
}

export function deleteObjects(store: S3Store, bucket: string, req: RestRequest): RestResponse {
  store.bucket(bucket);
  const del = readXml(req.body)['Delete'] as { Object?: { Key?: string }[]; Quiet?: string } | undefined;
  if (!del?.Object) throw s3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate');
  const deleted: { Key: string }[] = [];
  for (const o of del.Object) {
    if (typeof o.Key !== 'string') continue;
    store.deleteObject(bucket, o.Key);
    deleted.push({ Key: o.Key });
  }
  return xmlAnswer('DeleteResult', 'DeleteObjectsOutput', { Deleted: del.Quiet === 'true' ? [] : deleted });
}

interface Listing {
  contents: S3Object[];
  prefixes: string[];
  truncated: boolean;
  next?: string;
}

function list(store: S3Store, bucket: string, prefix: string, delimiter: string, after: string, max: number): Listing {
  const keys = [...store.bucket(bucket).objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
  const contents: S3Object[] = [];
  const prefixes = new Set<string>();
  let last = '';
  for (const key of keys) {
    if (contents.length + prefixes.size >= max)
      return { contents, prefixes: [...prefixes], truncated: true, next: last };
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) {
      const common = prefix + rest.slice(0, cut + delimiter.length);
      if (prefixes.has(common)) continue;
      prefixes.add(common);
    } else contents.push(store.getObject(bucket, key));
    last = key;
  }
  return { contents, prefixes: [...prefixes], truncated: false };
}

const entry = (o: S3Object) => ({
  Key: o.key,
  LastModified: o.lastModified,
  ETag: o.etag,
  Size: o.body.length,
  StorageClass: 'STANDARD',
});

function maxKeys(req: RestRequest): number {
  const raw = req.query.get('max-keys');
  const n = raw === null ? 1000 : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw s3Error('InvalidArgument', 'max-keys must be a non-negative integer');
  return Math.min(n, 1000);
}

export function listObjectsV2(store: S3Store, bucket: string, req: RestRequest): RestResponse {
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') ?? '';
  const token = req.query.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64').toString('utf8') : (req.query.get('start-after') ?? '');
  const max = maxKeys(req);
  const l = list(store, bucket, prefix, delimiter, after, max);
  return xmlAnswer('ListBucketResult', 'ListObjectsV2Output', {
    Name: bucket,
    Prefix: prefix,
    ...(delimiter ? { Delimiter: delimiter } : {}),
    MaxKeys: max,
    KeyCount: l.contents.length + l.prefixes.length,
    IsTruncated: l.truncated,
    ...(token ? { ContinuationToken: token } : {}),
    ...(l.next !== undefined ? { NextContinuationToken: Buffer.from(l.next).toString('base64') } : {}),
    Contents: l.contents.map(entry),
    CommonPrefixes: l.prefixes.map((p) => ({ Prefix: p })),
  });
}

export function listObjects(store: S3Store, bucket: string, req: RestRequest): RestResponse {
  const prefix = req.query.get('prefix') ?? '';
  const delimiter = req.query.get('delimiter') ?? '';
  const marker = req.query.get('marker') ?? '';
  const max = maxKeys(req);
  const l = list(store, bucket, prefix, delimiter, marker, max);
  return xmlAnswer('ListBucketResult', 'ListObjectsOutput', {
    Name: bucket,
    Prefix: prefix,
    Marker: marker,
    MaxKeys: max,
    IsTruncated: l.truncated,
    ...(l.next !== undefined && delimiter ? { NextMarker: l.next } : {}),
    Contents: l.contents.map(entry),
    CommonPrefixes: l.prefixes.map((p) => ({ Prefix: p })),
  });
}

/** Buckets of the twin are never versioned: every object is its one version, `null`. */
export function listObjectVersions(store: S3Store, bucket: string, req: RestRequest): RestResponse {
  const prefix = req.query.get('prefix') ?? '';
  const marker = req.query.get('key-marker') ?? '';
  const max = maxKeys(req);
  const l = list(store, bucket, prefix, '', marker, max);
  return xmlAnswer('ListVersionsResult', 'ListObjectVersionsOutput', {
    Name: bucket,
    Prefix: prefix,
    KeyMarker: marker,
    MaxKeys: max,
    IsTruncated: l.truncated,
    ...(l.next !== undefined ? { NextKeyMarker: l.next, NextVersionIdMarker: 'null' } : {}),
    Versions: l.contents.map((o) => ({ ...entry(o), VersionId: 'null', IsLatest: true })),
  });
}

/** SHA-256 of an object, base64 (what CloudFormation compares function code by, as Lambda's CodeSha256). */
export function sha256(o: S3Object): string {
  return createHash('sha256').update(o.body).digest('base64');
}
