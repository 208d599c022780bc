/**
 * Functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions, UpdateFunctionConfiguration,
 * UpdateFunctionCode, DeleteFunction. A change of code or configuration gives `$LATEST` new execution environments:
 * invocations already running finish in the old ones, the next is a cold start that sees the change.
 */
import { createHash, randomUUID } from 'node:crypto';
import type {
  CreateFunctionRequest,
  DeleteFunctionRequest,
  FunctionCode,
  FunctionConfiguration,
  GetFunctionRequest,
  GetFunctionResponse,
  ListFunctionsRequest,
  ListFunctionsResponse,
  UpdateFunctionCodeRequest,
  UpdateFunctionConfigurationRequest,
} from '@aws-sdk/client-lambda';
import { codeDigest, unpackZipAsync } from '../code';
import type { FunctionConfig } from '../environment';
import { errors } from '../errors';
import { LambdaFunction } from '../function';
import type { FunctionRecord, FunctionVersion, LambdaStore } from '../store';

/**
 * The code of a function in process: the API's (zip bytes, or an S3 object the twin fetches), or a directory
 * already unpacked (the twin's own extension, for the deployer and tests).
 */
export type CodeInput = FunctionCode & { Directory?: string };

/** CreateFunction's request in process. */
export type CreateFunctionInput = Omit<CreateFunctionRequest, 'Code' | 'Role'> & { Code: CodeInput; Role?: string };

/** UpdateFunctionCode's request in process. */
export type UpdateFunctionCodeInput = UpdateFunctionCodeRequest & { Directory?: string };

/** Environment variables Lambda reserves: a function's own variables cannot replace them. */
const RESERVED = new Set([
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_EXECUTION_ENV',
  'LAMBDA_TASK_ROOT',
]);
const ENVIRONMENT_LIMIT_BYTES = 4096;
const DEFAULT_RUNTIME = 'nodejs20.x';

async function resolveCode(
  store: LambdaStore,
  code: CodeInput,
): Promise<{ dir: string; sha256: string; size: number }> {
  if (code.Directory !== undefined) {
    return { dir: code.Directory, sha256: createHash('sha256').update(code.Directory).digest('base64'), size: 0 };
  }
  let bytes = code.ZipFile;
  if (bytes === undefined && code.S3Bucket !== undefined && code.S3Key !== undefined) {
    if (!store.fetchS3Object) throw errors.invalid('Code.S3Bucket needs an S3 service, which this twin does not have');
    bytes = await store.fetchS3Object(code.S3Bucket, code.S3Key, code.S3ObjectVersion);
  }
  if (bytes === undefined) throw errors.invalid('Code needs ZipFile or S3Bucket and S3Key');
  try {
    return { dir: await unpackZipAsync(bytes, store.codeCacheDir), ...codeDigest(bytes) };
  } catch (error) {
    throw errors.invalid(`Could not unzip uploaded file. Please check your file, then try to upload again.`, error);
  }
}

/** The complete environment of a function: its own variables and what the runtime sets. */
function environmentOf(
  store: LambdaStore,
  c: { name: string; version: string; memorySize: number; runtime: string; codeDir: string; role?: string },
  variables: Record<string, string>,
): Record<string, string> {
  const region = store.opts.region;
  // the role's session credentials, as Lambda gives a function (the twin maps the key back to the role)
  const issued = store.opts.credentials?.credentialsFor(c.role, c.name);
  const credentials = issued
    ? {
        AWS_ACCESS_KEY_ID: issued.accessKeyId,
        AWS_SECRET_ACCESS_KEY: issued.secretAccessKey,
        AWS_SESSION_TOKEN: issued.sessionToken,
      }
    : { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const environment: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
    AWS_ENDPOINT_URL: store.endpoint,
    ...variables,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    ...credentials,
    AWS_LAMBDA_FUNCTION_NAME: c.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(c.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: c.version,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${c.name}`,
    AWS_EXECUTION_ENV: `AWS_Lambda_${c.runtime}`,
    LAMBDA_TASK_ROOT: c.codeDir,
  };
  // the function declares a newer Node than the twin may run on: the SDK's warning about it is the twin's, not the
  // function's, so it stays out of the function's logs
  if (Number(process.versions.node.split('.')[0]) < 22)
    environment['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
  return environment;
}

/** Variables as the API gives them, checked as Lambda checks them (reserved keys, 4 KB in all). */
function checkedVariables(given: unknown): Record<string, string> {
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    throw errors.invalid('Environment.Variables must be a map of strings');
  const variables = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)]));
  const reserved = Object.keys(variables).filter((k) => RESERVED.has(k));
  if (reserved.length > 0)
    throw errors.invalid(
      `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
    );
  const size = Object.entries(variables).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > ENVIRONMENT_LIMIT_BYTES)
    throw errors.invalid(
      `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size}`,
    );
  return variables;
}

