/**
 * The shape of `fanout.yml`, as zod schemas: what a user may write, field by field. Cross-field rules that need the
 * SQL or the engine (a `sqlStream` the SQL creates, duplicate streams, limits) live in `checks.ts`; this module only
 * knows one entry at a time.
 *
 * Outputs come in kinds, one schema each in `OUTPUT_SCHEMAS`, told apart by the key that names their destination
 * (`OUTPUT_KIND_KEYS`: `stream`/`arn` for a Kinesis stream). A new kind (Firehose, Lambda) adds its schema and keys
 * here, its definition type in `definition.ts`, and its resources and grants in `template/`.
 */
import * as z from 'zod';
import { isStreamArn, parseFunctionArn } from '../arn';
import { parseDeliveryStreamArn } from '../destinations/arn';
import { MAX_KEYS_PER_SHARD } from '../load-test/partition-keys';

/** Kinesis stream names: 1-128 of a-z, A-Z, 0-9, `_`, `.`, `-` (the API model's StreamName pattern). */
export const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** In-application stream names as the SQL writes them: unquoted identifiers come out upper case. */
export const SQL_STREAM = /^[A-Za-z_][A-Za-z0-9_]{0,31}$/;

const streamName = z.string().regex(STREAM_NAME, 'a Kinesis stream name: 1-128 characters of a-z A-Z 0-9 _ . -');
const streamArn = z
  .string()
  .refine(isStreamArn, 'not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)');
const sqlStream = z
  .string()
  .regex(SQL_STREAM, 'an in-application stream name: a letter or _, then up to 31 letters, digits or _');
/** A key for stream encryption: an alias (`alias/...`), a key id, or a key or alias ARN. */
const kmsKey = z
  .string()
  .regex(
    /^(alias\/[a-zA-Z0-9/_-]{1,250}|[0-9a-f-]{36}|arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[0-9a-f-]{36}|alias\/[a-zA-Z0-9/_-]+))$/,
    'a KMS key: alias/NAME, a key id, or a key or alias ARN',
  );

/**
 * Where a stream comes from: `stream: NAME` (the stack creates it, with `shards` or `mode: ON_DEMAND`) or
 * `arn: ARN` (it exists; the stack creates nothing and only grants access to it, with `kmsKey` when a customer key
 * encrypts it).
 */
const streamFields = {
  stream: streamName.optional(),
  arn: streamArn.optional(),
  shards: z.int().min(1).max(500).optional(),
  mode: z.enum(['PROVISIONED', 'ON_DEMAND']).optional(),
  kmsKey: kmsKey.optional(),
};

type StreamFields = { [K in keyof typeof streamFields]?: z.infer<(typeof streamFields)[K]> };

function checkStream(entry: StreamFields, ctx: z.RefinementCtx): void {
  const params = { combination: true };
  if (entry.stream !== undefined && entry.arn !== undefined) {
    ctx.addIssue({
      code: 'custom',
      params,
      path: ['arn'],
      message: 'give stream (created by the stack) or arn (an existing stream), not both',
    });
  }
  if (entry.stream === undefined && entry.arn === undefined) {
    ctx.addIssue({
      code: 'custom',
      params,
      path: [],
      message: 'give stream (created by the stack) or arn (an existing stream)',
    });
  }
  if (entry.arn !== undefined) {
    for (const key of ['shards', 'mode'] as const) {
      if (entry[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          params,
          path: [key],
          message: 'only for a stream the stack creates, not with arn',
        });
      }
    }
  }
  if (entry.mode === 'ON_DEMAND' && entry.shards !== undefined) {
    ctx.addIssue({ code: 'custom', params, path: ['shards'], message: 'an ON_DEMAND stream has no shard count' });
  }
}

/**
 * `input:` - the stream the fan-out reads. `kplAggregated: true`: its producers write KPL aggregates (the Kinesis
 * Producer Library); the kinesis-analytics engine then deaggregates them with the service's KPL preprocessor
 * function (the lambda engine deaggregates whatever the setting).
 */
