/**
 * The contract between the twin's shared server (local/server.ts) and each service it serves.
 *
 * AWS JSON services (Kinesis, Kinesis Analytics, Step Functions) are dispatched on the `X-Amz-Target` header
 * `<targetPrefix>.<Operation>`; REST services (Lambda) on method and path.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** What a handler knows of the request besides its body. */
export interface RequestContext {
  /** Region taken from the SigV4 credential scope, or the twin's default region. */
  region: string;
  /** Account id of the twin (always the same). */
  accountId: string;
  headers: IncomingHttpHeaders;
}

/** A service spoken as AWS JSON 1.0 / 1.1: POST / with X-Amz-Target. */
export interface AwsJsonService {
  /** The part of X-Amz-Target before the dot, e.g. `Kinesis_20131202`. */
  readonly targetPrefix: string;
  /** `1.0` or `1.1`: the Content-Type the responses carry (`application/x-amz-json-1.x`). */
  readonly jsonVersion: '1.0' | '1.1';
  /**
   * Runs one operation. Returns the response body (serialized as JSON) or throws an AwsServiceError.
   * An unknown operation must throw `AwsServiceError('UnknownOperationException', ...)`.
   */
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
}

/** A REST route, for services such as Lambda (`/2015-03-31/functions/{name}/invocations`). */
export interface RestRoute {
  readonly method: string;
  /** Matched against the path (without query string); named groups become `params`. */
  readonly path: RegExp;
  handle(req: RestRequest): Promise<RestResponse>;
}

export interface RestRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ctx: RequestContext;
}

export interface RestResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | unknown;
}

/**
 * An error as AWS puts it on the wire: `{"__type": type, "message": message}` with `status` (400 by default).
 * The name is AWS's exception name, so SDK clients raise the matching exception class.
 */
export class AwsServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = type;
  }
}
