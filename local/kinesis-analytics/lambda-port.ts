/**
 * What the Kinesis Analytics twin uses of the Lambda twin (local/lambda): a synchronous (RequestResponse)
 * invocation in process, for Lambda destinations and input preprocessing. `LambdaTwin` satisfies it.
 */
import { parseFunctionArn } from '../../src/arn';
import { invalidConfiguration } from './errors';

export interface LambdaInvocation {
  /** The function's answer, as JSON text. */
  payload: string;
  /** Set when the function failed (Lambda's X-Amz-Function-Error): `payload` then holds the error. */
  functionError?: string | undefined;
}

export interface LambdaPort {
  /** Throws (ResourceNotFoundException, ...) when Lambda refuses the invocation itself. */
  invoke(functionArn: string, payload: string): Promise<LambdaInvocation>;
  /** Throws ResourceNotFoundException when there is no such function. */
  getFunction(functionArn: string): unknown;
}

/**
 * Throws InvalidApplicationConfigurationException unless `arn` names a function of the Lambda twin; `role` says
 * what the application uses it for.
 */
export function requireFunction(lambda: LambdaPort | undefined, arn: string, role: string): void {
  if (!parseFunctionArn(arn)) throw invalidConfiguration(`The ${role} ${arn} is not a Lambda function ARN`);
  if (!lambda) throw invalidConfiguration(`The ${role} ${arn} cannot be invoked: this twin runs no Lambda service`);
  try {
    lambda.getFunction(arn);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw invalidConfiguration(`The ${role} ${arn} does not exist`);
    }
    throw error;
  }
}
