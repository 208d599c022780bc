/**
 * src/aws.ts builds the clients every handler uses. The Kinesis client's calls share one HTTP/2 connection (the
 * SDK's own default for Kinesis opens and closes one per call, on AWS a TLS handshake each time).
 */
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import { createClients, createEngineClients, kinesisClient } from '../../src/aws';

describe('Function: createClients', () => {
  let server: http2.Http2Server;
  let connections = 0;
  const env = { ...process.env };

  beforeEach(async () => {
    connections = 0;
    server = http2.createServer((_req, res) => {
      const body = JSON.stringify({
        StreamDescriptionSummary: {
          StreamName: 's',
          StreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
          StreamStatus: 'ACTIVE',
          RetentionPeriodHours: 24,
          StreamCreationTimestamp: 1_700_000_000,
          EnhancedMonitoring: [],
          OpenShardCount: 1,
        },
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.env['AWS_ENDPOINT_URL'] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env['AWS_ACCESS_KEY_ID'] = 'test';
    process.env['AWS_SECRET_ACCESS_KEY'] = 'test';
  });

  afterEach(async () => {
    process.env = { ...env };
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends every Kinesis call of a client over one connection', async () => {
    // Prepare
    const { kinesis } = createClients('us-east-1');

    // Act
    for (let i = 0; i < 5; i++) await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 's' }));
    await Promise.all(
      Array.from({ length: 5 }, () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))),
    );
    kinesis.destroy();

    // Assess
    expect(connections).toBe(1);
  });

  it("sends every Kinesis call of the fan-out function's client (kinesisClient) over one connection too", async () => {
    // Prepare
    const kinesis = kinesisClient('us-east-1');

    // Act
    await Promise.all(
      Array.from({ length: 5 }, () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 's' }))),
    );
    kinesis.destroy();

    // Assess
    expect(connections).toBe(1);
  });
});

describe('Function: createEngineClients', () => {
  it('builds each client once, in the region asked', async () => {
    // Prepare
    const engine = createEngineClients('eu-west-1');
    const all = createClients('eu-west-1');

    // Assess: the same object on every read, in the region asked
    expect(engine.kinesis).toBe(engine.kinesis);
    expect(engine.lambda).toBe(engine.lambda);
    expect(engine.kinesisAnalytics).toBe(engine.kinesisAnalytics);
    expect(all.kinesis).toBe(all.kinesis);
    expect(all.s3).toBe(all.s3);
    expect(all.logs).toBe(all.logs);
    expect(all.firehose).toBe(all.firehose);
    expect(all.kinesis).not.toBe(engine.kinesis);
    expect(Object.keys(engine).sort()).toEqual(['kinesis', 'kinesisAnalytics', 'lambda']);
    expect(await engine.kinesisAnalytics.config.region()).toBe('eu-west-1');
    expect(await all.logs.config.region()).toBe('eu-west-1');
  });
});
