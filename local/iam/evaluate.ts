/**
 * The evaluation of a role's identity-based policies for one request, as IAM's policy evaluation logic has it for
 * a principal of the same account with no resource policy, SCP, permission boundary or session policy in play
 * (docs/architecture.md says why those are left out): an explicit Deny in any policy wins; otherwise some Allow
 * must match; otherwise the request is denied implicitly.
 *
 * A statement matches when its Action (or NotAction) matches the action, its Resource (or NotResource) the
 * resource, and its Condition holds for the request's context keys.
 */
import { conditionsHold, type RequestContext } from './conditions';
import { actionMatches, arnMatches } from './match';
import type { Policy, Statement } from './policy';

/** What one call needs: an action on a resource, with the context keys its conditions may test. */
export interface AuthorizationRequest {
  /** `kinesis:PutRecords` */
  readonly action: string;
  /** An ARN, or `*` for actions that support no resource-level permission. */
  readonly resource: string;
  readonly context: RequestContext;
}

export type Decision =
  | { readonly allowed: true; readonly policy: string; readonly statement: Statement }
  | { readonly allowed: false; readonly reason: 'no-allow' }
  | {
      readonly allowed: false;
      readonly reason: 'explicit-deny';
      readonly policy: string;
      readonly statement: Statement;
    };

function statementMatches(s: Statement, request: AuthorizationRequest): boolean {
  const action = s.action
    ? s.action.some((a) => actionMatches(a, request.action))
    : !s.notAction!.some((a) => actionMatches(a, request.action));
  if (!action) return false;
  const resource = s.resource
    ? s.resource.some((r) => arnMatches(r, request.resource))
    : !s.notResource!.some((r) => arnMatches(r, request.resource));
  if (!resource) return false;
  return conditionsHold(s.condition, request.context);
}

/** Whether the policies allow the request: an explicit Deny first, then any Allow. */
export function evaluate(policies: readonly Policy[], request: AuthorizationRequest): Decision {
  let allow: { policy: string; statement: Statement } | undefined;
  for (const policy of policies) {
    for (const statement of policy.statements) {
      if (!statementMatches(statement, request)) continue;
      if (statement.effect === 'Deny') {
        return { allowed: false, reason: 'explicit-deny', policy: policy.name, statement };
      }
      allow ??= { policy: policy.name, statement };
    }
  }
  return allow ? { allowed: true, ...allow } : { allowed: false, reason: 'no-allow' };
}
