/**
 * The CloudFormation twin (query protocol, XML answers, API version 2010-05-15): stacks made, updated in place and
 * deleted by the same deploy engine `fanout up` uses (local/deploy), so `osls deploy` and `fanout up` make the
 * same resources the same way; change sets; stack events, resources, templates and outputs as CloudFormation
 * reports them. Requests are decoded, validated (local/api-model) and answers encoded by the API model's shapes
 * (./api-model.json).
 */
import { join } from 'node:path';
import { ApiModel } from '../api-model/model';
import { ModelValidator } from '../api-model/validator';
import { decodeQueryInput, encodeXmlMembers } from '../api-model/xml';
import { type Clock, systemClock } from '../clock';
import { ACCOUNT_ID, type DeployTarget, deployContext, plan } from '../deploy';
import { resourceType } from '../deploy/resources';
import type { PlannedChange } from '../deploy/stack';
import type { Template } from '../deploy/template';
import { queryParams } from '../protocols/aws-query';
import type { S3Twin } from '../s3';
import type { QueryService, RequestContext } from '../service';
import json from './api-model.json';
import { cfnError } from './errors';
import { StackLifecycle } from './lifecycle';
import * as change from './operations/change';
import * as describe from './operations/describe';
import { StackPersistence } from './persistence';
import { type Stack, StackStore } from './store';
import { readTemplateSource, validation } from './templates';

export interface CloudFormationTwinOptions {
  target: DeployTarget;
  s3?: S3Twin;
  clock?: Clock;
  region?: string;
  /** Where function code is unpacked (default `<cwd>/.fanout/lambda`). */
  codeRoot?: string;
  /** Keep stacks, their resources, events, outputs and change sets here (`<dataDir>/cloudformation/journal`). */
  dataDir?: string;
  /** With dataDir: a change is durable once fdatasync'd (true, default) or once written to the file. */
  fsync?: boolean;
}

/** Operations that change nothing: answered without waiting for the journal. */
const READS = /^(Describe|List|Get|Validate)/;

const model = new ApiModel(json);
const validator = new ModelValidator(model, { errorType: 'ValidationError' });

type Operation = (cfn: CloudFormationTwin, input: never) => Record<string, unknown> | undefined;

const OPERATIONS: Record<string, Operation> = {
  CreateStack: change.createStack,
  UpdateStack: change.updateStack,
  DeleteStack: change.deleteStack,
  CreateChangeSet: change.createChangeSet,
  DescribeChangeSet: change.describeChangeSet,
  ExecuteChangeSet: change.executeChangeSet,
  DeleteChangeSet: change.deleteChangeSet,
  ListChangeSets: change.listChangeSets,
  DescribeStacks: (cfn, i) => describe.describeStacks(cfn.store, i),
  ListStacks: (cfn, i) => describe.listStacks(cfn.store, i),
  DescribeStackEvents: (cfn, i) => describe.describeStackEvents(cfn.store, i),
  DescribeStackResource: (cfn, i) => describe.describeStackResource(cfn.store, i),
  DescribeStackResources: (cfn, i) => describe.describeStackResources(cfn.store, i),
  ListStackResources: (cfn, i) => describe.listStackResources(cfn.store, i),
  GetTemplate: (cfn, i) => describe.getTemplate(cfn.store, i),
  ListExports: (cfn) => describe.listExports(cfn.store),
  ValidateTemplate: (cfn, i) => validation(readTemplateSource(i, cfn.s3).template),
  UpdateTerminationProtection: (cfn, i: { StackName?: string; EnableTerminationProtection?: boolean }) => {
    const stack = cfn.store.get(String(i.StackName ?? ''));
    stack.terminationProtection = i.EnableTerminationProtection === true;
    cfn.store.changed({ type: 'stack-put', stack });
    return { StackId: stack.id };
  },
  SetStackPolicy: (cfn, i: { StackName?: string }) => {
    cfn.store.get(String(i.StackName ?? ''));
    return undefined;
  },
};

export class CloudFormationTwin implements QueryService {
  readonly version = '2010-05-15';
  readonly signingName = 'cloudformation';
  readonly xmlNamespace = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
  readonly region: string;
  readonly accountId = ACCOUNT_ID;
  readonly clock: Clock;
  readonly store: StackStore;
  readonly lifecycle: StackLifecycle;
  readonly s3: S3Twin | undefined;
  private readonly target: DeployTarget;
  private readonly codeRoot: string;
  private readonly persistence: StackPersistence | undefined;

