/**
 * What serverless.yml pulls in with `${file(./serverless.resolver.js):<piece>}`: the parts of the template that
 * follow from the fan-out file. The framework calls each piece as a function; the file is read and checked once,
 * and a bad file fails the variable resolution (before anything is packaged) with its one-line message.
 */
import { type EngineName, engineNameOf } from '../../config';
import type { Checked } from '../checks';
import { type FanoutDefinition, kinesisOutputs, LOAD_TEST_DEFAULTS, type LoadTestDefinition } from '../definition';
import { DEFINITION_GLOBAL, defineValue, LOAD_TEST_GENERATOR_GLOBAL, LOAD_TEST_SAMPLE_GLOBAL } from '../deployed';
import { configFileOf, loadFanoutFile } from '../load';
import type { Cfn, Resource } from './cfn';
import { destinationsOfTemplate } from './destinations';
import { type FunctionsScope, functionsOf } from './functions';
import { DEFAULT_THRESHOLDS, type MonitoringSettings, monitoringOf, monitoringSettingsOf } from './monitoring';
import { checkTemplateSize, type Generated } from './size';
import { streamsOfTemplate } from './streams';

/** What the framework hands a JS variable resolver. */
export interface ResolverInput {
  readonly options: Record<string, unknown>;
  readonly resolveVariable: (address: string) => Promise<unknown>;
}

/** The stage's names the template is built for. */
export interface StageNames {
  readonly service: string;
  readonly stage: string;
  readonly applicationPrefix: string;
}

/** The pieces serverless.yml uses. */
export interface Pieces {
  /** `functions:`: every function, each with its own role and environment. */
  readonly functions: Record<string, Record<string, Cfn>>;
  /**
   * A `resources:` fragment: the streams the stack creates, every role, one stack Output per stream, and the
   * alarms, their topic and the dashboard (monitoring.ts).
   */
  readonly resources: { Resources: Record<string, Resource>; Outputs: Record<string, Cfn> };
  /**
   * `custom.esbuild.define`: the definition, compiled into every function (src/fanout-config/deployed.ts), and the
   * load test's sample records or generator module, which only the load-test function's code names.
   */
  readonly define: Record<string, string>;
  /** The LoadTest step's defaults (serverless.yml params `loadTest*`): from the file's `loadTest:` section. */
  readonly loadTest: Omit<LoadTestDefinition, 'off' | 'sample'>;
}

/**
 * Builds the pieces from a definition (pure: the tests call it without the framework).
 *
 * @throws FanoutConfigError when the template would exceed a CloudFormation or IAM limit
 */
export function piecesOf(
  definition: FanoutDefinition,
  names: StageNames,
  monitoring?: MonitoringSettings,
  loadTestSource?: Checked['loadTestSource'],
): Pieces {
  return generate(definition, names, monitoring, loadTestSource).pieces;
}

/** The esbuild `define` of the load test's own records: a sample's, or the generator module to bundle. */
function loadTestDefine(source: Checked['loadTestSource']): Record<string, string> {
  if (!source) return {};
  if (source.kind === 'generator') return { [LOAD_TEST_GENERATOR_GLOBAL]: defineValue(source.module) };
  return { [LOAD_TEST_SAMPLE_GLOBAL]: defineValue(source.records) };
}

/**
 * With no settings given: the alarms of the resolver's fallback engine (kinesis-analytics, what the twin packages
 * with) and the default thresholds, so an estimate of the twin's packaged template counts its alarms right.
 */
const DEFAULT_MONITORING: MonitoringSettings = { engine: 'kinesis-analytics', thresholds: DEFAULT_THRESHOLDS };

