/**
 * MD5 of a short ASCII partition key, in JavaScript: every record of every PutRecords is routed by the MD5 of
 * its key, and for the keys people use (up to 55 ASCII characters: one MD5 block) this costs about half of a
 * call into node:crypto, whose per-call overhead dwarfs hashing 64 bytes. Anything longer or non-ASCII goes to
 * node:crypto. RFC 1321; checked against node:crypto by a property test (test/unit/local/kinesis/md5.test.ts).
 */
import { hash } from 'node:crypto';

const SHIFTS = new Uint8Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4,
  11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);
const SINES = new Int32Array(64).map((_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);
const WORDS = new Int32Array(16);
const BLOCK = new Uint8Array(WORDS.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The 16-byte MD5 digest of `key` (a new Buffer). */
export function md5(key: string): Buffer {
  const n = key.length;
  if (n > 55 || !LITTLE_ENDIAN) return hash('md5', key, 'buffer');
  for (let i = 0; i < n; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return hash('md5', key, 'buffer');
    BLOCK[i] = c;
  }
  BLOCK[n] = 0x80;
  BLOCK.fill(0, n + 1, 56);
  WORDS[14] = n * 8;
  WORDS[15] = 0;
  let a = 0x67452301;
  let b = 0xefcdab89 | 0;
  let c = 0x98badcfe | 0;
  let d = 0x10325476;
  for (let i = 0; i < 64; i++) {
    let f: number;
    let g: number;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) & 15;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) & 15;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) & 15;
    }
    const x = (a + f + SINES[i]! + WORDS[g]!) | 0;
    const s = SHIFTS[i]!;
    a = d;
    d = c;
    c = b;
    b = (b + ((x << s) | (x >>> (32 - s)))) | 0;
  }
  const out = Buffer.allocUnsafe(16);
  out.writeInt32LE((a + 0x67452301) | 0, 0);
  out.writeInt32LE((b + (0xefcdab89 | 0)) | 0, 4);
  out.writeInt32LE((c + (0x98badcfe | 0)) | 0, 8);
  out.writeInt32LE((d + 0x10325476) | 0, 12);
  return out;
}
