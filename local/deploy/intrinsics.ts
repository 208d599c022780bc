/**
 * CloudFormation's intrinsic functions, pure: a value of the template is resolved against a `Scope` that answers
 * Ref, Fn::GetAtt and conditions. Nothing here knows about the twin or about the order resources are made in.
 */
import { DeployError } from './template';

/** What `{"Ref": "AWS::NoValue"}` resolves to: the property (or list item) is left out. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** Answers the lookups the intrinsic functions make. */
export interface Scope {
  readonly region: string;
  /** Ref of a pseudo parameter, a parameter or a resource. */
  ref(name: string, where: string): unknown;
  getAtt(name: string, attribute: string, where: string): unknown;
  condition(name: string): boolean;
  /** Whether `name` is a parameter or resource of the template (for Fn::Sub's `${Name}`). */
  defines(name: string): boolean;
}

/** The pseudo parameters (`AWS::Region`, ...) of a stack. */
export function pseudoParameter(
  name: string,
  stack: { region: string; accountId: string; stackName: string; stackId: string },
): unknown {
  switch (name) {
    case 'AWS::Region':
      return stack.region;
    case 'AWS::AccountId':
      return stack.accountId;
    case 'AWS::StackName':
      return stack.stackName;
    case 'AWS::StackId':
      return stack.stackId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::NoValue':
      return NO_VALUE;
    case 'AWS::NotificationARNs':
      return [];
    default:
      return undefined;
  }
}

/** Resolves every intrinsic function in `value`; `where` names the place for error messages. */
export function resolve(value: unknown, scope: Scope, where: string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, scope, where)).filter((v) => v !== NO_VALUE);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const key = keys[0]!;
    const fn = FUNCTIONS[key];
    if (fn) return fn(obj[key], scope, where);
    if (key === 'Condition' && typeof obj[key] === 'string') return scope.condition(obj[key]);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const r = resolve(v, scope, `${where}.${k}`);
    if (r !== NO_VALUE) out[k] = r;
  }
  return out;
}

type Intrinsic = (arg: unknown, scope: Scope, where: string) => unknown;

const unsupported =
  (name: string): Intrinsic =>
  (_arg, _scope, where) => {
    throw new DeployError(`${where}: the twin does not support ${name}`);
  };

/** Every intrinsic function the twin knows, by name; the keys are the list. */
const FUNCTIONS: Record<string, Intrinsic> = {
  Ref: (arg, scope, where) => scope.ref(String(arg), where),
  'Fn::GetAtt': (arg, scope, where) => {
    const [name, ...attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
    return scope.getAtt(String(name), attr.join('.'), where);
  },
  'Fn::Sub': (arg, scope, where) => {
    if (typeof arg === 'string') return substitute(arg, {}, scope, where);
    const [text, vars] = arg as [string, Record<string, unknown>];
    return substitute(text, resolve(vars ?? {}, scope, where) as Record<string, unknown>, scope, where);
  },
  'Fn::Join': (arg, scope, where) => {
    const [sep, list] = arg as [string, unknown[]];
    return (resolve(list, scope, where) as unknown[]).map(stringify).join(sep);
  },
  'Fn::Select': (arg, scope, where) => {
    const [index, list] = resolve(arg, scope, where) as [number | string, unknown[]];
    const i = Number(index);
    if (!Array.isArray(list) || !(i in list)) throw new DeployError(`${where}: Fn::Select index ${index} out of range`);
    return list[i];
  },
  'Fn::Split': (arg, scope, where) => {
    const [sep, text] = resolve(arg, scope, where) as [string, string];
    return String(text).split(sep);
  },
  'Fn::Base64': (arg, scope, where) => Buffer.from(String(resolve(arg, scope, where))).toString('base64'),
  'Fn::GetAZs': (_arg, scope) => ['a', 'b', 'c'].map((z) => `${scope.region}${z}`),
  'Fn::Equals': (arg, scope, where) => {
    const [a, b] = resolve(arg, scope, where) as [unknown, unknown];
    return stringify(a) === stringify(b);
  },
  'Fn::Not': (arg, scope, where) => !(resolve(arg, scope, where) as unknown[])[0],
  'Fn::And': (arg, scope, where) => (resolve(arg, scope, where) as unknown[]).every(Boolean),
  'Fn::Or': (arg, scope, where) => (resolve(arg, scope, where) as unknown[]).some(Boolean),
  'Fn::If': (arg, scope, where) => {
    const [cond, yes, no] = arg as [string, unknown, unknown];
    return resolve(scope.condition(cond) ? yes : no, scope, where);
  },
  'Fn::ImportValue': unsupported('Fn::ImportValue'),
  'Fn::FindInMap': unsupported('Fn::FindInMap'),
  'Fn::Cidr': unsupported('Fn::Cidr'),
  'Fn::Transform': unsupported('Fn::Transform'),
};

function substitute(text: string, vars: Record<string, unknown>, scope: Scope, where: string): string {
  return text.replace(/\$\{(!?)([^}]+)\}/g, (whole, bang: string, name: string) => {
    if (bang) return `\${${name}}`;
    if (name in vars) return stringify(vars[name]);
    if (name.startsWith('AWS::')) return stringify(scope.ref(name, where));
    const dot = name.indexOf('.');
    if (dot > 0) return stringify(scope.getAtt(name.slice(0, dot), name.slice(dot + 1), where));
    if (scope.defines(name)) return stringify(scope.ref(name, where));
    throw new DeployError(`${where}: Fn::Sub variable ${whole} is not defined`);
  });
}

/** The names `value` refers to through Ref, Fn::GetAtt and Fn::Sub (resources, parameters, pseudo parameters). */
export function collectRefs(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
    return into;
  }
  if (!value || typeof value !== 'object') return into;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'Ref' && typeof v === 'string') into.add(v);
    else if (k === 'Fn::GetAtt') {
      const name = Array.isArray(v) ? v[0] : String(v).split('.')[0];
      if (typeof name === 'string') into.add(name);
    } else if (k === 'Fn::Sub') {
      const text = Array.isArray(v) ? v[0] : v;
      const vars = Array.isArray(v) ? ((v[1] ?? {}) as Record<string, unknown>) : {};
      if (typeof text === 'string')
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!.split('.')[0]!;
          if (!(name in vars)) into.add(name);
        }
      collectRefs(vars, into);
    } else collectRefs(v, into);
  }
  return into;
}

/** A resolved value as CloudFormation turns it into a string (environment variables, Join, Sub). */
export function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
