/** What the Step Functions operations share: names, ARN checks, pagination tokens. */
import { errors } from '../errors';

/** State machine and execution names. */
export const NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Refuses an ARN that is not a state machine's (or an execution's), with Step Functions' InvalidArn. */
export function checkArn(arn: string, kind: 'stateMachine' | 'execution'): void {
  if (!/^arn:aws[\w-]*:states:[\w-]+:\d{12}:(stateMachine|execution):/.test(arn) || !arn.includes(`:${kind}:`))
    throw errors.invalidArn(arn);
}

/** One page of `all` from `nextToken` (an opaque offset), at most `maxResults` (default 1000). */
export function paginate<T>(
  all: T[],
  input: { maxResults?: number | undefined; nextToken?: string | undefined },
): { page: T[]; nextToken?: string } {
  const max = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 1000;
  let start = 0;
  if (typeof input.nextToken === 'string') {
    start = Number(Buffer.from(input.nextToken, 'base64').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) throw errors.invalidToken();
  }
  const page = all.slice(start, start + max);
  return start + max < all.length ? { page, nextToken: Buffer.from(String(start + max)).toString('base64') } : { page };
}
