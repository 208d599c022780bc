/**
 * EventBridge on the wire (AWS JSON 1.1, `X-Amz-Target: AWSEvents.<Operation>`), for clients that read rules as
 * they would on AWS (`fanout status`: the teardown schedule; `aws events describe-rule`): DescribeRule, ListRules
 * and ListTargetsByRule, the same typed operations the deployer uses in process. Rules are changed by the stack
 * only (the deployer's in-process calls): the twin serves no write operation on the wire.
 */

import { toWireJson } from '../sdk-shapes';
import { type AwsJsonService, AwsServiceError } from '../service';
import { errors } from './errors';
import type { EventsTwin } from './index';

type Input = Record<string, unknown>;

function name(input: Input, member: string): string {
  const v = input[member];
  if (typeof v !== 'string' || v.length === 0)
    throw errors.validation(
      `1 validation error detected: Value null at '${member.charAt(0).toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  return v;
}

const optional = (input: Input, member: string): string | undefined =>
  typeof input[member] === 'string' ? (input[member] as string) : undefined;

const OPERATIONS: Record<string, (events: EventsTwin, input: Input) => unknown> = {
  DescribeRule: (e, i) => e.describeRule({ Name: name(i, 'Name') }),
  ListRules: (e, i) => {
    const prefix = optional(i, 'NamePrefix');
    return e.listRules(prefix !== undefined ? { NamePrefix: prefix } : {});
  },
  ListTargetsByRule: (e, i) => e.listTargetsByRule({ Rule: name(i, 'Rule') }),
};

export class EventsWire implements AwsJsonService {
  readonly targetPrefix = 'AWSEvents';
  readonly jsonVersion = '1.1' as const;

  constructor(private readonly events: EventsTwin) {}

  async handle(operation: string, input: Input): Promise<unknown> {
    const op = OPERATIONS[operation];
    if (!op)
      throw new AwsServiceError(
        'UnknownOperationException',
        `The twin serves EventBridge's ${Object.keys(OPERATIONS).join(', ')} on the wire, not ${operation}`,
      );
    return toWireJson(op(this.events, input));
  }
}
