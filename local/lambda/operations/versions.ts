/**
 * Versions and aliases: PublishVersion, ListVersionsByFunction, CreateAlias, GetAlias, UpdateAlias, DeleteAlias,
 * ListAliases; and reserved concurrency (PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency).
 * A published version is a snapshot of `$LATEST` (code and configuration) with execution environments of its own,
 * untouched by later changes of `$LATEST`.
 */

import { randomUUID } from 'node:crypto';
import type {
  AliasConfiguration,
  Concurrency,
  CreateAliasRequest,
  DeleteAliasRequest,
  DeleteFunctionConcurrencyRequest,
  FunctionConfiguration,
  GetAliasRequest,
  GetFunctionConcurrencyRequest,
  GetFunctionConcurrencyResponse,
  ListAliasesRequest,
  ListAliasesResponse,
  ListVersionsByFunctionRequest,
  ListVersionsByFunctionResponse,
  PublishVersionRequest,
  PutFunctionConcurrencyRequest,
  UpdateAliasRequest,
} from '@aws-sdk/client-lambda';
import { errors } from '../errors';
import type { Alias, FunctionRecord, FunctionVersion, LambdaStore } from '../store';
import { configurationOf, makeVersion } from './functions';

const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/;

/** What makes two versions the same for PublishVersion: code and configuration (not the version's description). */
function fingerprint(v: FunctionVersion): string {
  const c = v.runtime.config;
  return JSON.stringify([v.code.sha256, c.handler, c.runtime, c.timeout, c.memorySize, c.role, v.variables]);
}

/** Publishes `$LATEST` as a new version, or returns the last one when nothing changed since. */
export function publish(store: LambdaStore, record: FunctionRecord, description?: string): FunctionConfiguration {
  const latest = record.latest;
  const last = [...record.versions.values()].at(-1);
  if (last && fingerprint(last) === fingerprint(latest)) return configurationOf(store, record, last);
  const number = String(record.nextVersion++);
  const c = latest.runtime.config;
  const version = makeVersion(
    store,
    {
      name: c.name,
      version: number,
      handler: c.handler,
      runtime: c.runtime,
      timeout: c.timeout,
      memorySize: c.memorySize,
      codeDir: c.codeDir,
      ...(c.role ? { role: c.role } : {}),
      ...(c.concurrency !== undefined ? { concurrency: c.concurrency } : {}),
    },
    latest.variables,
    { description: description ?? latest.description, code: latest.code },
  );
  record.versions.set(number, version);
  store.changed({ type: 'function-put', name: record.name });
  // a version of a function warmed ahead (the twin's provisioned concurrency, at deploy) is warmed too, in the
  // background, as a replaced $LATEST is: its first invocation is not a cold start the deploy spared $LATEST
  if (latest.runtime.provisioned) void version.runtime.warm().catch(() => undefined);
  return configurationOf(store, record, version);
}

export function publishVersion(store: LambdaStore, input: PublishVersionRequest): FunctionConfiguration {
  const { record } = store.find(input.FunctionName!);
  if (input.CodeSha256 !== undefined && input.CodeSha256 !== record.latest.code.sha256)
    throw errors.invalid(
      `CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${record.latest.code.sha256}). Please try again with the CodeSHA256 in $LATEST.`,
    );
  if (input.RevisionId !== undefined && input.RevisionId !== record.latest.revisionId)
    throw errors.precondition('The Revision Id provided does not match the latest Revision Id.');
  return publish(store, record, input.Description);
}

export function listVersionsByFunction(
  store: LambdaStore,
  input: ListVersionsByFunctionRequest,
): ListVersionsByFunctionResponse {
  const { record } = store.find(input.FunctionName!);
  const all = [record.latest, ...record.versions.values()];
  const start = Number(input.Marker ?? 0) || 0;
  const max = Math.min(50, input.MaxItems ?? 50);
  return {
    Versions: all.slice(start, start + max).map((v) => configurationOf(store, record, v)),
    ...(start + max < all.length ? { NextMarker: String(start + max) } : {}),
  };
}

function aliasConfiguration(record: FunctionRecord, a: Alias): AliasConfiguration {
  return {
    AliasArn: `${record.arn}:${a.name}`,
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
    ...(Object.keys(a.weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: { ...a.weights } } } : {}),
  };
}

function checkVersion(record: FunctionRecord, version: string): void {
  if (version !== '$LATEST' && !record.versions.has(version)) throw errors.noFunction(`${record.arn}:${version}`);
}