export const inputSchema = z
  .strictObject({ ...streamFields, kplAggregated: z.boolean().optional() })
  .superRefine(checkStream);

/** An output that is a Kinesis stream (`stream:` created, or `arn:` existing). */
export const kinesisOutputSchema = z
  .strictObject({
    kind: z.literal('kinesis'),
    ...streamFields,
    /** The in-application stream whose rows it receives; required with `sql`, generated without. */
    sqlStream: sqlStream.optional(),
    /** Deploy the logging consumer function for this stream. */
    consumer: z.boolean().optional(),
  })
  .superRefine(checkStream);

/** Firehose delivery stream names (the Firehose API model): 1-64 of a-z, A-Z, 0-9, `_`, `.`, `-`. */
export const DELIVERY_STREAM_NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
/** S3 bucket names: 3-63 of a-z, 0-9, `.`, `-`, starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A function of this service, by its key under `functions:` (the stack names it `<service>-<stage>-<key>`). */
export const FUNCTION_KEY = /^[a-zA-Z0-9_-]{1,40}$/;

/**
 * An output that is a Firehose delivery stream: `firehose: NAME` (the stack creates it, and a bucket for it unless
 * `bucket:` names one; `prefix`, `bufferSeconds`, `bufferMiB`, `compression` set its S3 delivery) or
 * `firehose: ARN` (it exists; the stack only grants PutRecordBatch on it).
 */
export const firehoseOutputSchema = z
  .strictObject({
    kind: z.literal('firehose'),
    firehose: z
      .string()
      .refine(
        (v) => DELIVERY_STREAM_NAME.test(v) || parseDeliveryStreamArn(v) !== undefined,
        'a delivery stream name (1-64 of a-z A-Z 0-9 _ . -) the stack creates, or the ARN of an existing one (arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME)',
      ),
    sqlStream: sqlStream.optional(),
    bucket: z.string().regex(BUCKET_NAME, 'an S3 bucket name: 3-63 of a-z 0-9 . -').optional(),
    prefix: z.string().max(1024).optional(),
    bufferSeconds: z.int().min(0).max(900).optional(),
    bufferMiB: z.int().min(1).max(128).optional(),
    compression: z.enum(['UNCOMPRESSED', 'GZIP']).optional(),
  })
  .superRefine((entry, ctx) => {
    if (parseDeliveryStreamArn(entry.firehose) === undefined) return;
    // an existing one's `bucket` is where it delivers: the load test is granted to read it there
    for (const key of ['prefix', 'bufferSeconds', 'bufferMiB', 'compression'] as const) {
      if (entry[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          params: { combination: true },
          path: [key],
          message: 'only for a delivery stream the stack creates, not with an ARN',
        });
      }
    }
  });

/** An output that is a Lambda function: `function: KEY` (a function of this service) or `function: ARN`. */
export const functionOutputSchema = z
  .strictObject({
    kind: z.literal('function'),
    function: z
      .string()
      .refine(
        (v) => FUNCTION_KEY.test(v) || parseFunctionArn(v) !== undefined,
        'a function the stack creates (a key: letters, digits, - and _) or the ARN of an existing Lambda function',
      ),
    /** The handler of a function the stack creates (default the demo destination, handlers/destination.handler). */
    handler: z
      .string()
      .regex(/^[\w./-]+\.[A-Za-z_$][\w$]*$/, 'a handler: path/to/file.exportedFunction')
      .optional(),
    sqlStream: sqlStream.optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.handler !== undefined && parseFunctionArn(entry.function) !== undefined)
      ctx.addIssue({
        code: 'custom',
        params: { combination: true },
        path: ['handler'],
        message: 'only for a function the stack creates, not with an ARN',
      });
  });

/** The schema of every kind of output: one entry per kind, told apart by `kind`. */
const OUTPUT_SCHEMAS = [kinesisOutputSchema, firehoseOutputSchema, functionOutputSchema] as const;

