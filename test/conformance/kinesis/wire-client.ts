/**
 * A Kinesis client written for the conformance suite, below the SDK: it signs requests itself (SigV4, so it
 * works against AWS too), can leave the signature out or spoil it, and speaks JSON or CBOR. The CBOR codec is
 * written here, apart from the twin's, so a codec bug on one side cannot hide one on the other.
 */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** A CBOR tag (major type 6) around a value; tag 1 is a timestamp, in epoch milliseconds for AWS. */
export class Tagged {
  constructor(
    readonly tag: number,
    readonly value: unknown,
  ) {}
}

function head(major: number, n: number): number[] {
  if (n < 24) return [(major << 5) | n];
  if (n < 0x100) return [(major << 5) | 24, n];
  if (n < 0x10000) return [(major << 5) | 25, n >> 8, n & 0xff];
  if (n < 0x100000000) return [(major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  const b = Buffer.alloc(9);
  b[0] = (major << 5) | 27;
  b.writeBigUInt64BE(BigInt(n), 1);
  return [...b];
}

/** RFC 8949 encoding of JSON-like values, bytes (Uint8Array) and Tagged. */
export function encodeCbor(value: unknown): Buffer {
  const out: number[] = [];
  const put = (v: unknown): void => {
    if (v === null || v === undefined) out.push(0xf6);
    else if (v === false) out.push(0xf4);
    else if (v === true) out.push(0xf5);
    else if (typeof v === 'number') {
      if (Number.isInteger(v)) out.push(...(v >= 0 ? head(0, v) : head(1, -1 - v)));
      else {
        const b = Buffer.alloc(9);
        b[0] = 0xfb;
        b.writeDoubleBE(v, 1);
        out.push(...b);
      }
    } else if (typeof v === 'string') {
      const b = Buffer.from(v, 'utf8');
      out.push(...head(3, b.length), ...b);
    } else if (v instanceof Uint8Array) out.push(...head(2, v.length), ...v);
    else if (v instanceof Tagged) {
      out.push(...head(6, v.tag));
      put(v.value);
    } else if (Array.isArray(v)) {
      out.push(...head(4, v.length));
      for (const item of v) put(item);
    } else {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      out.push(...head(5, entries.length));
      for (const [k, x] of entries) {
        put(k);
        put(x);
      }
    }
  };
  put(value);
  return Buffer.from(out);
}

/** Decodes one CBOR item (definite and indefinite lengths, floats, tags as Tagged, bytes as Buffer). */
export function decodeCbor(bytes: Uint8Array): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const BREAK = Symbol('break');
  const length = (info: number): number => {
    if (info < 24) return info;
    if (info === 24) return buf[at++]!;
    const size = info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : 0;
    if (size === 0) throw new Error(`bad CBOR length ${info}`);
    const start = at;
    at += size;
    if (size === 2) return buf.readUInt16BE(start);
    if (size === 4) return buf.readUInt32BE(start);
    return Number(buf.readBigUInt64BE(start));
  };
  const item = (): unknown => {
    const first = buf[at++]!;
    const major = first >> 5;
    const info = first & 31;
    if (first === 0xff) return BREAK;
    if (major === 7) {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22 || info === 23) return null;
      if (info === 25) {
        const h = buf.readUInt16BE(at);
        at += 2;
        const exp = (h >> 10) & 31;
        const frac = h & 1023;
        const sign = h & 0x8000 ? -1 : 1;
        if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
        if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
        return sign * 2 ** (exp - 15) * (1 + frac / 1024);
      }
      const start = at;
      if (info === 26) {
        at += 4;
        return buf.readFloatBE(start);
      }
      if (info === 27) {
        at += 8;
        return buf.readDoubleBE(start);
      }
      throw new Error(`bad CBOR simple value ${info}`);
    }
    if (info === 31) {
      const parts: unknown[] = [];
      for (let v = item(); v !== BREAK; v = item()) parts.push(v);
      if (major === 2) return Buffer.concat(parts as Buffer[]);
      if (major === 3) return parts.join('');
      if (major === 4) return parts;
      if (major === 5) {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < parts.length; i += 2) o[String(parts[i])] = parts[i + 1];
        return o;
      }
      throw new Error(`bad indefinite CBOR major type ${major}`);
    }
    const n = length(info);
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        at += n;
        return Buffer.from(buf.subarray(at - n, at));
      case 3:
        at += n;
        return buf.toString('utf8', at - n, at);
      case 4:
        return Array.from({ length: n }, () => item());
      case 5: {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n; i++) {
          const k = item();
          o[String(k)] = item();
        }
        return o;
      }
      default:
        return new Tagged(n, item());
    }
  };
  const value = item();
  if (at !== buf.length) throw new Error(`${buf.length - at} bytes after the CBOR item`);
  return value;
}

export interface WireAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  /** The body decoded as the answer's content type says (JSON or CBOR); undefined when empty. */
  value: unknown;
}

export interface WireCall {
  /** The operation, e.g. `PutRecord` (X-Amz-Target `Kinesis_20131202.PutRecord`); or a whole target. */
  operation?: string;
  target?: string;
  body: Buffer | string;
  contentType?: string;
  /** `signed` (default), `none` (no Authorization), or an Authorization header to send as it is. */
  auth?: 'signed' | 'none' | { authorization: string };
  headers?: Record<string, string>;
  method?: string;
}

/** Sends one request to a Kinesis endpoint the way an SDK would, or not quite, as the call says. */
export async function wireCall(endpoint: string, call: WireCall): Promise<WireAnswer> {
  const url = new URL(endpoint);
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': call.contentType ?? 'application/x-amz-json-1.1',
    ...call.headers,
  };
  const target = call.target ?? (call.operation ? `Kinesis_20131202.${call.operation}` : undefined);
  if (target) headers['x-amz-target'] = target;
  const body = typeof call.body === 'string' ? Buffer.from(call.body) : call.body;
  let signed = headers;
  if ((call.auth ?? 'signed') === 'signed') {
    const signer = new SignatureV4({
      service: 'kinesis',
      region: process.env['AWS_REGION'] ?? 'us-east-1',
      credentials: {
        accessKeyId: process.env['AWS_ACCESS_KEY_ID'] ?? 'conformance',
        secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'conformance',
      },
      sha256: Hash.bind(null, 'sha256'),
    });
    const request = new HttpRequest({
      method: call.method ?? 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: '/',
      headers,
      body,
    });
    signed = (await signer.sign(request)).headers;
  } else if (typeof call.auth === 'object') {
    signed = { ...headers, authorization: call.auth.authorization, 'x-amz-date': '20260101T000000Z' };
  }
  const { host: _host, ...sendable } = signed;
  const res = await fetch(endpoint, {
    method: call.method ?? 'POST',
    headers: sendable,
    ...(call.method === 'OPTIONS' ? {} : { body }),
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  const type = res.headers.get('content-type') ?? '';
  let value: unknown;
  if (bytes.length > 0) value = type.includes('cbor') ? decodeCbor(bytes) : JSON.parse(bytes.toString('utf8'));
  return { status: res.status, headers: res.headers, body: bytes, value };
}

/** A CBOR call of one operation, signed; returns the decoded answer. */
export function cborCall(endpoint: string, operation: string, input: Record<string, unknown>): Promise<WireAnswer> {
  return wireCall(endpoint, { operation, body: encodeCbor(input), contentType: 'application/x-amz-cbor-1.1' });
}
