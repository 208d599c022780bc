/**
 * The AWS query protocol (CloudFormation, STS, IAM): `POST /` with `Content-Type:
 * application/x-www-form-urlencoded` and `Action=<Operation>&Version=<yyyy-mm-dd>&...` (or a GET with the same
 * query string). The service is the one whose API version the request names (else the SigV4 signing name of
 * the credential scope); answers are `text/xml`:
 *
 *   <{Action}Response xmlns="{ns}"><{Action}Result>...</{Action}Result>
 *     <ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata></{Action}Response>
 *
 * and errors `<ErrorResponse xmlns="{ns}"><Error><Type>Sender</Type><Code>..</Code><Message>..</Message></Error>
 * <RequestId>..</RequestId></ErrorResponse>`.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, type QueryService, type RequestContext } from '../service';
import { header, type Protocol, type Reply, reportInternal, type WireRequest } from './types';
import { escapeXml, xml } from './xml';

const SIGNING_NAME = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\//;

/** The form of a query request: the body of a form POST, or the query string of a GET. */
function formOf(req: WireRequest): URLSearchParams | undefined {
  if (req.path !== '/' || typeof req.headers['x-amz-target'] === 'string') return undefined;
  if (req.method === 'POST' && header(req.headers, 'content-type').startsWith('application/x-www-form-urlencoded')) {
    return new URLSearchParams(req.body.toString('utf8'));
  }
  if (req.method === 'GET' && /(^|&)Action=/.test(req.rawQuery)) return new URLSearchParams(req.rawQuery);
  return undefined;
}

/**
 * The parameters of a query request as a tree: `Tags.member.1.Key=a` -> `{Tags: [{Key: 'a'}]}`,
 * `Attributes.entry.1.key=k&Attributes.entry.1.value=v` -> `{Attributes: {k: 'v'}}`; every leaf a string.
 * Action and Version are left out.
 */
export function queryParams(params: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of params) {
    if (name === 'Action' || name === 'Version') continue;
    const parts = name.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      let key: string | number = parts[i]!;
      // `member.N` and `entry.N` name the Nth item of a list or map (1-based)
      if ((key === 'member' || key === 'entry') && /^\d+$/.test(parts[i + 1] ?? '')) {
        key = Number(parts[++i]) - 1;
      }
      const last = i === parts.length - 1;
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[key] = value;
        break;
      }
      const nextIsItem = parts[i + 1] === 'member' || parts[i + 1] === 'entry';
      container[key] ??= nextIsItem ? [] : {};
      node = container[key] as Record<string, unknown> | unknown[];
    }
  }
  return mapsFromEntries(root) as Record<string, unknown>;
}

/** Turns `[{key, value}, ...]` lists (from `entry.N`) into objects. */
function mapsFromEntries(node: unknown): unknown {
  if (Array.isArray(node)) {
    const items = node.map(mapsFromEntries);
    const isMap =
      items.length > 0 &&
      items.every(
        (e) => e !== null && typeof e === 'object' && 'key' in e && 'value' in e && Object.keys(e).length === 2,
      );
    if (!isMap) return items;
    return Object.fromEntries(items.map((e) => [(e as { key: string }).key, (e as { value: unknown }).value]));
  }
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapsFromEntries(v)]));
  }
  return node;
}

export function awsQueryProtocol(services: readonly QueryService[]): Protocol {
  const byVersion = new Map(services.map((s) => [s.version, s]));
  const bySigningName = new Map(services.map((s) => [s.signingName, s]));
  const serviceOf = (req: WireRequest, form: URLSearchParams): QueryService | undefined => {
    const version = form.get('Version');
    if (version !== null) return byVersion.get(version);
    const signingName = SIGNING_NAME.exec(header(req.headers, 'authorization'))?.[1];
    return signingName === undefined ? undefined : bySigningName.get(signingName);
  };
  const namespaceOf = new WeakMap<WireRequest, string>();

  return {
    name: 'aws-query',
    match(req) {
      if (services.length === 0) return undefined;
      const form = formOf(req);
      if (!form) return undefined;
      return async (ctx: RequestContext): Promise<Reply> => {
        const service = serviceOf(req, form);
        const action = form.get('Action');
        if (!service) {
          throw new AwsServiceError('InvalidAction', `No service of the twin serves Version ${form.get('Version')}`);
        }
        namespaceOf.set(req, service.xmlNamespace);
        if (!action || !/^[A-Za-z0-9]+$/.test(action)) {
          throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action.');
        }
        const result = await service.handle(action, form, ctx);
        const requestId = randomUUID();
        const body =
          `<${action}Response xmlns="${escapeXml(service.xmlNamespace)}">` +
          (result === undefined ? '' : `<${action}Result>${result}</${action}Result>`) +
          `<ResponseMetadata>${xml('RequestId', requestId)}</ResponseMetadata></${action}Response>`;
        return { status: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
      };
    },
    error(error, req) {
      const aws = error instanceof AwsServiceError ? error : undefined;
      if (!aws) reportInternal(error);
      const status = aws?.status ?? 500;
      const requestId = randomUUID();
      const ns = namespaceOf.get(req);
      const body =
        `<ErrorResponse${ns === undefined ? '' : ` xmlns="${escapeXml(ns)}"`}><Error>` +
        xml('Type', status >= 500 ? 'Receiver' : 'Sender') +
        xml('Code', aws?.type ?? 'InternalFailure') +
        xml('Message', error instanceof Error ? error.message : String(error)) +
        `</Error>${xml('RequestId', requestId)}</ErrorResponse>`;
      return { status, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
    },
  };
}
