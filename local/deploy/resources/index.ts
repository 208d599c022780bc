/**
 * Every resource type the twin's CloudFormation knows, in one table: its keys are the list of known types, and each
 * entry says whether a twin service makes it (live) or it is only recorded.
 */
import { CLOUDWATCH_TYPES } from './cloudwatch';
import { EVENTS_TYPES } from './events';
import { FIREHOSE_TYPES } from './firehose';
import { IAM_TYPES } from './iam';
import { KINESIS_TYPES } from './kinesis';
import { LAMBDA_TYPES } from './lambda';
import { RECORDED_TYPES } from './recorded';
import { STEP_FUNCTIONS_TYPES } from './stepfunctions';
import { STORAGE_TYPES } from './storage';
import type { ResourceType } from './types';

export type { HeldResource, ResourceType } from './types';

export const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  ...KINESIS_TYPES,
  ...FIREHOSE_TYPES,
  ...LAMBDA_TYPES,
  ...STEP_FUNCTIONS_TYPES,
  ...EVENTS_TYPES,
  ...STORAGE_TYPES,
  ...CLOUDWATCH_TYPES,
  ...IAM_TYPES,
  ...RECORDED_TYPES,
};

/** The entry of a type, or undefined when the twin does not know it. */
export function resourceType(type: string): ResourceType | undefined {
  return Object.hasOwn(RESOURCE_TYPES, type) ? RESOURCE_TYPES[type] : undefined;
}
