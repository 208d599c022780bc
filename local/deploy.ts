/**
 * Deploys a packaged CloudFormation template (what `osls package` writes) into the twin, as CloudFormation would:
 * resources in dependency order (Ref, Fn::GetAtt, Fn::Sub and DependsOn), independent ones in parallel, the
 * intrinsic functions resolved, then the stack Outputs. Resources the twin serves are created in it (streams,
 * functions, event source mappings, state machines, schedule rules); resources that need no twin (IAM, log groups,
 * the deployment bucket, ...) are recorded with the names and attributes AWS would give them. Any other resource
 * type fails the deploy with its name.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { CreateEventSourceMappingRequest, Runtime } from '@aws-sdk/client-lambda';
import type { EventsTwin } from './events';
import type { LambdaTwin } from './lambda';
import { unpackArtifact } from './lambda/code';
import type { RequestContext } from './service';
import type { StepFunctionsTwin } from './stepfunctions';

/** The services deploy creates resources in (the `Twin` of local/twin.ts satisfies it). */
export interface DeployTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly kinesis: {
    handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  };
  readonly lambda: LambdaTwin;
  readonly stepFunctions: StepFunctionsTwin;
  readonly events: EventsTwin;
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Parameters?: Record<string, { Default?: unknown; Type?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, TemplateResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string; Condition?: string }>;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
}

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

/** A deploy that cannot go on: names the resource and says why. */
export class DeployError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeployError';
  }
}

/** Types that need no twin: their names and attributes are recorded as AWS would give them. */
const RECORDED = new Set([
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::IAM::InstanceProfile',
  'AWS::Logs::LogGroup',
  'AWS::Logs::SubscriptionFilter',
  'AWS::S3::Bucket',
  'AWS::S3::BucketPolicy',
  'AWS::Lambda::Version',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Lambda::Alias',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
]);

/** Reads the template `osls package` wrote. */
export function readTemplate(path: string): Template {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeployError(`Cannot read the packaged template ${path}: run \`npx osls package\` first`, {
      cause: error,
    });
  }
  return JSON.parse(text) as Template;
}

/** Deploys `template` into the twin and resolves its Outputs. */
export async function deploy(
  target: DeployTarget,
  template: Template,
  opts: DeployOptions = {},
): Promise<DeployedStack> {
  return new Deployment(target, template, opts).run();
}

class Deployment {
  private readonly stackName: string;
  private readonly accountId = '000000000000';
  private readonly projectDir: string;
  private readonly done = new Map<string, DeployedResource>();
  private readonly pending = new Map<string, Promise<DeployedResource | undefined>>();
  private readonly conditions = new Map<string, boolean>();
  private readonly ctx: RequestContext;
  readonly codeDirs = new Set<string>();

  constructor(
    private readonly target: DeployTarget,
    private readonly template: Template,
    private readonly opts: DeployOptions,
  ) {
    this.stackName = opts.stackName ?? 'kinesis-fanout-dev';
    this.projectDir = resolve(opts.projectDir ?? process.cwd());
    this.ctx = { region: target.region, accountId: this.accountId, headers: {} };
  }

  async run(): Promise<DeployedStack> {
    const started = Date.now();
    const resources = this.template.Resources ?? {};
    for (const [id, r] of Object.entries(resources)) {
      if (!r || typeof r.Type !== 'string') throw new DeployError(`Resource ${id} has no Type`);
      if (!RECORDED.has(r.Type) && !(r.Type in CREATORS))
        throw new DeployError(
          `Resource ${id} has type ${r.Type}, which the twin does not know. Known types: ${[...Object.keys(CREATORS), ...RECORDED].sort().join(', ')}`,
        );
    }
    this.validateRefs();
    this.target.lambda.endpoint = this.target.endpoint;
    await Promise.all(Object.keys(resources).map((id) => this.create(id, [])));
    pruneCodeCache(resolve(this.opts.codeDir ?? join(this.projectDir, '.fanout', 'lambda')), this.codeDirs);
    const outputs: Record<string, string> = {};
    for (const [key, output] of Object.entries(this.template.Outputs ?? {})) {
      if (output.Condition && !this.condition(output.Condition)) continue;
      outputs[key] = stringify(this.resolve(output.Value, `Outputs.${key}`));
    }
    this.opts.onEvent?.({ type: 'outputs', outputs });
    const stateMachines = [...this.done.values()]
      .filter((r) => r.type === 'AWS::StepFunctions::StateMachine')
      .map((r) => ({ logicalId: r.logicalId, name: String(r.attributes['Name']), arn: r.physicalId }));
    return {
      stackName: this.stackName,
      resources: this.done,
      outputs,
      stateMachines,
      durationMs: Date.now() - started,
    };
  }

