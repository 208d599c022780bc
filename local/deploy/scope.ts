/**
 * Ref, Fn::GetAtt and conditions of one stack: its parameters, its pseudo parameters and the resources made so far.
 */
import type { DeployContext } from './context';
import { pseudoParameter, resolve, type Scope, stringify } from './intrinsics';
import type { HeldResource } from './resources';
import { DeployError, type Template } from './template';

export class StackScope implements Scope {
  private readonly conditions = new Map<string, boolean>();
  readonly region: string;

  /**
   * @param held the resources made so far, by logical id (the scope reads it as it grows)
   * @param pending when set, a reference to a resource not yet made resolves to this placeholder instead of failing
   *   (a change set plans before anything is made)
   */
  constructor(
    readonly template: Template,
    private readonly ctx: Pick<DeployContext, 'region' | 'accountId' | 'stackName'> & { stackId: string },
    private readonly parameters: Record<string, string>,
    readonly held: Map<string, HeldResource>,
    private readonly pending?: (logicalId: string) => string,
  ) {
    this.region = ctx.region;
  }

  defines(name: string): boolean {
    return name in this.template.Resources || name in (this.template.Parameters ?? {});
  }

  /** The value each parameter takes (given, else its Default). */
  parameterValues(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, p] of Object.entries(this.template.Parameters ?? {})) {
      const v = this.parameters[name] ?? p.Default;
      if (v !== undefined) out[name] = stringify(v);
    }
    return out;
  }

  ref(name: string, where: string): unknown {
    if (name.startsWith('AWS::')) {
      const v = pseudoParameter(name, this.ctx);
      if (v === undefined) throw new DeployError(`${where}: unknown pseudo parameter ${name}`);
      return v;
    }
    const param = this.template.Parameters?.[name];
    if (param) {
      const v = this.parameters[name] ?? param.Default;
      if (v === undefined) throw new DeployError(`Parameters: [${name}] must have values`);
      return v;
    }
    const r = this.held.get(name);
    if (!r) {
      if (this.pending) return this.pending(name);
      throw new DeployError(`${where}: Ref to ${name}, which is not deployed`);
    }
    return r.physicalId;
  }

  getAtt(name: string, attr: string, where: string): unknown {
    const r = this.held.get(name);
    if (!r) {
      if (this.pending) return this.pending(`${name}.${attr}`);
      throw new DeployError(`${where}: Fn::GetAtt of ${name}, which is not deployed`);
    }
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

  /** Whether a resource of the template exists under its Condition. */
  included(logicalId: string): boolean {
    const c = this.template.Resources[logicalId]?.Condition;
    return c === undefined || this.condition(c);
  }

  outputs(): Record<string, { value: string; description?: string; exportName?: string }> {
    const outputs: Record<string, { value: string; description?: string; exportName?: string }> = {};
    for (const [key, output] of Object.entries(this.template.Outputs ?? {})) {
      if (output.Condition && !this.condition(output.Condition)) continue;
      outputs[key] = {
        value: stringify(resolve(output.Value, this, `Outputs.${key}`)),
        ...(output.Description ? { description: output.Description } : {}),
        ...(output.Export ? { exportName: stringify(resolve(output.Export.Name, this, `Outputs.${key}.Export`)) } : {}),
      };
    }
    return outputs;
  }
}
