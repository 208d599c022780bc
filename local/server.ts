/**
 * The twin's one port: HTTP/1.1 and cleartext HTTP/2 (prior knowledge) side by side, so the AWS SDK for
 * JavaScript (HTTP/2 by default for Kinesis), the AWS CLI and curl all reach every service of the twin.
 *
 * The server moves bytes and leaves the rest to the wire protocols (local/protocols/): each mounted service
 * speaks one (`Mount` in local/service.ts), and each request goes to the first protocol that claims it, which
 * dispatches, decodes, encodes and shapes errors its own way. Before that, local/protocols/access.ts checks
 * Host and Origin (CORS, preflights) and, unless auth is off, that a well-formed SigV4 Authorization is there;
 * signatures are not verified, any keys work. The region comes from the credential scope.
 */
import { randomUUID } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { ApiModel } from './api-model/model';
import type { Principal } from './iam';
import { Access, type AccessOptions, authError } from './protocols/access';
import { awsJsonProtocol, jsonError, TargetTable } from './protocols/aws-json';
import { awsQueryProtocol } from './protocols/aws-query';
import { cborProtocol } from './protocols/cbor';
import { restJsonError, restJsonProtocol, restXmlProtocol } from './protocols/rest';
import type { Protocol, Reply, WireRequest } from './protocols/types';
import {
  type AwsJsonService,
  AwsServiceError,
  type Mount,
  type QueryService,
  type RequestContext,
  type RestRoute,
  type StreamingBody,
} from './service';

export { JsonText, type ResponseSink, StreamingBody } from './service';

export interface TwinServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Default 4566, as people expect of a local AWS; 0 picks any free port. */
  port?: number;
  /** Services and the protocol each speaks. */
  mounts?: Mount[];
  /** Shorthand: AWS JSON services (mounted as `awsJson(service)`). */
  services?: AwsJsonService[];
  /** Shorthand: REST JSON routes (mounted as `restJson(routes)`). */
  routes?: RestRoute[];
  region?: string;
  /**
   * Origins besides the twin's own allowed to call it from a browser, and whether requests must carry SigV4
   * credentials (default true; signatures are never verified). Host and Origin are always checked.
   */
  access?: AccessOptions;
  /** The role session an access key id stands for (the IAM twin's issued keys); undefined: the account root. */
  principalOf?: (accessKeyId: string) => Principal | undefined;
}

export const ACCOUNT_ID = '000000000000';
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0');
/** Larger than any AWS request the twin serves (a 10 MiB record in base64 and its envelope). */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
const CREDENTIAL_REGION = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//;
const CREDENTIAL_KEY = /Credential=([^/,\s]+)\//;

type Req = http.IncomingMessage | http2.Http2ServerRequest;
type Res = http.ServerResponse | http2.Http2ServerResponse;

const HEALTH: RestRoute = {
  method: 'GET',
  path: /^\/_twin\/health$/,
  handle: async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' }),
};

/** The protocols of a set of mounts, in the order they are asked whether a request is theirs. */
function protocolsOf(mounts: readonly Mount[]): Protocol[] {
  const targets = new TargetTable();
  const cborModels = new Map<string, ApiModel>();
  const query: QueryService[] = [];
  const restJson: RestRoute[] = [HEALTH];
  const restXml: RestRoute[] = [];
  for (const mount of mounts) {
    switch (mount.protocol) {
      case 'aws-json':
        targets.add(mount.service);
        if (mount.cbor) cborModels.set(mount.service.targetPrefix, mount.cbor);
        break;
      case 'rest-json':
        restJson.push(...mount.routes);
        break;
      case 'aws-query':
        query.push(mount.service);
        break;
      case 'rest-xml':
        restXml.push(...mount.routes);
        break;
      case 'rpc-v2-cbor':
        throw new Error(`rpc-v2-cbor (${mount.service.serviceName}) is not spoken by the twin yet`);
    }
  }
  return [
    awsJsonProtocol(targets),
    cborProtocol(targets, cborModels),
    awsQueryProtocol(query),
    restJsonProtocol(restJson),
    // last: S3 path-style routes match almost any path
    restXmlProtocol(restXml),
  ];
}