export type OutputKind = z.infer<(typeof OUTPUT_SCHEMAS)[number]>['kind'];

/**
 * The keys that tell each kind of output apart in the file, so an entry need not say `kind:`. The first kind whose
 * key is present wins.
 */
export const OUTPUT_KIND_KEYS: Readonly<Record<OutputKind, readonly string[]>> = {
  kinesis: ['stream', 'arn'],
  firehose: ['firehose'],
  function: ['function'],
};

function withKind(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'kind' in value) return value;
  const kinds = Object.entries(OUTPUT_KIND_KEYS);
  const found = kinds.find(([, keys]) => keys.some((key) => key in value));
  // No destination key: the first kind's schema says which keys it expects.
  return { kind: (found ?? kinds[0]!)[0], ...value };
}

const outputSchema = z.preprocess(
  withKind,
  z.discriminatedUnion('kind', OUTPUT_SCHEMAS, {
    error: `kind must be one of ${Object.keys(OUTPUT_KIND_KEYS).join(', ')}`,
  }),
);

/** `outputPrefix:` - lambda engine: also write to every stream whose name starts with the prefix. */
const outputPrefixSchema = z.union([
  streamName,
  z.strictObject({ prefix: streamName, sqlStream: sqlStream.optional() }),
]);

/** Load-test modes: put generated records (`synthetic`), or verify the traffic already flowing (`live`). */
export const LOAD_TEST_MODES = ['synthetic', 'live'] as const;

/**
 * `loadTest:` - what the lifecycle's LoadTest step does by default (an execution input still overrides each field):
 * `off` (or `records: 0`) skips it; `sample` names a file of realistic records (`.json`: an array; any other
 * extension: one record per line) or a generator module (`.js`, `.cjs`, `.mjs`, `.ts`: exports
 * `(seq, { runId, plannedMs }) => record`), used instead of records generated from the input schema.
 */
const loadTestObject = z.strictObject(
  {
    off: z.boolean().optional(),
    records: z.int().min(0).max(2_000_000_000).optional(),
    rate: z.number().positive().max(1_000_000).optional(),
    timeoutSeconds: z.int().min(1).max(840).optional(),
    mode: z.enum(LOAD_TEST_MODES).optional(),
    liveSeconds: z.int().min(1).max(600).optional(),
    keysPerShard: z.int().min(1).max(MAX_KEYS_PER_SHARD).optional(),
    sample: z.string().min(1).optional(),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? 'off, or any of off, records, rate, timeoutSeconds, mode, liveSeconds, keysPerShard, sample'
        : undefined,
  },
);

/** `loadTest: off` (YAML 1.2 reads it as the string; `false` too) is `{ off: true }`. */
const loadTestSchema = z.preprocess(
  (value) => (value === 'off' || value === false ? { off: true } : value),
  loadTestObject,
);

/** The whole file. */
export const fanoutFileSchema = z.strictObject({
  input: inputSchema,
  /** Application code (Kinesis Analytics SQL), relative to the file; omitted: every output copies every record. */
  sql: z.string().min(1).optional(),
  outputs: z.array(outputSchema).max(1000),
  outputPrefix: outputPrefixSchema.optional(),
  /** The key that encrypts the streams the stack creates (default: the AWS-managed key of Kinesis). */
  kmsKey: kmsKey.optional(),
  loadTest: loadTestSchema.optional(),
});

export type FanoutFile = z.infer<typeof fanoutFileSchema>;
export type InputEntry = z.infer<typeof inputSchema>;
export type KinesisOutputEntry = z.infer<typeof kinesisOutputSchema>;
export type FirehoseOutputEntry = z.infer<typeof firehoseOutputSchema>;
export type FunctionOutputEntry = z.infer<typeof functionOutputSchema>;
export type OutputEntry = FanoutFile['outputs'][number];
export type LoadTestEntry = z.infer<typeof loadTestObject>;
