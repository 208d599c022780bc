import http from 'node:http';
import { startTwin, type Twin } from '../../../../local/twin';

const SIGNED = {
  'x-amz-date': '20260101T000000Z',
  authorization:
    'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=0a1b',
};

/** A request with exactly these headers (fetch would not let a test set Host or Origin). */
function request(
  url: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: init.method ?? 'POST', headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const listStreams = (extra: Record<string, string>) => ({
  headers: {
    'x-amz-target': 'Kinesis_20131202.ListStreams',
    'content-type': 'application/x-amz-json-1.1',
    ...extra,
  },
  body: '{}',
});

describe('Class: Access (Origin, Host, CORS, auth on every route of the twin)', () => {
  let twin: Twin;
  let open: Twin;

  beforeAll(async () => {
    twin = await startTwin({ port: 0, fast: true, access: { allowedOrigins: ['http://localhost:3000'] } });
    open = await startTwin({ port: 0, fast: true, access: { auth: false } });
  });

  afterAll(async () => {
    await twin.close();
    await open.close();
  });

  describe('Method: Origin', () => {
    it('refuses a cross-site text/plain POST to the Lambda invoke route', async () => {
      // Act
      const res = await request(twin.endpoint, '/2015-03-31/functions/any/invocations', {
        headers: { origin: 'http://evil.example', 'content-type': 'text/plain', ...SIGNED },
        body: '{}',
      });

      // Assess
      expect(res.status).toBe(403);
      expect(res.headers['x-amzn-errortype']).toBe('AccessDeniedException');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(JSON.parse(res.body).message).toContain('Origin http://evil.example');
    });

    it('refuses a foreign Origin on an AWS JSON service too, even with auth off', async () => {
      // Act
      const res = await request(open.endpoint, '/', listStreams({ origin: 'http://evil.example' }));

      // Assess
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).__type).toBe('AccessDeniedException');
    });

    it("answers the twin's own origin and allowed origins with CORS headers", async () => {
      // Act
      const own = await request(twin.endpoint, '/', listStreams({ origin: twin.endpoint, ...SIGNED }));
      const allowed = await request(twin.endpoint, '/', listStreams({ origin: 'http://localhost:3000', ...SIGNED }));

      // Assess
      expect(own.status).toBe(200);
      expect(own.headers['access-control-allow-origin']).toBe(twin.endpoint);
      expect(own.headers['access-control-expose-headers']).toContain('x-amzn-requestid');
      expect(allowed.status).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    });

    it('answers a CORS preflight without credentials, naming the methods and the headers asked for', async () => {
      // Act
      const res = await request(twin.endpoint, '/', {
        method: 'OPTIONS',
        headers: {
          origin: twin.endpoint,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,x-amz-target,x-amz-date,content-type',
        },
      });

      // Assess
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(twin.endpoint);
      expect(res.headers['access-control-allow-methods']).toContain('POST');
      expect(res.headers['access-control-allow-headers']).toBe('authorization,x-amz-target,x-amz-date,content-type');
    });
  });

  describe('Method: Host', () => {
    it('refuses a Host that is not its loopback address (DNS rebinding), on every route', async () => {
      // Act
      const json = await request(twin.endpoint, '/', listStreams({ host: 'rebind.evil.example:4566', ...SIGNED }));
      const rest = await request(twin.endpoint, '/_twin/health', { method: 'GET', headers: { host: 'evil.example' } });
      const loopback = await request(twin.endpoint, '/_twin/health', { method: 'GET', headers: { host: 'localhost' } });

      // Assess
      expect(json.status).toBe(403);
      expect(JSON.parse(json.body).message).toContain('rebind.evil.example');
      expect(rest.status).toBe(403);
      expect(loopback.status).toBe(200);
    });
  });

  describe('Method: auth', () => {
    it('answers MissingAuthenticationTokenException without credentials and IncompleteSignatureException for a bad header', async () => {
      // Act
      const missing = await request(twin.endpoint, '/', listStreams({}));
      const malformed = await request(twin.endpoint, '/', listStreams({ authorization: 'AWS4-HMAC-SHA256 x=y' }));
      const rest = await request(twin.endpoint, '/2015-03-31/functions/', { method: 'GET' });
      const own = await request(twin.endpoint, '/_twin/health', { method: 'GET' });

      // Assess
      expect(missing.status).toBe(400);
      expect(JSON.parse(missing.body)).toEqual({
        __type: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token',
      });
      expect(malformed.status).toBe(400);
      expect(JSON.parse(malformed.body).__type).toBe('IncompleteSignatureException');
      expect(JSON.parse(malformed.body).message).toContain("Authorization header requires 'Credential' parameter.");
      expect(rest.status).toBe(403);
      expect(rest.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
      expect(own.status).toBe(200);
    });

    it('accepts any well-formed signature, and anything with auth off', async () => {
      // Act
      const signed = await request(twin.endpoint, '/', listStreams(SIGNED));
      const unsigned = await request(open.endpoint, '/', listStreams({}));

      // Assess
      expect(signed.status).toBe(200);
      expect(unsigned.status).toBe(200);
    });
  });
});
