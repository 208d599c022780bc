/**
 * Lambda's REST binding (restJson1, as in the API model): each route names its operation and builds the SDK's
 * request from the path, the query string, the headers and the JSON body (blobs in base64, timestamps in epoch
 * seconds); the answer goes out with the operation's status code.
 */
import { base64Length } from '../api-model/base64';
import { toWireJson } from '../sdk-shapes';
import { AwsServiceError, type RestRequest, type RestResponse, type RestRoute } from '../service';
import { errors } from './errors';

/** Runs one operation with its SDK request; what LambdaTwin.handle is. */
export type OperationRunner = (
  operation: string,
  input: Record<string, unknown>,
  ctx: RestRequest['ctx'],
) => Promise<unknown>;

interface Binding {
  method: string;
  path: string;
  operation: string;
  status: number;
  /** Query string members (their names on the wire are the members' names). */
  query?: string[];
  /** The body is the raw Payload (Invoke), not JSON. */
  rawBody?: boolean;
}

const B = '/2015-03-31';
const BINDINGS: Binding[] = [
  {
    method: 'POST',
    path: `${B}/functions/{FunctionName}/invocations`,
    operation: 'Invoke',
    status: 200,
    query: ['Qualifier'],
    rawBody: true,
  },
  { method: 'POST', path: `${B}/functions`, operation: 'CreateFunction', status: 201 },
  { method: 'GET', path: `${B}/functions`, operation: 'ListFunctions', status: 200, query: ['Marker', 'MaxItems'] },
  { method: 'GET', path: `${B}/functions/{FunctionName}`, operation: 'GetFunction', status: 200, query: ['Qualifier'] },
  {
    method: 'DELETE',
    path: `${B}/functions/{FunctionName}`,
    operation: 'DeleteFunction',
    status: 204,
    query: ['Qualifier'],
  },
  {
    method: 'GET',
    path: `${B}/functions/{FunctionName}/configuration`,
    operation: 'GetFunctionConfiguration',
    status: 200,
    query: ['Qualifier'],
  },
  {
    method: 'PUT',
    path: `${B}/functions/{FunctionName}/configuration`,
    operation: 'UpdateFunctionConfiguration',
    status: 200,
  },
  { method: 'PUT', path: `${B}/functions/{FunctionName}/code`, operation: 'UpdateFunctionCode', status: 200 },
  { method: 'POST', path: `${B}/functions/{FunctionName}/versions`, operation: 'PublishVersion', status: 201 },
  {
    method: 'GET',
    path: `${B}/functions/{FunctionName}/versions`,
    operation: 'ListVersionsByFunction',
    status: 200,
    query: ['Marker', 'MaxItems'],
  },
  { method: 'POST', path: `${B}/functions/{FunctionName}/aliases`, operation: 'CreateAlias', status: 201 },
  {
    method: 'GET',
    path: `${B}/functions/{FunctionName}/aliases`,
    operation: 'ListAliases',
    status: 200,
    query: ['FunctionVersion', 'Marker', 'MaxItems'],
  },
  { method: 'GET', path: `${B}/functions/{FunctionName}/aliases/{Name}`, operation: 'GetAlias', status: 200 },
  { method: 'PUT', path: `${B}/functions/{FunctionName}/aliases/{Name}`, operation: 'UpdateAlias', status: 200 },
  { method: 'DELETE', path: `${B}/functions/{FunctionName}/aliases/{Name}`, operation: 'DeleteAlias', status: 204 },
  {
    method: 'PUT',
    path: '/2017-10-31/functions/{FunctionName}/concurrency',
    operation: 'PutFunctionConcurrency',
    status: 200,
  },
  {
    method: 'DELETE',
    path: '/2017-10-31/functions/{FunctionName}/concurrency',
    operation: 'DeleteFunctionConcurrency',
    status: 204,
  },
  {
    method: 'GET',
    path: '/2019-09-30/functions/{FunctionName}/concurrency',
    operation: 'GetFunctionConcurrency',
    status: 200,
  },
  { method: 'POST', path: `${B}/event-source-mappings`, operation: 'CreateEventSourceMapping', status: 202 },
  {
    method: 'GET',
    path: `${B}/event-source-mappings`,
    operation: 'ListEventSourceMappings',
    status: 200,
    query: ['EventSourceArn', 'FunctionName', 'Marker', 'MaxItems'],
  },
  { method: 'GET', path: `${B}/event-source-mappings/{UUID}`, operation: 'GetEventSourceMapping', status: 200 },
  { method: 'PUT', path: `${B}/event-source-mappings/{UUID}`, operation: 'UpdateEventSourceMapping', status: 202 },
  { method: 'DELETE', path: `${B}/event-source-mappings/{UUID}`, operation: 'DeleteEventSourceMapping', status: 202 },
];

