/**
 * The one place that builds AWS SDK clients. Core functions take clients as arguments, so tests hand in mocks;
 * the endpoint (AWS or the local twin) comes from the environment (`AWS_ENDPOINT_URL`), read by the SDK itself.
 */

import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsClient } from '@aws-sdk/client-kinesis-analytics';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  readonly kinesis: KinesisClient;
  readonly firehose: FirehoseClient;
  readonly kinesisAnalytics: KinesisAnalyticsClient;
  readonly lambda: LambdaClient;
  /** The load test reads Firehose outputs' objects here. */
  readonly s3: S3Client;
  /** The load test reads what a Lambda output received from its log group. */
  readonly logs: CloudWatchLogsClient;
}

/**
 * The Kinesis client's HTTP/2 handler, with requests sharing a connection. The SDK's default for Kinesis
 * (`disableConcurrentStreams: true`) opens a connection, and on AWS a TLS handshake, for every call and closes it
 * after: a fan-out function paid that on each PutRecords (a profile of its worker on the twin: about a third of its
 * busy time in connecting and closing sessions). SubscribeToShard's event stream still gets a connection of its own
 * (the handler isolates event streams whatever this says).
 */
const KINESIS_HTTP2 = { disableConcurrentStreams: false };

/** Retries with the SDK's standard backoff before a throttling error reaches the state machine's own Retry. */
const MAX_ATTEMPTS = 5;

/** The Kinesis client of `region` (its HTTP/2 connections shared, see KINESIS_HTTP2). */
export function kinesisClient(region: string): KinesisClient {
  return new KinesisClient({ region, maxAttempts: MAX_ATTEMPTS, requestHandler: KINESIS_HTTP2 });
}

export function firehoseClient(region: string): FirehoseClient {
  return new FirehoseClient({ region, maxAttempts: MAX_ATTEMPTS });
}

export function kinesisAnalyticsClient(region: string): KinesisAnalyticsClient {
  return new KinesisAnalyticsClient({ region, maxAttempts: MAX_ATTEMPTS });
}

export function lambdaClient(region: string): LambdaClient {
  return new LambdaClient({ region, maxAttempts: MAX_ATTEMPTS });
}

export function s3Client(region: string): S3Client {
  // an endpoint of its own (the twin) serves buckets by path, not by host name
  return new S3Client({
    region,
    maxAttempts: MAX_ATTEMPTS,
    forcePathStyle: process.env['AWS_ENDPOINT_URL'] !== undefined,
  });
}

export function logsClient(region: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region, maxAttempts: MAX_ATTEMPTS });
}

/** The clients the engines call (src/engines): all a step handler but the load test needs. */
export type EngineClients = Pick<AwsClients, 'kinesis' | 'kinesisAnalytics' | 'lambda'>;

/** An object whose property `k` is `make[k]()`, made on its first read and the same one after. */
function lazily<T extends object>(make: { readonly [K in keyof T]: () => T[K] }): T {
  const made: Partial<T> = {};
  const clients = {} as T;
  for (const key of Object.keys(make) as (keyof T)[]) {
    Object.defineProperty(clients, key, { enumerable: true, get: () => (made[key] ??= make[key]()) });
  }
  return clients;
}

function engineClientMakers(region: string): { readonly [K in keyof EngineClients]: () => EngineClients[K] } {
  return {
    kinesis: () => kinesisClient(region),
    kinesisAnalytics: () => kinesisAnalyticsClient(region),
    lambda: () => lambdaClient(region),
  };
}

/**
 * The engines' clients for `region`, each built on first use and shared afterwards (one per warm Lambda container).
 * What a step handler builds: without the load test's S3 and CloudWatch Logs clients (and Firehose) its bundle is
 * smaller and loads faster (describe-application.js 4.6 -> 3.9 MB).
 *
 * @param region - the AWS region of the service
 */
export function createEngineClients(region: string): EngineClients {
  return lazily(engineClientMakers(region));
}

/**
 * Returns SDK clients for `region`, each built on first use and shared afterwards (one per warm Lambda container).
 * A handler that needs only some of them builds those alone (createEngineClients, the functions above): the bundler
 * then leaves the other SDK packages out of its zip (the fan-out function's: 5.0 -> 2.1 MB, a faster cold start).
 *
 * @param region - the AWS region of the service
 */
export function createClients(region: string): AwsClients {
  return lazily<AwsClients>({
    ...engineClientMakers(region),
    firehose: () => firehoseClient(region),
    s3: () => s3Client(region),
    logs: () => logsClient(region),
  });
}
