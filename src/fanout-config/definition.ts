/**
 * The fan-out as the rest of the product sees it: `fanout.yml` validated and normalized into a plain JSON value.
 * The packager builds the template from it (`template/`), the CLI plans from it (`plan.ts`), and the functions get
 * the very same value bundled into their code (`deployed.ts`), so what runs is what was checked.
 */
import { DEFAULT_KEYS_PER_SHARD } from '../load-test/partition-keys';
import type { OutputKind } from './schema';

/** The AWS-managed key of Kinesis: encrypts without any KMS permission on the producers' or consumers' roles. */
export const AWS_MANAGED_KINESIS_KEY = 'alias/aws/kinesis';

/** How a stream the stack creates is provisioned. */
export type Capacity = { readonly mode: 'PROVISIONED'; readonly shards: number } | { readonly mode: 'ON_DEMAND' };

/** A stream the stack creates: known by name; its ARN is the stack's (account, region) plus the name. */
export interface CreatedStream {
  readonly created: true;
  readonly name: string;
  readonly capacity: Capacity;
  /** The key that encrypts it (`alias/aws/kinesis` unless the file names another). */
  readonly kmsKey: string;
}

/** A stream that exists already: the stack only reads or writes it. */
export interface ExistingStream {
  readonly created: false;
  readonly name: string;
  readonly arn: string;
  /** The customer key that encrypts it, when the file names one (then the roles may use that key). */
  readonly kmsKey?: string;
}

export type StreamSource = CreatedStream | ExistingStream;

/** One output: a Kinesis stream fed by one in-application stream of the SQL. */
export interface KinesisOutput {
  readonly kind: Extract<OutputKind, 'kinesis'>;
  /** Position in the file (0-based), for messages (`outputs[2]`). */
  readonly index: number;
  /** Base of the CloudFormation names: `${id}Stream`, `${id}StreamArn`, `consume${id}`. */
  readonly id: string;
  readonly stream: StreamSource;
  /** The in-application stream whose rows it receives (generated `COPY_<n>` for a copy fan-out). */
  readonly sqlStream: string;
  /** Whether the logging consumer function is deployed for it. */
  readonly consumer: boolean;
}

/** A delivery stream the stack creates, with the S3 delivery it is made with. */
export interface CreatedDeliveryStream {
  readonly created: true;
  readonly name: string;
  /** The bucket it delivers to: one the stack creates (retained at teardown, with the data), or one that exists. */
  readonly bucket: { readonly created: true } | { readonly created: false; readonly name: string };
  /** Object key prefix (Firehose adds `YYYY/MM/DD/HH/`). */
  readonly prefix: string;
  readonly bufferSeconds: number;
  readonly bufferMiB: number;
  readonly compression: 'UNCOMPRESSED' | 'GZIP';
}

/** A delivery stream that exists: the stack only writes it. */
export interface ExistingDeliveryStream {
  readonly created: false;
  readonly name: string;
  readonly arn: string;
  /** The bucket it delivers to, when the file says (the load test may then read it). */
  readonly bucket?: string;
}

/** One output: a Firehose delivery stream fed by one in-application stream. */
export interface FirehoseOutput {
  readonly kind: Extract<OutputKind, 'firehose'>;
  readonly index: number;
  /** Base of the CloudFormation names: `${id}DeliveryStream`, `${id}Bucket`, `${id}DeliveryRole`. */
  readonly id: string;
  readonly deliveryStream: CreatedDeliveryStream | ExistingDeliveryStream;
  readonly sqlStream: string;
}

/** One output: a Lambda function fed by one in-application stream (Kinesis Analytics' Lambda output contract). */
export interface FunctionOutput {
  readonly kind: Extract<OutputKind, 'function'>;
  readonly index: number;
  readonly id: string;
  /** A function of this service (by its key), or one that exists (by ARN). */
  readonly function:
    | { readonly ofService: true; readonly key: string; readonly handler: string }
    | { readonly ofService: false; readonly arn: string };
  readonly sqlStream: string;
}

export type OutputDefinition = KinesisOutput | FirehoseOutput | FunctionOutput;

/** The outputs that are Kinesis streams. */
export function kinesisOutputs(definition: Pick<FanoutDefinition, 'outputs'>): KinesisOutput[] {
  return definition.outputs.filter((o): o is KinesisOutput => o.kind === 'kinesis');
}

/** The outputs that are Firehose delivery streams. */
export function firehoseOutputs(definition: Pick<FanoutDefinition, 'outputs'>): FirehoseOutput[] {
  return definition.outputs.filter((o): o is FirehoseOutput => o.kind === 'firehose');
}

/** The outputs that are Lambda functions. */
export function functionOutputs(definition: Pick<FanoutDefinition, 'outputs'>): FunctionOutput[] {
  return definition.outputs.filter((o): o is FunctionOutput => o.kind === 'function');
}

