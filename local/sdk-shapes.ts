/**
 * The SDK's request and response types as the twin's services use them in process, and as AWS JSON carries them.
 * (A small seam until the twin's protocol layer serializes from the API models.)
 */

/** An SDK output type whose members AWS always returns (typed `T | undefined` by the SDK) are made definite. */
export type Answer<T> = {
  [K in keyof T as object extends Pick<T, K> ? never : K]-?: Exclude<T[K], undefined>;
} & {
  [K in keyof T as object extends Pick<T, K> ? K : never]?: T[K];
};

/** An SDK shape as AWS JSON carries it: Dates as epoch seconds, undefined members left out. */
export function toWireJson(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWireJson);
  if (value && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWireJson(v);
    return out;
  }
  return value;
}
