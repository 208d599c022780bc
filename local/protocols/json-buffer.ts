/**
 * JSON written straight into bytes, for the answers whose size is the twin's throughput (GetRecords: up to
 * 10,000 records, 10 MiB of base64): no string per record and no megabyte string to flatten and encode again on
 * the way to the socket. Only the written part of the buffer ever leaves (`bytes()`), so no byte that was not
 * written can reach a client.
 */

const B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const PAD = 0x3d;

export class JsonBuffer {
  private buf: Buffer;
  private at = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  /** Bytes as they are (constant pieces of JSON, prepared once with `Buffer.from`). */
  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.at);
    this.at += bytes.length;
    return this;
  }

  /** ASCII text known to need no escaping (digits, sequence numbers, ids). */
  ascii(text: string): this {
    const n = text.length;
    this.room(n);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.at = at;
    return this;
  }

  /** A JSON string: quoted, escaped as JSON.stringify escapes it. */
  string(text: string): this {
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) {
        const json = Buffer.from(JSON.stringify(text), 'utf8');
        return this.raw(json);
      }
    }
    this.room(n + 2);
    this.buf[this.at++] = 0x22;
    this.ascii(text);
    this.buf[this.at++] = 0x22;
    return this;
  }

  /** `bytes[start, end)` as base64 text (standard alphabet, padded), without quotes. */
  base64(bytes: Uint8Array, start: number, end: number): this {
    const n = end - start;
    this.room(Math.ceil(n / 3) * 4);
    const out = this.buf;
    let at = this.at;
    let i = start;
    for (const stop = start + n - (n % 3); i < stop; i += 3) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      out[at] = B64[v >> 18]!;
      out[at + 1] = B64[(v >> 12) & 63]!;
      out[at + 2] = B64[(v >> 6) & 63]!;
      out[at + 3] = B64[v & 63]!;
      at += 4;
    }
    if (i < end) {
      const two = i + 1 < end;
      const v = (bytes[i]! << 16) | (two ? bytes[i + 1]! << 8 : 0);
      out[at] = B64[v >> 18]!;
      out[at + 1] = B64[(v >> 12) & 63]!;
      out[at + 2] = two ? B64[(v >> 6) & 63]! : PAD;
      out[at + 3] = PAD;
      at += 4;
    }
    this.at = at;
    return this;
  }

  /** What was written, as a view (not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }
}
