/**
 * The KPL-deaggregation input preprocessor of the kinesis-analytics engine: Kinesis Analytics invokes it with each
 * batch of the input stream when fanout.yml says `input.kplAggregated: true` (the engine attaches it as the
 * application's InputProcessingConfiguration). Each aggregate comes back as its user records' data; a corrupt one
 * as ProcessingFailed, which the application puts on its error stream (src/kpl/preprocessor.ts).
 */
import { type PreprocessingResponse, preprocess, preprocessingEventSchema } from '../src/kpl/preprocessor';
import { logger } from './logger';
import { step } from './step';

export const handler = step(
  'KPL preprocessing',
  preprocessingEventSchema,
  async (event): Promise<PreprocessingResponse> => {
    const { response, summary } = preprocess(event);
    logger.info('KPL records deaggregated', { ...summary });
    if (summary.firstFailure) {
      logger.warn('Corrupt KPL aggregates answered ProcessingFailed: they go to the error stream', {
        failed: summary.failed,
        firstRecordId: summary.firstFailure.recordId,
        reason: summary.firstFailure.reason,
      });
    }
    return response;
  },
  // The summary line above says what happened; the outcome line need not repeat every record.
  { summary: (response) => ({ records: response.records.length }) },
);
