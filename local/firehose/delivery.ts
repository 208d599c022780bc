/**
 * Delivery to S3, as Firehose does it for an extended S3 destination: records are buffered per stream and written
 * as one object (their bytes concatenated, no delimiter added; GZIP'd when the destination says so) once the buffer
 * holds `SizeInMBs` or `IntervalInSeconds` has passed since its oldest record, and on shutdown. Objects are named
 * as Firehose names them:
 *
 *   <Prefix>YYYY/MM/DD/HH/<stream>-<version>-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]
 *
 * (UTC, from the oldest record's arrival); a prefix with `!{timestamp:...}` or `!{firehose:random-string}`
 * expressions is evaluated instead of getting the `YYYY/MM/DD/HH/` part. A delivery that fails (the bucket is
 * missing) keeps the records and retries on the Clock with a growing delay, as Firehose retries S3 for up to a day.
 * Every wait is on the twin's Clock.
 */
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { errors } from './errors';
import type { DeliveryStream, FirehoseStore, S3Destination } from './store';

/** The part of the S3 twin delivery writes to. */
export interface ObjectSink {
  putObject(bucket: string, key: string, body: Buffer, contentType?: string): void;
}

export interface DeliveryOptions {
  /** Replaces every stream's IntervalInSeconds (ms): the twin's knob, 0 in tests. */
  intervalMs?: number;
  /** First retry delay after a failed delivery (ms), doubled each time up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Where a failed delivery is reported (default: standard error). */
  warn?: (message: string) => void;
}

const MiB = 1024 * 1024;
const EXPRESSION = /!\{([A-Za-z]+):([^}]*)\}/g;
/** Java DateTimeFormatter letters Firehose's `!{timestamp:...}` takes that the twin evaluates. */
const TIME_FIELDS = /yyyy|MM|dd|HH|mm|ss/g;

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function timeFields(ms: number): Record<string, string> {
  const d = new Date(ms);
  return {
    yyyy: String(d.getUTCFullYear()),
    MM: two(d.getUTCMonth() + 1),
    dd: two(d.getUTCDate()),
    HH: two(d.getUTCHours()),
    mm: two(d.getUTCMinutes()),
    ss: two(d.getUTCSeconds()),
  };
}

/**
 * Checks a Prefix / ErrorOutputPrefix at CreateDeliveryStream: the expressions the twin can evaluate, and the rule
 * that a prefix with expressions needs an error prefix. Throws InvalidArgumentException.
 */
export function checkPrefixes(prefix: string, errorOutputPrefix: string | undefined): void {
  for (const [field, value] of [
    ['Prefix', prefix],
    ['ErrorOutputPrefix', errorOutputPrefix ?? ''],
  ] as const) {
    for (const [, namespace, arg] of value.matchAll(EXPRESSION)) {
      const ok =
        (namespace === 'timestamp' && arg!.replace(TIME_FIELDS, '').replace(/[/\-_.=]/g, '') === '') ||
        (namespace === 'firehose' &&
          (arg === 'random-string' || (field === 'ErrorOutputPrefix' && arg === 'error-output-type')));
      if (!ok)
        throw errors.invalid(
          `The expression !{${namespace}:${arg}} in ${field} is not supported by the twin (it evaluates ` +
            '!{timestamp:yyyy/MM/dd/HH/mm/ss} parts and !{firehose:random-string}).',
        );
    }
  }
  if (prefix.includes('!{') && !errorOutputPrefix)
    throw errors.invalid('ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.');
}

/** The key Firehose gives an object of `stream` whose oldest record arrived at `arrival`. */
export function objectKey(stream: Pick<DeliveryStream, 'name' | 'version' | 's3'>, arrival: number): string {
  const t = timeFields(arrival);
  const prefix = stream.s3.prefix;
  const evaluated = prefix.replace(EXPRESSION, (_, namespace: string, arg: string) =>
    namespace === 'timestamp' ? arg.replace(TIME_FIELDS, (f) => t[f]!) : randomUUID().slice(0, 11),
  );
  const dated = evaluated === prefix ? `${prefix}${t['yyyy']}/${t['MM']}/${t['dd']}/${t['HH']}/` : evaluated;
  const stamp = `${t['yyyy']}-${t['MM']}-${t['dd']}-${t['HH']}-${t['mm']}-${t['ss']}`;
  const suffix = stream.s3.compression === 'GZIP' ? '.gz' : '';
  return `${dated}${stream.name}-${stream.version}-${stamp}-${randomUUID()}${suffix}`;
}

