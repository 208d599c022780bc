/** Functions (from the packaged zips) and event source mappings, made in the Lambda twin. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateEventSourceMappingRequest, Runtime } from '@aws-sdk/client-lambda';
import { unpackArtifact } from '../../lambda/code';
import { type DeployContext, generatedName, hash, type Made, str } from '../context';
import { stringify } from '../intrinsics';
import { DeployError } from '../template';
import type { ResourceType } from './types';

/** The unpacked code directory of a function's Code property. */
function codeDirOf(ctx: DeployContext, code: { S3Bucket?: string; S3Key?: string; ZipFile?: string }): string {
  if (code.ZipFile !== undefined) {
    const dir = join(ctx.artifacts.codeRoot, `inline-${hash(code.ZipFile, 16)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'index.js'), code.ZipFile);
    return dir;
  }
  if (code.S3Key) {
    const dir = unpackArtifact(
      ctx.artifacts.zipFor({ S3Key: code.S3Key, ...(code.S3Bucket ? { S3Bucket: code.S3Bucket } : {}) }),
      ctx.artifacts.codeRoot,
    );
    ctx.codeDirs.add(dir);
    return dir;
  }
  throw new DeployError('Code needs S3Key (a packaged artifact) or ZipFile');
}

async function createFunction(ctx: DeployContext, id: string, p: Record<string, unknown>): Promise<Made> {
  const lambda = ctx.target.lambda;
  const name = str(p['FunctionName']) ?? generatedName(ctx, id);
  const handler = str(p['Handler']);
  if (!handler) throw new DeployError('Handler is required');
  const codeDir = codeDirOf(ctx, (p['Code'] ?? {}) as { S3Key?: string; ZipFile?: string });
  const variables = Object.fromEntries(
    Object.entries((p['Environment'] as { Variables?: Record<string, unknown> })?.Variables ?? {}).map(([k, v]) => [
      k,
      stringify(v),
    ]),
  );
  const config = await lambda.createFunction({
    FunctionName: name,
    Handler: handler,
    Code: { Directory: codeDir },
    Environment: { Variables: variables },
    ...(str(p['Runtime']) ? { Runtime: str(p['Runtime']) as Runtime } : {}),
    ...(p['Timeout'] !== undefined ? { Timeout: Number(p['Timeout']) } : {}),
    ...(p['MemorySize'] !== undefined ? { MemorySize: Number(p['MemorySize']) } : {}),
    ...(str(p['Role']) ? { Role: str(p['Role'])! } : {}),
  });
  if (p['ReservedConcurrentExecutions'] !== undefined)
    await lambda.putFunctionConcurrency({
      FunctionName: name,
      ReservedConcurrentExecutions: Number(p['ReservedConcurrentExecutions']),
    });
  const file = handler.slice(0, handler.lastIndexOf('.'));
  if (!['.js', '.cjs', '.mjs'].some((ext) => existsSync(join(codeDir, `${file}${ext}`))))
    throw new DeployError(`the artifact has no ${file}.js for Handler ${handler}: package the service again`);
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

export const LAMBDA_TYPES: Record<string, ResourceType> = {
  'AWS::Lambda::Function': { live: true, create: createFunction },
  'AWS::Lambda::EventSourceMapping': { live: true, create: createMapping },
};
