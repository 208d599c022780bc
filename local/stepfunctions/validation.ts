/**
 * Step Functions request validation: the shared model-driven validator (local/api-model) on the 2016-11-23 model
 * (api-model.json, stripped from shared/reference/aws-api-models/ by local/api-model/strip.ts). Broken constraints
 * are one `ValidationException` listing them all; a member of the wrong type is a `SerializationException`.
 */
import { ApiModel } from '../api-model/model';
import { ModelValidator } from '../api-model/validator';
import json from './api-model.json';

const model = new ApiModel(json);
const validator = new ModelValidator(model, { errorType: 'ValidationException' });

/** Throws the ValidationException (or SerializationException) Step Functions answers for this input. */
export function validateInput(operation: string, input: Record<string, unknown>): void {
  validator.validate(operation, input);
}
