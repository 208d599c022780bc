/**
 * CBOR for the AWS JSON services that speak it (Kinesis: the Java SDK and the KCL send
 * `Content-Type: application/x-amz-cbor-1.1` with the same X-Amz-Target). The request and the answer are the
 * JSON protocol's objects in CBOR (RFC 8949), with two differences the API model tells apart: blobs are byte
 * strings (major type 2) instead of base64 text, and timestamps are tag 1 around epoch **milliseconds** (what
 * the AWS SDKs for Java write and read). Errors go out in CBOR too, `{"__type", "message"}` with
 * `x-amzn-errortype`.
 *
 * The codec is the AWS SDK's own (`@smithy/core/cbor`, which the JavaScript SDK uses for Smithy RPC v2 CBOR).
 */
import { cbor, tag } from '@smithy/core/cbor';
import type { ApiModel, Shape } from '../api-model/model';
import { AwsServiceError, JsonText, type RequestContext, StreamingBody } from '../service';
import { isCborRequest, isTargetRequest, type TargetTable } from './aws-json';
import { header, type Protocol, type Reply, reportInternal } from './types';

export const CBOR_CONTENT_TYPE = 'application/x-amz-cbor-1.1';

/** A CBOR request body: a map, `{}` when empty; SerializationException otherwise. */
export function parseCborObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = cbor.deserialize(body);
  } catch (error) {
    throw new AwsServiceError('SerializationException', `Malformed CBOR request body: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new AwsServiceError('SerializationException', 'Start of structure or map expected.');
  }
  return value as Record<string, unknown>;
}

function isTag(value: unknown): value is { tag: number | bigint; value: unknown } {
  return value !== null && typeof value === 'object' && 'tag' in value && 'value' in value;
}

/**
 * Request values into the JSON protocol's terms where the model says timestamp: tag 1 (or a bare number) of
 * epoch milliseconds becomes a Date. Blobs stay bytes; anything else is left for the validator to judge.
 */
export function fromCbor(model: ApiModel, shape: Shape, value: unknown): unknown {
  switch (shape.type) {
    case 'timestamp': {
      const ms = isTag(value) && Number(value.tag) === 1 ? value.value : value;
      if (typeof ms === 'number') return new Date(ms);
      if (typeof ms === 'bigint') return new Date(Number(ms));
      return value;
    }
    case 'structure': {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || isTag(value)) return value;
      const members = shape.members ?? {};
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const member = members[k];
        out[k] = member && v != null ? fromCbor(model, model.shape(member.shape), v) : v;
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return value;
      const member = model.shape(shape.member!.shape);
      return value.map((v: unknown) => (v == null ? v : fromCbor(model, member, v)));
    }
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || isTag(value)) return value;
      const val = model.shape(shape.value!.shape);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v == null ? v : fromCbor(model, val, v)]));
    }
    default:
      return value;
  }
}

/**
 * An answer in the JSON protocol's terms (base64 blobs, timestamps in epoch seconds or Dates) into CBOR's:
 * byte strings and tag 1 of epoch milliseconds. Members the model does not name pass as they are.
 */
export function toCbor(model: ApiModel, shape: Shape | undefined, value: unknown): unknown {
  if (value === null || value === undefined || shape === undefined) return value;
  switch (shape.type) {
    case 'blob':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    case 'timestamp': {
      const ms =
        value instanceof Date ? value.getTime() : typeof value === 'number' ? value * 1000 : Date.parse(String(value));
      return tag({ tag: 1, value: Math.round(ms) });
    }
    case 'structure': {
      if (typeof value !== 'object') return value;
      const members = shape.members ?? {};
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const member = members[k];
        out[k] = toCbor(model, member ? model.shape(member.shape) : undefined, v);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) return value;
      const member = model.shape(shape.member!.shape);
      return value.map((v: unknown) => toCbor(model, member, v));
    }
    case 'map': {
      if (typeof value !== 'object') return value;
      const val = model.shape(shape.value!.shape);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCbor(model, val, v)]));
    }
    default:
      return value;
  }
}

/** The codec's bytes as a Buffer, without a copy. */
function cborBuffer(value: unknown): Buffer {
  const bytes = cbor.serialize(value);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function cborError(error: unknown): Reply {
  if (error instanceof AwsServiceError) {
    return {
      status: error.status,
      headers: { 'content-type': CBOR_CONTENT_TYPE, 'x-amzn-errortype': error.type },
      body: cborBuffer({ __type: error.type, message: error.message, ...error.extra }),
    };
  }
  reportInternal(error);
  return {
    status: 500,
    headers: { 'content-type': CBOR_CONTENT_TYPE },
    body: Buffer.from(
      cbor.serialize({ __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) }),
    ),
  };
}

/** `models`: the API model of each service that speaks CBOR, by target prefix. */
export function cborProtocol(targets: TargetTable, models: ReadonlyMap<string, ApiModel>): Protocol {
  return {
    name: 'cbor',
    match(req) {
      if (!isTargetRequest(req) || !isCborRequest(req)) return undefined;
      return async (ctx: RequestContext): Promise<Reply> => {
        const { service, operation } = targets.resolve(header(req.headers, 'x-amz-target'));
        const model = models.get(service.targetPrefix);
        if (!model) {
          throw new AwsServiceError(
            'SerializationException',
            `${service.targetPrefix} on the twin speaks AWS JSON, not CBOR: turn CBOR off in the client (AWS_CBOR_DISABLE=true for the Java SDK)`,
          );
        }
        if (!model.isOperation(operation)) {
          throw new AwsServiceError(
            'UnknownOperationException',
            `Unknown operation ${service.targetPrefix}.${operation}.`,
          );
        }
        const raw = parseCborObject(req.body);
        const inputShape = model.inputOf(operation);
        const input = (inputShape ? fromCbor(model, model.shape(inputShape), raw) : raw) as Record<string, unknown>;
        const output = await service.handle(operation, input, { ...ctx, encoding: 'cbor' });
        if (output instanceof StreamingBody) {
          return { status: 200, headers: { 'content-type': output.contentType }, body: '', stream: output };
        }
        if (output === undefined) return { status: 200, headers: { 'content-type': CBOR_CONTENT_TYPE }, body: '' };
        const plain = output instanceof JsonText ? (JSON.parse(output.json.toString()) as unknown) : output;
        const outputShape = model.outputOf(operation);
        const encoded = toCbor(model, outputShape ? model.shape(outputShape) : undefined, plain);
        return {
          status: 200,
          headers: { 'content-type': CBOR_CONTENT_TYPE },
          body: cborBuffer(encoded),
        };
      };
    },
    error: (error) => cborError(error),
  };
}