/** Members whose wire form is not their SDK form: blobs in base64, timestamps in epoch seconds. */
const BLOBS = new Set(['ZipFile']);
const TIMESTAMPS = new Set(['StartingPositionTimestamp']);
const INTEGERS = new Set(['MaxItems']);

function fromWire(value: unknown, key = ''): unknown {
  if (BLOBS.has(key) && typeof value === 'string') {
    // the whole text must be base64 (SerializationException otherwise), as for every blob of the twin
    base64Length(value, `${key.charAt(0).toLowerCase()}${key.slice(1)}`);
    return Buffer.from(value, 'base64');
  }
  if (TIMESTAMPS.has(key) && typeof value === 'number') return new Date(value * 1000);
  if (Array.isArray(value)) return value.map((v) => fromWire(v));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = fromWire(v, k);
    return out;
  }
  return value;
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw errors.invalid('Could not parse request body into json', error);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw errors.badJson();
  return fromWire(value) as Record<string, unknown>;
}

function requestOf(b: Binding, req: RestRequest): Record<string, unknown> {
  const input: Record<string, unknown> = b.rawBody ? { Payload: req.body } : parseBody(req.body);
  for (const [k, v] of Object.entries(req.params)) input[k] = v;
  for (const k of b.query ?? []) {
    const v = req.query.get(k);
    if (v !== null) input[k] = INTEGERS.has(k) ? Number(v) : v;
  }
  if (b.operation === 'Invoke') {
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const type = header('x-amz-invocation-type');
    const logType = header('x-amz-log-type');
    const clientContext = header('x-amz-client-context');
    if (type !== undefined) input['InvocationType'] = type;
    if (logType !== undefined) input['LogType'] = logType;
    if (clientContext !== undefined) input['ClientContext'] = clientContext;
  }
  return input;
}

function responseOf(b: Binding, output: unknown): RestResponse {
  if (b.operation === 'Invoke') {
    const o = output as {
      StatusCode: number;
      Payload?: Uint8Array;
      FunctionError?: string;
      LogResult?: string;
      ExecutedVersion?: string;
      RequestId?: string;
    };
    const headers: Record<string, string> = {};
    if (o.StatusCode === 200) {
      headers['content-type'] = 'application/json';
      headers['x-amz-executed-version'] = o.ExecutedVersion ?? '$LATEST';
    }
    if (o.RequestId) headers['x-amzn-requestid'] = o.RequestId;
    if (o.FunctionError) headers['x-amz-function-error'] = o.FunctionError;
    if (o.LogResult) headers['x-amz-log-result'] = o.LogResult;
    return { status: o.StatusCode, headers, body: o.Payload ? Buffer.from(o.Payload) : '' };
  }
  if (b.status === 204) return { status: 204, headers: {}, body: '' };
  return {
    status: b.status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(toWireJson(output)),
  };
}

/** The REST routes the twin's server mounts, each running its operation through `run`. */
export function routes(run: OperationRunner): RestRoute[] {
  return BINDINGS.map((b) => ({
    method: b.method,
    path: new RegExp(`^${b.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}/?$`),
    handle: async (req) => {
      try {
        return responseOf(b, await run(b.operation, requestOf(b, req), req.ctx));
      } catch (error) {
        if (error instanceof AwsServiceError) throw error;
        throw errors.service(error instanceof Error ? error.message : String(error));
      }
    },
  }));
}
