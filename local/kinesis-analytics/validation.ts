/**
 * Kinesis Analytics request validation: the shared model-driven validator (local/api-model) on the 2015-08-14
 * model (api-model.json, without its documentation). Kinesis Analytics reports broken constraints as
 * `InvalidArgumentException` ("3 validation errors detected: Value ... at 'applicationName' failed to satisfy
 * constraint: ..."), and a member of the wrong type as `SerializationException`.
 */
import { ApiModel } from '../api-model/model';
import { ModelValidator } from '../api-model/validator';
import json from './api-model.json';

const model = new ApiModel(json);
const validator = new ModelValidator(model, { errorType: 'InvalidArgumentException' });

/** The operations the model defines, e.g. `CreateApplication`. */
export const operationNames: readonly string[] = model.operationNames;

/**
 * Checks an operation's input against the model; throws `InvalidArgumentException` listing every violated
 * constraint, or `SerializationException` when a member has the wrong JSON type.
 */
export function validateRequest(operation: string, input: Record<string, unknown>): void {
  validator.validate(operation, input);
}

/** Converts a model timestamp (epoch seconds as a number, or an ISO string) to epoch milliseconds. */
export function timestampMs(value: unknown): number {
  if (typeof value === 'number') return value * 1000;
  if (value instanceof Date) return value.getTime();
  return Date.parse(String(value));
}
