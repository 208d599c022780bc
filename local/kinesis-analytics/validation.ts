/**
 * Request validation driven by the API model (api-model.json, the Kinesis Analytics 2015-08-14 model without its
 * documentation): required members, types, lengths, ranges, patterns and enums, reported the way AWS's front end
 * reports them ("1 validation error detected: Value ... at 'applicationName' failed to satisfy constraint: ...").
 */
import { AwsServiceError } from '../service';
import model from './api-model.json';

interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

const shapes = model.shapes as unknown as Record<string, Shape>;
const operations = model.operations as unknown as Record<string, { input?: { shape: string } }>;

/** The operations the model defines, e.g. `CreateApplication`. */
export const operationNames: readonly string[] = Object.keys(operations);

const patternCache = new Map<string, RegExp>();

/** AWS patterns are Java regexes matched against the whole value; JavaScript has no possessive quantifiers. */
function compilePattern(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern.replace(/\}\+/g, '}')})$`, 's');
    patternCache.set(pattern, re);
  }
  return re;
}

function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function show(value: unknown): string {
  if (typeof value === 'string') return value.length > 100 ? `${value.slice(0, 100)}...` : value;
  return JSON.stringify(value)?.slice(0, 100) ?? String(value);
}

/** Collects constraint violations of `value` against shape `shapeName`; type mismatches throw at once. */
function check(shapeName: string, value: unknown, path: string, problems: string[]): void {
  const shape = shapes[shapeName];
  if (!shape) throw new Error(`api-model.json has no shape ${shapeName}`);
  const at = (constraint: string) => `Value '${show(value)}' at '${path}' failed to satisfy constraint: ${constraint}`;
  const wrongType = (expected: string) =>
    new AwsServiceError('SerializationException', `Expected ${expected} at '${path}' but found ${show(value)}`);
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrongType('an object');
      const record = value as Record<string, unknown>;
      for (const name of shape.required ?? []) {
        if (record[name] === undefined || record[name] === null) {
          problems.push(
            `Value null at '${path ? `${path}.` : ''}${camel(name)}' failed to satisfy constraint: Member must not be null`,
          );
        }
      }
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const memberValue = record[name];
        if (memberValue === undefined || memberValue === null) continue;
        check(member.shape, memberValue, path ? `${path}.${camel(name)}` : camel(name), problems);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) throw wrongType('a list');
      if (shape.min !== undefined && value.length < shape.min) {
        problems.push(at(`Member must have length greater than or equal to ${shape.min}`));
      }
      if (shape.max !== undefined && value.length > shape.max) {
        problems.push(at(`Member must have length less than or equal to ${shape.max}`));
      }
      value.forEach((item, i) => {
        check(shape.member!.shape, item, `${path}.${i + 1}.member`, problems);
      });
      return;
    }
    case 'string': {
      if (typeof value !== 'string') throw wrongType('a string');
      if (shape.min !== undefined && value.length < shape.min) {
        problems.push(at(`Member must have length greater than or equal to ${shape.min}`));
      }
      if (shape.max !== undefined && value.length > shape.max) {
        problems.push(at(`Member must have length less than or equal to ${shape.max}`));
      }
      if (shape.pattern !== undefined && !compilePattern(shape.pattern).test(value)) {
        problems.push(at(`Member must satisfy regular expression pattern: ${shape.pattern}`));
      }
      if (shape.enum && !shape.enum.includes(value)) {
        problems.push(at(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`));
      }
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType('an integer');
      if (shape.min !== undefined && value < shape.min) {
        problems.push(at(`Member must have value greater than or equal to ${shape.min}`));
      }
      if (shape.max !== undefined && value > shape.max) {
        problems.push(at(`Member must have value less than or equal to ${shape.max}`));
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType('a boolean');
      return;
    case 'timestamp':
      if (typeof value !== 'number' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) {
        throw wrongType('a timestamp');
      }
      return;
    default:
      throw new Error(`api-model.json: unsupported shape type ${shape.type}`);
  }
}

/**
 * Checks an operation's input against the model; throws `InvalidArgumentException` listing every violated
 * constraint, or `SerializationException` when a member has the wrong JSON type.
 */
export function validateRequest(operation: string, input: Record<string, unknown>): void {
  const shapeName = operations[operation]?.input?.shape;
  if (!shapeName) return;
  const problems: string[] = [];
  check(shapeName, input, '', problems);
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
    throw new AwsServiceError('InvalidArgumentException', `${count} detected: ${problems.join('; ')}`);
  }
}

/** Converts a model timestamp (epoch seconds as a number, or an ISO string) to epoch milliseconds. */
export function timestampMs(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  return Date.parse(String(value));
}
