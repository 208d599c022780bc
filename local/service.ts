/**
 * The contract between the twin's shared server (local/server.ts) and each service it serves.
 *
 * A service is mounted in one wire protocol (`Mount`): the server picks the protocol of each request
 * (local/protocols/), the protocol finds the service and the operation, decodes the input, encodes the output
 * and puts errors on the wire in its own shape. The services themselves see plain inputs and outputs.
 *
 * | protocol      | dispatch                                            | services                          |
 * | ------------- | --------------------------------------------------- | --------------------------------- |
 * | `aws-json`    | POST, `X-Amz-Target: <targetPrefix>.<Operation>`    | Kinesis, Kinesis Analytics, SFN   |
 * |   + CBOR      | the same, `Content-Type: application/x-amz-cbor-1.1` | Kinesis (Java SDK, KCL)         |
 * | `rest-json`   | method and path                                     | Lambda, the twin's own routes     |
 * | `aws-query`   | POST form `Action=..&Version=..`, XML answers       | CloudFormation, STS (to come)     |
 * | `rest-xml`    | method and path (S3 path-style), XML errors         | S3 (to come)                      |
 * | `rpc-v2-cbor` | POST `/service/<name>/operation/<Operation>`        | CloudWatch (to come)              |
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ApiModel } from './api-model/model';
import type { Principal } from './iam';

/** What a handler knows of the request besides its body. */
export interface RequestContext {
  /** Region taken from the SigV4 credential scope, or the twin's default region. */
  region: string;
  /** Account id of the twin (always the same). */
  accountId: string;
  headers: IncomingHttpHeaders;
  /** How the request body was encoded (AWS JSON unless the client sent CBOR). */
  encoding?: 'json' | 'cbor';
  /**
   * Who calls: the role session whose credentials the twin issued (a function's), or one a service calling
   * another in process hands in; absent for the account root (keys the twin did not issue), which IAM does not
   * evaluate.
   */
  principal?: Principal;
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
  /** A string or Buffer goes out as it is; anything else as JSON (rest-json) . */
  body?: Buffer | string | unknown;
}

/**
 * A service spoken in the AWS query protocol (CloudFormation, STS, IAM): `POST /` with a form-urlencoded body
 * `Action=<Operation>&Version=<version>&<member>=<value>...` (or the same in the query string of a GET).
 * The protocol wraps what `handle` returns in `<{Action}Response xmlns="{xmlNamespace}"><{Action}Result>` ...
 * `</{Action}Result><ResponseMetadata><RequestId>` and errors in `<ErrorResponse><Error><Code>`.
 */
export interface QueryService {
  /** The API version every request names (`Version=2010-05-15` for CloudFormation, `2011-06-15` for STS). */
  readonly version: string;
  /** The SigV4 signing name (`cloudformation`, `sts`): tells two services apart when a request has no Version. */
  readonly signingName: string;
  /** The namespace of the answers, e.g. `http://cloudformation.amazonaws.com/doc/2010-05-15/`. */
  readonly xmlNamespace: string;
  /**
   * Runs one action with the request's parameters as sent (`Parameters.member.1.ParameterKey=...`; decode
   * them with `queryParams` of local/protocols/aws-query). Returns the XML inside `<{Action}Result>` (already
   * escaped; `xml` of local/protocols/xml builds it), or undefined for an action with no output.
   */
  handle(action: string, params: URLSearchParams, ctx: RequestContext): Promise<string | undefined>;
}

/**
 * A service spoken in Smithy RPC v2 CBOR (CloudWatch, as recent SDKs send it): `POST
 * /service/<serviceName>/operation/<Operation>`, `smithy-protocol: rpc-v2-cbor`, CBOR bodies both ways.
 */
export interface RpcV2CborService {
  /** The Smithy service name in the path, e.g. `GraniteServiceVersion20100801`. */
  readonly serviceName: string;
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
}

/** How a service is put on the twin's port: in which wire protocol it speaks. */
export type Mount =
  | {
      readonly protocol: 'aws-json';
      readonly service: AwsJsonService /** Also CBOR (Kinesis). */;
      /** Also CBOR (Kinesis), converted by this model (blobs as bytes, timestamps as tag 1 in ms). */
      readonly cbor?: ApiModel;
    }
  | { readonly protocol: 'rest-json'; readonly routes: readonly RestRoute[] }
  | { readonly protocol: 'aws-query'; readonly service: QueryService }
  | { readonly protocol: 'rest-xml'; readonly routes: readonly RestRoute[] }
  | { readonly protocol: 'rpc-v2-cbor'; readonly service: RpcV2CborService };

/** Mounts an AWS JSON service (with `cbor: model`, CBOR requests too). */
export function awsJson(service: AwsJsonService, opts: { cbor?: ApiModel } = {}): Mount {
  return { protocol: 'aws-json', service, ...(opts.cbor ? { cbor: opts.cbor } : {}) };
}

/** Mounts REST routes with JSON bodies and `{"__type", "message"}` errors (Lambda, the twin's own routes). */
export function restJson(routes: readonly RestRoute[]): Mount {
  return { protocol: 'rest-json', routes };
}

/** Mounts a query-protocol service (form in, XML out). */
export function awsQuery(service: QueryService): Mount {
  return { protocol: 'aws-query', service };
}

/** Mounts REST routes with XML errors (S3); tried after every other route, so path-style buckets can match `/*`. */
export function restXml(routes: readonly RestRoute[]): Mount {
  return { protocol: 'rest-xml', routes };
}

/** Mounts a Smithy RPC v2 CBOR service. */
export function rpcV2Cbor(service: RpcV2CborService): Mount {
  return { protocol: 'rpc-v2-cbor', service };
}

/**
 * An error as AWS puts it on the wire: `{"__type": type, "message": message}` (JSON protocols) or
 * `<Error><Code>type</Code><Message>` (XML protocols) with `status` (400 by default).
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

/**
 * A response body that is already JSON, as text or UTF-8 bytes. Services return it from `handle` on hot paths
 * (PutRecords, GetRecords) where writing the JSON by hand beats building objects for JSON.stringify.
 */
export class JsonText {
  constructor(readonly json: string | Buffer) {}
}

/** Where a streaming response writes (SubscribeToShard's event stream). */
export interface ResponseSink {
  write(chunk: Buffer): void;
  end(): void;
  /** True once the client has gone or `end` was called. */
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

/** A 200 response written over time by `start`, for event streams. */
export class StreamingBody {
  constructor(
    readonly contentType: string,
    readonly start: (sink: ResponseSink) => void,
  ) {}
}
