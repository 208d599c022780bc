/**
 * The Condition element: every operator block must hold, every key of a block must hold, and a key holds when the
 * request's value matches any of the policy's values (negated operators: none). As IAM evaluates them:
 *
 * - a key the request does not carry fails a positive operator and passes a negated one; `...IfExists` passes;
 *   `Null` tests presence;
 * - `ForAnyValue:` holds when some value of the request's (multi-valued) key matches, `ForAllValues:` when every
 *   one does (an absent key: false and true);
 * - condition key names are case-insensitive, values case-sensitive unless the operator says `IgnoreCase`;
 * - `ArnEquals` and `ArnLike` are the same test (wildcards in both), as IAM documents.
 *
 * Operators the twin does not evaluate (dates, IP addresses, binary) make a policy malformed for the twin, said
 * when the role is recorded rather than guessed at when a call is checked.
 */
import { IamError } from './errors';
import { arnMatches, glob } from './match';
import type { Conditions } from './policy';

/** What a request carries for conditions: key (any case) -> one value or several. */
export type RequestContext = Readonly<Record<string, string | readonly string[] | undefined>>;

type Test = (policyValue: string, requestValue: string) => boolean;

const number = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

/** Positive tests; each has a negated twin named with `Not`. */
const TESTS: Record<string, { test: Test; negated: boolean }> = {};
const define = (name: string, test: Test, negatedName?: string): void => {
  TESTS[name.toLowerCase()] = { test, negated: false };
  if (negatedName) TESTS[negatedName.toLowerCase()] = { test, negated: true };
};
define('StringEquals', (p, r) => p === r, 'StringNotEquals');
define('StringEqualsIgnoreCase', (p, r) => p.toLowerCase() === r.toLowerCase(), 'StringNotEqualsIgnoreCase');
define('StringLike', (p, r) => glob(p, r), 'StringNotLike');
define('ArnEquals', (p, r) => arnMatches(p, r), 'ArnNotEquals');
define('ArnLike', (p, r) => arnMatches(p, r), 'ArnNotLike');
define('Bool', (p, r) => p.toLowerCase() === r.toLowerCase());
define('NumericEquals', (p, r) => number(p) === number(r), 'NumericNotEquals');
define('NumericLessThan', (p, r) => number(r) < number(p));
define('NumericLessThanEquals', (p, r) => number(r) <= number(p));
define('NumericGreaterThan', (p, r) => number(r) > number(p));
define('NumericGreaterThanEquals', (p, r) => number(r) >= number(p));

interface Operator {
  set: 'any' | 'all' | undefined;
  ifExists: boolean;
  kind: 'null' | { test: Test; negated: boolean };
}

function operatorOf(written: string): Operator {
  let name = written;
  let set: Operator['set'];
  const lower = name.toLowerCase();
  if (lower.startsWith('foranyvalue:')) {
    set = 'any';
    name = name.slice('ForAnyValue:'.length);
  } else if (lower.startsWith('forallvalues:')) {
    set = 'all';
    name = name.slice('ForAllValues:'.length);
  }
  let ifExists = false;
  if (name.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    name = name.slice(0, -'IfExists'.length);
  }
  if (name.toLowerCase() === 'null') return { set, ifExists: false, kind: 'null' };
  const kind = TESTS[name.toLowerCase()];
  if (!kind) {
    throw IamError.malformed(
      `Condition operator ${written} is not evaluated by the twin (it evaluates String*, Arn*, Bool, Numeric*, Null)`,
    );
  }
  return { set, ifExists, kind };
}

/** Every operator of a Condition element is one the twin evaluates. */
export function checkConditions(conditions: Conditions): void {
  for (const op of Object.keys(conditions)) operatorOf(op);
}

function valuesOf(context: RequestContext, key: string): readonly string[] | undefined {
  const lower = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) {
    if (k.toLowerCase() === lower) return v === undefined ? undefined : typeof v === 'string' ? [v] : v;
  }
  return undefined;
}

function keyHolds(op: Operator, policyValues: readonly string[], present: readonly string[] | undefined): boolean {
  if (op.kind === 'null') {
    const absent = present === undefined || present.length === 0;
    return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const { test, negated } = op.kind;
  const one = (requestValue: string): boolean => {
    const matches = policyValues.some((p) => test(p, requestValue));
    return negated ? !matches : matches;
  };
  if (present === undefined || present.length === 0) {
    if (op.set === 'all') return true;
    if (op.set === 'any') return false;
    return op.ifExists || negated;
  }
  if (op.set === 'all') return present.every(one);
  if (op.set === 'any' || !negated) return present.some(one);
  return present.every(one);
}

/** The Condition element holds for a request with these context keys. */
export function conditionsHold(conditions: Conditions, context: RequestContext): boolean {
  for (const [written, block] of Object.entries(conditions)) {
    const op = operatorOf(written);
    for (const [key, policyValues] of Object.entries(block)) {
      if (!keyHolds(op, policyValues, valuesOf(context, key))) return false;
    }
  }
  return true;
}
