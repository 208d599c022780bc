/**
 * The twin's one port: HTTP/1.1 and cleartext HTTP/2 (prior knowledge) side by side, so the AWS SDK for
 * JavaScript (HTTP/2 by default for Kinesis), the AWS CLI and curl all reach every service of the twin.
 *
 * AWS JSON services are dispatched on `X-Amz-Target: <targetPrefix>.<Operation>`, REST services on method and
 * path. Any SigV4 signature is accepted; the region comes from the credential scope.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { type AwsJsonService, AwsServiceError, type RequestContext, type RestRoute } from './service';

export interface TwinServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Default 4566, as people expect of a local AWS; 0 picks any free port. */
  port?: number;
  services: AwsJsonService[];
  routes?: RestRoute[];
  region?: string;
}

/**
 * A response body that is already JSON text. Services return it from `handle` on hot paths (GetRecords) where
 * building the string by hand beats building objects for JSON.stringify.
 */
export class JsonText {
  constructor(readonly json: string) {}
}

/** Where a streaming response writes (SubscribeToShard's event stream). */
export interface ResponseSink {
  write(chunk: Buffer): void;
  end(): void;
  /** True once the client has gone or `end` was called. */
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

/** A 200 response written over time by `start`, for event streams. */
export class StreamingBody {
  constructor(
    readonly contentType: string,
    readonly start: (sink: ResponseSink) => void,
  ) {}
}

export const ACCOUNT_ID = '000000000000';
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');
/** Larger than any AWS request the twin serves (a 10 MiB record in base64 and its envelope). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const CREDENTIAL_REGION = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//;

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  stream?: StreamingBody;
}

/** Starts the server on 127.0.0.1; resolves once it listens. */
export async function startServer(opts: ServerOptions): Promise<TwinServer> {
  const region = opts.region ?? 'us-east-1';
  const services = new Map<string, AwsJsonService>();
  for (const service of opts.services) services.set(service.targetPrefix, service);
  const routes = opts.routes ?? [];

  const onRequest = (req: Req, res: Res): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_REQUEST_BYTES) {
        send(
          res,
          errorReply(
            new AwsServiceError('SerializationException', `Request body over ${MAX_REQUEST_BYTES} bytes`, 413),
          ),
        );
        return;
      }
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      dispatch(req.method ?? 'GET', req.url ?? '/', req.headers, body).then(
        (reply) => send(res, reply),
        (error: unknown) => send(res, errorReply(error, errorContentType(req.headers))),
      );
    });
    req.on('error', () => res.destroy());
  };

  /** Errors go out in the protocol of the request: AWS JSON 1.0/1.1 for targets, plain JSON for REST. */
  const errorContentType = (headers: IncomingHttpHeaders): string => {
    const target = headers['x-amz-target'];
    if (typeof target !== 'string') return 'application/json';
    const version = services.get(target.slice(0, target.lastIndexOf('.')))?.jsonVersion ?? '1.1';
    return `application/x-amz-json-${version}`;
  };

  const dispatch = async (method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Reply> => {
    const ctx: RequestContext = { region: regionOf(headers) ?? region, accountId: ACCOUNT_ID, headers };
    const target = headers['x-amz-target'];
    if (typeof target === 'string' && method === 'POST') {
      const dot = target.lastIndexOf('.');
      const service = services.get(target.slice(0, dot));
      if (!service) throw new AwsServiceError('UnknownOperationException', `No service serves ${target}`);
      if (String(headers['content-type'] ?? '').includes('cbor')) {
        throw new AwsServiceError(
          'SerializationException',
          'The twin speaks AWS JSON, not CBOR: turn CBOR off in the client (AWS_CBOR_DISABLE=true for the Java SDK and KCL)',
        );
      }
      const input = parseJson(body);
      const output = await service.handle(target.slice(dot + 1), input, ctx);
      if (output instanceof StreamingBody) {
        return { status: 200, headers: { 'content-type': output.contentType }, body: '', stream: output };
      }
      const json = output instanceof JsonText ? output.json : JSON.stringify(output ?? {});
      return { status: 200, headers: { 'content-type': `application/x-amz-json-${service.jsonVersion}` }, body: json };
    }
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    if (method === 'GET' && path === '/_twin/health') {
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' };
    }
    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.path.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(match.groups ?? {})) if (v !== undefined) params[k] = decodeURIComponent(v);
      const out = await route.handle({
        params,
        query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
        headers,
        body,
        ctx,
      });
      let payload: string | Buffer;
      const outHeaders: Record<string, string> = { ...out.headers };
      if (out.body === undefined) payload = '';
      else if (typeof out.body === 'string' || Buffer.isBuffer(out.body)) payload = out.body;
      else {
        payload = JSON.stringify(out.body);
        outHeaders['content-type'] ??= 'application/json';
      }
      return { status: out.status, headers: outHeaders, body: payload };
    }
    throw new AwsServiceError('UnknownOperationException', `No route for ${method} ${path}`, 404);
  };

  const h1 = http.createServer({ keepAliveTimeout: 60_000 }, onRequest);
  const h2 = http2.createServer({}, onRequest);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });

  const tcp = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      const isH2 = first.subarray(0, HTTP2_PREFACE.length).equals(HTTP2_PREFACE.subarray(0, first.length));
      if (isH2) {
        // the HTTP/2 session takes over the socket and reads what was put back itself
        h2.emit('connection', socket);
      } else {
        h1.emit('connection', socket);
        socket.resume();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(opts.port ?? 4566, '127.0.0.1', () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const port = (tcp.address() as net.AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        tcp.close(() => resolve());
        for (const session of sessions) session.destroy();
        for (const socket of sockets) socket.destroy();
        h1.close();
        h2.close();
      }),
  };
}

function regionOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string') return undefined;
  return CREDENTIAL_REGION.exec(auth)?.[1];
}

function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new AwsServiceError('SerializationException', `Malformed JSON request body: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AwsServiceError('SerializationException', 'Start of structure or map expected.');
  }
  return value as Record<string, unknown>;
}

function errorReply(error: unknown, contentType = 'application/x-amz-json-1.1'): Reply {
  if (error instanceof AwsServiceError) {
    return {
      status: error.status,
      headers: { 'content-type': contentType, 'x-amzn-errortype': error.type },
      body: JSON.stringify({ __type: error.type, message: error.message, ...error.extra }),
    };
  }
  process.stderr.write(`twin: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  return {
    status: 500,
    headers: { 'content-type': contentType },
    body: JSON.stringify({
      __type: 'InternalFailure',
      message: error instanceof Error ? error.message : String(error),
    }),
  };
}

function sendStream(res: Res, reply: Reply, body: StreamingBody): void {
  const out = res as http.ServerResponse;
  out.writeHead(reply.status, { ...reply.headers, 'x-amzn-requestid': randomUUID() });
  out.flushHeaders();
  let closed = false;
  const listeners: (() => void)[] = [];
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const fn of listeners) fn();
  };
  out.on('close', close);
  body.start({
    write: (chunk) => {
      if (!closed) out.write(chunk);
    },
    end: () => {
      if (!closed) out.end();
      close();
    },
    get closed() {
      return closed;
    },
    onClose: (fn) => {
      listeners.push(fn);
    },
  });
}

function send(res: Res, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  if (reply.stream) {
    sendStream(res, reply, reply.stream);
    return;
  }
  const body = typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
  const headers: Record<string, string | number> = {
    ...reply.headers,
    'x-amzn-requestid': randomUUID(),
    'content-length': body.length,
  };
  (res as http.ServerResponse).writeHead(reply.status, headers);
  (res as http.ServerResponse).end(body);
}
