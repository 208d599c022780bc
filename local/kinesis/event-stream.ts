/**
 * The AWS event stream framing (application/vnd.amazon.eventstream) that SubscribeToShard answers with:
 * prelude (total length, headers length, CRC32), string headers, payload, CRC32 of the whole message.
 */
import { crc32 } from 'node:zlib';

const STRING_HEADER = 7;

export function encodeMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.allocUnsafe(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING_HEADER, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    parts.push(h);
  }
  const headerBytes = Buffer.concat(parts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const msg = Buffer.allocUnsafe(total);
  msg.writeUInt32BE(total, 0);
  msg.writeUInt32BE(headerBytes.length, 4);
  msg.writeUInt32BE(crc32(msg.subarray(0, 8)), 8);
  headerBytes.copy(msg, 12);
  payload.copy(msg, 12 + headerBytes.length);
  msg.writeUInt32BE(crc32(msg.subarray(0, total - 4)), total - 4);
  return msg;
}

export function eventMessage(eventType: string, json: string): Buffer {
  return encodeMessage(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(json, 'utf8'),
  );
}

export function exceptionMessage(type: string, message: string): Buffer {
  return encodeMessage(
    { ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' },
    Buffer.from(JSON.stringify({ message }), 'utf8'),
  );
}
