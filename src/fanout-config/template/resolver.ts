/**
 * What serverless.yml pulls in with `${file(./serverless.resolver.js):<piece>}`: the parts of the template that
 * follow from the fan-out file. The framework calls each piece as a function; the file is read and checked once,
 * and a bad file fails the variable resolution (before anything is packaged) with its one-line message.
 */
import type { EngineName } from '../../config';
import { ENGINE_NAMES } from '../../config';
import type { FanoutDefinition } from '../definition';
import { configFileOf, loadFanoutFile } from '../load';
import { type Cfn, streamArnInSub } from './cfn';
import { consumedOutputs, consumerFunctions } from './consumers';
import { INPUT_ID, inputArn, outputArn, streamsOfTemplate } from './streams';

/** What the framework hands a JS variable resolver. */
export interface ResolverInput {
  readonly options: Record<string, unknown>;
  readonly resolveVariable: (address: string) => Promise<unknown>;
}

/** The pieces serverless.yml uses. */
export interface Pieces {
  /** `functions:` entries of the consumers. */
  readonly consumers: Record<string, Record<string, Cfn>>;
  /** `resources:` fragment: the stream resources and one stack Output per stream. */
  readonly streams: { Resources: Record<string, Cfn>; Outputs: Record<string, Cfn> };
  /** ARNs roles are scoped to. */
  readonly arns: { input: Cfn[]; inputConsumers: Cfn; outputs: Cfn[]; consumed: Cfn[]; readable: Cfn[] };
  /** The environment variables that depend on the fan-out. */
  readonly environment: Record<string, Cfn>;
}

/** Builds the pieces from a definition (pure: the tests call it without the framework). */
export function piecesOf(definition: FanoutDefinition): Pieces {
  const { resources, outputs } = streamsOfTemplate(definition);
  const consumers = Object.fromEntries(
    Object.entries(consumerFunctions(definition)).map(([key, fn]) => [key, { ...fn, role: 'ConsumerRole' }]),
  );
  const outputArns = definition.outputs.map(outputArn);
  const bindings = definition.outputs
    .map((o) => `{"sqlStream":"${o.sqlStream}","streamArn":"${streamArnInSub(o.stream, o.id)}"}`)
    .join(',');
  return {
    consumers,
    streams: { Resources: resources, Outputs: outputs },
    arns: {
      input: [inputArn(definition)],
      inputConsumers: { 'Fn::Sub': `${streamArnInSub(definition.input, INPUT_ID)}/consumer/*` },
      outputs: outputArns,
      consumed: consumedOutputs(definition).map(outputArn),
      readable: [inputArn(definition), ...outputArns],
    },
    environment: {
      INPUT_STREAM_ARN: inputArn(definition),
      OUTPUTS: { 'Fn::Sub': `[${bindings}]` },
    },
  };
}

function engineOf(value: unknown): EngineName {
  return (ENGINE_NAMES as readonly unknown[]).includes(value) ? (value as EngineName) : 'kinesis-analytics';
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
  const load = async (input: ResolverInput): Promise<Pieces> => {
    const engine = engineOf(await input.resolveVariable('param:engine'));
    const file = configFileOf(projectDir);
    const { definition, warnings } = loadFanoutFile(file, { projectDir, engine });
    for (const warning of warnings) warn(`${definition.file}: warning: ${warning}`);
    return piecesOf(definition);
  };
  const piece =
    (name: keyof Pieces) =>
    async (input: ResolverInput): Promise<unknown> => {
      // The framework calls again when a variable the file needs (param:engine) is not resolvable yet: only a
      // successful read is kept.
      pieces ??= load(input).catch((error: unknown) => {
        pieces = undefined;
        throw error;
      });
      return (await pieces)[name];
    };
  return {
    consumers: piece('consumers'),
    streams: piece('streams'),
    arns: piece('arns'),
    environment: piece('environment'),
  };
}
