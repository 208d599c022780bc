/**
 * What the XML protocols (query, rest-xml) do with a service's API model (./model.ts): decode a query request's
 * parameters into the typed input of an operation, and encode an operation's output (or any shape) as the XML AWS
 * writes, names, lists, maps, flattening, timestamps and blobs included.
 */
import { escapeXml } from '../protocols/xml';
import type { ApiModel, Shape } from './model';

/**
 * A query request's parameter tree (`queryParams` of ../protocols/aws-query: every leaf a string) typed by the operation's
 * input shape: numbers, booleans, lists and maps as the SDK types say. Unknown parameters are left out.
 */
export function decodeQueryInput(
  model: ApiModel,
  shapeName: string | undefined,
  tree: unknown,
): Record<string, unknown> {
  if (!shapeName) return {};
  return (decode(model, shapeName, tree) ?? {}) as Record<string, unknown>;
}

function decode(model: ApiModel, name: string, value: unknown): unknown {
  const shape = model.shape(name);
  if (value === undefined || value === null) return undefined;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return undefined;
      const out: Record<string, unknown> = {};
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        const raw = (value as Record<string, unknown>)[ref.locationName ?? member];
        const v = decode(model, ref.shape, raw);
        if (v !== undefined) out[member] = v;
      }
      return out;
    }
    case 'list': {
      // an empty list is sent as `Name=` (an empty string)
      if (value === '') return [];
      const items = Array.isArray(value) ? value : Object.values(value as object);
      return items.map((item) => decode(model, shape.member!.shape, item));
    }
    case 'map': {
      if (typeof value !== 'object') return undefined;
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, decode(model, shape.value!.shape, v)]),
      );
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return Number(value);
    case 'boolean':
      return value === 'true' || value === true;
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** The XML of the members of `value` as shape `shapeName` (the inside of its element). */
export function encodeXmlMembers(model: ApiModel, shapeName: string, value: unknown): string {
  const shape = model.shape(shapeName);
  if (shape.type !== 'structure') throw new Error(`${shapeName} is not a structure`);
  return structureInner(model, shape, (value ?? {}) as Record<string, unknown>);
}

/** `<name>...</name>` for `value` as shape `shapeName`. */
export function encodeXmlElement(model: ApiModel, name: string, shapeName: string, value: unknown, attrs = ''): string {
  const shape = model.shape(shapeName);
  if (shape.type === 'structure') {
    const attributes = Object.entries(shape.members ?? {})
      .filter(([m, ref]) => ref.xmlAttribute && (value as Record<string, unknown>)[m] !== undefined)
      .map(([m, ref]) => ` ${ref.locationName ?? m}="${escapeXml(String((value as Record<string, unknown>)[m]))}"`)
      .join('');
    return `<${name}${attrs}${attributes}>${structureInner(model, shape, value as Record<string, unknown>)}</${name}>`;
  }
  if (shape.type === 'list') {
    const memberName = shape.member!.locationName ?? 'member';
    return `<${name}${attrs}>${(value as unknown[]).map((v) => encodeXmlElement(model, memberName, shape.member!.shape, v)).join('')}</${name}>`;
  }
  if (shape.type === 'map')
    return `<${name}${attrs}>${mapEntries(model, shape, value as Record<string, unknown>)}</${name}>`;
  return `<${name}${attrs}>${escapeXml(scalar(shape, value))}</${name}>`;
}

function structureInner(model: ApiModel, shape: Shape, value: Record<string, unknown>): string {
  let out = '';
  for (const [member, ref] of Object.entries(shape.members ?? {})) {
    const v = value[member];
    if (v === undefined || v === null || ref.xmlAttribute || (ref.location && ref.location !== 'body')) continue;
    const name = ref.locationName ?? member;
    const target = model.shape(ref.shape);
    const ns = ref.xmlNamespace ? ` xmlns="${escapeXml(ref.xmlNamespace.uri)}"` : '';
    if (target.type === 'list' && (ref.flattened || target.flattened)) {
      for (const item of v as unknown[])
        out += encodeXmlElement(model, target.member!.locationName ?? name, target.member!.shape, item);
    } else if (target.type === 'map' && (ref.flattened || target.flattened)) {
      out += mapEntries(model, target, v as Record<string, unknown>, name);
    } else out += encodeXmlElement(model, name, ref.shape, v, ns);
  }
  return out;
}

function mapEntries(model: ApiModel, shape: Shape, value: Record<string, unknown>, entryName = 'entry'): string {
  const keyName = shape.key!.locationName ?? 'key';
  const valueName = shape.value!.locationName ?? 'value';
  return Object.entries(value)
    .map(
      ([k, v]) =>
        `<${entryName}>${encodeXmlElement(model, keyName, shape.key!.shape, k)}${encodeXmlElement(model, valueName, shape.value!.shape, v)}</${entryName}>`,
    )
    .join('');
}

function scalar(shape: Shape, value: unknown): string {
  switch (shape.type) {
    case 'timestamp': {
      const date = value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value));
      if (shape.timestampFormat === 'unixTimestamp') return String(date.getTime() / 1000);
      if (shape.timestampFormat === 'rfc822') return date.toUTCString();
      return date.toISOString();
    }
    case 'blob':
      return Buffer.isBuffer(value) ? value.toString('base64') : Buffer.from(String(value)).toString('base64');
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return String(value);
  }
}
