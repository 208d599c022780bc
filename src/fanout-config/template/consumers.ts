/** The logging consumer function of each output that asks for one (`consumer: true`), fed by its stream. */
import type { KinesisOutput } from '../definition';
import type { Cfn } from './cfn';
import { outputArn } from './streams';

/** The function key of an output's consumer: `consume<Id>`. */
export const consumerKey = (output: KinesisOutput): string => `consume${output.id}`;

/** The event source mapping every consumer gets: batches of 100 from LATEST, partial batch responses. */
export function consumerEvent(output: KinesisOutput): Cfn {
  return {
    stream: {
      type: 'kinesis',
      arn: outputArn(output),
      batchSize: 100,
      startingPosition: 'LATEST',
      functionResponseType: 'ReportBatchItemFailures',
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 3,
    },
  };
}
