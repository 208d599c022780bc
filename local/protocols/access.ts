/**
 * Who may talk to the twin, checked on every request before any service sees it:
 *
 * - **Host** must name the loopback address the twin binds (`127.0.0.1` or `localhost`, any port): a page on
 *   another site that rebinds its DNS name to 127.0.0.1 sends its own name in Host and is refused.
 * - **Origin**, when a browser sends one, must be the twin's own (`http://127.0.0.1:<port>`,
 *   `http://localhost:<port>`: its console) or one of `allowedOrigins`; a cross-site page is refused, whatever its
 *   Content-Type. Allowed origins get CORS headers on every answer, and `OPTIONS` preflights are answered here.
 * - **Authorization** (unless auth is off): a SigV4 header, or a presigned query string, must be present and
 *   well formed, as AWS requires; signatures are not verified (any keys work). The twin's own pages and routes
 *   (`/_twin/`, `/_console/`) need none.
 */
import { AwsServiceError } from '../service';
import { header, type WireRequest } from './types';

export interface AccessOptions {
  /** Origins besides the twin's own whose pages may call it (CORS), e.g. `http://localhost:3000`. */
  allowedOrigins?: readonly string[];
  /** Check that requests carry a well-formed SigV4 Authorization (default true). */
  auth?: boolean;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);
/** Paths of the twin itself (health, error reports, the console): no AWS signature expected. */
const OWN_PATHS = /^\/_(twin|console)(\/|$)/;
const ALLOW_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** Response headers the SDKs read, which a browser hides from scripts unless they are exposed. */
const EXPOSE_HEADERS = [
  'x-amzn-requestid',
  'x-amzn-errortype',
  'x-amz-request-id',
  'x-amz-id-2',
  'x-amz-function-error',
  'x-amz-log-result',
  'x-amz-executed-version',
  'x-amz-version-id',
  'etag',
  'content-length',
  'date',
].join(', ');

export type AuthFailure = 'missing' | 'incomplete';

export class Access {
  private readonly allowed: Set<string>;
  readonly auth: boolean;

  constructor(opts: AccessOptions = {}) {
    this.allowed = new Set((opts.allowedOrigins ?? []).map((o) => o.replace(/\/+$/, '')));
    this.auth = opts.auth ?? true;
  }

  /** The twin's own origins once it listens on `port`. */
  listening(port: number): void {
    this.allowed.add(`http://127.0.0.1:${port}`);
    this.allowed.add(`http://localhost:${port}`);
  }

  /** AccessDeniedException when Host or Origin is not the twin's; undefined when the request may go on. */
  refusal(req: WireRequest): AwsServiceError | undefined {
    const host = header(req.headers, 'host') || header(req.headers, ':authority');
    if (host !== '' && !LOOPBACK_HOSTS.has(hostname(host))) {
      return new AwsServiceError(
        'AccessDeniedException',
        `The twin answers requests for its loopback address only, not for Host ${host}`,
        403,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.allowed.has(String(origin))) {
      return new AwsServiceError(
        'AccessDeniedException',
        `Origin ${String(origin)} may not call the twin (allow it with --allow-origin ${String(origin)})`,
        403,
      );
    }
    return undefined;
  }

  /** CORS headers for an answer to an allowed origin ({} without Origin). */
  corsHeaders(req: WireRequest): Record<string, string> {
    const origin = req.headers.origin;
    if (origin === undefined || !this.allowed.has(String(origin))) return {};
    return {
      'access-control-allow-origin': String(origin),
      'access-control-expose-headers': EXPOSE_HEADERS,
      vary: 'Origin',
    };
  }

  /** True for a CORS preflight, which the twin answers itself. */
  isPreflight(req: WireRequest): boolean {
    return req.method === 'OPTIONS';
  }

  preflightHeaders(req: WireRequest): Record<string, string> {
    const requested = header(req.headers, 'access-control-request-headers');
    return {
      ...this.corsHeaders(req),
      'access-control-allow-methods': ALLOW_METHODS,
      'access-control-allow-headers': requested || '*',
      'access-control-max-age': '86400',
    };
  }

  /** What is wrong with the request's credentials, undefined when nothing (or auth is off, or an own path). */
  authFailure(req: WireRequest): { kind: AuthFailure; message: string } | undefined {
    if (!this.auth || OWN_PATHS.test(req.path)) return undefined;
    const auth = header(req.headers, 'authorization');
    if (auth === '') {
      if (/(^|&)X-Amz-Signature=/.test(req.rawQuery)) return presignedFailure(req.rawQuery);
      return { kind: 'missing', message: 'Missing Authentication Token' };
    }
    return headerFailure(auth, req);
  }
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return (colon < 0 ? host : host.slice(0, colon)).toLowerCase();
}

function headerFailure(auth: string, req: WireRequest): { kind: AuthFailure; message: string } | undefined {
  if (!auth.startsWith('AWS4-HMAC-SHA256 ')) {
    return { kind: 'incomplete', message: `Unsupported Authorization Type. Authorization=${auth.slice(0, 64)}` };
  }
  const missing: string[] = [];
  if (!/Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/[^/,\s]+\/aws4_request/.test(auth)) {
    missing.push("Authorization header requires 'Credential' parameter.");
  }
  if (!/Signature=[0-9a-f]+/.test(auth)) missing.push("Authorization header requires 'Signature' parameter.");
  if (!/SignedHeaders=[^,\s]+/.test(auth)) missing.push("Authorization header requires 'SignedHeaders' parameter.");
  if (header(req.headers, 'x-amz-date') === '' && header(req.headers, 'date') === '') {
    missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (missing.length === 0) return undefined;
  return { kind: 'incomplete', message: `${missing.join(' ')} Authorization=${auth.slice(0, 64)}` };
}

function presignedFailure(rawQuery: string): { kind: AuthFailure; message: string } | undefined {
  const q = new URLSearchParams(rawQuery);
  const missing = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature'].filter((p) => !q.get(p));
  if (missing.length === 0) return undefined;
  return { kind: 'incomplete', message: `The presigned request lacks ${missing.join(', ')}.` };
}

/** The error a protocol's services answer for missing or malformed credentials. */
export function authError(protocol: string, failure: { kind: AuthFailure; message: string }): AwsServiceError {
  const base = failure.kind === 'missing' ? 'MissingAuthenticationToken' : 'IncompleteSignature';
  switch (protocol) {
    case 'aws-query':
      return new AwsServiceError(base, failure.message, 403);
    case 'rest-xml':
      return new AwsServiceError('AccessDenied', failure.message, 403);
    case 'rest-json':
      return new AwsServiceError(`${base}Exception`, failure.message, 403);
    default:
      return new AwsServiceError(`${base}Exception`, failure.message, 400);
  }
}
