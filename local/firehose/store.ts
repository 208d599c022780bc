/**
 * The state of the Firehose twin: delivery streams, their settings, and the records each holds in its buffer until
 * they are delivered to S3. Every change goes through one seam (`changed`, `buffered`, `delivered`), which the
 * journal (./persistence.ts) writes down when the twin keeps its data, so an acknowledged record survives a crash.
 */
import type { Tag } from '@aws-sdk/client-firehose';
import type { Clock } from '../clock';
import { ACCOUNT, errors } from './errors';

export type StreamStatus = 'CREATING' | 'ACTIVE' | 'DELETING';
export type Compression = 'UNCOMPRESSED' | 'GZIP';

/** The extended S3 destination as the twin delivers to it. */
export interface S3Destination {
  roleArn: string;
  bucketArn: string;
  /** The bucket's name (the last part of its ARN). */
  bucket: string;
  prefix: string;
  errorOutputPrefix?: string;
  sizeMiB: number;
  intervalSeconds: number;
  compression: Compression;
}

/** What a stream is, as kept across restarts. */
export interface StreamSettings {
  name: string;
  arn: string;
  created: number;
  /** DeliveryStreamVersion: 1 at creation (the `-1-` of an object's name). */
  version: number;
  s3: S3Destination;
  tags: Tag[];
}

export interface BufferedRecord {
  data: Buffer;
  /** When Firehose took it (ms): the oldest record's arrival names the object. */
  arrival: number;
}

export interface DeliveryStream extends StreamSettings {
  status: StreamStatus;
  /** Records taken and not yet delivered, oldest first. */
  buffer: BufferedRecord[];
  bufferBytes: number;
  /** The Clock timer of the next delivery, while one is due. */
  timer?: unknown;
  /** The Clock timer of CREATING -> ACTIVE or DELETING -> gone. */
  statusTimer?: unknown;
  /** Deliveries that failed in a row (the bucket is missing): the next retry waits longer. */
  failures: number;
  /** Objects delivered over the twin's life, and the last delivery's error. */
  objects: number;
  lastError?: string;
  /** Throughput used in the current second: [second, requests, records, bytes]. */
  window: [number, number, number, number];
}

/** Where the store's changes go (the journal, when the twin keeps its data). */
export interface FirehoseJournalPort {
  streamPut(stream: StreamSettings): void;
  streamDeleted(name: string): void;
  buffered(name: string, records: readonly BufferedRecord[]): void;
  /** The first `count` records of the buffer were delivered. */
  delivered(name: string, count: number): void;
}

export class FirehoseStore {
  readonly streams = new Map<string, DeliveryStream>();
  journal: FirehoseJournalPort | undefined;

  constructor(
    readonly clock: Clock,
    readonly region: string,
  ) {}

  arnOf(name: string): string {
    return `arn:aws:firehose:${this.region}:${ACCOUNT}:deliverystream/${name}`;
  }

  /** The stream, whatever its status; ResourceNotFoundException when there is none. */
  find(name: string): DeliveryStream {
    const stream = this.streams.get(name);
    if (!stream) throw errors.notFound(name);
    return stream;
  }

  /** The stream, which must be ACTIVE to take records. */
  active(name: string): DeliveryStream {
    const stream = this.find(name);
    if (stream.status !== 'ACTIVE') throw errors.notActive(name, stream.status);
    return stream;
  }

  add(settings: StreamSettings, status: StreamStatus): DeliveryStream {
    const stream: DeliveryStream = {
      ...settings,
      status,
      buffer: [],
      bufferBytes: 0,
      failures: 0,
      objects: 0,
      window: [0, 0, 0, 0],
    };
    this.streams.set(settings.name, stream);
    this.journal?.streamPut(settings);
    return stream;
  }

  /** Settings changed (tags): written down again. */
  changed(stream: DeliveryStream): void {
    this.journal?.streamPut(settingsOf(stream));
  }

  remove(name: string): void {
    const stream = this.streams.get(name);
    if (stream?.timer !== undefined) this.clock.clearTimeout(stream.timer);
    if (stream?.statusTimer !== undefined) this.clock.clearTimeout(stream.statusTimer);
    this.streams.delete(name);
    this.journal?.streamDeleted(name);
  }

  buffer(stream: DeliveryStream, records: BufferedRecord[]): void {
    for (const r of records) {
      stream.buffer.push(r);
      stream.bufferBytes += r.data.length;
    }
    this.journal?.buffered(stream.name, records);
  }

  /** Drops the first `count` records of the buffer, now in S3. */
  delivered(stream: DeliveryStream, count: number): void {
    const gone = stream.buffer.splice(0, count);
    for (const r of gone) stream.bufferBytes -= r.data.length;
    this.journal?.delivered(stream.name, count);
  }
}

export function settingsOf(stream: DeliveryStream): StreamSettings {
  const { name, arn, created, version, s3, tags } = stream;
  return { name, arn, created, version, s3, tags };
}
