/** Functions (from the packaged zips) and event source mappings, made in the Lambda twin. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateEventSourceMappingRequest, Runtime, UpdateEventSourceMappingRequest } from '@aws-sdk/client-lambda';
import { codeDigest, unpackZip, unpackZipAsync } from '../../lambda/code';
import { type DeployContext, generatedName, hash, type Made, str } from '../context';
import { stringify } from '../intrinsics';
import { DeployError } from '../template';
import { gone } from './kinesis';
import { type HeldResource, type ResourceType, replaces } from './types';

type Code = { S3Bucket?: string; S3Key?: string; ZipFile?: string };

/** The zip a function's Code names (S3Key, and S3Bucket when given). */
function artifactOf(ctx: DeployContext, S3Key: string, S3Bucket?: string): { bytes: Buffer; source: string } {
  return ctx.artifacts.read({ S3Key, ...(S3Bucket ? { S3Bucket } : {}) });
}

/**
 * The unpacked code directory of a function's Code property: unpacked on the main thread (`sync`, a stack restored
 * at start-up) or off it (a deploy: its functions' zips unpack together, on zlib's threads).
 */
function codeDirOf(ctx: DeployContext, code: Code, how: 'sync'): string;
function codeDirOf(ctx: DeployContext, code: Code, how: 'async'): Promise<string>;
function codeDirOf(ctx: DeployContext, code: Code, how: 'sync' | 'async'): string | Promise<string> {
  if (code.ZipFile !== undefined) {
    const dir = join(ctx.artifacts.codeRoot, `inline-${hash(code.ZipFile, 16)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), code.ZipFile);
    return how === 'sync' ? dir : Promise.resolve(dir);
  }
  if (!code.S3Key) throw new DeployError('Code needs S3Key (a packaged artifact) or ZipFile');
  const zip = artifactOf(ctx, code.S3Key, code.S3Bucket);
  const held = (dir: string): string => {
    ctx.codeDirs.add(dir);
    return dir;
  };
  if (how === 'sync') return held(unpackZip(zip.bytes, ctx.artifacts.codeRoot, zip.source));
  return unpackZipAsync(zip.bytes, ctx.artifacts.codeRoot, zip.source).then(held);
}

/**
 * Reads, hashes and unpacks a function's zip ahead of its turn, when its unresolved Code names it plainly (an
 * S3Bucket that is still a Ref is left out: the local artifacts do not need it, the S3 twin's read then fails).
 */
function prepareCode(ctx: DeployContext, p: Record<string, unknown>): void {
  const code = p['Code'] as { S3Bucket?: unknown; S3Key?: unknown } | undefined;
  if (typeof code?.S3Key !== 'string') return;
  const started = codeDirOf(
    ctx,
    { S3Key: code.S3Key, ...(typeof code.S3Bucket === 'string' ? { S3Bucket: code.S3Bucket } : {}) },
    'async',
  );
  // a failure is reported by the function's own turn, which asks again
  started.catch(() => undefined);
}

/** The function's code directory and settings from its resolved properties, its handler file checked. */
async function functionOf(ctx: DeployContext, id: string, p: Record<string, unknown>) {
  const name = str(p['FunctionName']) ?? generatedName(ctx, id);
  const handler = str(p['Handler']);
  if (!handler) throw new DeployError('Handler is required');
  const codeDir = await codeDirOf(ctx, (p['Code'] ?? {}) as Code, 'async');
  // checked before the function is made or changed, so that a failure leaves nothing behind
  const file = handler.slice(0, handler.lastIndexOf('.'));
  if (!['.js', '.cjs', '.mjs'].some((ext) => existsSync(join(codeDir, `${file}${ext}`))))
    throw new DeployError(`the artifact has no ${file}.js for Handler ${handler}: package the service again`);
  const variables = Object.fromEntries(
    Object.entries((p['Environment'] as { Variables?: Record<string, unknown> })?.Variables ?? {}).map(([k, v]) => [
      k,
      stringify(v),
    ]),
  );
  const settings = {
    FunctionName: name,
    Handler: handler,
    Environment: { Variables: variables },
    ...(str(p['Runtime']) ? { Runtime: str(p['Runtime']) as Runtime } : {}),
    // what CloudFormation sets when the template leaves them out
    Timeout: p['Timeout'] !== undefined ? Number(p['Timeout']) : 3,
    MemorySize: p['MemorySize'] !== undefined ? Number(p['MemorySize']) : 128,
    ...(str(p['Role']) ? { Role: str(p['Role'])! } : {}),
  };
  return { name, codeDir, settings };
}

async function setConcurrency(ctx: DeployContext, name: string, p: Record<string, unknown>): Promise<void> {
  const lambda = ctx.target.lambda;
  if (p['ReservedConcurrentExecutions'] !== undefined)
    await lambda.putFunctionConcurrency({
      FunctionName: name,
      ReservedConcurrentExecutions: Number(p['ReservedConcurrentExecutions']),
    });
  else if ((await lambda.getFunctionConcurrency({ FunctionName: name })).ReservedConcurrentExecutions !== undefined)
    await lambda.deleteFunctionConcurrency({ FunctionName: name });
}

async function createFunction(ctx: DeployContext, id: string, p: Record<string, unknown>): Promise<Made> {
  const lambda = ctx.target.lambda;
  const { name, codeDir, settings } = await functionOf(ctx, id, p);
  const config = await lambda.createFunction({ ...settings, Code: { Directory: codeDir } });
  if (p['ReservedConcurrentExecutions'] !== undefined) await setConcurrency(ctx, name, p);
  // environments start now, in the background: the first invocation of a function waits for its own, in the
  // template's order (serverless.yml lists the functions as the lifecycle calls them)
  void lambda.warm(name, ctx.position(id));
  return { physicalId: name, attributes: { Arn: config.FunctionArn } };
}

async function createMapping(ctx: DeployContext, _id: string, p: Record<string, unknown>): Promise<Made> {
  const input = { ...p } as unknown as CreateEventSourceMappingRequest & { StartingPositionTimestamp?: unknown };
  if (typeof input.StartingPositionTimestamp === 'string' || typeof input.StartingPositionTimestamp === 'number')
    input.StartingPositionTimestamp = new Date(
      typeof input.StartingPositionTimestamp === 'number'
        ? input.StartingPositionTimestamp * 1000
        : input.StartingPositionTimestamp,
    );
  const out = await ctx.target.lambda.createEventSourceMapping(input);
  return {
    physicalId: String(out.UUID),
    attributes: { Id: out.UUID, EventSourceMappingArn: out.EventSourceMappingArn },
  };
}

/** A function changes when its configuration or the bytes of its code do (not when only the S3 key moved). */
function functionFingerprint(ctx: DeployContext, p: Record<string, unknown>): unknown {
  const code = (p['Code'] ?? {}) as Code;
  const bytes =
    code.ZipFile !== undefined
      ? Buffer.from(code.ZipFile)
      : code.S3Key
        ? artifactOf(ctx, code.S3Key, code.S3Bucket).bytes
        : Buffer.alloc(0);
  return { ...p, Code: codeDigest(bytes).sha256 };
}

/**
 * As CloudFormation does, UpdateFunctionCode when the code's bytes changed and UpdateFunctionConfiguration when the
 * rest did: new execution environments, while the function's versions, aliases, mappings and ARN stay.
 */
async function updateFunction(
  ctx: DeployContext,
  held: HeldResource,
  p: Record<string, unknown>,
): Promise<Made | undefined> {
  if (replaces(held.properties, p, ['FunctionName', 'PackageType'])) return undefined;
  const lambda = ctx.target.lambda;
  const { name, codeDir, settings } = await functionOf(ctx, held.logicalId, p);
  const current = await lambda.getFunction({ FunctionName: name });
  // the code directory is named by the SHA-256 of its zip: another directory is other bytes
  if (current.Code?.Location !== `file://${codeDir}`)
    await lambda.updateFunctionCode({ FunctionName: name, Directory: codeDir });
  const { Code: _old, ReservedConcurrentExecutions: _c, ...before } = held.properties;
  const { Code: _new, ReservedConcurrentExecutions: _d, ...after } = p;
  if (JSON.stringify(before) !== JSON.stringify(after)) await lambda.updateFunctionConfiguration(settings);
  if (
    JSON.stringify(held.properties['ReservedConcurrentExecutions']) !==
    JSON.stringify(p['ReservedConcurrentExecutions'])
  )
    await setConcurrency(ctx, name, p);
  void lambda.warm(name, ctx.position(held.logicalId));
  return { physicalId: held.physicalId, attributes: held.attributes };
}

async function deleteFunction(ctx: DeployContext, held: HeldResource): Promise<void> {
  await gone(ctx.target.lambda.deleteFunction({ FunctionName: held.physicalId }));
}

/** What a mapping cannot change in place (UpdateEventSourceMapping has no such field). */
const MAPPING_REPLACES = ['EventSourceArn', 'StartingPosition', 'StartingPositionTimestamp', 'SelfManagedEventSource'];

async function updateMapping(
  ctx: DeployContext,
  held: HeldResource,
  p: Record<string, unknown>,
): Promise<Made | undefined> {
  if (replaces(held.properties, p, MAPPING_REPLACES)) return undefined;
  const settings = Object.fromEntries(Object.entries(p).filter(([k]) => !MAPPING_REPLACES.includes(k)));
  // Enabled left out of the template means enabled, as on create
  const input = { Enabled: true, ...settings, UUID: held.physicalId } as UpdateEventSourceMappingRequest;
  await ctx.target.lambda.updateEventSourceMapping(input);
  return { physicalId: held.physicalId, attributes: held.attributes };
}

async function deleteMapping(ctx: DeployContext, held: HeldResource): Promise<void> {
  await gone(ctx.target.lambda.deleteEventSourceMapping({ UUID: held.physicalId }));
}

export const LAMBDA_TYPES: Record<string, ResourceType> = {
  'AWS::Lambda::Function': {
    live: true,
    create: createFunction,
    update: updateFunction,
    delete: deleteFunction,
    fingerprint: functionFingerprint,
    prepare: prepareCode,
    // the Lambda twin keeps the directory by path; unpacking the same artifact again makes the same directory
    restore: (ctx, held) => {
      codeDirOf(ctx, (held.properties['Code'] ?? {}) as Code, 'sync');
    },
  },
  'AWS::Lambda::EventSourceMapping': {
    live: true,
    create: createMapping,
    update: updateMapping,
    delete: deleteMapping,
  },
};
