/**
 * Applications as a whole: CreateApplication, DescribeApplication, ListApplications, UpdateApplication,
 * DeleteApplication, and the summary and detail shapes the API returns.
 */
import type * as Api from '@aws-sdk/client-kinesis-analytics';
import { epochMs, epochSeconds, type RequestOf, type ResponseOf, type Wire } from '../api';
import { concurrentModification, invalidArgument, limitExceeded, resourceInUse } from '../errors';
import { LIMITS } from '../limits';
import type { ApplicationState } from '../state';
import {
  applicationArn,
  bumpVersion,
  checkCode,
  findApplication,
  nextId,
  type OperationContext,
  requireStatus,
  requireVersion,
} from './context';
import { applyInputUpdate, toInputDescription } from './inputs';
import { applyLoggingOptionUpdate, toLoggingOptionDescription } from './logging';
import { applyOutputUpdate, checkDestinationCount, toOutputDescription } from './outputs';
import { applyReferenceDataSourceUpdate } from './reference-data';
import { checkTags, dedupeTags } from './tags';

/** The wire `ApplicationSummary`. */
export function toSummary(app: ApplicationState): Wire<Api.ApplicationSummary> {
  return { ApplicationName: app.name, ApplicationARN: app.arn, ApplicationStatus: app.status };
}

/** The wire `ApplicationDetail` (timestamps in epoch seconds, as AWS JSON 1.1 carries them). */
export function toDetail(app: ApplicationState): Wire<Api.ApplicationDetail> {
  return {
    ApplicationName: app.name,
    ...(app.description !== undefined ? { ApplicationDescription: app.description } : {}),
    ApplicationARN: app.arn,
    ApplicationStatus: app.status,
    CreateTimestamp: epochSeconds(app.createTimestamp),
    ...(app.lastUpdateTimestamp !== undefined ? { LastUpdateTimestamp: epochSeconds(app.lastUpdateTimestamp) } : {}),
    InputDescriptions: app.inputs,
    OutputDescriptions: app.outputs,
    ReferenceDataSourceDescriptions: app.referenceDataSources,
    CloudWatchLoggingOptionDescriptions: app.cloudWatchLoggingOptions,
    ...(app.code !== undefined ? { ApplicationCode: app.code } : {}),
    ApplicationVersionId: app.versionId,
  };
}

export function createApplication(
  ctx: OperationContext,
  i: RequestOf<'CreateApplication'>,
): ResponseOf<'CreateApplication'> {
  const { store, clock } = ctx;
  const name = i.ApplicationName;
  if (store.get(name)) throw resourceInUse(`Application ${name} already exists`);
  if (store.size >= LIMITS.applications) {
    throw limitExceeded(`Limit of ${LIMITS.applications} applications per region reached`);
  }
  const inputs = i.Inputs ?? [];
  const outputs = i.Outputs ?? [];
  if (inputs.length > LIMITS.inputs) {
    throw invalidArgument(`An application has at most ${LIMITS.inputs} streaming source`);
  }
  checkDestinationCount(outputs.length);
  const tags = i.Tags ?? [];
  checkTags(tags);
  const app: ApplicationState = {
    name,
    arn: applicationArn(ctx, name),
    status: 'READY',
    createTimestamp: clock.now(),
    versionId: 1,
    inputs: [],
    outputs: [],
    referenceDataSources: [],
    cloudWatchLoggingOptions: [],
    tags: dedupeTags(tags),
    checkpoints: {},
  };
  if (i.ApplicationDescription !== undefined) app.description = i.ApplicationDescription;
  if (i.ApplicationCode !== undefined) app.code = i.ApplicationCode;
  for (const input of inputs) app.inputs.push(toInputDescription(input, nextId(app, app.inputs, 'InputId')));
  for (const output of outputs) app.outputs.push(toOutputDescription(output, nextId(app, app.outputs, 'OutputId')));
  for (const option of i.CloudWatchLoggingOptions ?? []) {
    const id = nextId(app, app.cloudWatchLoggingOptions, 'CloudWatchLoggingOptionId');
    app.cloudWatchLoggingOptions.push(toLoggingOptionDescription(option, id));
  }
  checkCode(ctx, app);
  store.put(app);
  return { ApplicationSummary: toSummary(app) };
}

export function describeApplication(
  ctx: OperationContext,
  i: RequestOf<'DescribeApplication'>,
): ResponseOf<'DescribeApplication'> {
  return { ApplicationDetail: toDetail(findApplication(ctx, i.ApplicationName)) };
}

export function listApplications(
  ctx: OperationContext,
  i: RequestOf<'ListApplications'>,
): ResponseOf<'ListApplications'> {
  const limit = i.Limit ?? 50;
  const after = i.ExclusiveStartApplicationName;
  const all = ctx.store.list().filter((app) => after === undefined || app.name > after);
  return { ApplicationSummaries: all.slice(0, limit).map(toSummary), HasMoreApplications: all.length > limit };
}

export function updateApplication(
  ctx: OperationContext,
  i: RequestOf<'UpdateApplication'>,
): ResponseOf<'UpdateApplication'> {
  const app = findApplication(ctx, i.ApplicationName);
  requireStatus(app, ['READY', 'RUNNING'], 'UpdateApplication');
  requireVersion(app, i.CurrentApplicationVersionId);
  const update = i.ApplicationUpdate;
  // every update applies to a copy, which replaces the application only once all of them (and the code) passed
  const next = structuredClone(app);
  if (update.ApplicationCodeUpdate !== undefined) next.code = update.ApplicationCodeUpdate;
  for (const u of update.InputUpdates ?? []) applyInputUpdate(next, u);
  for (const u of update.OutputUpdates ?? []) applyOutputUpdate(next, u);
  for (const u of update.ReferenceDataSourceUpdates ?? []) applyReferenceDataSourceUpdate(next, u);
  for (const u of update.CloudWatchLoggingOptionUpdates ?? []) applyLoggingOptionUpdate(next, u);
  checkCode(ctx, next);
  Object.assign(app, next);
  // a stopped application just takes the new configuration; a running one is UPDATING while its runner restarts
  bumpVersion(ctx, app, false);
  ctx.lifecycle.updated(app);
  return {};
}

export function deleteApplication(
  ctx: OperationContext,
  i: RequestOf<'DeleteApplication'>,
): ResponseOf<'DeleteApplication'> {
  const app = findApplication(ctx, i.ApplicationName);
  if (app.status === 'DELETING') throw resourceInUse(`Application ${app.name} is already being deleted`);
  const given = epochMs(i.CreateTimestamp);
  // clients round-trip the timestamp through seconds (the AWS CLI may drop the milliseconds)
  if (Math.floor(given / 1000) !== Math.floor(app.createTimestamp / 1000)) {
    throw concurrentModification(
      `CreateTimestamp ${new Date(given).toISOString()} does not match application ${app.name}, created ${new Date(app.createTimestamp).toISOString()}`,
    );
  }
  ctx.lifecycle.delete(app);
  return {};
}
