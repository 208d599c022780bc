/**
 * Shard iterators: opaque base64 tokens that carry where they point and when they were issued, so they survive
 * a restart with --data-dir and expire after five minutes of the twin's clock, as on AWS.
 */
import { invalidIterator } from './errors';

const VERSION = 'kt1';

export interface IteratorPosition {
  issuedMs: number;
  streamName: string;
  streamCreatedMs: number;
  shardIndex: number;
  /** Index in the shard of the next record to return. */
  position: number;
}

export function encodeIterator(p: IteratorPosition): string {
  return Buffer.from(
    `${VERSION}|${p.issuedMs}|${p.streamCreatedMs}|${p.shardIndex}|${p.position}|${p.streamName}`,
    'utf8',
  ).toString('base64');
}

export function decodeIterator(token: string): IteratorPosition {
  const parts = Buffer.from(token, 'base64').toString('utf8').split('|');
  if (parts.length !== 6 || parts[0] !== VERSION) throw invalidIterator();
  const [issuedMs, streamCreatedMs, shardIndex, position] = parts.slice(1, 5).map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const streamName = parts[5]!;
  if (![issuedMs, streamCreatedMs, shardIndex, position].every(Number.isSafeInteger) || streamName === '') {
    throw invalidIterator();
  }
  return { issuedMs, streamName, streamCreatedMs, shardIndex, position };
}
