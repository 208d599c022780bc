/**
 * Reading a Firehose output back: the objects its delivery stream writes into S3 (the bucket and prefix of its
 * extended S3 destination, found with DescribeDeliveryStream), listed from the run's start, each read once and split
 * into the rows the fan-out wrote (JSON documents back to back, as Firehose concatenates records), GZIP'd objects
 * unzipped. A row's arrival is its object's LastModified: the latency Firehose adds is its buffering. The prefix is
 * listed about once a second until the run says stop, or drain (one more listing, then stop).
 *
 * Order is checked within an object (the reader names each object as the "shard" its rows came from): Firehose
 * keeps the order of a stream's records in an object, but objects of the same second are listed by their random
 * suffix, not by the time they were written.
 */
import { gunzipSync } from 'node:zlib';
import { DescribeDeliveryStreamCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { deliveryStreamNameOf } from '../destinations/arn';
import type { ConsumedRecord } from './kinesis-io';
import type { Timer } from './types';

const LIST_INTERVAL_MS = 1000;

export interface FirehoseReadOptions {
  from: Date;
  timer: Timer;
  state: () => 'go' | 'drain' | 'stop';
  onRecords: (records: ConsumedRecord[]) => void;
}

/** The JSON documents of a body written back to back (`{..}{..}` or one per line), as byte slices. */
export function jsonDocuments(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (depth++ === 0) start = i;
    } else if ((c === 0x7d || c === 0x5d) && --depth === 0) out.push(body.subarray(start, i + 1));
  }
  return out;
}

/** Firehose's buffering interval when a destination names none (the API model's default). */
export const DEFAULT_BUFFER_SECONDS = 300;

/**
 * The bucket and prefix a delivery stream writes, and its buffering interval: an object appears up to that long after
 * its first record went in.
 */
export async function deliveryTarget(
  firehose: Pick<FirehoseClient, 'send'>,
  deliveryStreamArn: string,
): Promise<{ bucket: string; prefix: string; bufferSeconds: number }> {
  const described = await firehose.send(
    new DescribeDeliveryStreamCommand({ DeliveryStreamName: deliveryStreamNameOf(deliveryStreamArn) }),
  );
  const destination = described.DeliveryStreamDescription?.Destinations?.[0];
  const s3 = destination?.ExtendedS3DestinationDescription ?? destination?.S3DestinationDescription;
  if (!s3?.BucketARN) throw new Error(`${deliveryStreamArn} delivers to no S3 bucket the load test can read`);
  return {
    bucket: s3.BucketARN.slice(s3.BucketARN.lastIndexOf(':') + 1),
    prefix: s3.Prefix ?? '',
    bufferSeconds: s3.BufferingHints?.IntervalInSeconds ?? DEFAULT_BUFFER_SECONDS,
  };
}

/** Reads the delivery stream's objects until `state` says stop. */
export async function consumeFirehose(
  clients: { firehose: Pick<FirehoseClient, 'send'>; s3: S3Client },
  deliveryStreamArn: string,
  options: FirehoseReadOptions,
): Promise<void> {
  const { bucket, prefix } = await deliveryTarget(clients.firehose, deliveryStreamArn);
  // S3 keeps whole seconds: an object written in the run's first second is the run's
  const since = Math.floor(options.from.getTime() / 1000) * 1000;
  // a prefix with !{...} expressions is listed from its literal part
  const listed = prefix.includes('!{') ? prefix.slice(0, prefix.indexOf('!{')) : prefix;
  const seen = new Set<string>();
  for (;;) {
    const state = options.state();
    if (state === 'stop') return;
    for await (const page of paginateListObjectsV2({ client: clients.s3 }, { Bucket: bucket, Prefix: listed })) {
      for (const object of page.Contents ?? []) {
        const key = object.Key!;
        const modified = object.LastModified?.getTime() ?? options.timer.now();
        if (seen.has(key) || modified < since) continue;
        seen.add(key);
        const got = await clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await got.Body!.transformToByteArray();
        const body = key.endsWith('.gz') ? gunzipSync(bytes) : bytes;
        options.onRecords(
          jsonDocuments(body).map((data, i) => ({
            shardId: key,
            arrivalMs: modified,
            data,
            partitionKey: '',
            sequenceNumber: `${key}#${i}`,
            subSequenceNumber: 0,
          })),
        );
      }
    }
    if (state === 'drain') return;
    await options.timer.sleep(LIST_INTERVAL_MS);
  }
}