/** What an output writes to, by name: the stream, the delivery stream, or the function (its key or its name). */
export function destinationNameOf(output: OutputDefinition): string {
  if (output.kind === 'kinesis') return output.stream.name;
  if (output.kind === 'firehose') return output.deliveryStream.name;
  return output.function.ofService ? output.function.key : output.function.arn.split(':')[6]!;
}

/** The handler of a `function:` output the stack creates when the file names none: logs and counts each row. */
export const DESTINATION_HANDLER = 'handlers/destination.handler';

/** Default S3 delivery of a delivery stream the stack creates (Firehose's own defaults: 300 s, 5 MiB). */
export const DELIVERY_DEFAULTS = { bufferSeconds: 300, bufferMiB: 5, compression: 'UNCOMPRESSED' } as const;

/**
 * The ARN of an output's destination, given the ARN prefix of the stack's streams (`arn:P:kinesis:R:A:stream/`) and
 * the prefix of the service's function names (`<service>-<stage>`).
 */
export function outputArnOf(output: OutputDefinition, createdArnPrefix: string, functionPrefix: string): string {
  if (output.kind === 'kinesis') return streamArnOf(output.stream, createdArnPrefix);
  const [, partition, , region, account] = createdArnPrefix.split(':');
  if (output.kind === 'firehose')
    return output.deliveryStream.created
      ? `arn:${partition}:firehose:${region}:${account}:deliverystream/${output.deliveryStream.name}`
      : output.deliveryStream.arn;
  return output.function.ofService
    ? `arn:${partition}:lambda:${region}:${account}:function:${functionPrefix}-${output.function.key}`
    : output.function.arn;
}

/** The application code: a SQL file, or the copy application generated once the input's columns are known. */
export type ApplicationSource =
  | { readonly kind: 'sql' /** relative to the project */; readonly path: string; readonly sql: string }
  | { readonly kind: 'copy' };

/** Streams found by name prefix at run time (lambda engine only). */
export interface OutputPrefix {
  readonly prefix: string;
  readonly sqlStream: string;
}

/** Where the load test's records come from when not generated from the input schema. */
export interface LoadTestSample {
  /** `sample`: records from a file, put in turn; `generator`: a module that makes record `seq`. */
  readonly kind: 'sample' | 'generator';
  /** Relative to the project, as the file names it. */
  readonly file: string;
  /** A sample's record count (the records themselves are compiled into the load-test function only). */
  readonly records?: number;
}

/**
 * The LoadTest step's defaults from the file. `records`, `rate`, `timeoutSeconds` reach it as the stack's defaults
 * (serverless.yml params, from the resolver), `mode` and `liveSeconds` too; an execution input overrides each.
 */
export interface LoadTestDefinition {
  /** `loadTest: off`: the step verifies nothing (the stack's default records is 0). */
  readonly off: boolean;
  readonly records: number;
  readonly rate: number;
  readonly timeoutSeconds: number;
  /** `live` by default for an input the user brings (never write into a stream in use unasked), else `synthetic`. */
  readonly mode: 'synthetic' | 'live';
  readonly liveSeconds: number;
  /** Synthetic mode: partition keys per input shard (src/load-test/partition-keys.ts says why 100 by default). */
  readonly keysPerShard: number;
  readonly sample?: LoadTestSample;
}

/** What the load test does when the file says nothing. */
export const LOAD_TEST_DEFAULTS = {
  records: 500,
  rate: 1000,
  timeoutSeconds: 60,
  liveSeconds: 30,
  keysPerShard: DEFAULT_KEYS_PER_SHARD,
} as const;

/** The validated fan-out. Every field is plain JSON. */
export interface FanoutDefinition {
  /** The file it was read from, relative to the project (`fanout.yml`). */
  readonly file: string;
  readonly input: StreamSource;
  readonly application: ApplicationSource;
  readonly outputs: readonly OutputDefinition[];
  readonly outputPrefix?: OutputPrefix;
  /** `input.kplAggregated: true`: the input holds KPL aggregates (src/kpl; the KPL preprocessor is deployed). */
  readonly kplAggregated?: true;
  /** Absent in definitions built before the section existed (tests): the defaults apply. */
  readonly loadTest?: LoadTestDefinition;
}

/**
 * The in-application stream of the copy application: one pump copies every record into it, and every output (and
 * every stream found by prefix) receives its rows, as several destinations of one in-application stream.
 */
export const COPY_STREAM = 'COPY';

/**
 * The ARN of a stream, given the ARN prefix of the stack's account and region for the streams it creates.
 *
 * @param stream - a stream of the definition
 * @param createdArnPrefix - `arn:PARTITION:kinesis:REGION:ACCOUNT:stream/`
 */
export function streamArnOf(stream: StreamSource, createdArnPrefix: string): string {
  return stream.created ? `${createdArnPrefix}${stream.name}` : stream.arn;
}

/** Every stream of the definition, input first. */
export function streamsOf(definition: FanoutDefinition): StreamSource[] {
  return [definition.input, ...kinesisOutputs(definition).map((o) => o.stream)];
}