/** Starts the server on 127.0.0.1; resolves once it listens. */
export async function startServer(opts: ServerOptions): Promise<TwinServer> {
  const region = opts.region ?? 'us-east-1';
  const protocols = protocolsOf([
    ...(opts.services ?? []).map((service): Mount => ({ protocol: 'aws-json', service })),
    ...(opts.routes ? [{ protocol: 'rest-json', routes: opts.routes } as const] : []),
    ...(opts.mounts ?? []),
  ]);

  const onRequest = (req: Req, res: Res): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_REQUEST_BYTES) {
        const tooLarge = new AwsServiceError(
          'SerializationException',
          `Request body over ${MAX_REQUEST_BYTES} bytes`,
          413,
        );
        send(res, jsonError(tooLarge, 'application/x-amz-json-1.1'));
        return;
      }
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const wire: WireRequest = {
        method: req.method ?? 'GET',
        path: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        headers: req.headers,
        body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      };
      dispatch(wire).then(
        (reply) => send(res, reply),
        (error: unknown) => send(res, restJsonError(error)),
      );
    });
    req.on('error', () => res.destroy());
  };

  const access = new Access(opts.access);

  const dispatch = async (req: WireRequest): Promise<Reply> => {
    let protocol: Protocol | undefined;
    let serve: ((ctx: RequestContext) => Promise<Reply>) | undefined;
    for (const p of protocols) {
      serve = p.match(req);
      if (serve) {
        protocol = p;
        break;
      }
    }
    const refusal = access.refusal(req);
    if (refusal) return protocol ? protocol.error(refusal, req) : restJsonError(refusal);
    const cors = access.corsHeaders(req);
    if (access.isPreflight(req)) return { status: 200, headers: access.preflightHeaders(req), body: '' };
    if (!protocol || !serve) {
      const notFound = new AwsServiceError('UnknownOperationException', `No route for ${req.method} ${req.path}`, 404);
      return withHeaders(restJsonError(notFound), cors);
    }
    const failure = access.authFailure(req);
    if (failure) return withHeaders(protocol.error(authError(protocol.name, failure), req), cors);
    const key = opts.principalOf ? accessKeyOf(req) : undefined;
    const principal = key === undefined ? undefined : opts.principalOf!(key);
    const ctx: RequestContext = {
      region: regionOf(req.headers) ?? region,
      accountId: ACCOUNT_ID,
      headers: req.headers,
      ...(principal ? { principal } : {}),
    };
    let reply: Reply;
    try {
      reply = await serve(ctx);
    } catch (error) {
      reply = protocol.error(error, req);
    }
    return withHeaders(reply, cors);
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
  access.listening(port);

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

function withHeaders(reply: Reply, headers: Record<string, string>): Reply {
  for (const k in headers) reply.headers[k] = headers[k]!;
  return reply;
}

function regionOf(headers: IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  if (typeof auth !== 'string') return undefined;
  return CREDENTIAL_REGION.exec(auth)?.[1];
}

/** The access key id a request is signed with (SigV4 header, or a presigned query's X-Amz-Credential). */
function accessKeyOf(req: WireRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') return CREDENTIAL_KEY.exec(auth)?.[1];
  if (!req.rawQuery.includes('X-Amz-Credential=')) return undefined;
  return new URLSearchParams(req.rawQuery).get('X-Amz-Credential')?.split('/')[0];
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
  // a string body goes to the socket as it is (no Buffer copy of a megabyte GetRecords answer first)
  const body = reply.body;
  const headers: Record<string, string | number> = {
    ...reply.headers,
    'x-amzn-requestid': reply.headers['x-amzn-requestid'] ?? randomUUID(),
    'content-length': typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length,
  };
  (res as http.ServerResponse).writeHead(reply.status, headers);
  if (typeof body === 'string') (res as http.ServerResponse).end(body, 'utf8');
  else (res as http.ServerResponse).end(body);
}
