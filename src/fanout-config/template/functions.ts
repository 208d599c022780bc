/**
 * The service's functions, as one table: each row is a function's handler, its limits, the grants its role holds
 * (grants.ts) and the settings its environment carries (settings.ts). The template gets one role and one
 * environment per function from it, plus a consumer function per output that asks for one. To add a function or
 * change what a step calls, edit its row here (the packaged-template test lists the actions each step calls).
 */
import { type FanoutDefinition, functionOutputs, type KinesisOutput, kinesisOutputs } from '../definition';
import { FanoutConfigError } from '../errors';
import { type Cfn, type Resource, sub } from './cfn';
import { consumerEvent, consumerKey } from './consumers';
import { analyticsGrants, consumerGrants, GRANTS, type GrantName, type GrantScope, type Statement } from './grants';
import { type SettingName, type SettingScope, settingsOf } from './settings';

export interface FunctionRow {
  readonly handler: string;
  readonly description: string;
  /**
   * Seconds; the provider default (60) otherwise. Each state machine Task that calls it has TimeoutSeconds 15 s more
   * (Lambda's Init phase + the Invoke; test/unit/statemachines/lifecycle.test.ts checks it).
   */
  readonly timeout?: number;
  readonly memorySize?: number;
  readonly grants: readonly GrantName[];
  readonly settings: readonly SettingName[];
  /** Deployed only for a fan-out this says yes to (every fan-out when absent). */
  readonly only?: (definition: FanoutDefinition) => boolean;
}

/** What every step handler reads through src/config.ts, and the lambda engine's settings. */
const STEP: readonly SettingName[] = [
  'STAGE',
  'KPL_PREPROCESSOR_ARN',
  'ENGINE',
  'APPLICATION_PREFIX',
  'FANOUT_STREAM_ARN_PREFIX',
  'ANALYTICS_ROLE_ARN',
  'FANOUT_FUNCTION_NAME',
  'FANOUT_FUNCTION_PREFIX',
  'FANOUT_BATCH_SIZE',
  'FANOUT_PARALLELIZATION_FACTOR',
  'FANOUT_ENHANCED_FAN_OUT',
];

