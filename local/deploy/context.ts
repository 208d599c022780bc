/**
 * What a resource type's creator is handed: the twin's services, the stack it deploys, the Clock, and where the
 * packaged artifacts are. Creators get nothing else, so each one can be tested with a context of fakes.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import type { CloudWatchTwin } from '../cloudwatch';
import type { EventsTwin } from '../events';
import type { FirehoseTwin } from '../firehose';
import type { IamTwin } from '../iam';
import type { LambdaTwin } from '../lambda';
import type { LogsTwin } from '../logs';
import type { S3Twin } from '../s3';
import type { RequestContext } from '../service';
import type { StepFunctionsTwin } from '../stepfunctions';

/** The services deploy creates resources in (the `Twin` of local/twin.ts satisfies it). */
export interface DeployTarget {
  readonly region: string;
  /** The twin's Clock: every wait of a deploy runs on it (default: the wall clock). */
  readonly clock?: Clock;
  readonly kinesis: {
    handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
  };
  readonly lambda: LambdaTwin;
  readonly stepFunctions: StepFunctionsTwin;
  readonly events: EventsTwin;
  /** Buckets and bucket policies are made here when the twin has S3 (else only recorded). */
  readonly s3?: S3Twin;
  /** Delivery streams (AWS::KinesisFirehose::DeliveryStream) are made here. */
  readonly firehose?: FirehoseTwin;
  /** Log groups are made here when the twin has CloudWatch Logs (else only recorded). */
  readonly logs?: LogsTwin;
  /** Alarms and dashboards are put here when the twin has CloudWatch (else only recorded). */
  readonly cloudWatch?: CloudWatchTwin;
  /** Roles and policies are recorded here, and every call of a role evaluated, when the twin has IAM. */
  readonly iam?: IamTwin;
}

/** Where function code comes from. */
export interface ArtifactSource {
  /** The zip a template's Code.S3Bucket/S3Key names (the packaged artifact, or an object of the S3 twin). */
  read(code: { S3Bucket?: string; S3Key: string }): { bytes: Buffer; source: string };
  /** Where zips are unpacked (`<project>/.fanout/lambda`). */
  readonly codeRoot: string;
}

export interface DeployContext {
  readonly target: DeployTarget;
  readonly clock: Clock;
  readonly region: string;
  readonly accountId: string;
  readonly stackName: string;
  /** The stack's id (CloudFormation's ARN), when a CloudFormation stack deploys. */
  readonly stackId?: string;
  /** What a request of the deploy carries to the services (region, account). */
  readonly request: RequestContext;
  readonly artifacts: ArtifactSource;
  /** The position of a resource in the template (functions warm in that order: the order the lifecycle calls them). */
  position(logicalId: string): number;
  /** Unpacked code directories this deploy uses (the rest of the cache may be pruned). */
  readonly codeDirs: Set<string>;
}

/** What a creator made of one resource: what Ref returns and what Fn::GetAtt can read. */
export interface Made {
  physicalId: string;
  attributes: Record<string, unknown>;
}

/** The name CloudFormation gives a resource that names none: `<stack>-<logicalId>-<RANDOM>`, within `max`. */
export function generatedName(ctx: Pick<DeployContext, 'stackName'>, logicalId: string, max = 64): string {
  const suffix = hash(`${ctx.stackName}/${logicalId}`, 12);
  return `${ctx.stackName}-${logicalId}`.slice(0, max - 13) + `-${suffix}`;
}

/** A short upper-case hex digest of `text`. */
export function hash(text: string, n: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, n).toUpperCase();
}

/** A non-empty string property, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