  /** Like CloudFormation, refuses a template whose Ref/GetAtt/Sub name something undefined, before creating anything. */
  private validateRefs(): void {
    const known = (name: string): boolean =>
      name in this.template.Resources || name.startsWith('AWS::') || name in (this.template.Parameters ?? {});
    const check = (where: string, value: unknown): void => {
      const refs = new Set<string>();
      collectRefs(value, refs);
      const missing = [...refs].filter((r) => !known(r));
      if (missing.length > 0)
        throw new DeployError(
          `Template format error: Unresolved resource dependencies [${missing.join(', ')}] in ${where}`,
        );
    };
    for (const [id, r] of Object.entries(this.template.Resources)) {
      check(`the Resources block of the template (${id})`, r.Properties);
      for (const d of r.DependsOn === undefined ? [] : [r.DependsOn].flat())
        if (!(d in this.template.Resources))
          throw new DeployError(`Template format error: ${id} DependsOn unknown resource ${d}`);
    }
    for (const [key, output] of Object.entries(this.template.Outputs ?? {}))
      check(`the Outputs block of the template (${key})`, output.Value);
  }

  private create(id: string, path: string[]): Promise<DeployedResource | undefined> {
    const existing = this.pending.get(id);
    if (existing) return existing;
    if (path.includes(id))
      throw new DeployError(`Circular dependency between resources: ${[...path, id].join(' -> ')}`);
    const resource = this.template.Resources[id];
    if (!resource)
      throw new DeployError(`Unresolved resource dependency ${id} (from ${path.at(-1) ?? 'the template'})`);
    const deps = new Set<string>(
      resource.DependsOn === undefined
        ? []
        : Array.isArray(resource.DependsOn)
          ? resource.DependsOn
          : [resource.DependsOn],
    );
    collectRefs(resource.Properties, deps);
    for (const d of deps)
      if (!(d in this.template.Resources) && !d.startsWith('AWS::') && !(d in (this.template.Parameters ?? {})))
        throw new DeployError(`Resource ${id} refers to ${d}, which the template does not define`);
    const promise = (async () => {
      await Promise.all(
        [...deps].filter((d) => d in this.template.Resources).map((d) => this.create(d, [...path, id])),
      );
      if (resource.Condition && !this.condition(resource.Condition)) return undefined;
      const t0 = Date.now();
      const props = (this.resolve(resource.Properties ?? {}, id) ?? {}) as Record<string, unknown>;
      let made: Omit<DeployedResource, 'logicalId' | 'type'>;
      try {
        const creator = CREATORS[resource.Type];
        made = creator
          ? { ...(await creator.call(this, id, props)), live: true }
          : { ...this.record(id, resource.Type, props), live: false };
      } catch (error) {
        throw new DeployError(`${id} (${resource.Type}) failed: ${(error as Error).message}`, { cause: error });
      }
      const deployed: DeployedResource = { logicalId: id, type: resource.Type, ...made };
      this.done.set(id, deployed);
      this.opts.onEvent?.({
        type: 'resource',
        logicalId: id,
        resourceType: resource.Type,
        physicalId: deployed.physicalId,
        live: deployed.live,
        ms: Date.now() - t0,
      });
      return deployed;
    })();
    this.pending.set(id, promise);
    return promise;
  }

  // ---- intrinsic functions ------------------------------------------------------------------------------------

