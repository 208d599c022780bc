/**
 * One request validator for every twin service, driven by the service's API model: required members, lengths,
 * ranges, patterns and enums, reported the way AWS's front end reports them, every failing field in one message
 * in the order of the model's members:
 *
 *   2 validation errors detected: Value null at 'streamName' failed to satisfy constraint: Member must not be
 *   null; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1
 *
 * A value of the wrong type (a string where the model says integer, bad base64 for a blob) is a
 * SerializationException naming the field, as on AWS. Blobs arrive as base64 text (JSON) or bytes (CBOR),
 * timestamps as numbers, date strings or Dates (CBOR).
 */
import { AwsServiceError } from '../service';
import { base64Length } from './base64';
import type { ApiModel, Shape } from './model';

export interface ValidatorOptions {
  /** The error a constraint violation raises: `ValidationException` (Kinesis) or `InvalidArgumentException` (Kinesis Analytics). */
  errorType: string;
  /** At most this many violations are listed (default 10). */
  maxErrors?: number;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a String',
  blob: 'a Blob',
  boolean: 'a Boolean',
  integer: 'an Integer',
  long: 'a Long',
  float: 'a Float',
  double: 'a Double',
  timestamp: 'a Timestamp',
  list: 'a List',
  map: 'a Map',
  structure: 'a Structure',
};

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** How AWS shows a value in a message: strings as they are (long ones cut), bytes as Java prints a ByteBuffer. */
export function describeValue(value: unknown): string {
  if (value == null) return 'null';
  if (typeof value === 'string') return `'${value.length > 256 ? `${value.slice(0, 256)}...` : value}'`;
  if (value instanceof Uint8Array) return `'java.nio.HeapByteBuffer[pos=0 lim=${value.length} cap=${value.length}]'`;
  if (Array.isArray(value))
    return `'[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]'`;
  if (typeof value === 'object') return `'${JSON.stringify(value)}'`;
  return `'${String(value)}'`;
}

function wrongType(shape: Shape, value: unknown, path: PathStack): AwsServiceError {
  const shown = typeof value === 'string' ? describeValue(value) : (JSON.stringify(value) ?? String(value));
  return new AwsServiceError(
    'SerializationException',
    `${typeof value === 'object' && value !== null ? (Array.isArray(value) ? 'A list' : 'An object') : `The ${typeof value} ${shown}`} can not be converted to ${TYPE_NAMES[shape.type] ?? shape.type} at '${path}'`,
  );
}

/** AWS patterns are Java regexes matched against the whole value; JavaScript has no possessive quantifiers. */
function compilePattern(pattern: string): RegExp {
  const source = `^(?:${pattern.replace(/([}*+?])\+/g, '$1')})$`;
  try {
    return new RegExp(source, 'su');
  } catch {
    return new RegExp(source, 's');
  }
}

/**
 * Where the walk is, as AWS writes it (`records.2.member.partitionKey`): a stack of parts joined only when an
 * error is reported, so a valid request of 500 records builds no path string at all.
 */
class PathStack {
  readonly parts: string[] = [];

  toString(): string {
    return this.parts.join('');
  }
}

/** `PartitionKey` -> `partitionKey`, once per member name. */
const memberPaths = new Map<string, string>();
function memberPath(name: string): string {
  let path = memberPaths.get(name);
  if (path === undefined) {
    path = lowerFirst(name);
    memberPaths.set(name, path);
  }
  return path;
}

export class ModelValidator {
  private readonly patterns = new Map<string, RegExp>();
  private readonly maxErrors: number;

  constructor(
    readonly model: ApiModel,
    private readonly opts: ValidatorOptions,
  ) {
    this.maxErrors = opts.maxErrors ?? 10;
  }

  /** Throws the SerializationException or validation error the service would answer for this input. */
  validate(operation: string, input: Record<string, unknown>): void {
    const shapeName = this.model.inputOf(operation);
    if (shapeName === undefined) return;
    const errors: string[] = [];
    this.check(this.model.shape(shapeName), input, new PathStack(), errors);
    if (errors.length > 0) {
      throw new AwsServiceError(
        this.opts.errorType,
        `${errors.length} validation error${errors.length > 1 ? 's' : ''} detected: ${errors.join('; ')}`,
      );
    }
  }

