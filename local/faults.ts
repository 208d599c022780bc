/**
 * Shares of a twin's fault injection (test only), exact and deterministic: a share of 0.25 hits the 4th, 8th, 12th
 * ... event, so a test knows how many faults a run met. The Firehose and Lambda twins count their events (records,
 * calls, invocations) per stream or function and ask `hits` of each.
 */

/** True for the `n`th event (from 1) of a share: a share of 0.25 hits the 4th, 8th, ... exactly. */
export function hits(share: number | undefined, n: number): boolean {
  return share !== undefined && share > 0 && Math.floor(n * share) > Math.floor((n - 1) * share);
}

/** Throws RangeError unless every share of `faults` is a number in [0, 1]; returns `faults`. */
export function checkShares<T extends object>(what: string, faults: T): T {
  for (const [key, value] of Object.entries(faults)) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1)
      throw new RangeError(`${what}: fault ${key} must be a share between 0 and 1, got ${String(value)}`);
  }
  return faults;
}
