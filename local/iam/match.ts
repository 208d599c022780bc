/**
 * Wildcard matching as IAM does it: `*` any run of characters, `?` one character. Actions match case-insensitively
 * (`Kinesis:putrecords` is `kinesis:PutRecords`); ARNs match component by component (partition, service, region,
 * account, then the resource, where a wildcard may span `:` and `/`), case-sensitively.
 */

const cache = new Map<string, RegExp>();

function globRegExp(pattern: string, flags: string): RegExp {
  const key = `${flags}\u0000${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, flags.includes('i') ? 'is' : 's');
    cache.set(key, re);
  }
  return re;
}

/** `pattern` (with `*` and `?`) matches the whole of `value`. */
export function glob(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return globRegExp(pattern, ignoreCase ? 'i' : '').test(value);
}

/** An Action element's entry matches the action a request needs. */
export function actionMatches(pattern: string, action: string): boolean {
  return glob(pattern, action, true);
}

/** The six components of an ARN (the last is everything after the fifth colon); undefined when it is no ARN. */
function components(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0) return undefined;
    parts.push(arn.slice(start, colon));
    start = colon + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

/** A Resource entry (or an ArnLike value) matches a resource ARN: `*`, or component by component. */
export function arnMatches(pattern: string, arn: string): boolean {
  if (pattern === '*') return true;
  const p = components(pattern);
  const a = components(arn);
  // a pattern that starts as an ARN but lacks its six components matches nothing (IAM calls it malformed)
  if (!p) return !pattern.startsWith('arn:') && glob(pattern, arn);
  if (!a) return false;
  return p.every((part, i) => glob(part, a[i]!));
}
