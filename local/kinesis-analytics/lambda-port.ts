/**
 * What the Kinesis Analytics twin uses of the Lambda twin (local/lambda): a synchronous (RequestResponse)
 * invocation in process, for Lambda destinations and input preprocessing. `LambdaTwin` satisfies it.
 */
import { parseFunctionArn } from '../../src/arn';
import type { LambdaTwin } from '../lambda';
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
  getFunction(functionArn: string): Promise<unknown>;
}

/** The Lambda twin's in-process API as this port. */
export function lambdaPortOf(lambda: Pick<LambdaTwin, 'invoke' | 'getFunction'>): LambdaPort {
  return {
    async invoke(functionArn, payload) {
      const answer = await lambda.invoke({ FunctionName: functionArn, Payload: Buffer.from(payload) });
      return {
        payload: Buffer.from(answer.Payload ?? new Uint8Array()).toString('utf8'),
        functionError: answer.FunctionError,
      };
    },
    getFunction: (functionArn) => lambda.getFunction({ FunctionName: functionArn }),
  };
}

/**
 * Throws InvalidApplicationConfigurationException unless `arn` names a function of the Lambda twin; `role` says
 * what the application uses it for.
 */
export async function requireFunction(lambda: LambdaPort | undefined, arn: string, role: string): Promise<void> {
  if (!parseFunctionArn(arn)) throw invalidConfiguration(`The ${role} ${arn} is not a Lambda function ARN`);
  if (!lambda) throw invalidConfiguration(`The ${role} ${arn} cannot be invoked: this twin runs no Lambda service`);
  try {
    await lambda.getFunction(arn);
  } catch (error) {
    if ((error as { name?: string }).name === 'ResourceNotFoundException') {
      throw invalidConfiguration(`The ${role} ${arn} does not exist`);
    }
    throw error;
  }
}