  private push(errors: string[], value: unknown, path: PathStack, constraint: string): void {
    if (errors.length >= this.maxErrors) return;
    errors.push(`Value ${describeValue(value)} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  private structure(shape: Shape, value: Record<string, unknown>, path: PathStack, errors: string[]): void {
    const required = shape.required;
    const members = shape.members ?? {};
    const parts = path.parts;
    const dot = parts.length === 0 ? '' : '.';
    for (const name in members) {
      const v = value[name];
      if (v == null && !required?.includes(name)) continue;
      parts.push(dot, memberPath(name));
      if (v == null) this.push(errors, null, path, 'Member must not be null');
      else this.check(this.model.shape(members[name]!.shape), v, path, errors);
      parts.length -= 2;
    }
  }

  private check(shape: Shape, value: unknown, path: PathStack, errors: string[]): void {
    switch (shape.type) {
      case 'structure':
        if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
          throw wrongType(shape, value, path);
        }
        if (shape.eventstream) return;
        this.structure(shape, value as Record<string, unknown>, path, errors);
        return;
      case 'string':
        if (typeof value !== 'string') throw wrongType(shape, value, path);
        this.lengths(shape, value, value.length, path, errors);
        if (shape.pattern !== undefined && !this.pattern(shape.pattern).test(value)) {
          this.push(errors, value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
        }
        if (shape.enum && !shape.enum.includes(value)) {
          this.push(errors, value, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
        }
        return;
      case 'blob':
        if (value instanceof Uint8Array) this.lengths(shape, value, value.length, path, errors);
        else if (typeof value === 'string') this.lengths(shape, value, base64Length(value, path), path, errors);
        else throw wrongType(shape, value, path);
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(shape, value, path);
        this.range(shape, value, path, errors);
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(shape, value, path);
        this.range(shape, value, path, errors);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') throw wrongType(shape, value, path);
        return;
      case 'timestamp':
        if (value instanceof Date ? Number.isNaN(value.getTime()) : !isTimestamp(value)) {
          throw wrongType(shape, value, path);
        }
        return;
      case 'list': {
        if (!Array.isArray(value)) throw wrongType(shape, value, path);
        this.lengths(shape, value, value.length, path, errors);
        const member = this.model.shape(shape.member!.shape);
        const parts = path.parts;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item == null) continue;
          parts.push('.', String(i + 1), '.member');
          this.check(member, item, path, errors);
          parts.length -= 3;
        }
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
          throw wrongType(shape, value, path);
        }
        const entries = Object.entries(value);
        this.lengths(shape, value, entries.length, path, errors);
        const key = this.model.shape(shape.key!.shape);
        const val = this.model.shape(shape.value!.shape);
        const parts = path.parts;
        for (const [k, v] of entries) {
          parts.push('.', k, '.key');
          this.check(key, k, path, errors);
          parts.length -= 3;
          if (v == null) continue;
          parts.push('.', k, '.value');
          this.check(val, v, path, errors);
          parts.length -= 3;
        }
        return;
      }
      default:
        throw new Error(`api-model.json: unsupported shape type ${String(shape.type)}`);
    }
  }

  private lengths(shape: Shape, value: unknown, length: number, path: PathStack, errors: string[]): void {
    if (shape.min !== undefined && length < shape.min) {
      this.push(errors, value, path, `Member must have length greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && length > shape.max) {
      this.push(errors, value, path, `Member must have length less than or equal to ${shape.max}`);
    }
  }

  private range(shape: Shape, value: number, path: PathStack, errors: string[]): void {
    if (shape.min !== undefined && value < shape.min) {
      this.push(errors, value, path, `Member must have value greater than or equal to ${shape.min}`);
    }
    if (shape.max !== undefined && value > shape.max) {
      this.push(errors, value, path, `Member must have value less than or equal to ${shape.max}`);
    }
  }

  private pattern(pattern: string): RegExp {
    let re = this.patterns.get(pattern);
    if (!re) {
      re = compilePattern(pattern);
      this.patterns.set(pattern, re);
    }
    return re;
  }
}

/** Epoch seconds (JSON), or a date string AWS would parse (ISO 8601, or epoch seconds as text). */
function isTimestamp(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'string') return false;
  return Number.isFinite(Number(value)) || !Number.isNaN(Date.parse(value));
}
