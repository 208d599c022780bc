/**
 * IAM policy documents as the twin holds them: the JSON of a template's `PolicyDocument` (intrinsics already
 * resolved by the deployer), checked once when recorded and normalised (single values as lists), so the evaluator
 * (evaluate.ts) reads one shape. A document IAM would refuse is `MalformedPolicyDocument`, as IAM names it.
 */
import { checkConditions } from './conditions';
import { IamError } from './errors';

export type Effect = 'Allow' | 'Deny';

/** `{ Operator: { key: [values] } }`, operators as written (`ForAnyValue:StringEquals`, `ArnLikeIfExists`). */
export type Conditions = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface Statement {
  readonly sid?: string;
  readonly effect: Effect;
  /** Exactly one of action / notAction. */
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  /** Exactly one of resource / notResource. */
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly condition: Conditions;
}

/** One policy of a role: an inline policy (its name) or a managed one (its ARN). */
export interface Policy {
  readonly name: string;
  readonly statements: readonly Statement[];
}

const list = (value: unknown, what: string): string[] => {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    if (typeof v !== 'string') throw IamError.malformed(`${what} must be a string or a list of strings`);
  }
  return values as string[];
};

function conditionOf(value: unknown): Conditions {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw IamError.malformed('Condition must be an object');
  }
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, block] of Object.entries(value)) {
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      throw IamError.malformed(`Condition operator ${operator} must map keys to values`);
    }
    out[operator] = Object.fromEntries(
      Object.entries(block).map(([key, v]) => [
        key,
        (Array.isArray(v) ? v : [v]).map((x) => {
          if (typeof x === 'string') return x;
          if (typeof x === 'boolean' || typeof x === 'number') return String(x);
          throw IamError.malformed(`Condition ${operator} ${key}: values must be strings`);
        }),
      ]),
    );
  }
  return out;
}

function statementOf(raw: unknown): Statement {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw IamError.malformed('each Statement must be an object');
  }
  const s = raw as Record<string, unknown>;
  if (s['Effect'] !== 'Allow' && s['Effect'] !== 'Deny') {
    throw IamError.malformed(`Effect must be Allow or Deny, not ${JSON.stringify(s['Effect'])}`);
  }
  if ((s['Action'] === undefined) === (s['NotAction'] === undefined)) {
    throw IamError.malformed('a Statement needs exactly one of Action and NotAction');
  }
  if ((s['Resource'] === undefined) === (s['NotResource'] === undefined)) {
    throw IamError.malformed('a Statement of an identity-based policy needs exactly one of Resource and NotResource');
  }
  const condition = conditionOf(s['Condition']);
  checkConditions(condition);
  return {
    ...(typeof s['Sid'] === 'string' ? { sid: s['Sid'] } : {}),
    effect: s['Effect'],
    ...(s['Action'] !== undefined ? { action: list(s['Action'], 'Action') } : {}),
    ...(s['NotAction'] !== undefined ? { notAction: list(s['NotAction'], 'NotAction') } : {}),
    ...(s['Resource'] !== undefined ? { resource: list(s['Resource'], 'Resource') } : {}),
    ...(s['NotResource'] !== undefined ? { notResource: list(s['NotResource'], 'NotResource') } : {}),
    condition,
  };
}

/**
 * A policy from its document (an object, or its JSON text as IAM also accepts).
 *
 * @throws IamError MalformedPolicyDocument when IAM would refuse the document
 */
export function parsePolicy(name: string, document: unknown): Policy {
  let doc = document;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      throw IamError.malformed(`policy ${name} is not JSON`);
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw IamError.malformed(`policy ${name} must be an object`);
  }
  const raw = (doc as Record<string, unknown>)['Statement'];
  if (raw === undefined) throw IamError.malformed(`policy ${name} has no Statement`);
  return { name, statements: (Array.isArray(raw) ? raw : [raw]).map(statementOf) };
}