  private pseudo(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.target.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::StackName':
        return this.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.target.region}:${this.accountId}:stack/${this.stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
      default:
        return undefined;
    }
  }

  private ref(name: string, where: string): unknown {
    if (name.startsWith('AWS::')) {
      const v = this.pseudo(name);
      if (v === undefined) throw new DeployError(`${where}: unknown pseudo parameter ${name}`);
      return v;
    }
    const param = this.template.Parameters?.[name];
    if (param) {
      const v = this.opts.parameters?.[name] ?? param.Default;
      if (v === undefined) throw new DeployError(`${where}: parameter ${name} has no value and no Default`);
      return v;
    }
    const r = this.done.get(name);
    if (!r) throw new DeployError(`${where}: Ref to ${name}, which is not deployed`);
    return r.physicalId;
  }

  private getAtt(name: string, attr: string, where: string): unknown {
    const r = this.done.get(name);
    if (!r) throw new DeployError(`${where}: Fn::GetAtt of ${name}, which is not deployed`);
    if (!(attr in r.attributes)) throw new DeployError(`${where}: ${name} (${r.type}) has no attribute ${attr}`);
    return r.attributes[attr];
  }

  private sub(text: string, vars: Record<string, unknown>, where: string): string {
    return text.replace(/\$\{(!?)([^}]+)\}/g, (whole, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return stringify(vars[name]);
      if (name.startsWith('AWS::')) return stringify(this.ref(name, where));
      const dot = name.indexOf('.');
      if (dot > 0) return stringify(this.getAtt(name.slice(0, dot), name.slice(dot + 1), where));
      if (name in this.template.Resources || name in (this.template.Parameters ?? {}))
        return stringify(this.ref(name, where));
      throw new DeployError(`${where}: Fn::Sub variable ${whole} is not defined`);
    });
  }

  private condition(name: string): boolean {
    const cached = this.conditions.get(name);
    if (cached !== undefined) return cached;
    const def = this.template.Conditions?.[name];
    if (def === undefined) throw new DeployError(`Condition ${name} is not defined`);
    const value = this.resolve(def, `Conditions.${name}`) === true;
    this.conditions.set(name, value);
    return value;
  }

  resolve(value: unknown, where: string): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v, where)).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const key = keys[0]!;
      const arg = obj[key];
      switch (key) {
        case 'Ref':
          return this.ref(String(arg), where);
        case 'Fn::GetAtt': {
          const [name, ...attr] = Array.isArray(arg) ? (arg as string[]) : String(arg).split('.');
          return this.getAtt(String(name), attr.join('.'), where);
        }
        case 'Fn::Sub': {
          if (typeof arg === 'string') return this.sub(arg, {}, where);
          const [text, vars] = arg as [string, Record<string, unknown>];
          return this.sub(text, this.resolve(vars ?? {}, where) as Record<string, unknown>, where);
        }
        case 'Fn::Join': {
          const [sep, list] = arg as [string, unknown[]];
          return (this.resolve(list, where) as unknown[]).map(stringify).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = this.resolve(arg, where) as [number | string, unknown[]];
          const i = Number(index);
          if (!Array.isArray(list) || !(i in list))
            throw new DeployError(`${where}: Fn::Select index ${index} out of range`);
          return list[i];
        }
        case 'Fn::Split': {
          const [sep, text] = this.resolve(arg, where) as [string, string];
          return String(text).split(sep);
        }
        case 'Fn::Base64':
          return Buffer.from(String(this.resolve(arg, where))).toString('base64');
        case 'Fn::GetAZs':
          return ['a', 'b', 'c'].map((z) => `${this.target.region}${z}`);
        case 'Fn::Equals': {
          const [a, b] = this.resolve(arg, where) as [unknown, unknown];
          return stringify(a) === stringify(b);
        }
        case 'Fn::Not':
          return !(this.resolve(arg, where) as unknown[])[0];
        case 'Fn::And':
          return (this.resolve(arg, where) as unknown[]).every(Boolean);
        case 'Fn::Or':
          return (this.resolve(arg, where) as unknown[]).some(Boolean);
        case 'Condition':
          if (typeof arg === 'string') return this.condition(arg);
          break;
        case 'Fn::If': {
          const [cond, yes, no] = arg as [string, unknown, unknown];
          return this.resolve(this.condition(cond) ? yes : no, where);
        }
        case 'Fn::ImportValue':
        case 'Fn::FindInMap':
        case 'Fn::Cidr':
        case 'Fn::Transform':
          throw new DeployError(`${where}: the twin does not support ${key}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const r = this.resolve(v, `${where}.${k}`);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }

  // ---- resources without a twin --------------------------------------------------------------------------------

  private generatedName(id: string, max = 64): string {
    const suffix = createHash('sha1').update(`${this.stackName}/${id}`).digest('hex').slice(0, 12).toUpperCase();
    return `${this.stackName}-${id}`.slice(0, max - 13) + `-${suffix}`;
  }

  private record(
    id: string,
    type: string,
    p: Record<string, unknown>,
  ): Omit<DeployedResource, 'logicalId' | 'type' | 'live'> {
    const region = this.target.region;
    const acct = this.accountId;
    switch (type) {
      case 'AWS::IAM::Role': {
        const name = str(p['RoleName']) ?? this.generatedName(id);
        const path = str(p['Path']) ?? '/';
        return {
          physicalId: name,
          attributes: { Arn: `arn:aws:iam::${acct}:role${path}${name}`, RoleId: `AROA${hash(name, 17)}` },
        };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const name = str(p['ManagedPolicyName']) ?? this.generatedName(id);
        const arn = `arn:aws:iam::${acct}:policy/${name}`;
        return { physicalId: arn, attributes: { PolicyArn: arn } };
      }
      case 'AWS::IAM::InstanceProfile': {
        const name = str(p['InstanceProfileName']) ?? this.generatedName(id);
        return { physicalId: name, attributes: { Arn: `arn:aws:iam::${acct}:instance-profile/${name}` } };
      }
      case 'AWS::Logs::LogGroup': {
        const name = str(p['LogGroupName']) ?? this.generatedName(id, 512);
        return { physicalId: name, attributes: { Arn: `arn:aws:logs:${region}:${acct}:log-group:${name}:*` } };
      }
      case 'AWS::S3::Bucket': {
        const name = str(p['BucketName']) ?? this.generatedName(id).toLowerCase();
        return {
          physicalId: name,
          attributes: {
            Arn: `arn:aws:s3:::${name}`,
            DomainName: `${name}.s3.amazonaws.com`,
            RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
            WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
          },
        };
      }
      case 'AWS::Lambda::Version': {
        const fn = String(p['FunctionName']);
        const arn = fn.startsWith('arn:') ? fn : `arn:aws:lambda:${region}:${acct}:function:${fn}`;
        return { physicalId: `${arn}:1`, attributes: { Version: '1', FunctionArn: arn } };
      }
      case 'AWS::Lambda::Alias': {
        const fn = String(p['FunctionName']);
        const arn = `${fn.startsWith('arn:') ? fn : `arn:aws:lambda:${region}:${acct}:function:${fn}`}:${str(p['Name'])}`;
        return { physicalId: arn, attributes: { AliasArn: arn } };
      }
      case 'AWS::KMS::Key': {
        const keyId = `${hash(id, 8)}-0000-0000-0000-000000000000`;
        return { physicalId: keyId, attributes: { Arn: `arn:aws:kms:${region}:${acct}:key/${keyId}`, KeyId: keyId } };
      }
      default:
        return { physicalId: this.generatedName(id), attributes: {} };
    }
  }

  // ---- resources the twin serves --------------------------------------------------------------------------------

  async createStream(
    id: string,
    p: Record<string, unknown>,
  ): Promise<Omit<DeployedResource, 'logicalId' | 'type' | 'live'>> {
    const name = str(p['Name']) ?? this.generatedName(id, 128);
    const input: Record<string, unknown> = { StreamName: name };
    const mode = (p['StreamModeDetails'] as { StreamMode?: string } | undefined)?.StreamMode;
    if (mode) input['StreamModeDetails'] = { StreamMode: mode };
    if (mode !== 'ON_DEMAND') input['ShardCount'] = Number(p['ShardCount'] ?? 1);
    try {
      await this.target.kinesis.handle('CreateStream', input, this.ctx);
    } catch (error) {
      // a twin that keeps its data (dataDir) already has the stream from the last deploy
      if ((error as { name?: string }).name !== 'ResourceInUseException') throw error;
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const out = (await this.target.kinesis.handle('DescribeStreamSummary', { StreamName: name }, this.ctx)) as {
        StreamDescriptionSummary: { StreamStatus: string; StreamARN: string };
      };
      if (out.StreamDescriptionSummary.StreamStatus === 'ACTIVE')
        return { physicalId: name, attributes: { Arn: out.StreamDescriptionSummary.StreamARN } };
      if (Date.now() > deadline) throw new DeployError(`Stream ${name} did not become ACTIVE within 60 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async createConsumer(
    _id: string,
    p: Record<string, unknown>,
  ): Promise<Omit<DeployedResource, 'logicalId' | 'type' | 'live'>> {
    const out = (await this.target.kinesis.handle(
      'RegisterStreamConsumer',
      { StreamARN: p['StreamARN'], ConsumerName: p['ConsumerName'] },
      this.ctx,
    )) as { Consumer: { ConsumerARN: string; ConsumerName: string; ConsumerCreationTimestamp: number } };
    return {
      physicalId: out.Consumer.ConsumerARN,
      attributes: {
        ConsumerARN: out.Consumer.ConsumerARN,
        ConsumerName: out.Consumer.ConsumerName,
        ConsumerStatus: 'ACTIVE',
        StreamARN: p['StreamARN'],
        ConsumerCreationTimestamp: String(out.Consumer.ConsumerCreationTimestamp),
      },
    };
  }

  async createFunction(
    id: string,
    p: Record<string, unknown>,
  ): Promise<Omit<DeployedResource, 'logicalId' | 'type' | 'live'>> {
    const name = str(p['FunctionName']) ?? this.generatedName(id);
    const handler = str(p['Handler']);
    if (!handler) throw new DeployError('Handler is required');
    const code = (p['Code'] ?? {}) as { S3Key?: string; ZipFile?: string };
    const codeRoot = resolve(this.opts.codeDir ?? join(this.projectDir, '.fanout', 'lambda'));
    let codeDir: string;
    if (code.ZipFile !== undefined) {
      codeDir = join(codeRoot, `inline-${hash(code.ZipFile, 16)}`);
      mkdirSync(codeDir, { recursive: true });
      writeFileSync(join(codeDir, 'index.js'), code.ZipFile);
    } else if (code.S3Key) {
      const zip = join(resolve(this.opts.artifactDir ?? join(this.projectDir, '.serverless')), basename(code.S3Key));
      if (!existsSync(zip))
        throw new DeployError(`the artifact ${zip} (Code.S3Key ${code.S3Key}) is missing: package the service again`);
      codeDir = unpackArtifact(zip, codeRoot);
      this.codeDirs.add(codeDir);
    } else throw new DeployError('Code needs S3Key (a packaged artifact) or ZipFile');
    const variables = Object.fromEntries(
      Object.entries((p['Environment'] as { Variables?: Record<string, unknown> })?.Variables ?? {}).map(([k, v]) => [
        k,
        stringify(v),
      ]),
    );
    const config = await this.target.lambda.createFunction({
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
      await this.target.lambda.putFunctionConcurrency({
        FunctionName: name,
        ReservedConcurrentExecutions: Number(p['ReservedConcurrentExecutions']),
      });
    const file = handler.slice(0, handler.lastIndexOf('.'));
    if (!['.js', '.cjs', '.mjs'].some((ext) => existsSync(join(codeDir, `${file}${ext}`))))
      throw new DeployError(`the artifact has no ${file}.js for Handler ${handler}: package the service again`);
    // environments start now, in the background: the first invocation of a function waits for its own
    // in the template's order: serverless.yml lists the functions as the lifecycle calls them
    void this.target.lambda.warm(name, Object.keys(this.template.Resources).indexOf(id));
    return { physicalId: name, attributes: { Arn: config['FunctionArn'] } };
  }

  async createMapping(
    _id: string,
    p: Record<string, unknown>,
  ): Promise<Omit<DeployedResource, 'logicalId' | 'type' | 'live'>> {
    const input = { ...p } as unknown as CreateEventSourceMappingRequest & { StartingPositionTimestamp?: unknown };
    if (typeof input.StartingPositionTimestamp === 'string' || typeof input.StartingPositionTimestamp === 'number')
      input.StartingPositionTimestamp = new Date(
        typeof input.StartingPositionTimestamp === 'number'
          ? input.StartingPositionTimestamp * 1000
          : input.StartingPositionTimestamp,
      );
    const out = await this.target.lambda.createEventSourceMapping(input);
    return {
      physicalId: String(out['UUID']),
      attributes: { Id: out['UUID'], EventSourceMappingArn: out['EventSourceMappingArn'] },
    };
  }

  async createStateMachine(
    id: string,
    p: Record<string, unknown>,
  ): Promise<Omit<DeployedResource, 'logicalId' | 'type' | 'live'>> {
    const name = str(p['StateMachineName']) ?? this.generatedName(id, 80);
    let definition: string;
    if (typeof p['DefinitionString'] === 'string') definition = p['DefinitionString'];
    else if (p['Definition'] !== undefined) definition = JSON.stringify(p['Definition']);
    else throw new DeployError('DefinitionString or Definition is required');
    const subs = p['DefinitionSubstitutions'] as Record<string, unknown> | undefined;
    if (subs) definition = definition.replace(/\$\{([^}]+)\}/g, (w, k: string) => (k in subs ? stringify(subs[k]) : w));
    const roleArn = str(p['RoleArn']) ?? `arn:aws:iam::${this.accountId}:role/${this.generatedName(`${id}Role`)}`;
    const out = this.target.stepFunctions.createStateMachine({
      name,
      definition,
      roleArn,
      type: p['StateMachineType'] === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    });
    return { physicalId: out.stateMachineArn, attributes: { Arn: out.stateMachineArn, Name: name } };
  }

  async createRule(
    id: string,
    p: Record<string, unknown>,
  ): Promise<Omit<DeployedResource, 'logicalId' | 'type' | 'live'>> {
    const name = str(p['Name']) ?? this.generatedName(id);
    const schedule = str(p['ScheduleExpression']);
    const arn = `arn:aws:events:${this.target.region}:${this.accountId}:rule/${name}`;
    if (!schedule)
      throw new DeployError('the twin runs schedule rules only (ScheduleExpression); event patterns are not delivered');
    const targets = ((p['Targets'] as Record<string, unknown>[] | undefined) ?? []).map((t) => ({
      Id: String(t['Id']),
      Arn: String(t['Arn']),
      ...(typeof t['Input'] === 'string' ? { Input: t['Input'] } : {}),
    }));
    this.target.events.putRule({
      Name: name,
      ScheduleExpression: schedule,
      State: p['State'] === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    });
    if (targets.length > 0) this.target.events.putTargets({ Rule: name, Targets: targets });
    return { physicalId: name, attributes: { Arn: arn } };
  }
}

type Creator = (
  this: Deployment,
  id: string,
  p: Record<string, unknown>,
) => Promise<Omit<DeployedResource, 'logicalId' | 'type' | 'live'>>;

const CREATORS: Record<string, Creator> = {
  'AWS::Kinesis::Stream': Deployment.prototype.createStream,
  'AWS::Kinesis::StreamConsumer': Deployment.prototype.createConsumer,
  'AWS::Lambda::Function': Deployment.prototype.createFunction,
  'AWS::Lambda::EventSourceMapping': Deployment.prototype.createMapping,
  'AWS::StepFunctions::StateMachine': Deployment.prototype.createStateMachine,
  'AWS::Events::Rule': Deployment.prototype.createRule,
};

const NO_VALUE = Symbol('AWS::NoValue');

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
    return;
  }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'Ref' && typeof v === 'string') into.add(v);
    else if (k === 'Fn::GetAtt') {
      const name = Array.isArray(v) ? v[0] : String(v).split('.')[0];
      if (typeof name === 'string') into.add(name);
    } else if (k === 'Fn::Sub') {
      const text = Array.isArray(v) ? v[0] : v;
      const vars = Array.isArray(v) ? ((v[1] ?? {}) as Record<string, unknown>) : {};
      if (typeof text === 'string')
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!.split('.')[0]!;
          if (!(name in vars)) into.add(name);
        }
      collectRefs(vars, into);
    } else collectRefs(v, into);
  }
}

/** Removes unpacked code that this deploy does not use and nothing has used for an hour (older packages). */
function pruneCodeCache(root: string, used: Set<string>): void {
  if (!existsSync(root)) return;
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

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function hash(text: string, n: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, n).toUpperCase();
}