function weightsOf(record: FunctionRecord, input: CreateAliasRequest | UpdateAliasRequest): Record<string, number> {
  const weights = { ...(input.RoutingConfig?.AdditionalVersionWeights ?? {}) };
  for (const [version, weight] of Object.entries(weights)) {
    checkVersion(record, version);
    if (!(weight >= 0 && weight <= 1)) throw errors.invalid(`The weight of version ${version} must be from 0 to 1`);
  }
  if (Object.values(weights).reduce((a, b) => a + b, 0) > 1)
    throw errors.invalid('The sum of the additional version weights must not be more than 1');
  return weights;
}

export function createAlias(store: LambdaStore, input: CreateAliasRequest): AliasConfiguration {
  const { record } = store.find(input.FunctionName!);
  const name = input.Name!;
  if (!ALIAS_NAME.test(name)) throw errors.invalid(`Invalid alias name ${name}`);
  if (record.aliases.has(name)) throw errors.conflict(`Alias already exists: ${record.arn}:${name}`);
  checkVersion(record, input.FunctionVersion!);
  const alias: Alias = {
    name,
    functionVersion: input.FunctionVersion!,
    description: input.Description ?? '',
    revisionId: randomUUID(),
    weights: weightsOf(record, input),
  };
  record.aliases.set(name, alias);
  store.changed({ type: 'function-put', name: record.name });
  return aliasConfiguration(record, alias);
}

function aliasOf(store: LambdaStore, functionName: string, name: string): { record: FunctionRecord; alias: Alias } {
  const { record } = store.find(functionName);
  const alias = record.aliases.get(name);
  if (!alias) throw errors.noFunction(`${record.arn}:${name}`);
  return { record, alias };
}

export function getAlias(store: LambdaStore, input: GetAliasRequest): AliasConfiguration {
  const { record, alias } = aliasOf(store, input.FunctionName!, input.Name!);
  return aliasConfiguration(record, alias);
}

export function updateAlias(store: LambdaStore, input: UpdateAliasRequest): AliasConfiguration {
  const { record, alias } = aliasOf(store, input.FunctionName!, input.Name!);
  if (input.RevisionId !== undefined && input.RevisionId !== alias.revisionId)
    throw errors.precondition('The Revision Id provided does not match the latest Revision Id.');
  if (input.FunctionVersion !== undefined) {
    checkVersion(record, input.FunctionVersion);
    alias.functionVersion = input.FunctionVersion;
  }
  if (input.Description !== undefined) alias.description = input.Description;
  if (input.RoutingConfig !== undefined) alias.weights = weightsOf(record, input);
  alias.revisionId = randomUUID();
  store.changed({ type: 'function-put', name: record.name });
  return aliasConfiguration(record, alias);
}

export function deleteAlias(store: LambdaStore, input: DeleteAliasRequest): Record<string, never> {
  const { record } = store.find(input.FunctionName!);
  record.aliases.delete(input.Name!);
  store.changed({ type: 'function-put', name: record.name });
  return {};
}

export function listAliases(store: LambdaStore, input: ListAliasesRequest): ListAliasesResponse {
  const { record } = store.find(input.FunctionName!);
  const all = [...record.aliases.values()].filter(
    (a) => input.FunctionVersion === undefined || a.functionVersion === input.FunctionVersion,
  );
  const start = Number(input.Marker ?? 0) || 0;
  const max = Math.min(50, input.MaxItems ?? 50);
  return {
    Aliases: all.slice(start, start + max).map((a) => aliasConfiguration(record, a)),
    ...(start + max < all.length ? { NextMarker: String(start + max) } : {}),
  };
}

/** Reserved concurrency: at most that many environments of the function at once. */
export function putFunctionConcurrency(store: LambdaStore, input: PutFunctionConcurrencyRequest): Concurrency {
  const { record } = store.find(input.FunctionName!);
  const n = input.ReservedConcurrentExecutions!;
  if (!Number.isInteger(n) || n < 0) throw errors.invalid('ReservedConcurrentExecutions must be an integer >= 0');
  for (const v of [record.latest, ...record.versions.values()]) v.runtime.config.concurrency = Math.max(1, n);
  record.reservedConcurrency = n;
  store.changed({ type: 'function-put', name: record.name });
  return { ReservedConcurrentExecutions: n };
}

export function getFunctionConcurrency(
  store: LambdaStore,
  input: GetFunctionConcurrencyRequest,
): GetFunctionConcurrencyResponse {
  const { record } = store.find(input.FunctionName!);
  return record.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: record.reservedConcurrency };
}

export function deleteFunctionConcurrency(
  store: LambdaStore,
  input: DeleteFunctionConcurrencyRequest,
): Record<string, never> {
  const { record } = store.find(input.FunctionName!);
  for (const v of [record.latest, ...record.versions.values()]) delete v.runtime.config.concurrency;
  delete record.reservedConcurrency;
  store.changed({ type: 'function-put', name: record.name });
  return {};
}
