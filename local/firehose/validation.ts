/**
 * Firehose request validation: the shared model-driven validator (local/api-model) on the Firehose 2015-08-04 model
 * (api-model.json: the operations the twin serves, stripped from shared/reference/aws-api-models/ by
 * local/api-model/strip.ts). A broken constraint is a ValidationException listing every one; a value of the wrong
 * type or a blob that is not base64 is a SerializationException naming the field.
 */
import { ApiModel } from '../api-model/model';
import { ModelValidator } from '../api-model/validator';
import json from './api-model.json';

export const firehoseModel = new ApiModel(json);
const validator = new ModelValidator(firehoseModel, { errorType: 'ValidationException' });

export function validateInput(operation: string, input: Record<string, unknown>): void {
  validator.validate(operation, input);
}