/** The functions of the service, by function key (the state machines call them by these keys). */
export const FUNCTIONS = {
  validateInput: {
    handler: 'handlers/validate-input.handler',
    description:
      "Checks a state machine's execution input and merges it over the stack defaults, before anything is created",
    timeout: 30,
    grants: [],
    settings: STEP,
  },
  discoverSchema: {
    handler: 'handlers/discover-schema.handler',
    description: 'DiscoverInputSchema on the input stream (puts a labelled sample first when it is empty)',
    timeout: 60,
    grants: ['discoverInputSchema', 'passAnalyticsRole', 'sampleInputRecords', 'putSchemaSample'],
    settings: STEP,
  },
  createApplication: {
    handler: 'handlers/create-application.handler',
    description: 'Creates, reuses or updates one fan-out application',
    grants: [
      'createApplications',
      'passAnalyticsRole',
      'readFanoutFunction',
      'publishFanoutVersion',
      'deleteFanoutVersions',
      'listMappings',
      'createMapping',
      'updateMapping',
      'registerConsumer',
      'describeConsumer',
    ],
    settings: STEP,
  },
  describeApplication: {
    handler: 'handlers/describe-application.handler',
    description: 'Status of one fan-out application',
    timeout: 30,
    grants: ['describeApplications', 'readFanoutFunction', 'listMappings', 'describeConsumer'],
    settings: STEP,
  },
  startApplication: {
    handler: 'handlers/start-application.handler',
    description: 'Starts one fan-out application at a starting position',
    grants: [
      'startApplications',
      'readFanoutFunction',
      'listMappings',
      'createMapping',
      'updateMapping',
      'deleteMapping',
      'registerConsumer',
      'describeConsumer',
    ],
    settings: STEP,
  },
  stopApplication: {
    handler: 'handlers/stop-application.handler',
    description: 'Stops one fan-out application (no-op when it is not running or gone)',
    grants: ['stopApplications', 'readFanoutFunction', 'listMappings', 'describeConsumer', 'updateMapping'],
    settings: STEP,
  },
  deleteApplication: {
    handler: 'handlers/delete-application.handler',
    description: 'Deletes one fan-out application (no-op when it is gone)',
    grants: [
      'deleteApplications',
      'readFanoutFunction',
      'deleteFanoutVersions',
      'listMappings',
      'deleteMapping',
      'describeConsumer',
      'deregisterConsumer',
    ],
    settings: STEP,
  },
  listApplications: {
    handler: 'handlers/list-applications.handler',
    description: 'Names of every fan-out application of the stage, for the scheduled teardown',
    grants: ['listApplications', 'readFanoutFunction', 'listConsumers', 'listMappings'],
    settings: STEP,
  },
  loadTest: {
    handler: 'handlers/load-test.handler',
    description: 'Puts generated records into the input stream and verifies what reaches each output stream',
    timeout: 900,
    memorySize: 1024,
    grants: ['loadTestStreams'],
    settings: [...STEP, 'LOAD_TEST_RECORDS', 'LOAD_TEST_RATE', 'LOAD_TEST_TIMEOUT_SECONDS'],
  },
  kplPreprocessor: {
    handler: 'handlers/kpl-preprocessor.handler',
    description: 'Kinesis Analytics input preprocessor: KPL aggregates -> their user records (input.kplAggregated)',
    timeout: 60,
    grants: [],
    settings: [],
    only: (definition) => definition.kplAggregated === true,
  },
  fanout: {
    handler: 'handlers/fanout.handler',
    description: 'The lambda engine - runs the fan-out application on each batch of the input stream',
    memorySize: 1024,
    grants: ['fanoutStreams'],
    // The application comes with the deployment: the fan-out compiled into the code, and what src/config.ts reads
    // with it (stage, prefixes, stream ARN prefix); the lambda engine adds the application's name and schema to the version it publishes.
    settings: [
      'STAGE',
      'APPLICATION_PREFIX',
      'FANOUT_STREAM_ARN_PREFIX',
      'FANOUT_FUNCTION_PREFIX',
      'ANALYTICS_ROLE_ARN',
    ],
  },
} as const satisfies Record<string, FunctionRow>;

export type FunctionKey = keyof typeof FUNCTIONS;

/** Seconds a destination function of the stack may take per invocation (the engines wait for its answer). */
const DESTINATION_TIMEOUT = 60;

/** Lambda function names: at most 64 characters. */
const FUNCTION_NAME_LIMIT = 64;

const pascal = (key: string): string => key[0]!.toUpperCase() + key.slice(1);

/** The logical id of a function's role: `DiscoverSchemaRole`, `ConsumePositiveTransactionsRole`. */
export const roleId = (functionKey: string): string => `${pascal(functionKey)}Role`;

const LAMBDA_TRUST: Cfn = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

/** The function writes its own log group, and X-Ray traces (which support no resource-level permission). */
function baseStatements(functionName: string): Statement[] {
  return [
    {
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: sub(
        `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}:*`,
      ),
    },
    { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
  ];
}

function role(functionKey: string, statements: readonly Statement[], trust: Cfn = LAMBDA_TRUST): Resource {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: trust,
      Policies: [
        {
          PolicyName: functionKey,
          PolicyDocument: { Version: '2012-10-17', Statement: statements as unknown as Cfn },
        },
      ],
    },
  };
}

export interface FunctionsScope extends GrantScope, SettingScope {}

/**
 * The `functions:` of serverless.yml and the roles they use: one role and one environment per function.
 *
 * @throws FanoutConfigError when a consumer's function name would be longer than Lambda allows
 */