/** The pieces, and what they count for the template's limits. */
export function generate(
  definition: FanoutDefinition,
  names: StageNames,
  monitoring: MonitoringSettings = DEFAULT_MONITORING,
  loadTestSource?: Checked['loadTestSource'],
): { pieces: Pieces; generated: Generated } {
  const scope: FunctionsScope = {
    definition,
    service: names.service,
    stage: names.stage,
    functionPrefix: `${names.service}-${names.stage}`,
    applicationPrefix: names.applicationPrefix,
  };
  const streams = streamsOfTemplate(definition);
  const destinations = destinationsOfTemplate(definition);
  const { functions, roles } = functionsOf(scope);
  const watch = monitoringOf(definition, scope, monitoring);
  const resources = { ...streams.resources, ...destinations.resources, ...roles, ...watch.resources };
  const outputs = { ...streams.outputs, ...destinations.outputs, ...watch.outputs };
  const generated: Generated = {
    functions: Object.keys(functions).length,
    consumers: kinesisOutputs(definition).filter((o) => o.consumer).length,
    resources,
    outputs: Object.keys(outputs).length,
  };
  checkTemplateSize(definition, generated);
  const pieces: Pieces = {
    functions,
    resources: { Resources: resources, Outputs: outputs },
    define: { [DEFINITION_GLOBAL]: defineValue(definition), ...loadTestDefine(loadTestSource) },
    loadTest: {
      records: definition.loadTest?.records ?? LOAD_TEST_DEFAULTS.records,
      rate: definition.loadTest?.rate ?? LOAD_TEST_DEFAULTS.rate,
      timeoutSeconds: definition.loadTest?.timeoutSeconds ?? LOAD_TEST_DEFAULTS.timeoutSeconds,
      mode: definition.loadTest?.mode ?? (definition.input.created ? 'synthetic' : 'live'),
      liveSeconds: definition.loadTest?.liveSeconds ?? LOAD_TEST_DEFAULTS.liveSeconds,
      keysPerShard: definition.loadTest?.keysPerShard ?? LOAD_TEST_DEFAULTS.keysPerShard,
    },
  };
  return { pieces, generated };
}

function engineOf(value: unknown): EngineName {
  try {
    return engineNameOf(value, 'kinesis-analytics');
  } catch {
    // The engine param is checked where it is used; the stricter limits apply meanwhile.
    return 'kinesis-analytics';
  }
}

/**
 * The resolver module's exports: one function per piece, sharing one read of the fan-out file.
 *
 * @param projectDir - the service directory (where serverless.yml and the fan-out file are)
 * @param warn - where warnings go (the packager's stderr)
 */
export function createResolver(
  projectDir: string,
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Record<keyof Pieces, (input: ResolverInput) => Promise<unknown>> {
  let pieces: Promise<Pieces> | undefined;
  const load = async ({ resolveVariable }: ResolverInput): Promise<Pieces> => {
    const [engine, service, stage, applicationPrefix] = await Promise.all([
      resolveVariable('param:engine'),
      resolveVariable('self:service'),
      resolveVariable('sls:stage'),
      resolveVariable('param:applicationPrefix'),
    ]);
    const { definition, warnings, loadTestSource } = loadFanoutFile(configFileOf(projectDir), {
      projectDir,
      engine: engineOf(engine),
    });
    for (const warning of warnings) warn(`${definition.file}: warning: ${warning}`);
    const monitoring = await monitoringSettingsOf(engineOf(engine), (name) => resolveVariable(`param:${name}`));
    return piecesOf(
      definition,
      { service: String(service), stage: String(stage), applicationPrefix: String(applicationPrefix) },
      monitoring,
      loadTestSource,
    );
  };
  const piece =
    (name: keyof Pieces) =>
    async (input: ResolverInput): Promise<unknown> => {
      // The framework calls again when a variable the pieces need is not resolvable yet: only a successful read
      // is kept.
      pieces ??= load(input).catch((error: unknown) => {
        pieces = undefined;
        throw error;
      });
      return (await pieces)[name];
    };
  return {
    functions: piece('functions'),
    resources: piece('resources'),
    define: piece('define'),
    loadTest: piece('loadTest'),
  };
}
