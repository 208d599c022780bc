import http from 'node:http';
import http2 from 'node:http2';
import { cbor } from '@smithy/core/cbor';
import { startServer, type TwinServer } from '../../../local/server';
import { type AwsJsonService, AwsServiceError } from '../../../local/service';

const echo: AwsJsonService = {
  targetPrefix: 'Echo_1',
  jsonVersion: '1.0',
  handle: async (operation, input, ctx) => {
    if (operation === 'Fail') throw new AwsServiceError('NopeException', 'no', 409);
    return { operation, input, region: ctx.region };
  },
};

function h1(url: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString('latin1');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function h2(url: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const req = session.request({ ':method': 'POST', ':path': '/', ...headers });
    let status = 0;
    let text = '';
    req.on('response', (h) => {
      status = Number(h[':status']);
    });
    req.on('data', (c: Buffer) => {
      text += c.toString();
    });
    req.on('end', () => {
      session.close();
      resolve({ status, body: text });
    });
    req.end(body);
  });
}

describe('Class: TwinServer', () => {
  let server: TwinServer;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      // these tests send no credentials; the auth check has tests of its own (protocols/access.test.ts)
      access: { auth: false },
      services: [echo],
      routes: [
        {
          method: 'GET',
          path: /^\/items\/(?<id>[^/]+)$/,
          handle: async (req) => ({ status: 201, body: { id: req.params['id'], q: req.query.get('q') } }),
        },
      ],
    });
  });

  afterAll(async () => {
    await server.close();
  });

  describe('Method: startServer', () => {
    it('dispatches AWS JSON on X-Amz-Target over HTTP/1.1 with the region of the credential scope', async () => {
      // Act
      const res = await h1(server.url, '/', {
        method: 'POST',
        headers: {
          'x-amz-target': 'Echo_1.Hello',
          authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/echo/aws4_request, Signature=x',
        },
        body: '{"a":1}',
      });

      // Assess
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(JSON.parse(res.body)).toEqual({ operation: 'Hello', input: { a: 1 }, region: 'eu-west-1' });
    });

    it('speaks cleartext HTTP/2 on the same port', async () => {
      // Act
      const res = await h2(server.url, { 'x-amz-target': 'Echo_1.Hi' }, '{}');

      // Assess
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ operation: 'Hi', input: {}, region: 'us-east-1' });
    });

    it('puts service errors on the wire as __type and message with their status', async () => {
      // Act
      const res = await h2(server.url, { 'x-amz-target': 'Echo_1.Fail' }, '{}');

      // Assess
      expect(res.status).toBe(409);
      expect(JSON.parse(res.body)).toEqual({ __type: 'NopeException', message: 'no' });
    });

    it('answers SerializationException for a body that is not JSON', async () => {
      // Act
      const res = await h1(server.url, '/', { method: 'POST', headers: { 'x-amz-target': 'Echo_1.X' }, body: '{' });

      // Assess
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).__type).toBe('SerializationException');
    });

    it('says plainly that a JSON-only service does not understand CBOR, in CBOR', async () => {
      // Act
      const res = await h1(server.url, '/', {
        method: 'POST',
        headers: { 'x-amz-target': 'Echo_1.X', 'content-type': 'application/x-amz-cbor-1.1' },
        body: 'xx',
      });

      // Assess
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toBe('application/x-amz-cbor-1.1');
      expect(cbor.deserialize(Buffer.from(res.body, 'latin1')).message).toContain('AWS_CBOR_DISABLE');
    });

    it('routes REST requests by method and path, and answers the health check', async () => {
      // Act
      const item = await h1(server.url, '/items/a%20b?q=1', {});
      const health = await h1(server.url, '/_twin/health', {});

      // Assess
      expect(item.status).toBe(201);
      expect(JSON.parse(item.body)).toEqual({ id: 'a b', q: '1' });
      expect(health.status).toBe(200);
    });
  });
});
