/**
 * Reference data sources (an S3 object joined as a table): Add/DeleteApplicationReferenceDataSource and what
 * UpdateApplication's ReferenceDataSourceUpdates change. Stored as AWS stores them; the twin does not load the
 * object into the application (the S3 twin holds it, the runner reads no table yet), so an application with one is
 * refused at StartApplication.
 */
import type * as Api from '@aws-sdk/client-kinesis-analytics';
import type { RequestOf, ResponseOf, Validated } from '../api';
import { invalidArgument } from '../errors';
import { LIMITS } from '../limits';
import type { ApplicationState } from '../state';
import { bumpVersion, findById, modifiable, nextId, type OperationContext } from './context';

export function addReferenceDataSource(
  ctx: OperationContext,
  i: RequestOf<'AddApplicationReferenceDataSource'>,
): ResponseOf<'AddApplicationReferenceDataSource'> {
  const app = modifiable(ctx, i, 'AddApplicationReferenceDataSource');
  if (app.referenceDataSources.length >= LIMITS.referenceDataSources) {
    throw invalidArgument(`Application ${app.name} already has a reference data source (at most 1)`);
  }
  const source = i.ReferenceDataSource;
  const s3 = source.S3ReferenceDataSource;
  if (!s3) throw invalidArgument('ReferenceDataSource needs S3ReferenceDataSource');
  app.referenceDataSources.push({
    ReferenceId: nextId(app, app.referenceDataSources, 'ReferenceId', true),
    TableName: source.TableName,
    S3ReferenceDataSourceDescription: {
      BucketARN: s3.BucketARN,
      FileKey: s3.FileKey,
      ReferenceRoleARN: s3.ReferenceRoleARN,
    },
    ReferenceSchema: source.ReferenceSchema,
  });
  bumpVersion(ctx, app);
  return {};
}

export function deleteReferenceDataSource(
  ctx: OperationContext,
  i: RequestOf<'DeleteApplicationReferenceDataSource'>,
): ResponseOf<'DeleteApplicationReferenceDataSource'> {
  const app = modifiable(ctx, i, 'DeleteApplicationReferenceDataSource');
  const ref = findById(app.referenceDataSources, 'ReferenceId', i.ReferenceId, 'Reference data source');
  app.referenceDataSources = app.referenceDataSources.filter((r) => r !== ref);
  bumpVersion(ctx, app);
  return {};
}

/** Applies one of UpdateApplication's ReferenceDataSourceUpdates to (a copy of) the application. */
export function applyReferenceDataSourceUpdate(
  app: ApplicationState,
  u: Validated<Api.ReferenceDataSourceUpdate>,
): void {
  const ref = findById(app.referenceDataSources, 'ReferenceId', u.ReferenceId, 'Reference data source');
  if (u.TableNameUpdate !== undefined) ref.TableName = u.TableNameUpdate;
  if (u.ReferenceSchemaUpdate !== undefined) ref.ReferenceSchema = u.ReferenceSchemaUpdate;
  const s3 = u.S3ReferenceDataSourceUpdate;
  const description = ref.S3ReferenceDataSourceDescription;
  if (s3?.BucketARNUpdate !== undefined) description.BucketARN = s3.BucketARNUpdate;
  if (s3?.FileKeyUpdate !== undefined) description.FileKey = s3.FileKeyUpdate;
  if (s3?.ReferenceRoleARNUpdate !== undefined) description.ReferenceRoleARN = s3.ReferenceRoleARNUpdate;
}
