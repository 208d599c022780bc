/**
 * Deploys a packaged CloudFormation template (what `osls package` writes) into the twin, as CloudFormation would:
 * the template's references checked once (./graph.ts), resources in dependency order with independent ones in
 * parallel, the intrinsic functions resolved (./intrinsics.ts), each resource made by the entry of its type in the
 * one table of known types (./resources), then the stack Outputs. Types a twin service serves are made real
 * (streams, functions, event source mappings, state machines, schedule rules); the others (IAM, log groups, the
 * deployment bucket, ...) are recorded with the names and attributes AWS would give them. Any other type fails the
 * deploy with its name, before anything is made.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../clock';
import type { ArtifactSource, DeployContext, DeployTarget } from './context';
import { type DependencyGraph, dependencyGraph, walk } from './graph';
import { pseudoParameter, resolve, type Scope, stringify } from './intrinsics';
import { RESOURCE_TYPES, resourceType } from './resources';
import { DeployError, type Template } from './template';

export type { DeployTarget } from './context';
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
  const resources = template.Resources ?? {};
  for (const [id, r] of Object.entries(resources)) {
    if (!r || typeof r.Type !== 'string') throw new DeployError(`Resource ${id} has no Type`);
    if (!resourceType(r.Type))
      throw new DeployError(
        `Resource ${id} has type ${r.Type}, which the twin does not know. Known types: ${Object.keys(RESOURCE_TYPES).sort().join(', ')}`,
      );
  }
  const graph = dependencyGraph(template);
  const projectDir = resolvePath(opts.projectDir ?? process.cwd());
  const ctx = deployContext(target, template, stackName, {
    codeRoot: resolvePath(opts.codeDir ?? join(projectDir, '.fanout', 'lambda')),
    artifactDir: resolvePath(opts.artifactDir ?? join(projectDir, '.serverless')),
  });
  const stack = new StackScope(template, ctx, opts.parameters ?? {});
  await createAll(ctx, stack, graph, opts.onEvent);
  pruneCodeCache(ctx.artifacts.codeRoot, ctx.codeDirs);
  const outputs = stack.outputs();
  opts.onEvent?.({ type: 'outputs', outputs });
  const stateMachines = [...stack.done.values()]
    .filter((r) => r.type === 'AWS::StepFunctions::StateMachine')
    .map((r) => ({ logicalId: r.logicalId, name: String(r.attributes['Name']), arn: r.physicalId }));
  return { stackName, resources: stack.done, outputs, stateMachines, durationMs: performance.now() - started };
}

/** Makes every resource whose condition holds, each once all it depends on are made. */
async function createAll(
  ctx: DeployContext,
  stack: StackScope,
  graph: DependencyGraph,
  onEvent: DeployOptions['onEvent'],
): Promise<void> {
  await walk(graph, graph.order, async (id) => {
    const resource = stack.template.Resources[id]!;
    if (resource.Condition && !stack.condition(resource.Condition)) return;
    const t0 = performance.now();
    const props = (resolve(resource.Properties ?? {}, stack, id) ?? {}) as Record<string, unknown>;
    const type = resourceType(resource.Type)!;
    let made: { physicalId: string; attributes: Record<string, unknown> };
    try {
      made = await type.create(ctx, id, props);
    } catch (error) {
      throw new DeployError(`${id} (${resource.Type}) failed: ${(error as Error).message}`, { cause: error });
    }
    const deployed: DeployedResource = { logicalId: id, type: resource.Type, ...made, live: type.live };
    stack.done.set(id, deployed);
    onEvent?.({
      type: 'resource',
      logicalId: id,
      resourceType: resource.Type,
      physicalId: deployed.physicalId,
      live: deployed.live,
      ms: performance.now() - t0,
    });
  });
}

/** The context creators are handed. */
function deployContext(
  target: DeployTarget,
  template: Template,
  stackName: string,
  dirs: { codeRoot: string; artifactDir: string },
): DeployContext {
  const order = Object.keys(template.Resources);
  const artifacts: ArtifactSource = {
    codeRoot: dirs.codeRoot,
    zipFor: (code) => {
      const zip = join(dirs.artifactDir, basename(code.S3Key));
      if (!existsSync(zip))
        throw new DeployError(`the artifact ${zip} (Code.S3Key ${code.S3Key}) is missing: package the service again`);
      return zip;
    },
  };
  return {
    target,
    clock: target.clock ?? systemClock,
    region: target.region,
    accountId: ACCOUNT_ID,
    stackName,
    request: { region: target.region, accountId: ACCOUNT_ID, headers: {} },
    artifacts,
    position: (id) => order.indexOf(id),
    codeDirs: new Set(),
  };
}

/** Ref, Fn::GetAtt and conditions of one stack: parameters, pseudo parameters and the resources made so far. */
class StackScope implements Scope {
  readonly done = new Map<string, DeployedResource>();
  private readonly conditions = new Map<string, boolean>();
  readonly region: string;

  constructor(
    readonly template: Template,
    private readonly ctx: DeployContext,
    private readonly parameters: Record<string, string>,
  ) {
    this.region = ctx.region;
  }

  defines(name: string): boolean {
    return name in this.template.Resources || name in (this.template.Parameters ?? {});
  }

  ref(name: string, where: string): unknown {
    if (name.startsWith('AWS::')) {
      const v = pseudoParameter(name, {
        region: this.ctx.region,
        accountId: this.ctx.accountId,
        stackName: this.ctx.stackName,
        stackId: `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:stack/${this.ctx.stackName}/00000000-0000-0000-0000-000000000000`,
      });
      if (v === undefined) throw new DeployError(`${where}: unknown pseudo parameter ${name}`);
      return v;
    }
    const param = this.template.Parameters?.[name];
    if (param) {
      const v = this.parameters[name] ?? param.Default;
      if (v === undefined) throw new DeployError(`${where}: parameter ${name} has no value and no Default`);
      return v;
    }
    const r = this.done.get(name);
    if (!r) throw new DeployError(`${where}: Ref to ${name}, which is not deployed`);
    return r.physicalId;
  }

  getAtt(name: string, attr: string, where: string): unknown {
    const r = this.done.get(name);
    if (!r) throw new DeployError(`${where}: Fn::GetAtt of ${name}, which is not deployed`);
    if (!(attr in r.attributes)) throw new DeployError(`${where}: ${name} (${r.type}) has no attribute ${attr}`);
    return r.attributes[attr];
  }

  condition(name: string): boolean {
    const cached = this.conditions.get(name);
    if (cached !== undefined) return cached;
    const def = this.template.Conditions?.[name];
    if (def === undefined) throw new DeployError(`Condition ${name} is not defined`);
    const value = resolve(def, this, `Conditions.${name}`) === true;
    this.conditions.set(name, value);
    return value;
  }

  outputs(): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const [key, output] of Object.entries(this.template.Outputs ?? {})) {
      if (output.Condition && !this.condition(output.Condition)) continue;
      outputs[key] = stringify(resolve(output.Value, this, `Outputs.${key}`));
    }
    return outputs;
  }
}

/** Removes unpacked code that this deploy does not use and nothing has used for an hour (older packages). */
function pruneCodeCache(root: string, used: Set<string>): void {
  if (!existsSync(root)) return;
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
