/**
 * Where the conformance suite runs: the Kinesis endpoint in KINESIS_ENDPOINT (any implementation), or a twin
 * this suite starts on a free port. The suite talks only through @aws-sdk/client-kinesis.
 */
import { DescribeStreamSummaryCommand, KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ManualClock } from '../../../local/clock';
import { KinesisTwin, type KinesisTwinOptions } from '../../../local/kinesis';
import { startServer, type TwinServer } from '../../../local/server';
import { awsJson } from '../../../local/service';

export interface Target {
  endpoint: string;
  /** Client with the SDK's default request handler (HTTP/2 for Kinesis). */
  client: KinesisClient;
  /** The same endpoint over HTTP/1.1. */
  http1: KinesisClient;
  close(): Promise<void>;
}

function clientFor(endpoint: string, extra: Partial<KinesisClientConfig> = {}): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: process.env['AWS_REGION'] ?? 'us-east-1',
    credentials: {
      accessKeyId: process.env['AWS_ACCESS_KEY_ID'] ?? 'conformance',
      secretAccessKey: process.env['AWS_SECRET_ACCESS_KEY'] ?? 'conformance',
    },
    maxAttempts: 1,
    ...extra,
  });
}

/** A twin on a free port, served like the real thing. */
export async function startLocal(opts: KinesisTwinOptions = {}): Promise<Target & { twin: KinesisTwin }> {
  const twin = new KinesisTwin(opts);
  const server: TwinServer = await startServer({ port: 0, mounts: [awsJson(twin, { cbor: twin.model })] });
  const client = clientFor(server.url);
  const http1 = clientFor(server.url, { requestHandler: new NodeHttpHandler() });
  return {
    endpoint: server.url,
    client,
    http1,
    twin,
    close: async () => {
      client.destroy();
      http1.destroy();
      await server.close();
      await twin.close();
    },
  };
}

/** KINESIS_ENDPOINT when set, else a local twin. */
export async function connect(): Promise<Target> {
  const endpoint = process.env['KINESIS_ENDPOINT'];
  if (!endpoint) return startLocal();
  const client = clientFor(endpoint);
  const http1 = clientFor(endpoint, { requestHandler: new NodeHttpHandler() });
  return {
    endpoint,
    client,
    http1,
    close: async () => {
      client.destroy();
      http1.destroy();
    },
  };
}

let counter = 0;
/** A stream name no other test (or earlier run) uses. */
export function uniqueName(prefix: string): string {
  counter++;
  return `conf-${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Polls until the stream is ACTIVE (real Kinesis takes seconds; the twin in tests is instant). */
export async function waitActive(client: KinesisClient, name: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`stream ${name} not ACTIVE after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export type { ManualClock };
