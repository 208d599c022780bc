/**
 * The closed set of errors the Step Functions twin answers, with the names and messages Step Functions puts on the
 * wire (`{"__type": "StateMachineDoesNotExist", "message": "State Machine Does Not Exist: '<arn>'"}`).
 */
import { AwsServiceError } from '../service';

/** Every error name the twin's Step Functions API can answer. */
export type StepFunctionsErrorName =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidToken'
  | 'SerializationException'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'UnknownOperationException'
  | 'ValidationException';

function error(type: StepFunctionsErrorName, message: string): AwsServiceError {
  return new AwsServiceError(type, message);
}

export const errors = {
  invalidArn: (arn: string) => error('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`),
  invalidName: (name: string) => error('InvalidName', `Invalid Name: '${name}'`),
  invalidDefinition: (detail: string) => error('InvalidDefinition', `Invalid State Machine Definition: '${detail}'`),
  invalidInput: () => error('InvalidExecutionInput', `Invalid State Machine Execution Input: 'Invalid JSON'`),
  invalidToken: () => error('InvalidToken', 'Invalid Token'),
  machineExists: (arn: string) => error('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`),
  noMachine: (arn: string) => error('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`),
  executionExists: (arn: string) => error('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`),
  noExecution: (arn: string) => error('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`),
  unknownOperation: (operation: string) => error('UnknownOperationException', `Unknown operation ${operation}`),
  validation: (message: string) => error('ValidationException', message),
};
