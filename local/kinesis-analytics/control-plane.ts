/**
 * The control plane of the Kinesis Analytics twin: every application operation of the 2015-08-14 API, one table
 * from operation name to the function of its group (operations/*.ts). A request is validated against the model
 * (validation.ts) before the function sees it, typed as the SDK's own request type.
 */
import type { Clock } from '../clock';
import { type OperationName, type RequestOf, type ResponseOf, withoutNulls } from './api';
import type { SqlEngine } from './engine';
import { unknownOperation } from './errors';
import { ApplicationLifecycle, type DataPlane, type StatusDelays } from './lifecycle';
import {
  createApplication,
  deleteApplication,
  describeApplication,
  listApplications,
  updateApplication,
} from './operations/applications';
import { applicationArn, type OperationContext } from './operations/context';
import {
  addApplicationInput,
  addInputProcessingConfiguration,
  deleteInputProcessingConfiguration,
} from './operations/inputs';
import { addCloudWatchLoggingOption, deleteCloudWatchLoggingOption } from './operations/logging';
import { addApplicationOutput, deleteApplicationOutput } from './operations/outputs';
import { addReferenceDataSource, deleteReferenceDataSource } from './operations/reference-data';
import { startApplication, stopApplication } from './operations/running';
import { listTagsForResource, tagResource, untagResource } from './operations/tags';
import type { ApplicationStore } from './store';
import { validateRequest } from './validation';

export type { DataPlane, StatusDelays } from './lifecycle';
export { DEFAULT_DELAYS, FAST_DELAYS } from './lifecycle';

type ApplicationOperation = Exclude<OperationName, 'DiscoverInputSchema'>;

const OPERATIONS: {
  [K in ApplicationOperation]: (ctx: OperationContext, input: RequestOf<K>) => ResponseOf<K> | Promise<ResponseOf<K>>;
} = {
  CreateApplication: createApplication,
  DescribeApplication: describeApplication,
  ListApplications: listApplications,
  UpdateApplication: updateApplication,
  StartApplication: startApplication,
  StopApplication: stopApplication,
  DeleteApplication: deleteApplication,
  AddApplicationInput: addApplicationInput,
  AddApplicationOutput: addApplicationOutput,
  DeleteApplicationOutput: deleteApplicationOutput,
  AddApplicationInputProcessingConfiguration: addInputProcessingConfiguration,
  DeleteApplicationInputProcessingConfiguration: deleteInputProcessingConfiguration,
  AddApplicationReferenceDataSource: addReferenceDataSource,
  DeleteApplicationReferenceDataSource: deleteReferenceDataSource,
  AddApplicationCloudWatchLoggingOption: addCloudWatchLoggingOption,
  DeleteApplicationCloudWatchLoggingOption: deleteCloudWatchLoggingOption,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};

export interface ControlPlaneOptions {
  store: ApplicationStore;
  clock: Clock;
  region: string;
  accountId: string;
  delays: StatusDelays;
  engine: Pick<SqlEngine, 'compile'>;
  dataPlane?: DataPlane;
}

export class ControlPlane {
  readonly lifecycle: ApplicationLifecycle;
  private readonly ctx: OperationContext;

  constructor(opts: ControlPlaneOptions) {
    this.lifecycle = new ApplicationLifecycle({
      store: opts.store,
      clock: opts.clock,
      delays: opts.delays,
      dataPlane: opts.dataPlane,
    });
    this.ctx = { ...opts, lifecycle: this.lifecycle };
  }

  /** The operations this control plane serves (DiscoverInputSchema is served next to it). */
  get operations(): string[] {
    return Object.keys(OPERATIONS);
  }

  /** Runs one operation; throws AwsServiceError as the service would. */
  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    if (!Object.hasOwn(OPERATIONS, operation)) throw unknownOperation(operation);
    const run = OPERATIONS[operation as ApplicationOperation] as (ctx: OperationContext, input: unknown) => unknown;
    validateRequest(operation, input);
    // validated against the model: the input has the shape of the operation's SDK request type
    return run(this.ctx, withoutNulls(input));
  }

  /** Cancels pending status changes (the twin is closing). */
  close(): void {
    this.lifecycle.close();
  }

  arnOf(name: string): string {
    return applicationArn(this.ctx, name);
  }
}
