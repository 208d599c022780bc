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

/** Checks one value of a shape, adding violations to `errors` (a wrong type throws). */
type Check = (value: unknown, path: PathStack, errors: string[]) => void;

/** `.1.member`, `.2.member`, ...: the path part of a list item, once per index. */
const itemPaths: string[] = [];
function itemPath(i: number): string {
  let part = itemPaths[i];
  if (part === undefined) {
    part = String(i + 1);
    if (i < 100_000) itemPaths[i] = part;
  }
  return part;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/**
 * The validator walks a request with one check per shape, built once from the model the first time an operation
 * is validated (its members, required flags, limits and compiled patterns looked up then, not per value): a
 * PutRecords of 500 records is 1,500 calls of small closures, no model lookups.
 */
export class ModelValidator {
  private readonly patterns = new Map<string, RegExp>();
  private readonly checks = new Map<string, Check>();
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
    this.checkOf(shapeName)(input, new PathStack(), errors);
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

  /** The check of a named shape, built on first use (a shape that contains itself calls through to its own). */
  private checkOf(name: string): Check {
    const known = this.checks.get(name);
    if (known) return known;
    let built: Check | undefined;
    this.checks.set(name, (value, path, errors) => built!(value, path, errors));
    built = this.build(this.model.shape(name));
    this.checks.set(name, built);
    return built;
  }

  private build(shape: Shape): Check {
    switch (shape.type) {
      case 'structure':
        return this.structure(shape);
      case 'string': {
        const lengths = this.lengths(shape);
        const re = shape.pattern === undefined ? undefined : this.pattern(shape.pattern);
        const allowed = shape.enum;
        return (value, path, errors) => {
          if (typeof value !== 'string') throw wrongType(shape, value, path);
          lengths?.(value, value.length, path, errors);
          if (re !== undefined && !re.test(value)) {
            this.push(errors, value, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
          }
          if (allowed && !allowed.includes(value)) {
            this.push(errors, value, path, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
          }
        };
      }
      case 'blob': {
        const lengths = this.lengths(shape);
        return (value, path, errors) => {
          if (value instanceof Uint8Array) lengths?.(value, value.length, path, errors);
          else if (typeof value === 'string') {
            const length = base64Length(value, path);
            lengths?.(value, length, path, errors);
          } else throw wrongType(shape, value, path);
        };
      }
      case 'integer':
      case 'long': {
        const range = this.range(shape);
        return (value, path, errors) => {
          if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(shape, value, path);
          range?.(value, path, errors);
        };
      }
      case 'float':
      case 'double': {
        const range = this.range(shape);
        return (value, path, errors) => {
          if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(shape, value, path);
          range?.(value, path, errors);
        };
      }
      case 'boolean':
        return (value, path) => {
          if (typeof value !== 'boolean') throw wrongType(shape, value, path);
        };
      case 'timestamp':
        return (value, path) => {
          if (value instanceof Date ? Number.isNaN(value.getTime()) : !isTimestamp(value)) {
            throw wrongType(shape, value, path);
          }
        };
      case 'list': {
        const lengths = this.lengths(shape);
        const member = this.checkOf(shape.member!.shape);
        return (value, path, errors) => {
          if (!Array.isArray(value)) throw wrongType(shape, value, path);
          lengths?.(value, value.length, path, errors);
          const parts = path.parts;
          for (let i = 0; i < value.length; i++) {
            const item: unknown = value[i];
            if (item == null) continue;
            parts.push('.', itemPath(i), '.member');
            member(item, path, errors);
            parts.pop();
            parts.pop();
            parts.pop();
          }
        };
      }
      case 'map': {
        const lengths = this.lengths(shape);
        const key = this.checkOf(shape.key!.shape);
        const val = this.checkOf(shape.value!.shape);
        return (value, path, errors) => {
          if (!isObject(value)) throw wrongType(shape, value, path);
          const entries = Object.entries(value);
          lengths?.(value, entries.length, path, errors);
          const parts = path.parts;
          for (const [k, v] of entries) {
            parts.push('.', k, '.key');
            key(k, path, errors);
            parts.length -= 3;
            if (v == null) continue;
            parts.push('.', k, '.value');
            val(v, path, errors);
            parts.length -= 3;
          }
        };
      }
      default:
        // a model with a type this walk does not know fails on the first value of it, not on the first request
        return () => {
          throw new Error(`api-model.json: unsupported shape type ${String(shape.type)}`);
        };
    }
  }

  private structure(shape: Shape): Check {
    if (shape.eventstream) {
      return (value, path) => {
        if (!isObject(value)) throw wrongType(shape, value, path);
      };
    }
    const members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({
      name,
      path: memberPath(name),
      required: shape.required?.includes(name) ?? false,
      check: this.checkOf(ref.shape),
    }));
    return (value, path, errors) => {
      if (!isObject(value)) throw wrongType(shape, value, path);
      const parts = path.parts;
      const dot = parts.length === 0 ? '' : '.';
      for (const member of members) {
        const v = value[member.name];
        if (v == null && !member.required) continue;
        parts.push(dot, member.path);
        if (v == null) this.push(errors, null, path, 'Member must not be null');
        else member.check(v, path, errors);
        parts.pop();
        parts.pop();
      }
    };
  }

  /** The length check of a shape with `min` or `max`; undefined when it has neither. */
  private lengths(
    shape: Shape,
  ): ((value: unknown, length: number, path: PathStack, errors: string[]) => void) | undefined {
    const { min, max } = shape;
    if (min === undefined && max === undefined) return undefined;
    return (value, length, path, errors) => {
      if (min !== undefined && length < min) {
        this.push(errors, value, path, `Member must have length greater than or equal to ${min}`);
      }
      if (max !== undefined && length > max) {
        this.push(errors, value, path, `Member must have length less than or equal to ${max}`);
      }
    };
  }

  /** The range check of a number shape with `min` or `max`; undefined when it has neither. */
  private range(shape: Shape): ((value: number, path: PathStack, errors: string[]) => void) | undefined {
    const { min, max } = shape;
    if (min === undefined && max === undefined) return undefined;
    return (value, path, errors) => {
      if (min !== undefined && value < min) {
        this.push(errors, value, path, `Member must have value greater than or equal to ${min}`);
      }
      if (max !== undefined && value > max) {
        this.push(errors, value, path, `Member must have value less than or equal to ${max}`);
      }
    };
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