export function functionsOf(scope: FunctionsScope): {
  functions: Record<string, Record<string, Cfn>>;
  roles: Record<string, Resource>;
} {
  const functions: Record<string, Record<string, Cfn>> = {};
  const roles: Record<string, Resource> = {};
  for (const [key, row] of Object.entries(FUNCTIONS) as [FunctionKey, FunctionRow][]) {
    if (row.only && !row.only(scope.definition)) continue;
    const name = `${scope.functionPrefix}-${key}`;
    const statements = [...baseStatements(name), ...row.grants.flatMap((grant) => GRANTS[grant](scope))];
    roles[roleId(key)] = role(key, statements);
    functions[key] = {
      handler: row.handler,
      description: row.description,
      ...(row.timeout === undefined ? {} : { timeout: row.timeout }),
      ...(row.memorySize === undefined ? {} : { memorySize: row.memorySize }),
      role: roleId(key),
      environment: settingsOf(row.settings, scope),
    };
  }
  for (const output of kinesisOutputs(scope.definition).filter((o) => o.consumer)) {
    const key = consumerKey(output);
    const name = `${scope.functionPrefix}-${key}`;
    if (name.length > FUNCTION_NAME_LIMIT) {
      throw new FanoutConfigError(
        `the consumer function ${name} would have ${name.length} characters; Lambda allows ${FUNCTION_NAME_LIMIT} ` +
          '(shorten the stream name, or set consumer: false)',
        { file: scope.definition.file, path: ['outputs', output.index, 'consumer'] },
      );
    }
    roles[roleId(key)] = role(key, [...baseStatements(name), ...consumerGrants(output)]);
    functions[key] = consumerFunction(output, scope);
  }
  // `function: KEY` outputs: a function of the stack (the demo destination unless the file names a handler)
  for (const output of functionOutputs(scope.definition)) {
    if (!output.function.ofService) continue;
    const key = output.function.key;
    const name = `${scope.functionPrefix}-${key}`;
    const at = { file: scope.definition.file, path: ['outputs', output.index, 'function'] };
    if (Object.hasOwn(functions, key))
      throw new FanoutConfigError(`function ${key} is one of the service's own; name the destination otherwise`, at);
    if (name.length > FUNCTION_NAME_LIMIT)
      throw new FanoutConfigError(
        `the destination function ${name} would have ${name.length} characters; Lambda allows ${FUNCTION_NAME_LIMIT}`,
        at,
      );
    roles[roleId(key)] = role(key, baseStatements(name));
    functions[key] = {
      handler: output.function.handler,
      description: `Destination of the ${output.sqlStream} rows (Kinesis Analytics' Lambda output contract)`,
      timeout: DESTINATION_TIMEOUT,
      role: roleId(key),
      environment: settingsOf([], scope),
    };
  }
  roles['AnalyticsRole'] = role('read-input-write-outputs', analyticsGrants(scope), {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'kinesisanalytics.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  return { functions, roles };
}

function consumerFunction(output: KinesisOutput, scope: SettingScope): Record<string, Cfn> {
  return {
    handler: 'handlers/consumer.handler',
    description: `Logs each batch of the ${output.stream.name} stream`,
    role: roleId(consumerKey(output)),
    environment: settingsOf([], scope),
    events: [consumerEvent(output)],
  };
}

/** Function keys of a definition, for the tests and the plan. */
export function functionKeys(definition: FanoutDefinition): string[] {
  const rows = (Object.entries(FUNCTIONS) as [FunctionKey, FunctionRow][]).filter(
    ([, row]) => !row.only || row.only(definition),
  );
  return [
    ...rows.map(([key]) => key),
    ...kinesisOutputs(definition)
      .filter((o) => o.consumer)
      .map(consumerKey),
    ...functionOutputs(definition).flatMap((o) => (o.function.ofService ? [o.function.key] : [])),
  ];
}