  constructor(opts: CloudFormationTwinOptions) {
    this.region = opts.region ?? 'us-east-1';
    this.clock = opts.clock ?? systemClock;
    this.s3 = opts.s3;
    this.target = opts.target;
    this.codeRoot = opts.codeRoot ?? join(process.cwd(), '.fanout', 'lambda');
    this.store = new StackStore(this.region, this.accountId);
    const target = opts.target;
    this.lifecycle = new StackLifecycle(
      {
        target,
        clock: this.clock,
        codeRoot: this.codeRoot,
        readArtifact: (code) => this.artifact(code),
        ...(opts.dataDir !== undefined
          ? {
              // the services a deploy changes in process (Kinesis and Firehose answer it once durable)
              flush: async () => {
                await Promise.all([
                  target.lambda.flush(),
                  target.stepFunctions.flush(),
                  target.events.flush(),
                  target.iam?.flush(),
                ]);
              },
            }
          : {}),
      },
      this.store,
    );
    if (opts.dataDir !== undefined) {
      this.persistence = new StackPersistence(opts.dataDir, opts.fsync !== undefined ? { fsync: opts.fsync } : {});
      this.store.journal = this.persistence;
      this.persistence.restore(this.store, (stack, status, reason) => this.lifecycle.status(stack, status, reason));
      this.restoreOutside();
    }
  }

  /**
   * What the kept stacks' resources hold outside the data directory, made whole again: function code lies in the
   * project's code cache (`<project>/.fanout/lambda`, where the bundles' external modules resolve), which a user
   * may delete or another twin prune; it is unpacked again from the artifact the S3 twin kept.
   */
  private restoreOutside(): void {
    for (const stack of this.store.live()) {
      const state = stack.state;
      if (!state) continue;
      const ctx = deployContext(this.target, state.template, stack.name, {
        codeRoot: this.codeRoot,
        artifacts: (code) => this.artifact(code),
      });
      for (const held of state.resources.values()) {
        try {
          resourceType(held.type)?.restore?.({ ...ctx, stackId: stack.id }, held);
        } catch (error) {
          process.stderr.write(
            `twin: cloudformation: ${stack.name}: ${held.logicalId} cannot be restored: ${(error as Error).message}\n`,
          );
        }
      }
    }
  }

  async handle(action: string, params: URLSearchParams, _ctx: RequestContext): Promise<string | undefined> {
    const op = OPERATIONS[action];
    if (!op || !model.isOperation(action))
      throw cfnError('InvalidAction', `The action ${action} is not valid for this web service.`);
    const input = decodeQueryInput(model, model.inputOf(action), queryParams(params));
    validator.validate(action, input);
    const output = op(this, input as never);
    if (this.persistence && !READS.test(action)) await this.persistence.commit();
    const shape = model.outputOf(action);
    return shape === undefined ? undefined : encodeXmlMembers(model, shape, output ?? {});
  }

  /** Function code from the S3 twin (what the framework uploaded to the deployment bucket). */
  private artifact(code: { S3Bucket?: string; S3Key: string }): { bytes: Buffer; source: string } {
    if (!this.s3 || !code.S3Bucket)
      throw new Error(`Code.S3Bucket is required (the twin reads function code from its S3): ${code.S3Key}`);
    try {
      return { bytes: this.s3.object(code.S3Bucket, code.S3Key).body, source: `s3://${code.S3Bucket}/${code.S3Key}` };
    } catch {
      throw new Error(
        `Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist. (s3://${code.S3Bucket}/${code.S3Key})`,
      );
    }
  }

  /** What applying `template` to the stack would change (empty: nothing to do). */
  changes(stack: Stack, template: Template, parameters: Record<string, string>): PlannedChange[] {
    const ctx = deployContext(this.target, template, stack.name, {
      codeRoot: this.codeRoot,
      artifacts: (code) => this.artifact(code),
    });
    try {
      return plan({ ...ctx, stackId: stack.id }, template, stack.state, parameters);
    } catch (error) {
      throw cfnError('ValidationError', (error as Error).message);
    }
  }

  /** Waits for the stack operations still running (a twin closes after them). */
  async settle(): Promise<void> {
    await Promise.all(this.store.all().map((s) => s.running));
  }

  /** Resolves once every change so far is durable (at once without dataDir). */
  async flush(): Promise<void> {
    await this.persistence?.commit();
  }

  /** Waits for the stack operations still running, then closes the journal. */
  async close(): Promise<void> {
    await this.settle();
    await this.persistence?.close();
  }
}
