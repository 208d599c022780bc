/**
 * What every route of the console shares: JSON answers, the headers each answer carries, reading a JSON body with
 * zod, and the guard of state-changing routes. The twin's access check (local/protocols/access.ts) has already
 * refused foreign Hosts and Origins that are not allowed; a state-changing route further requires the console's
 * own Origin: a page of another origin that `--allow-origin` lets read the twin still cannot start, stop or run
 * anything, and neither can a form posted from anywhere else.
 */
import type { z } from 'zod';
import { header } from '../protocols/types';
import { AwsServiceError, type RestRequest, type RestResponse } from '../service';

/** No answer of the console may be framed by another page (clickjacking the Start button) or sniffed. */
export const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function json(body: unknown, status = 200): RestResponse {
  return {
    status,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

export function notFound(what: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `${what} not found`, 404);
}

export function badRequest(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message, 400);
}

/**
 * Refuses a state-changing request unless the browser says it comes from the console itself: Origin must be the
 * twin's own (`http://127.0.0.1:<port>` or `http://localhost:<port>`), `Sec-Fetch-Site` (when sent) same-origin,
 * and the body JSON (a cross-site form can only send form encodings or text/plain).
 */
export function requireOwnOrigin(req: RestRequest, ownOrigins: readonly string[]): void {
  const origin = header(req.headers, 'origin');
  if (!ownOrigins.includes(origin)) {
    throw new AwsServiceError(
      'AccessDeniedException',
      origin === ''
        ? 'This console action needs the Origin header of the console page (send Origin: ' + ownOrigins[0] + ')'
        : `Origin ${origin} may not change anything through the console: only the console's own page may`,
      403,
    );
  }
  const site = header(req.headers, 'sec-fetch-site');
  if (site !== '' && site !== 'same-origin') {
    throw new AwsServiceError('AccessDeniedException', `A ${site} request may not change anything`, 403);
  }
  const type = header(req.headers, 'content-type').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AwsServiceError('UnsupportedMediaTypeException', 'Console actions take application/json bodies', 415);
  }
}

/** The request body as JSON, checked by `schema`; ValidationException naming the first problem otherwise. */
export function bodyOf<T>(req: RestRequest, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = req.body.length === 0 ? {} : JSON.parse(req.body.toString('utf8'));
  } catch (error) {
    throw badRequest(`The body is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw badRequest(`${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A query parameter as an integer within [min, max], or `fallback` when absent. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}
