/**
 * CloudWatch logging options (a log stream the service writes application messages to): Add/Delete and what
 * UpdateApplication's CloudWatchLoggingOptionUpdates change. Stored as AWS stores them.
 */
import type * as Api from '@aws-sdk/client-kinesis-analytics';
import type { RequestOf, ResponseOf, Validated } from '../api';
import type { ApplicationState, CloudWatchLoggingOptionDescription } from '../state';
import { bumpVersion, findById, modifiable, nextId, type OperationContext } from './context';

const ID = 'CloudWatchLoggingOptionId';
const WHAT = 'CloudWatch logging option';

export function toLoggingOptionDescription(
  option: Validated<Api.CloudWatchLoggingOption>,
  id: string,
): CloudWatchLoggingOptionDescription {
  return { CloudWatchLoggingOptionId: id, LogStreamARN: option.LogStreamARN, RoleARN: option.RoleARN };
}

export function addCloudWatchLoggingOption(
  ctx: OperationContext,
  i: RequestOf<'AddApplicationCloudWatchLoggingOption'>,
): ResponseOf<'AddApplicationCloudWatchLoggingOption'> {
  const app = modifiable(ctx, i, 'AddApplicationCloudWatchLoggingOption');
  const id = nextId(app, app.cloudWatchLoggingOptions, ID, true);
  app.cloudWatchLoggingOptions.push(toLoggingOptionDescription(i.CloudWatchLoggingOption, id));
  bumpVersion(ctx, app);
  return {};
}

export function deleteCloudWatchLoggingOption(
  ctx: OperationContext,
  i: RequestOf<'DeleteApplicationCloudWatchLoggingOption'>,
): ResponseOf<'DeleteApplicationCloudWatchLoggingOption'> {
  const app = modifiable(ctx, i, 'DeleteApplicationCloudWatchLoggingOption');
  const option = findById(app.cloudWatchLoggingOptions, ID, i.CloudWatchLoggingOptionId, WHAT);
  app.cloudWatchLoggingOptions = app.cloudWatchLoggingOptions.filter((o) => o !== option);
  bumpVersion(ctx, app);
  return {};
}

/** Applies one of UpdateApplication's CloudWatchLoggingOptionUpdates to (a copy of) the application. */
export function applyLoggingOptionUpdate(app: ApplicationState, u: Validated<Api.CloudWatchLoggingOptionUpdate>): void {
  const option = findById(app.cloudWatchLoggingOptions, ID, u.CloudWatchLoggingOptionId, WHAT);
  if (u.LogStreamARNUpdate !== undefined) option.LogStreamARN = u.LogStreamARNUpdate;
  if (u.RoleARNUpdate !== undefined) option.RoleARN = u.RoleARNUpdate;
}
