/**
 * AWS JSON 1.0 / 1.1 (Kinesis, Kinesis Analytics, Step Functions, and later CloudWatch Logs and Firehose):
 * `POST /` with `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON object body; answers
 * `application/x-amz-json-1.x` JSON, errors `{"__type": "<Name>", "message": "..."}` with `x-amzn-errortype`.
 */
import { type AwsJsonService, AwsServiceError, JsonText, type RequestContext, StreamingBody } from '../service';
import { header, type Protocol, type Reply, reportInternal, type WireRequest } from './types';

/** The AWS JSON services by target prefix, shared with the CBOR protocol (same targets, other encoding). */
export class TargetTable {
  private readonly services = new Map<string, AwsJsonService>();

  add(service: AwsJsonService): void {
    if (this.services.has(service.targetPrefix)) {
      throw new Error(`Two services of the twin serve X-Amz-Target ${service.targetPrefix}`);
    }
    this.services.set(service.targetPrefix, service);
  }

  get size(): number {
    return this.services.size;
  }

  /** The service and operation a target names; UnknownOperationException when no service serves it. */
  resolve(target: string): { service: AwsJsonService; operation: string } {
    const dot = target.lastIndexOf('.');
    const service = dot < 0 ? undefined : this.services.get(target.slice(0, dot));
    if (!service) throw new AwsServiceError('UnknownOperationException', `No service serves ${target}`);
    return { service, operation: target.slice(dot + 1) };
  }

  /** The JSON version of the service a target names, '1.1' when none does (for error replies). */
  versionOf(target: string): '1.0' | '1.1' {
    return this.services.get(target.slice(0, target.lastIndexOf('.')))?.jsonVersion ?? '1.1';
  }
}

/** True for a request that names an X-Amz-Target (the RPC protocols: JSON and CBOR). */
export function isTargetRequest(req: WireRequest): boolean {
  return req.method === 'POST' && typeof req.headers['x-amz-target'] === 'string';
}

export function isCborRequest(req: WireRequest): boolean {
  return header(req.headers, 'content-type').includes('cbor');
}

/** `{"__type", "message", ...extra}`, or InternalFailure (500) for anything that is not an AWS error. */
export function jsonError(error: unknown, contentType: string): Reply {
  if (error instanceof AwsServiceError) {
    return {
      status: error.status,
      headers: { 'content-type': contentType, 'x-amzn-errortype': error.type },
      body: JSON.stringify({ __type: error.type, message: error.message, ...error.extra }),
    };
  }
  reportInternal(error);
  return {
    status: 500,
    headers: { 'content-type': contentType },
    body: JSON.stringify({
      __type: 'InternalFailure',
      message: error instanceof Error ? error.message : String(error),
    }),
  };
}

/** A JSON request body: an object, `{}` when empty; SerializationException otherwise. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new AwsServiceError('SerializationException', `Malformed JSON request body: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AwsServiceError('SerializationException', 'Start of structure or map expected.');
  }
  return value as Record<string, unknown>;
}

export function awsJsonProtocol(targets: TargetTable): Protocol {
  return {
    name: 'aws-json',
    match(req) {
      if (!isTargetRequest(req) || isCborRequest(req)) return undefined;
      return async (ctx: RequestContext): Promise<Reply> => {
        const { service, operation } = targets.resolve(header(req.headers, 'x-amz-target'));
        const output = await service.handle(operation, parseJsonObject(req.body), ctx);
        if (output instanceof StreamingBody) {
          return { status: 200, headers: { 'content-type': output.contentType }, body: '', stream: output };
        }
        // undefined: an operation with no output shape, answered with an empty body as AWS does
        const json = output instanceof JsonText ? output.json : output === undefined ? '' : JSON.stringify(output);
        return {
          status: 200,
          headers: { 'content-type': `application/x-amz-json-${service.jsonVersion}` },
          body: json,
        };
      };
    },
    error(error, req) {
      return jsonError(error, `application/x-amz-json-${targets.versionOf(header(req.headers, 'x-amz-target'))}`);
    },
  };
}
