/**
 * What every wire protocol of the twin (local/protocols/*) is to the server: it recognises its requests, servess
 * them (finds the service and operation, decodes the input, encodes the output) and puts errors on the wire in
 * its own shape. The server (local/server.ts) only moves bytes, checks Origin/Host and auth, and asks each
 * protocol in turn whether a request is its own.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestContext, StreamingBody } from '../service';

/** A request as the server read it: the whole body, the path split from the query string. */
export interface WireRequest {
  method: string;
  /** The path without the query string, still percent-encoded. */
  path: string;
  /** The query string without `?` ('' when none). */
  rawQuery: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What goes back: status, headers, and a body or a stream. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  stream?: StreamingBody;
}

export interface Protocol {
  /** `aws-json`, `cbor`, `rest-json`, ...: for messages and docs. */
  readonly name: string;
  /**
   * When the request is in this protocol (and, for routed protocols, addressed to a route of it): what serves
   * it (finds the service and operation, decodes, runs, encodes; throws AwsServiceError or anything on failure).
   */
  match(req: WireRequest): ((ctx: RequestContext) => Promise<Reply>) | undefined;
  /** An error (AwsServiceError, or any other thrown value: an internal failure) as this protocol answers it. */
  error(error: unknown, req: WireRequest): Reply;
}

/** The header value as one string ('' when absent). */
export function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : '';
}

/** Logs an error that is not an AWS error (a bug in the twin) once, where the twin's operator sees it. */
export function reportInternal(error: unknown): void {
  process.stderr.write(`twin: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
}