/** A new `$LATEST` from a configuration (and code); the caller retires the one it replaces. */
export function makeVersion(
  store: LambdaStore,
  config: Omit<FunctionConfig, 'environment' | 'arn'>,
  variables: Record<string, string>,
  extra: { description: string; code: { sha256: string; size: number } },
): FunctionVersion {
  const full: FunctionConfig = {
    ...config,
    arn: store.functionArn(config.name),
    environment: environmentOf(store, config, variables),
  };
  return {
    runtime: new LambdaFunction(full, {
      clock: store.clock,
      sink: store.opts.sink,
      onStdout: (name, chunk) => store.onStdout(name, chunk),
    }),
    variables,
    description: extra.description,
    code: extra.code,
    lastModified: store.clock.now(),
    revisionId: randomUUID(),
    state: 'Active',
    lastUpdateStatus: 'Successful',
  };
}

/**
 * Retires the environments of a replaced `$LATEST` (invocations under way finish in them) and, when the old one was
 * warmed ahead (the twin's provisioned concurrency, at deploy), warms the new one in the background, so a change of
 * configuration does not leave the next invocation a cold start the deploy spared it.
 */
function replaced(old: FunctionVersion, next: FunctionVersion): void {
  if (old.runtime.provisioned) void next.runtime.warm().catch(() => undefined);
  void old.runtime.retire();
}

/** How Lambda describes a function version. */
export function configurationOf(store: LambdaStore, record: FunctionRecord, v: FunctionVersion): FunctionConfiguration {
  const c = v.runtime.config;
  return {
    FunctionName: c.name,
    FunctionArn: c.version === '$LATEST' ? record.arn : `${record.arn}:${c.version}`,
    Runtime: c.runtime as FunctionConfiguration['Runtime'],
    Role: c.role ?? `arn:aws:iam::${store.opts.accountId}:role/lambda-role`,
    Handler: c.handler,
    CodeSize: v.code.size,
    CodeSha256: v.code.sha256,
    Description: v.description,
    Timeout: c.timeout,
    MemorySize: c.memorySize,
    LastModified: new Date(v.lastModified).toISOString().replace('Z', '+0000'),
    Version: c.version,
    Environment: { Variables: { ...v.variables } },
    RevisionId: v.revisionId,
    State: v.state,
    LastUpdateStatus: v.lastUpdateStatus,
    PackageType: 'Zip',
    Architectures: ['x86_64'],
  };
}

export async function createFunction(store: LambdaStore, input: CreateFunctionInput): Promise<FunctionConfiguration> {
  const name = input.FunctionName!;
  if (store.functions.has(name)) throw errors.conflict(`Function already exist: ${name}`);
  if (!input.Handler) throw errors.invalid('Handler is required for a Zip function');
  const code = await resolveCode(store, input.Code);
  // the deployer may name reserved variables (AWS_REGION): the runtime's own values win, as they would in Lambda
  const variables = Object.fromEntries(
    Object.entries(input.Environment?.Variables ?? {}).filter(([k]) => !RESERVED.has(k)),
  );
  const latest = makeVersion(
    store,
    {
      name,
      version: '$LATEST',
      handler: input.Handler,
      runtime: input.Runtime ?? DEFAULT_RUNTIME,
      timeout: input.Timeout ?? 3,
      memorySize: input.MemorySize ?? 128,
      codeDir: code.dir,
      ...(input.Role ? { role: input.Role } : {}),
    },
    variables,
    { description: input.Description ?? '', code },
  );
  // the code was fetched meanwhile: another CreateFunction of the name may have won
  if (store.functions.has(name)) {
    void latest.runtime.close();
    throw errors.conflict(`Function already exist: ${name}`);
  }
  const record: FunctionRecord = {
    name,
    arn: store.functionArn(name),
    latest,
    versions: new Map(),
    aliases: new Map(),
    nextVersion: 1,
    tags: { ...(input.Tags ?? {}) },
  };
  store.functions.set(name, record);
  store.changed({ type: 'function-put', name });
  return configurationOf(store, record, latest);
}

export function getFunctionConfiguration(
  store: LambdaStore,
  input: { FunctionName: string | undefined; Qualifier?: string | undefined },
): FunctionConfiguration {
  const { record, qualifier } = store.find(input.FunctionName!, input.Qualifier);
  return configurationOf(store, record, store.version(record, qualifier).version);
}

export function getFunction(store: LambdaStore, input: GetFunctionRequest): GetFunctionResponse {
  const { record, qualifier } = store.find(input.FunctionName!, input.Qualifier);
  const v = store.version(record, qualifier).version;
  return {
    Configuration: configurationOf(store, record, v),
    Code: { RepositoryType: 'S3', Location: `file://${v.runtime.config.codeDir}` },
    ...(Object.keys(record.tags).length > 0 ? { Tags: { ...record.tags } } : {}),
  };
}

