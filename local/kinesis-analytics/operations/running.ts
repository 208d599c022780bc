/**
 * Running an application: StartApplication (after the data plane agrees the configuration can run) and
 * StopApplication. The statuses and their delays are the lifecycle's (lifecycle.ts).
 */
import type { RequestOf, ResponseOf } from '../api';
import { invalidArgument, invalidConfiguration } from '../errors';
import type { StartingPosition } from '../state';
import { findApplication, type OperationContext, requireStatus } from './context';

export async function startApplication(
  ctx: OperationContext,
  i: RequestOf<'StartApplication'>,
): Promise<ResponseOf<'StartApplication'>> {
  const app = findApplication(ctx, i.ApplicationName);
  requireStatus(app, ['READY'], 'StartApplication');
  const input = app.inputs[0];
  if (!input) {
    throw invalidConfiguration(
      `Application ${app.name} has no input; add one with AddApplicationInput before starting it`,
    );
  }
  if (app.code === undefined || app.code.trim() === '') {
    throw invalidConfiguration(`Application ${app.name} has no application code`);
  }
  let position: StartingPosition = 'NOW';
  for (const config of i.InputConfigurations) {
    if (config.Id !== input.InputId) {
      throw invalidArgument(`Application ${app.name} has no input with id ${String(config.Id)}`);
    }
    const requested = config.InputStartingPositionConfiguration.InputStartingPosition;
    if (requested !== undefined) position = requested;
  }
  await ctx.lifecycle.dataPlane?.check(app);
  // the checks above awaited: another request may have started (or deleted) the application meanwhile
  requireStatus(app, ['READY'], 'StartApplication');
  input.InputStartingPositionConfiguration = { InputStartingPosition: position };
  ctx.lifecycle.start(app, position);
  return {};
}

export function stopApplication(ctx: OperationContext, i: RequestOf<'StopApplication'>): ResponseOf<'StopApplication'> {
  const app = findApplication(ctx, i.ApplicationName);
  requireStatus(app, ['RUNNING'], 'StopApplication');
  ctx.lifecycle.stop(app);
  return {};
}
