/**
 * The environment variables a function may carry, one builder each: a function's row in `functions.ts` names the
 * ones its code reads, and only those are set on it. Values that depend on the stage are framework variables
 * (`${param:...}`), resolved by the framework after this returns. The fan-out itself is not here: it is bundled
 * into the code (src/fanout-config/deployed.ts).
 */
import type { FanoutDefinition } from '../definition';
import { type Cfn, getAtt, sub } from './cfn';

export interface SettingScope {
  readonly definition: FanoutDefinition;
  readonly service: string;
  readonly stage: string;
  /** `${service}-${stage}`: the prefix of every function name. */
  readonly functionPrefix: string;
}

type Setting = (scope: SettingScope) => Cfn | undefined;

/** A stage param, resolved by the framework. */
const param = (name: string): string => `\${param:${name}}`;

/** Every setting, by variable name. A builder that returns undefined leaves the variable out. */
export const SETTINGS = {
  STAGE: (s) => s.stage,
  ENGINE: () => param('engine'),
  APPLICATION_PREFIX: () => param('applicationPrefix'),
  // The streams the stack creates have ARNs `<this><name>`; the names are in the bundled definition.
  FANOUT_STREAM_ARN_PREFIX: () => sub(`arn:\${AWS::Partition}:kinesis:\${AWS::Region}:\${AWS::AccountId}:stream/`),
  ANALYTICS_ROLE_ARN: () => getAtt('AnalyticsRole'),
  LOAD_TEST_RECORDS: () => param('loadTestRecords'),
  LOAD_TEST_RATE: () => param('loadTestRate'),
  LOAD_TEST_TIMEOUT_SECONDS: () => param('loadTestTimeoutSeconds'),
  // The fan-out function, by name: a Ref would make the function depend on itself.
  FANOUT_FUNCTION_NAME: (s) => `${s.functionPrefix}-fanout`,
  // `function:` outputs that name a function of the service are `<this>-<key>`
  FANOUT_FUNCTION_PREFIX: (s) => s.functionPrefix,
  FANOUT_BATCH_SIZE: () => param('fanoutBatchSize'),
  FANOUT_PARALLELIZATION_FACTOR: () => param('fanoutParallelizationFactor'),
  FANOUT_ENHANCED_FAN_OUT: () => param('fanoutEnhancedFanOut'),
  // The KPL preprocessor the kinesis-analytics engine attaches to its applications (input.kplAggregated only).
  KPL_PREPROCESSOR_ARN: (s) =>
    s.definition.kplAggregated
      ? sub(`arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:${kplPreprocessorName(s)}`)
      : undefined,
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** The name of the KPL preprocessor function (its row in functions.ts is `kplPreprocessor`). */
export function kplPreprocessorName(scope: { readonly functionPrefix: string }): string {
  return `${scope.functionPrefix}-kplPreprocessor`;
}

/** What every function carries: its service name for the logger, and source maps for its stack traces. */
function common(scope: SettingScope): Record<string, Cfn> {
  return { POWERTOOLS_SERVICE_NAME: scope.service, NODE_OPTIONS: '--enable-source-maps' };
}

/** The environment of a function with these settings. */
export function settingsOf(names: readonly SettingName[], scope: SettingScope): Record<string, Cfn> {
  const variables: Record<string, Cfn> = {};
  for (const name of names) {
    const value = (SETTINGS[name] as Setting)(scope);
    if (value !== undefined) variables[name] = value;
  }
  return { ...variables, ...common(scope) };
}