export function listFunctions(store: LambdaStore, input: ListFunctionsRequest): ListFunctionsResponse {
  const all = [...store.functions.values()].sort((a, b) => a.name.localeCompare(b.name));
  const start = Number(input.Marker ?? 0) || 0;
  const max = Math.min(50, input.MaxItems ?? 50);
  const page = all.slice(start, start + max);
  return {
    Functions: page.map((r) => configurationOf(store, r, r.latest)),
    ...(start + max < all.length ? { NextMarker: String(start + max) } : {}),
  };
}

function checkRevision(v: FunctionVersion, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== v.revisionId)
    throw errors.precondition('The Revision Id provided does not match the latest Revision Id.');
}

/**
 * UpdateFunctionConfiguration: Environment (replaced whole, as Lambda does), Timeout, MemorySize, Handler,
 * Description, Role, Runtime.
 */
export function updateFunctionConfiguration(
  store: LambdaStore,
  input: UpdateFunctionConfigurationRequest,
): FunctionConfiguration {
  const { record } = store.find(input.FunctionName!);
  const old = record.latest;
  checkRevision(old, input.RevisionId);
  const c = old.runtime.config;
  const variables =
    input.Environment !== undefined ? checkedVariables(input.Environment.Variables ?? {}) : old.variables;
  record.latest = makeVersion(
    store,
    {
      name: c.name,
      version: '$LATEST',
      handler: input.Handler ?? c.handler,
      runtime: input.Runtime ?? c.runtime,
      timeout: input.Timeout ?? c.timeout,
      memorySize: input.MemorySize ?? c.memorySize,
      codeDir: c.codeDir,
      ...((input.Role ?? c.role) ? { role: (input.Role ?? c.role)! } : {}),
      ...(c.concurrency !== undefined ? { concurrency: c.concurrency } : {}),
    },
    variables,
    { description: input.Description ?? old.description, code: old.code },
  );
  replaced(old, record.latest);
  store.changed({ type: 'function-put', name: record.name });
  return configurationOf(store, record, record.latest);
}

/** UpdateFunctionCode: new code for `$LATEST` (zip bytes, an S3 object, or a directory in process). */
export async function updateFunctionCode(
  store: LambdaStore,
  input: UpdateFunctionCodeInput,
  publish: (record: FunctionRecord) => FunctionConfiguration,
): Promise<FunctionConfiguration> {
  const { record } = store.find(input.FunctionName!);
  checkRevision(record.latest, input.RevisionId);
  const code = await resolveCode(store, {
    ...(input.ZipFile !== undefined ? { ZipFile: input.ZipFile } : {}),
    ...(input.S3Bucket !== undefined ? { S3Bucket: input.S3Bucket } : {}),
    ...(input.S3Key !== undefined ? { S3Key: input.S3Key } : {}),
    ...(input.S3ObjectVersion !== undefined ? { S3ObjectVersion: input.S3ObjectVersion } : {}),
    ...(input.Directory !== undefined ? { Directory: input.Directory } : {}),
  });
  const old = record.latest;
  const c = old.runtime.config;
  record.latest = makeVersion(
    store,
    {
      name: c.name,
      version: '$LATEST',
      handler: c.handler,
      runtime: c.runtime,
      timeout: c.timeout,
      memorySize: c.memorySize,
      codeDir: code.dir,
      ...(c.role ? { role: c.role } : {}),
      ...(c.concurrency !== undefined ? { concurrency: c.concurrency } : {}),
    },
    old.variables,
    { description: old.description, code },
  );
  replaced(old, record.latest);
  store.changed({ type: 'function-put', name: record.name });
  return input.Publish ? publish(record) : configurationOf(store, record, record.latest);
}

/** DeleteFunction: the function with its versions, aliases and mappings; with a Qualifier, that version only. */
export async function deleteFunction(
  store: LambdaStore,
  input: DeleteFunctionRequest,
  dropMappings: (functionArn: string) => Promise<void>,
): Promise<Record<string, never>> {
  const { record, qualifier } = store.find(input.FunctionName!, input.Qualifier);
  if (qualifier !== undefined && qualifier !== '$LATEST') {
    const v = record.versions.get(qualifier);
    if (!v) throw errors.noFunction(`${record.arn}:${qualifier}`);
    const aliased = [...record.aliases.values()].find((a) => a.functionVersion === qualifier);
    if (aliased)
      throw errors.conflict(`Unable to delete version because the following aliases reference it: [${aliased.name}]`);
    record.versions.delete(qualifier);
    await v.runtime.close();
    store.changed({ type: 'function-put', name: record.name });
    return {};
  }
  await dropMappings(record.arn);
  store.functions.delete(record.name);
  store.changed({ type: 'function-deleted', name: record.name });
  await Promise.all([record.latest, ...record.versions.values()].map((v) => v.runtime.close()));
  return {};
}
