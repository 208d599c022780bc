/**
 * Lambda request validation: the shared model-driven validator (local/api-model) on the 2015-03-31 model
 * (api-model.json, stripped from shared/reference/aws-api-models/ by local/api-model/strip.ts): broken constraints
 * are one `ValidationException` listing them all, a member of the wrong type a `SerializationException`. Then the
 * limits Lambda checks beyond the model, with its `InvalidParameterValueException`.
 */
import { ApiModel } from '../api-model/model';
import { ModelValidator } from '../api-model/validator';
import json from './api-model.json';
import { errors } from './errors';

const model = new ApiModel(json);
const validator = new ModelValidator(model, { errorType: 'ValidationException' });

/** Limits the service enforces that the model does not state. */
const LIMITS: Record<string, Record<string, [number, number]>> = {
  CreateFunction: { Timeout: [1, 900], MemorySize: [128, 10_240] },
  UpdateFunctionConfiguration: { Timeout: [1, 900], MemorySize: [128, 10_240] },
};

/** Throws the error Lambda answers for this input. */
export function validateInput(operation: string, input: Record<string, unknown>): void {
  validator.validate(operation, input);
  for (const [member, [min, max]] of Object.entries(LIMITS[operation] ?? {})) {
    const value = input[member];
    if (typeof value === 'number' && (value < min || value > max))
      throw errors.invalid(`${member} must be an integer between ${min} and ${max}`);
  }
}
