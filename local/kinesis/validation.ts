/**
 * Kinesis request validation: the shared model-driven validator (local/api-model) on the Kinesis 2013-12-02
 * model (api-model.json, stripped from shared/reference/aws-api-models/ by local/api-model/strip.ts). Every
 * broken constraint is a `ValidationException` listing them all; a value of the wrong type or a blob that is
 * not complete base64 is a `SerializationException` naming the field.
 */
import { base64Length, decodedLength } from '../api-model/base64';
import { ApiModel } from '../api-model/model';
import { ModelValidator } from '../api-model/validator';
import json from './api-model.json';

export { base64Length, decodedLength };

export const kinesisModel = new ApiModel(json);
const validator = new ModelValidator(kinesisModel, { errorType: 'ValidationException' });

/** Operations the API model knows. */
export function isModelOperation(operation: string): boolean {
  return kinesisModel.isOperation(operation);
}

/** Throws the ValidationException / SerializationException Kinesis would answer for this input. */
export function validateInput(operation: string, input: Record<string, unknown>): void {
  validator.validate(operation, input);
}