export function bucketOf(bucketArn: string): string {
  return bucketArn.slice(bucketArn.lastIndexOf(':') + 1);
}

export class Delivery {
  private readonly warn: (message: string) => void;

  constructor(
    private readonly store: FirehoseStore,
    private readonly sink: ObjectSink,
    private readonly opts: DeliveryOptions = {},
  ) {
    this.warn = opts.warn ?? ((m) => process.stderr.write(`${m}\n`));
  }

  private intervalMs(s3: S3Destination): number {
    return this.opts.intervalMs ?? s3.intervalSeconds * 1000;
  }

  /** After records entered the buffer: deliver now when it is full, else make sure a delivery is due. */
  scheduleAfterPut(stream: DeliveryStream): void {
    if (stream.bufferBytes >= stream.s3.sizeMiB * MiB) this.arm(stream, 0);
    else if (stream.timer === undefined && stream.buffer.length > 0) {
      const due = stream.buffer[0]!.arrival + this.intervalMs(stream.s3) - this.store.clock.now();
      this.arm(stream, Math.max(0, due));
    }
  }

  private arm(stream: DeliveryStream, ms: number): void {
    if (stream.timer !== undefined) this.store.clock.clearTimeout(stream.timer);
    stream.timer = this.store.clock.setTimeout(() => {
      stream.timer = undefined;
      this.deliver(stream);
    }, ms);
  }

  /**
   * Writes the buffer as objects of at most SizeInMBs each (a record is never split), oldest first. Returns false
   * when S3 refused one: the records stay buffered and a retry is armed.
   */
  deliver(stream: DeliveryStream): boolean {
    const limit = stream.s3.sizeMiB * MiB;
    while (stream.buffer.length > 0 && this.store.streams.get(stream.name) === stream) {
      let count = 0;
      let bytes = 0;
      while (count < stream.buffer.length && (count === 0 || bytes + stream.buffer[count]!.data.length <= limit))
        bytes += stream.buffer[count++]!.data.length;
      const records = stream.buffer.slice(0, count);
      const raw = Buffer.concat(
        records.map((r) => r.data),
        bytes,
      );
      const body = stream.s3.compression === 'GZIP' ? gzipSync(raw) : raw;
      const key = objectKey(stream, records[0]!.arrival);
      try {
        this.sink.putObject(stream.s3.bucket, key, body, 'application/octet-stream');
      } catch (error) {
        stream.failures++;
        stream.lastError = `${(error as Error).name}: ${(error as Error).message}`;
        const wait = Math.min((this.opts.retryMs ?? 1000) * 2 ** (stream.failures - 1), this.opts.maxRetryMs ?? 60_000);
        if (stream.failures === 1)
          this.warn(
            `Firehose twin: delivery of ${stream.buffer.length} records of ${stream.name} to s3://${stream.s3.bucket} failed ` +
              `(${stream.lastError}); retrying, the records stay buffered`,
          );
        this.arm(stream, wait);
        return false;
      }
      stream.failures = 0;
      delete stream.lastError;
      stream.objects++;
      this.store.delivered(stream, count);
    }
    return true;
  }

  /** Delivers what every stream holds (shutdown); true when nothing is left undelivered. */
  drain(): boolean {
    let all = true;
    for (const stream of this.store.streams.values()) {
      if (stream.timer !== undefined) this.store.clock.clearTimeout(stream.timer);
      stream.timer = undefined;
      if (!this.deliver(stream)) {
        all = false;
        if (stream.timer !== undefined) this.store.clock.clearTimeout(stream.timer);
        stream.timer = undefined;
      }
    }
    return all;
  }
}
