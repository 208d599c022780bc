/**
 * Fan-out definitions for tests that build a configuration by hand: every stream an existing one (its ARN given),
 * the worked example's SQL unless another is given.
 */

import { streamNameOf } from '../../../src/arn';
import type { OutputBinding } from '../../../src/config';
import { idOf } from '../../../src/fanout-config/checks';
import type { FanoutDefinition } from '../../../src/fanout-config/definition';
import { DEFINITION_VARIABLE } from '../../../src/fanout-config/deployed';
import { applicationSql } from '../../example-sql';

const existing = (arn: string) => ({ created: false as const, name: streamNameOf(arn), arn });

/** The definition of a fan-out from `inputStreamArn` to these outputs. */
export function definitionFor(
  inputStreamArn: string,
  outputs: readonly OutputBinding[],
  sql: string = applicationSql,
): FanoutDefinition {
  return {
    file: 'fanout.yml',
    input: existing(inputStreamArn),
    application: { kind: 'sql', path: 'sql/fanout.sql', sql },
    outputs: outputs.map((o, index) => ({
      kind: 'kinesis',
      index,
      id: idOf(streamNameOf(o.streamArn)),
      stream: existing(o.streamArn),
      sqlStream: o.sqlStream,
      consumer: false,
    })),
  };
}

/** The environment variable unbundled code reads the definition from. */
export function definitionEnv(definition: FanoutDefinition): Record<string, string> {
  return { [DEFINITION_VARIABLE]: JSON.stringify(definition) };
}
