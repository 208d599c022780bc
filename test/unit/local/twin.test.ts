import { createServer } from 'node:net';
import { ManualClock } from '../../../local/clock';
import { startTwin } from '../../../local/twin';

describe('Class: Twin', () => {
  describe('Method: startTwin', () => {
    it('serves the Kinesis twin on its endpoint and in process', async () => {
      // Prepare
      const twin = await startTwin({ port: 0, fast: true, clock: new ManualClock() });

      // Act
      const res = await fetch(twin.endpoint, {
        method: 'POST',
        headers: {
          'x-amz-target': 'Kinesis_20131202.CreateStream',
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-date': '20260101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=00',
        },
        body: JSON.stringify({ StreamName: 'in', ShardCount: 1 }),
      });
      const ids = twin.kinesis.shardIds({ StreamName: 'in' });
      const health = await fetch(`${twin.endpoint}/_twin/health`);
      await twin.close();

      // Assess
      expect(res.status).toBe(200);
      expect(ids).toEqual(['shardId-000000000000']);
      expect(health.status).toBe(200);
      expect(twin.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('says so when the port is taken', async () => {
      // Prepare
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as { port: number }).port;

      // Act
      const error = await startTwin({ port, fast: true }).catch((e: unknown) => e);
      blocker.close();

      // Assess
      expect((error as Error).name).toBe('TwinStartError');
      expect((error as Error).message).toContain('the port is in use');
    });
  });
});
