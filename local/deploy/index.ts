/**
 * Deploys a packaged CloudFormation template (what `osls package` writes) into the twin, as CloudFormation would:
 * the template's references checked once (./graph.ts), resources in dependency order with independent ones in
 * parallel, the intrinsic functions resolved (./intrinsics.ts), each resource made by the entry of its type in the
 * one table of known types (./resources), then the stack Outputs. Types a twin service serves are made real
 * (streams, functions, event source mappings, state machines, schedule rules); the others (IAM, log groups, the
 * deployment bucket, ...) are recorded with the names and attributes AWS would give them. Any other type fails the
 * deploy with its name, before anything is made.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../clock';
import type { ArtifactSource, DeployContext, DeployTarget } from './context';
import { type Applied, applyTemplate, StackOperationError } from './stack';
import { DeployError, type Template } from './template';

export type { DeployContext, DeployTarget } from './context';
export type { Applied, PlannedChange, ResourceEvent, StackResource, StackState } from './stack';
export { applyTemplate, destroy, plan, rollback, StackOperationError } from './stack';
export type { Template, TemplateResource } from './template';
export { DeployError, parseTemplate, readTemplate } from './template';

export const ACCOUNT_ID = '000000000000';

/** What deploy made of one resource. */
export interface DeployedResource {
  logicalId: string;
  type: string;
  /** What Ref returns. */
  physicalId: string;
  attributes: Record<string, unknown>;
  /** false for resources recorded only (no twin service behind them). */
  live: boolean;
}

export interface DeployedStack {
  stackName: string;
  resources: Map<string, DeployedResource>;
  outputs: Record<string, string>;
  /** State machines by logical id. */
  stateMachines: { logicalId: string; name: string; arn: string }[];
  durationMs: number;
}

/** Progress of a deploy, resource by resource. */
export type DeployEvent =
  | { type: 'resource'; logicalId: string; resourceType: string; physicalId: string; live: boolean; ms: number }
  | { type: 'outputs'; outputs: Record<string, string> };

export interface DeployOptions {
  stackName?: string;
  /** Where the packaged artifacts (zips) are: default `<projectDir>/.serverless`. */
  artifactDir?: string;
  projectDir?: string;
  /** Where function code is unpacked: default `<projectDir>/.fanout/lambda`. */
  codeDir?: string;
  parameters?: Record<string, string>;
  onEvent?: (event: DeployEvent) => void;
}

/** Deploys `template` into the twin and resolves its Outputs. */
export async function deploy(
  target: DeployTarget,
  template: Template,
  opts: DeployOptions = {},
): Promise<DeployedStack> {
  const started = performance.now();
  const stackName = opts.stackName ?? 'kinesis-fanout-dev';
  const projectDir = resolvePath(opts.projectDir ?? process.cwd());
  const artifactDir = resolvePath(opts.artifactDir ?? join(projectDir, '.serverless'));
  const ctx = deployContext(target, template, stackName, {
    codeRoot: resolvePath(opts.codeDir ?? join(projectDir, '.fanout', 'lambda')),
    artifacts: localArtifacts(artifactDir),
  });
  let applied: Applied;
  try {
    applied = await applyTemplate(ctx, template, undefined, opts.parameters ?? {}, (e) => {
      if (e.status === 'CREATE_COMPLETE')
        opts.onEvent?.({
          type: 'resource',
          logicalId: e.logicalId,
          resourceType: e.type,
          physicalId: e.physicalId ?? '',
          live: e.live ?? false,
          ms: e.ms ?? 0,
        });
    });
  } catch (error) {
    if (error instanceof StackOperationError) throw new DeployError(error.message, { cause: error.cause });
    throw error;
  }
  pruneCodeCache(ctx);
  const outputs = Object.fromEntries(Object.entries(applied.state.outputs).map(([k, o]) => [k, o.value]));
  opts.onEvent?.({ type: 'outputs', outputs });
  const resources = new Map<string, DeployedResource>(
    [...applied.state.resources].map(([id, r]) => [
      id,
      { logicalId: id, type: r.type, physicalId: r.physicalId, attributes: r.attributes, live: r.live },
    ]),
  );
  return {
    stackName,
    resources,
    outputs,
    stateMachines: stateMachinesOf(resources.values()),
    durationMs: performance.now() - started,
  };
}

/** The state machines among a stack's resources. */
export function stateMachinesOf(resources: Iterable<DeployedResource>): DeployedStack['stateMachines'] {
  return [...resources]
    .filter((r) => r.type === 'AWS::StepFunctions::StateMachine')
    .map((r) => ({ logicalId: r.logicalId, name: String(r.attributes['Name']), arn: r.physicalId }));
}

/** Function code from the packaged artifacts beside the template (`.serverless/<name>.zip`). */
export function localArtifacts(artifactDir: string): (code: { S3Key: string }) => { bytes: Buffer; source: string } {
  // each zip read once a deploy: a function wants it ahead of its turn, for its fingerprint and for its code
  // (11 functions, 20 MB read three times took about 0.2 s of a 0.8 s deploy)
  const held = new Map<string, { bytes: Buffer; source: string }>();
  return (code) => {
    const zip = join(artifactDir, basename(code.S3Key));
    let artifact = held.get(zip);
    if (!artifact) {
      if (!existsSync(zip))
        throw new DeployError(`the artifact ${zip} (Code.S3Key ${code.S3Key}) is missing: package the service again`);
      artifact = { bytes: readFileSync(zip), source: zip };
      held.set(zip, artifact);
    }
    return artifact;
  };
}

/** The context creators are handed. */
export function deployContext(
  target: DeployTarget,
  template: Template,
  stackName: string,
  sources: { codeRoot: string; artifacts: ArtifactSource['read'] },
): DeployContext {
  const order = Object.keys(template.Resources);
  return {
    target,
    clock: target.clock ?? systemClock,
    region: target.region,
    accountId: ACCOUNT_ID,
    stackName,
    request: { region: target.region, accountId: ACCOUNT_ID, headers: {} },
    artifacts: { codeRoot: sources.codeRoot, read: sources.artifacts },
    position: (id) => order.indexOf(id),
    codeDirs: new Set(),
  };
}

/**
 * Removes unpacked code that no function of the twin runs (any version, any stack) and nothing has used for an
 * hour (older packages).
 */
export function pruneCodeCache(ctx: DeployContext): void {
  const root = ctx.artifacts.codeRoot;
  if (!existsSync(root)) return;
  const used = new Set(ctx.codeDirs);
  for (const fn of ctx.target.lambda.store.functions.values())
    for (const v of [fn.latest, ...fn.versions.values()]) used.add(v.runtime.config.codeDir);
  // file ages are wall-clock facts, not twin delays
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    try {
      if (!used.has(dir) && statSync(dir).mtimeMs < hourAgo) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another twin may be pruning the same cache
    }
  }
}
