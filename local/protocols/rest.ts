/**
 * REST protocols, dispatched on method and path: `rest-json` (Lambda, the twin's own `/_twin/` routes; errors
 * `{"__type", "message"}`) and `rest-xml` (S3, path-style; errors `<Error><Code>...`). A route's handler gets
 * the path parameters, the query, the headers and the raw body, and answers status, headers and body.
 */
import { AwsServiceError, type RequestContext, type RestResponse, type RestRoute, StreamingBody } from '../service';
import type { Protocol, Reply, WireRequest } from './types';
import { reportInternal } from './types';
import { escapeXml } from './xml';

interface RestFlavour {
  name: 'rest-json' | 'rest-xml';
  /** A body that is neither string nor Buffer: how it goes out. */
  encode(body: unknown, headers: Record<string, string>): string | Buffer;
  error(error: unknown): Reply;
}

function matchRoute(
  routes: readonly RestRoute[],
  req: WireRequest,
): { route: RestRoute; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== req.method) continue;
    const match = route.path.exec(req.path);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(match.groups ?? {})) if (v !== undefined) params[k] = decodeURIComponent(v);
    return { route, params };
  }
  return undefined;
}

function restProtocol(routes: readonly RestRoute[], flavour: RestFlavour): Protocol {
  return {
    name: flavour.name,
    match(req) {
      const found = matchRoute(routes, req);
      if (!found) return undefined;
      return async (ctx: RequestContext): Promise<Reply> => {
        const out: RestResponse = await found.route.handle({
          params: found.params,
          query: new URLSearchParams(req.rawQuery),
          headers: req.headers,
          body: req.body,
          ctx,
        });
        const headers: Record<string, string> = { ...out.headers };
        // a response written over time (the console's server-sent events)
        if (out.body instanceof StreamingBody) return { status: out.status, headers, body: '', stream: out.body };
        let body: string | Buffer;
        if (out.body === undefined) body = '';
        else if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) body = out.body;
        else body = flavour.encode(out.body, headers);
        return { status: out.status, headers, body };
      };
    },
    error: (error) => flavour.error(error),
  };
}

/** JSON errors of the REST JSON services (Lambda answers `{"Type": "User", "message"}`; SDKs read `__type` too). */
export function restJsonError(error: unknown): Reply {
  if (error instanceof AwsServiceError) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.type },
      body: JSON.stringify({ __type: error.type, message: error.message, ...error.extra }),
    };
  }
  reportInternal(error);
  return {
    status: 500,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      __type: 'InternalFailure',
      message: error instanceof Error ? error.message : String(error),
    }),
  };
}

export function restJsonProtocol(routes: readonly RestRoute[]): Protocol {
  return restProtocol(routes, {
    name: 'rest-json',
    encode(body, headers) {
      headers['content-type'] ??= 'application/json';
      return JSON.stringify(body);
    },
    error: restJsonError,
  });
}

/** `<Error><Code>..</Code><Message>..</Message></Error>`, as S3 answers. */
export function restXmlError(error: unknown): Reply {
  const aws = error instanceof AwsServiceError ? error : undefined;
  if (!aws) reportInternal(error);
  const code = aws?.type ?? 'InternalError';
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: aws?.status ?? 500,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>`,
  };
}

export function restXmlProtocol(routes: readonly RestRoute[]): Protocol {
  return restProtocol(routes, {
    name: 'rest-xml',
    encode() {
      throw new Error('rest-xml routes answer a string or Buffer body (XML), not an object');
    },
    error: restXmlError,
  });
}
