/**
 * Base64 as the AWS JSON front ends read a blob: the standard alphabet, padded, a multiple of 4 characters, and
 * checked over its whole length (a record of 10 MiB too), so no byte that was not sent can be stored or read
 * back. Only the canonical encoding of some bytes is taken (unused bits zero, as every SDK writes them), so what
 * a client reads back is the very text it sent.
 */
import { AwsServiceError } from '../service';

const ALPHABET = /^[A-Za-z0-9+/]*$/;

function notABlob(value: string, path: { toString(): string }, why: string): AwsServiceError {
  return new AwsServiceError(
    'SerializationException',
    `'${value.slice(0, 64)}${value.length > 64 ? '...' : ''}' can not be converted to a Blob at '${path}': ${why}`,
  );
}

const SIXBITS = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) {
  SIXBITS[c.charCodeAt(0)] = i;
}

/** The decoded length of a base64 blob; SerializationException when it is not complete, canonical base64. */
export function base64Length(value: string, path: { toString(): string } = 'data'): number {
  const n = value.length;
  if (n % 4 !== 0) {
    throw notABlob(value, path, `Base64 encoded length is expected a multiple of 4 bytes but found: ${n}`);
  }
  let pad = 0;
  if (n > 0 && value.charCodeAt(n - 1) === 61) pad = value.charCodeAt(n - 2) === 61 ? 2 : 1;
  const body = pad === 0 ? value : value.slice(0, n - pad);
  if (!ALPHABET.test(body)) throw notABlob(value, path, 'Invalid Base64 character');
  if (pad > 0) {
    // the last character before the padding carries 4 (one '=') or 2 (two) bits that must be zero
    const last = SIXBITS[body.charCodeAt(body.length - 1)]!;
    if ((last & (pad === 2 ? 0b1111 : 0b11)) !== 0) throw notABlob(value, path, 'Invalid last Base64 character');
  }
  return (n / 4) * 3 - pad;
}

/** Decoded length of base64 text already checked by `base64Length`. */
export function decodedLength(value: string): number {
  const n = value.length;
  let pad = 0;
  if (n > 0 && value.charCodeAt(n - 1) === 61) pad = value.charCodeAt(n - 2) === 61 ? 2 : 1;
  return (n / 4) * 3 - pad;
}
