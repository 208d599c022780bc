/**
 * The dependency graph of a template: which resources each one needs first (DependsOn, Ref, Fn::GetAtt, Fn::Sub),
 * checked once, before anything is made, as CloudFormation refuses a template with an unresolved reference or a
 * cycle up front.
 */
import { collectRefs } from './intrinsics';
import { DeployError, type Template } from './template';

export interface DependencyGraph {
  /** For each resource, the resources it needs made first. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** Every resource after the ones it depends on (a creation order; reversed, a deletion order). */
  readonly order: readonly string[];
}

/** Builds and checks the graph; throws DeployError for an unresolved reference or a cycle. */
export function dependencyGraph(template: Template): DependencyGraph {
  const resources = template.Resources;
  const parameters = template.Parameters ?? {};
  const known = (name: string): boolean => name in resources || name.startsWith('AWS::') || name in parameters;
  const unresolved = (where: string, value: unknown): void => {
    const missing = [...collectRefs(value)].filter((r) => !known(r));
    if (missing.length > 0)
      throw new DeployError(
        `Template format error: Unresolved resource dependencies [${missing.join(', ')}] in ${where}`,
      );
  };

  const dependencies = new Map<string, string[]>();
  for (const [id, r] of Object.entries(resources)) {
    unresolved(`the Resources block of the template (${id})`, r.Properties);
    const dependsOn = r.DependsOn === undefined ? [] : [r.DependsOn].flat();
    for (const d of dependsOn)
      if (!(d in resources)) throw new DeployError(`Template format error: ${id} DependsOn unknown resource ${d}`);
    const refs = [...collectRefs(r.Properties)].filter((name) => name in resources);
    dependencies.set(id, [...new Set([...dependsOn, ...refs])]);
  }
  for (const [key, output] of Object.entries(template.Outputs ?? {}))
    unresolved(`the Outputs block of the template (${key})`, output.Value);

  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting')
      throw new DeployError(
        `Circular dependency between resources: ${[...path.slice(path.indexOf(id)), id].join(' -> ')}`,
      );
    state.set(id, 'visiting');
    for (const d of dependencies.get(id)!) visit(d, [...path, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of Object.keys(resources)) visit(id, []);
  return { dependencies, order };
}

/**
 * Runs `fn` for every resource once all it depends on are done, independent ones in parallel. With `reverse`, a
 * resource waits instead for every resource that depends on it (deletion). The first failure stops new starts and is
 * thrown once what is running has settled.
 */
export async function walk(
  graph: DependencyGraph,
  ids: Iterable<string>,
  fn: (id: string) => Promise<void>,
  opts: { reverse?: boolean } = {},
): Promise<void> {
  const wanted = new Set(ids);
  const waitsFor = new Map<string, string[]>();
  for (const id of wanted) waitsFor.set(id, []);
  for (const [id, deps] of graph.dependencies) {
    if (!wanted.has(id)) continue;
    for (const d of deps) {
      if (!wanted.has(d)) continue;
      if (opts.reverse) waitsFor.get(d)!.push(id);
      else waitsFor.get(id)!.push(d);
    }
  }
  const started = new Map<string, Promise<void>>();
  let failure: { error: unknown } | undefined;
  const run = (id: string): Promise<void> => {
    let p = started.get(id);
    if (!p) {
      p = (async () => {
        await Promise.all(waitsFor.get(id)!.map(run));
        if (failure) return;
        try {
          await fn(id);
        } catch (error) {
          failure ??= { error };
          throw error;
        }
      })();
      started.set(id, p);
    }
    return p;
  };
  await Promise.allSettled(graph.order.filter((id) => wanted.has(id)).map(run));
  if (failure) throw failure.error;
}
