/**
 * Input validation driven by the Kinesis API model (api-model.json: the shapes of
 * shared/reference/aws-api-models/kinesis-2013-12-02.json without documentation), so every operation checks
 * required members, lengths, ranges, patterns and enums the way Kinesis does, with Coral's messages:
 * `1 validation error detected: Value 'x' at 'streamName' failed to satisfy constraint: Member must ...`.
 * A value of the wrong JSON type is a SerializationException, as on AWS.
 */
import { AwsServiceError } from '../service';
import model from './api-model.json';

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

const shapes = model.shapes as Record<string, Shape>;
const operations = model.operations as Record<string, { input: string }>;
const patterns = new Map<string, RegExp>();
const MAX_ERRORS = 10;

/** Operations the API model knows. */
export function isModelOperation(operation: string): boolean {
  return operation in operations;
}

/** Throws the ValidationException / SerializationException Kinesis would answer for this input. */
export function validateInput(operation: string, input: Record<string, unknown>): void {
  const op = operations[operation];
  if (!op) return;
  const errors: string[] = [];
  checkStructure(shapes[op.input]!, input, '', errors);
  if (errors.length > 0) {
    throw new AwsServiceError(
      'ValidationException',
      `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`,
    );
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function serialization(message: string): AwsServiceError {
  return new AwsServiceError('SerializationException', message);
}

function checkStructure(shape: Shape, value: Record<string, unknown>, path: string, errors: string[]): void {
  const members = shape.members ?? {};
  for (const name of shape.required ?? []) {
    if (value[name] == null) push(errors, null, path + lowerFirst(name), 'Member must not be null');
  }
  for (const name in members) {
    const v = value[name];
    if (v == null) continue;
    check(members[name]!.shape, v, path + lowerFirst(name), errors);
  }
}

function check(shapeName: string, value: unknown, path: string, errors: string[]): void {
  if (errors.length >= MAX_ERRORS) return;
  const shape = shapes[shapeName];
  if (!shape) return;
  switch (shape.type) {
    case 'string': {
      if (typeof value !== 'string') throw serialization(`Expected a string at '${path}'`);
      lengthChecks(shape, value, value.length, path, errors);
      if (shape.pattern !== undefined && !patternOf(shape.pattern).test(value)) {
        push(errors, value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      if (shape.enum && !shape.enum.includes(value)) {
        push(errors, value, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      return;
    }
    case 'blob': {
      if (typeof value !== 'string') {
        if (value instanceof Uint8Array) {
          lengthChecks(shape, value, value.length, path, errors);
          return;
        }
        throw serialization(`Expected a base64 string at '${path}'`);
      }
      lengthChecks(shape, value, base64Length(value, path), path, errors);
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw serialization(
          `class java.lang.${typeof value === 'string' ? 'String' : 'Object'} can not be converted to an Integer`,
        );
      }
      if (shape.min !== undefined && value < shape.min) {
        push(errors, value, path, `Member must have value greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value > shape.max) {
        push(errors, value, path, `Member must have value less than or equal to ${shape.max}`);
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw serialization(`'${String(value)}' can not be converted to an Boolean`);
      return;
    case 'timestamp':
      if (typeof value === 'number') return;
      if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return;
      throw serialization(`class java.lang.String can not be converted to milliseconds since epoch at '${path}'`);
    case 'list': {
      if (!Array.isArray(value)) throw serialization('Expected list or null');
      lengthChecks(shape, value, value.length, path, errors);
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (item == null) continue;
        check(shape.member!.shape, item, `${path}.${i + 1}.member`, errors);
      }
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw serialization('Expected map or null');
      const entries = Object.entries(value as Record<string, unknown>);
      lengthChecks(shape, value, entries.length, path, errors);
      for (const [k, v] of entries) {
        check(shape.key!.shape, k, `${path}.${k}.key`, errors);
        if (v != null) check(shape.value!.shape, v, `${path}.${k}.value`, errors);
      }
      return;
    }
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw serialization('Start of structure or map found where not expected.');
      }
      checkStructure(shape, value as Record<string, unknown>, `${path}.`, errors);
      return;
    }
    default:
      return;
  }
}

function lengthChecks(shape: Shape, value: unknown, length: number, path: string, errors: string[]): void {
  if (shape.min !== undefined && length < shape.min) {
    push(errors, value, path, `Member must have length greater than or equal to ${shape.min}`);
  }
  if (shape.max !== undefined && length > shape.max) {
    push(errors, value, path, `Member must have length less than or equal to ${shape.max}`);
  }
}

function patternOf(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decoded length of a base64 string, checked the way the Kinesis front end checks it. */
export function base64Length(value: string, path = 'data'): number {
  if (value.length % 4 !== 0) {
    throw serialization(
      `'${value.slice(0, 64)}' can not be converted to a Blob at '${path}': Base64 encoded length is expected a multiple of 4 bytes but found: ${value.length}`,
    );
  }
  // a full regex scan of megabyte payloads is costly; Buffer.write skips bad characters, so check small ones
  if (value.length <= 4096 && !BASE64.test(value)) {
    throw serialization(
      `'${value.slice(0, 64)}' can not be converted to a Blob at '${path}': Invalid Base64 character`,
    );
  }
  return decodedLength(value);
}

/** Decoded length of base64 text already checked by `base64Length`. */
export function decodedLength(value: string): number {
  const n = value.length;
  let pad = 0;
  if (n > 0 && value.charCodeAt(n - 1) === 61) pad = value.charCodeAt(n - 2) === 61 ? 2 : 1;
  return (n / 4) * 3 - pad;
}

function push(errors: string[], value: unknown, path: string, constraint: string): void {
  if (errors.length >= MAX_ERRORS) return;
  errors.push(`Value ${describe(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
}

function describe(value: unknown): string {
  if (value == null) return 'null';
  if (typeof value === 'string') return `'${value.length > 256 ? `${value.slice(0, 256)}...` : value}'`;
  if (value instanceof Uint8Array) return `'java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]'`;
  if (Array.isArray(value)) return `'[${value.length} items]'`;
  if (typeof value === 'object') return `'${JSON.stringify(value)}'`;
  return `'${String(value)}'`;
}
